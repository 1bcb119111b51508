// `serve --num_workers 2`: requests spread over both workers, a config edit reloads both,
// GET /metrics and the live page count the calls of every worker, whichever worker answers.
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir } from "./support/kit.ts";
import { parseExposition, valueOf } from "./support/prometheus-text.ts";
import { tsArgs } from "./support/run-ts.ts";
import { chat, clusterUrl, get, serveCluster, until, type ClusterServe } from "./support/cluster.ts";

const tmp = useTempDir("litellm-cluster-serve-");
let fake: FakeOpenAI;
const running: ClusterServe[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({ content: "from upstream" });
});
afterAll(() => fake.close());
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.kill();
    await s.exited;
  }
});

const config = (models: string[]) => `model_list:
${models.map((m) => `  - model_name: ${m}\n    litellm_params: { model: openai/gpt-4o-mini, api_base: "${fake.url}", api_key: sk-test }`).join("\n")}
litellm_settings:
  callbacks: [prometheus]
`;

function start(): ClusterServe {
  const s = serveCluster(["--port", "0", "--num_workers", "2"], tmp.path);
  running.push(s);
  return s;
}

/** The calls the live page's event stream opens with (its `snapshot` frame), read through whichever worker answers. */
async function pageSnapshot(url: string): Promise<Array<{ id: string; call_id: string }>> {
  const res = await request(`${url}/ui/api/events`, { reset: true });
  let text = "";
  for await (const chunk of res.body) {
    text += chunk.toString();
    const m = /event: snapshot\ndata: (.*)\n/.exec(text);
    if (m) {
      res.body.destroy();
      return (JSON.parse(m[1]!) as { calls: Array<{ id: string; call_id: string }> }).calls;
    }
  }
  throw new Error(`no snapshot frame in ${text}`);
}

