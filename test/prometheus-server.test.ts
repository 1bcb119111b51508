// A real Prometheus scrapes the server's /metrics (with the master key) and its query API finds the calls made:
// requests, a failure, a cache hit, a fallback, tokens and spend. Skipped, loudly, when `prometheus` is not installed,
// unless REQUIRE_PROMETHEUS=1 (CI), where its absence fails.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { useTempDir, user } from "./support/kit.ts";

const found = spawnSync("sh", ["-c", "command -v prometheus"], { encoding: "utf8" });
const binary = found.status === 0 ? found.stdout.trim() : null;
const required = process.env.REQUIRE_PROMETHEUS === "1";

if (!binary && !required) {
  process.stderr.write(
    "\n*** test/prometheus-server.test.ts SKIPPED: no `prometheus` on PATH. Install it (apt-get install -y prometheus) to run it; REQUIRE_PROMETHEUS=1 makes its absence a failure. ***\n\n",
  );
}

const MASTER_KEY = "sk-master-scrape-7c21";
const tmp = useTempDir("litellm-prometheus-", { per: "suite" });

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe.skipIf(!binary && !required)("a real Prometheus scraping /metrics", () => {
  let rt: Runtime;
  let server: RunningServer;
  let prom: ChildProcess | undefined;
  let promUrl: string;
  const promLog: string[] = [];

  beforeAll(async () => {
    if (!binary) throw new Error("REQUIRE_PROMETHEUS=1 but no `prometheus` on PATH: install it (apt-get install -y prometheus).");
    rt = await createRuntime({
      cwd: tmp.path,
      config: {
        model_list: [
          { model_name: "demo", litellm_params: { model: "mock/demo" }, model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 } },
          { model_name: "broken", litellm_params: { model: "mock/broken", mock_response: "litellm.InternalServerError" } },
          { model_name: "limited", litellm_params: { model: "mock/limited", mock_response: "litellm.RateLimitError" } },
        ],
        litellm_settings: { callbacks: ["prometheus"], cache: true, cache_params: { type: "local" } },
        router_settings: { fallbacks: [{ limited: ["demo"] }] },
        general_settings: { master_key: MASTER_KEY },
      },
    });
    rt.on("callback_error", () => {});
    server = await startServer(rt, { host: "127.0.0.1", port: 0 });

    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const config = join(tmp.path, "prometheus.yml");
    await writeFile(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "scrape_configs:",
        "  - job_name: litellm",
        "    scrape_interval: 1s",
        "    metrics_path: /metrics",
        "    authorization:",
        "      type: Bearer",
        `      credentials: ${MASTER_KEY}`,
        "    static_configs:",
        `      - targets: ["127.0.0.1:${server.port}"]`,
        "",
      ].join("\n"),
    );
    prom = spawn(binary, [`--config.file=${config}`, `--storage.tsdb.path=${join(tmp.path, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    prom.stderr!.on("data", (chunk: Buffer) => promLog.push(chunk.toString()));
  });

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((resolve) => prom!.once("exit", resolve));
      prom.kill("SIGTERM");
      await exited;
    }
    await server?.close();
    await rt?.close();
  });

  /** The one value of an instant query, or undefined while Prometheus has none. */
  async function query(q: string): Promise<number | undefined> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => undefined);
    if (!res?.ok) return undefined;
    const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
    const first = body.data.result[0];
    return first ? Number(first.value[1]) : undefined;
  }

  it("finds the requests, the failure, the cache hit, the fallback, the tokens and the spend", async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
    const first = await client.chat.completions.create({ model: "demo", messages: user("hello") });
    await client.chat.completions.create({ model: "demo", messages: user("hello") }); // a cache hit
    await expect(client.chat.completions.create({ model: "broken", messages: user("hello") })).rejects.toMatchObject({ status: 500 });
    const fallback = await client.chat.completions.create({ model: "limited", messages: user("fall back") });
    await rt.flush();

    // A scrape after the calls: the last scrape's value of the request counter reaches 4.
    await vi.waitFor(
      async () => {
        if (prom!.exitCode !== null) throw new Error(`prometheus exited (${prom!.exitCode}): ${promLog.join("")}`);
        expect(await query('sum(litellm_proxy_total_requests_metric{job="litellm"})')).toBe(4);
      },
      { timeout: 45_000, interval: 500 },
    );
    expect(await query('up{job="litellm"}')).toBe(1);
    expect(await query('sum(litellm_proxy_total_requests_metric{requested_model="demo",status_code="200"})')).toBe(2);
    expect(await query('sum(litellm_proxy_total_requests_metric{requested_model="limited",status_code="200"})')).toBe(1);
    expect(await query('sum(litellm_proxy_failed_requests_metric{requested_model="broken",exception_status="500"})')).toBe(1);
    expect(await query("sum(litellm_deployment_total_requests)")).toBe(4);
    expect(await query('sum(litellm_deployment_successful_fallbacks{requested_model="limited",fallback_model="demo"})')).toBe(1);
    expect(await query("sum(litellm_runtime_cache_hits_total)")).toBe(1);
    expect(await query('sum(litellm_total_tokens_metric{model="demo"})')).toBe(2 * first.usage!.total_tokens + fallback.usage!.total_tokens);
    const spend = [first, fallback].reduce((sum, r) => sum + r.usage!.prompt_tokens * 0.000001 + r.usage!.completion_tokens * 0.000002, 0);
    expect(await query('sum(litellm_spend_metric{model="demo"})')).toBeCloseTo(spend, 12);
  }, 60_000);
});
