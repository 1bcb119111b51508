// Issue 13, "secrets": an upstream that echoes the key, and credentials inside api_base, never reach a caller, a client or a record.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { configSecrets, maskUrl, Secrets } from "../core/secrets.ts";
import { listen, readBody, startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { startFakeMixpanel, type FakeMixpanel } from "./support/fake-mixpanel.ts";
import { Recorder, useTempDir, user } from "./support/kit.ts";

const KEY = "sk-upstream-key-0123456789abcdef";
const MASTER_KEY = "sk-master-key-fedcba9876543210";
const TOKEN = "mp-secrets-token";

const tmp = useTempDir("hardening-secrets-");
let rt: Runtime | undefined;
let server: RunningServer | undefined;
let collector: FakeCollector;
let mixpanel: FakeMixpanel;
let upstream: { port: number; close(): Promise<void> };
let stderr: string[];

beforeEach(async () => {
  collector = await startFakeCollector();
  mixpanel = await startFakeMixpanel({ token: TOKEN });
  // An upstream that, like some proxies do, quotes the Authorization header it got in its error message.
  upstream = await listen(async (req, res) => {
    await readBody(req);
    const text = JSON.stringify({ error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}; url ${req.url}`, type: "invalid_request_error", code: "invalid_api_key" } });
    res.writeHead(401, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
    res.end(text);
  });
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});

afterEach(async () => {
  await server?.close(1000);
  await rt?.close();
  server = undefined;
  rt = undefined;
  vi.restoreAllMocks();
  await Promise.all([collector.close(), mixpanel.close(), upstream.close()]);
});

const LISTS = ["console", "file", "webhook", "mixpanel"];

async function start(apiBase: string, extra: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({
    cwd: tmp.path,
    config: {
      model_list: [
        { model_name: "echoing", litellm_params: { model: "openai/gpt-4o-mini", api_key: KEY, api_base: apiBase } },
        { model_name: "mocked", litellm_params: { model: "mock/x", api_base: apiBase, mock_response: "hi" } },
      ],
      litellm_settings: { success_callback: LISTS, failure_callback: LISTS, ...extra },
      general_settings: { master_key: MASTER_KEY },
      callback_settings: {
        console: { format: "json" },
        file: { path: "events.jsonl" },
        webhook: { url: collector.url, flush_interval: 60_000 },
        mixpanel: { token: TOKEN, api_host: mixpanel.url, flush_interval: 60_000 },
      },
    },
  });
  return rt;
}

/** Everything that left the process: console, file, webhook and Mixpanel bodies. */
async function everything(): Promise<string> {
  await rt!.flush();
  const file = await readFile(join(tmp.path, "events.jsonl"), "utf8");
  return [stderr.join(""), file, ...collector.requests.map((r) => r.raw), ...mixpanel.requests.map((r) => r.raw)].join("\n");
}

describe("an upstream error that echoes the API key", () => {
  it("reaches neither the library caller (message, stack) nor any record", async () => {
    const r = await start(`http://127.0.0.1:${upstream.port}/v1`);
    const err = (await r.acompletion({ model: "echoing", messages: user("hi") }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("Incorrect API key provided: Bearer sk-...cdef");
    expect(err.message).not.toContain(KEY);
    expect(err.stack).not.toContain(KEY);
    const out = await everything();
    expect(out).toContain("Incorrect API key provided");
    expect(out).not.toContain(KEY);
    expect(collector.events).toHaveLength(1);
    expect(mixpanel.accepted).toHaveLength(1);
  });

  it("reaches no client of the server, and no record of the call", async () => {
    const r = await start(`http://127.0.0.1:${upstream.port}/v1`);
    server = await startServer(r, { port: 0 });
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${MASTER_KEY}` },
      body: JSON.stringify({ model: "echoing", messages: user("hi") }),
    });
    const body = await res.text();
    expect(res.status).toBe(401);
    expect(body).toContain("Incorrect API key provided");
    expect(body).not.toContain(KEY);
    expect(await everything()).not.toContain(KEY);
  });

  it("a call's own api_key, echoed back, is masked too", async () => {
    const r = await start(`http://127.0.0.1:${upstream.port}/v1`);
    const own = "sk-per-call-key-abcdefghijklmnop";
    const err = (await r.acompletion({ model: "echoing", messages: user("hi"), api_key: own }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("sk-...mnop");
    expect(err.message).not.toContain(own);
    expect(await everything()).not.toContain(own);
  });
});

describe("credentials inside api_base", () => {
  it("user:pass@ and ?api-key= are masked in every record's api_base fields and in what callbacks get", async () => {
    const base = "https://svc-user:hunter2-password@llm.example.com/v1?api-key=query-secret-123456&region=eu";
    const spy = new Recorder({ events: ["success"] });
    const r = await start(base, { callbacks: [spy] });
    await r.acompletion({ model: "mocked", messages: user("hi") });
    const out = await everything();
    const masked = "https://svc-user:****@llm.example.com/v1?api-key=****&region=eu";
    const line = JSON.parse((await readFile(join(tmp.path, "events.jsonl"), "utf8")).trim()) as { api_base: string; hidden_params: { api_base: string } };
    expect([line.api_base, line.hidden_params.api_base]).toEqual([masked, masked]);
    expect(collector.events[0]!.api_base).toBe(masked);
    const { kwargs } = spy.last("success");
    expect([kwargs.litellm_params.api_base, kwargs.standard_logging_object!.api_base]).toEqual([masked, masked]);
    expect(out).not.toContain("hunter2-password");
    expect(out).not.toContain("query-secret-123456");
  });

  it("an error naming the URL masks its credentials", async () => {
    // Nothing listens there: the connection error names the address.
    const r = await start("http://someone:pa55word-secret@127.0.0.1:9/v1?key=k3y-in-the-query");
    const err = (await r.acompletion({ model: "echoing", messages: user("hi") }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("http://someone:****@127.0.0.1:9/v1?key=****");
    expect(`${err.message}${err.stack}`).not.toMatch(/pa55word-secret|k3y-in-the-query/);
    expect(await everything()).not.toMatch(/pa55word-secret|k3y-in-the-query/);
  });
});

describe("the scrubber", () => {
  it("knows every configured key, the master key, api_base credentials and the providers' key variables, built once per config", () => {
    const secrets = configSecrets(
      {
        general_settings: { master_key: MASTER_KEY },
        model_list: [
          { model_name: "a", litellm_params: { model: "openai/x", api_key: KEY, api_base: "https://u:p4ssw0rd-long@h/v1?api-key=abcdefghijkl" } },
          { model_name: "b", litellm_params: { model: "azure/y", azure_ad_token: "entra-token-0987654321" } },
          { model_name: "c", litellm_params: { model: "mock/z", api_key: "none" } },
        ],
      },
      { ANTHROPIC_API_KEY: "sk-ant-env-key-1234567890" },
    );
    const text = `${KEY} ${MASTER_KEY} p4ssw0rd-long abcdefghijkl entra-token-0987654321 sk-ant-env-key-1234567890 none`;
    expect(secrets.scrub(text)).toBe("sk-...cdef sk-...3210 p4s...long ************ ent...4321 sk-...7890 none");
  });

  it("knows the cache's Redis password and the credentials of its URL", () => {
    const secrets = configSecrets({ litellm_settings: { cache_params: { type: "redis", password: "redis-pa55word-long", url: "redis://u:url-pa55word-long@h:6379" } } }, {});
    expect(secrets.scrub("AUTH redis-pa55word-long failed; url-pa55word-long")).toBe("AUTH red...long failed; url...long");
  });

  it("masks URL credentials in any text, and leaves text without secrets alone", () => {
    expect(Secrets.none.scrub('see "https://me:pw@host/x?token=abc&y=1" now')).toBe('see "https://me:****@host/x?token=****&y=1" now');
    expect(Secrets.none.scrub("plain text, a=b")).toBe("plain text, a=b");
    expect(maskUrl("http://127.0.0.1:4000/v1")).toBe("http://127.0.0.1:4000/v1");
    expect(maskUrl(null)).toBeNull();
  });
});