// Three processes start per test on a shared machine: a generous bound, not a timing assertion.
describe("serve --num_workers 2", { timeout: 60_000 }, () => {
  it("spreads requests over two workers; /metrics and the live page count both workers' calls, from either worker", async () => {
    await writeFile(join(tmp.path, "litellm.config.yaml"), config(["demo"]));
    const s = start();
    const url = await clusterUrl(s);
    expect(s.out.stdout).toMatch(/serving http:\/\/127\.0\.0\.1:\d+ · 2 workers \(pid \d+, \d+\) · models: demo/);
    expect(s.out.stdout.trim().split("\n")).toHaveLength(1);

    const calls = [];
    for (let i = 0; i < 8; i++) calls.push(await chat(url, "demo"));
    expect(calls.map((c) => c.content)).toEqual(Array(8).fill("from upstream"));
    const pids = new Set(calls.map((c) => c.pid));
    expect([...pids].sort()).toEqual([...s.pids()].sort());
    expect(pids.size).toBe(2);

    // Counted in the background after each answer: wait until a scrape sees all 8, then every scrape, whichever worker answers, says 8.
    const total = async () => {
      const r = await get(`${url}/metrics`);
      return { pid: r.pid, n: valueOf(parseExposition(r.text), "litellm_proxy_total_requests_metric", { requested_model: "demo" }) };
    };
    await until(total, (v) => v.n === 8, "8 requests in /metrics");
    const scrapes = [];
    for (let i = 0; i < 4; i++) scrapes.push(await total());
    expect(scrapes.map((v) => v.n)).toEqual([8, 8, 8, 8]);
    expect(new Set(scrapes.map((v) => v.pid)).size).toBe(2);

    // The live page: one snapshot holds the calls of both workers, and each call's detail comes from either worker.
    const rows = await until(() => pageSnapshot(url), (r) => r.length === 8, "8 rows on the live page");
    expect(rows.map((r) => r.call_id).sort()).toEqual(calls.map((c) => c.callId).sort());
    for (const row of rows) {
      const detail = await get(`${url}/ui/api/calls/${encodeURIComponent(row.id)}`);
      expect(detail.status).toBe(200);
      expect((JSON.parse(detail.text) as { summary: { id: string } }).summary.id).toBe(row.id);
    }
  });

  it("the live page's stream, open on one worker, gets the calls the other worker answers as they happen", async () => {
    await writeFile(join(tmp.path, "litellm.config.yaml"), config(["demo"]));
    const s = start();
    const url = await clusterUrl(s);
    const res = await request(`${url}/ui/api/events`, { reset: true });
    const pagePid = Number(res.headers["x-litellm-worker-pid"]);
    let text = "";
    res.body.setEncoding("utf8").on("data", (d: string) => (text += d));
    try {
      await until(async () => text, (t) => t.includes("event: snapshot"), "the snapshot frame");
      // The next connections alternate between the workers: one of a few calls lands on the other worker.
      const calls = [];
      for (let i = 0; i < 4; i++) calls.push(await chat(url, "demo"));
      const elsewhere = calls.filter((c) => c.pid !== pagePid);
      expect(elsewhere.length).toBeGreaterThan(0);
      await until(async () => text, (t) => elsewhere.every((c) => t.includes(`"call_id":"${c.callId}"`)), "the other worker's calls on the open page");
    } finally {
      res.body.destroy();
    }
  });

  it("/metrics keeps a killed worker's counts: its replacement's add to them, and no counter goes down", async () => {
    await writeFile(join(tmp.path, "litellm.config.yaml"), config(["demo"]));
    const s = start();
    const url = await clusterUrl(s);
    const calls = [];
    for (let i = 0; i < 8; i++) calls.push(await chat(url, "demo"));
    const total = async () => valueOf(parseExposition((await get(`${url}/metrics`)).text), "litellm_proxy_total_requests_metric", { requested_model: "demo" });
    // A scrape that sees all 8: each worker's counts as of then are what the primary keeps.
    await until(total, (n) => n === 8, "8 requests in /metrics");

    const victim = calls[0]!.pid;
    const byVictim = calls.filter((c) => c.pid === victim).length;
    expect(byVictim).toBeGreaterThan(0);
    expect(byVictim).toBeLessThan(8);
    process.kill(victim, "SIGKILL");
    const [, replacement] = await s.waitFor("stderr", /\[SERVER_WORKER_DIED\] worker \d+ \(pid \d+\) ended \(signal SIGKILL\); started worker \d+ \(pid (\d+)\) in its place/);
    // Every scrape from now on, from the survivor or the replacement, still counts the 8.
    const scrapes = [];
    for (let i = 0; i < 4; i++) scrapes.push(await total());
    expect(scrapes).toEqual([8, 8, 8, 8]);

    // Calls the replacement answers add to them.
    let made = 0;
    await until(
      async () => {
        made += 2;
        return Promise.all([chat(url, "demo"), chat(url, "demo")]);
      },
      (cs) => cs.some((c) => c.pid === Number(replacement)),
      "a call answered by the replacement",
    );
    await until(total, (n) => n === 8 + made, `${8 + made} requests in /metrics`);
  });

  it("a config edit reloads both workers, told in one line naming both; a broken edit is refused by both, told once", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, config(["demo"]));
    const s = start();
    const url = await clusterUrl(s);
    const [a, b] = s.pids();
    // The watchers start in the background: edit again until one line says both workers reloaded.
    const both = new RegExp(`^litellm-runtime \\[worker pids (${a}, ${b}|${b}, ${a})\\]: reloaded \\(litellm\\.config\\.yaml changed\\); models: demo, added$`, "m");
    await until(async () => {
      if (!both.test(s.out.stderr)) await writeFile(file, config(["demo", "added"]));
      return both.test(s.out.stderr);
    }, Boolean, "one line for both workers' reload");
    // Never a line per worker for the same reload.
    expect(s.out.stderr).not.toMatch(/\[worker pid \d+\]: reloaded \(litellm\.config\.yaml changed\); models: demo, added\n[^\n]*\[worker pid \d+\]: reloaded \(litellm\.config\.yaml changed\); models: demo, added/);
    const answered = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const c = await chat(url, "added");
      expect(c.content).toBe("from upstream");
      answered.add(c.pid);
    }
    expect([...answered].sort()).toEqual([a, b].sort());

    const before = s.out.stderr.length;
    await writeFile(file, `${config(["demo", "added"])}general_settings:\n  bogus_setting: 1\n`);
    // Both workers refuse the same edit: its issue is printed once, naming both.
    const named = new RegExp(`\\(reload_error: the previous config keeps serving \\[worker pids (${a}, ${b}|${b}, ${a})\\]\\)$`, "m");
    const refused = await until(async () => s.out.stderr.slice(before), (text) => named.test(text), "the refused reload, naming both workers");
    const lines = refused.split("\n").filter((l) => l.includes("bogus_setting"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^litellm\.config\.yaml:\d+:3 general_settings\.bogus_setting: /);
    expect((await chat(url, "added")).content).toBe("from upstream");
  });

  it("--num_workers must be a whole number: exit 2 before anything starts", async () => {
    const child = spawn(process.execPath, tsArgs(resolve("core/cli/main.ts"), "serve", "--num_workers", "two"), { cwd: tmp.path });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    expect(code).toBe(2);
    expect(stderr).toContain('--num_workers must be a whole number (0: one per core); found "two"');
  });
});

