import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBuiltin } from "../core/callbacks/builtins.ts";
import { ConfigError, createRuntime, InvalidCallbackError, type Runtime } from "../core/index.ts";
import { startFakeCollector, type FakeCollector } from "../test/support/fake-collector.ts";

const HOOK_TOKEN = "whk-bearer-token-5f2c9a";
const API_KEY = "sk-live-call-key-0123456789abcdef";
const MASTER_KEY = "sk-master-key-fedcba9876543210";
const user = (content: string) => [{ role: "user" as const, content }];

let dir: string;
let collector: FakeCollector;
let rt: Runtime | undefined;
let stderr: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "webhook-"));
  collector = await startFakeCollector();
  process.env.WEBHOOK_TOKEN = HOOK_TOKEN;
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
  delete process.env.WEBHOOK_TOKEN;
  await collector.close();
  await rm(dir, { recursive: true, force: true });
});

/** A runtime POSTing successes and failures to the collector, with the Authorization header taken from the environment by the config loader. */
async function start(webhook: Record<string, unknown> = {}, config: Record<string, any> = {}): Promise<Runtime> {
  rt = await createRuntime({
    cwd: dir,
    config: {
      ...config,
      litellm_settings: { success_callback: ["webhook"], failure_callback: ["webhook"], ...config.litellm_settings },
      callback_settings: {
        webhook: { url: collector.url, headers: { Authorization: "Bearer ${WEBHOOK_TOKEN}", "X-Source": "tests" }, flush_interval: 60_000, ...webhook },
      },
    },
  });
  return rt;
}

const calls = (r: Runtime, n: number) => Promise.all(Array.from({ length: n }, (_, i) => r.acompletion({ model: "mock/x", messages: user(`q${i}`), mock_response: `a${i}` })));

describe("what is POSTed", () => {
  it("batch_size 1: one JSON object per event, the standard record, with the configured headers", async () => {
    const r = await start();
    await r.acompletion({ model: "mock/x", messages: user("hi"), mock_response: "hello", user: "alice", metadata: { team: "a", tags: ["a"] } });
    await expect(r.acompletion({ model: "mock/x", messages: user("hi"), mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();

    expect(collector.requests).toHaveLength(2);
    for (const q of collector.requests) {
      expect(q).toMatchObject({ method: "POST", path: "/events", status: 200 });
      expect(q.headers["content-type"]).toBe("application/json");
      expect(q.headers.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
      expect(q.headers["x-source"]).toBe("tests");
    }
    expect(collector.bodies.every((b) => !Array.isArray(b))).toBe(true);
    const ok = collector.events.find((e) => e.status === "success")!;
    const failed = collector.events.find((e) => e.status === "failure")!;
    // LiteLLM's record: kwargs.model ("x" for mock/x), the caller's tags as request_tags, LiteLLM's metadata keys only.
    expect(ok).toMatchObject({ id: expect.any(String), model: "x", custom_llm_provider: "mock", request_tags: ["a"], cache_hit: false, messages: user("hi") });
    expect(ok.metadata).not.toHaveProperty("team");
    for (const key of ["id", "trace_id", "call_type", "prompt_tokens", "completion_tokens", "total_tokens", "response_cost", "startTime", "endTime", "response_time", "model_parameters"]) {
      expect(ok).toHaveProperty(key);
    }
    expect(failed.error_information).toMatchObject({ error_class: "RateLimitError", error_code: "429" });
  });

  it("batch_size 10: JSON arrays of at most 10 records, each call once", async () => {
    const r = await start({ batch_size: 10 });
    await calls(r, 25);
    await r.flush();
    expect(collector.bodies.every(Array.isArray)).toBe(true);
    expect(collector.bodies.map((b) => (b as unknown[]).length).sort((a, b) => b - a)).toEqual([10, 10, 5]);
    expect(new Set(collector.events.map((e) => e.id)).size).toBe(25);
  });

  it("with turn_off_message_logging, no message text; never the API key, the master key or the header's token", async () => {
    const r = await start({}, { litellm_settings: { turn_off_message_logging: true }, general_settings: { master_key: MASTER_KEY } });
    await r.acompletion({ model: "mock/x", messages: user("my secret prompt 4711"), mock_response: "the secret answer 0815", api_key: API_KEY });
    await expect(r.acompletion({ model: "mock/x", messages: user("my secret prompt 4711"), mock_response: "litellm.AuthenticationError", api_key: API_KEY })).rejects.toThrow();
    await r.flush();
    expect(collector.events).toHaveLength(2);
    // LiteLLM's redacted shapes: one user message; a response keeps its shape, a failure's is { text }.
    for (const e of collector.events) expect(e.messages).toEqual([{ role: "user", content: "redacted-by-litellm" }]);
    const [ok, failed] = [collector.events.find((e) => e.status === "success")!, collector.events.find((e) => e.status === "failure")!];
    expect((ok.response as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("redacted-by-litellm");
    expect(failed.response).toEqual({ text: "redacted-by-litellm" });
    const raw = collector.requests.map((q) => q.raw).join("\n");
    for (const secret of ["my secret prompt 4711", "the secret answer 0815", API_KEY, MASTER_KEY, HOOK_TOKEN]) expect(raw).not.toContain(secret);
  });
});

describe("delivery", () => {
  it("flush() resolves only once the events are at the collector", async () => {
    // A batch of 10 and a minute's flush_interval: nothing leaves before flush() asks.
    const r = await start({ batch_size: 10 });
    await calls(r, 3);
    expect(collector.events).toHaveLength(0);
    await r.flush();
    expect(collector.events).toHaveLength(3);
  });

  it("500, a dropped connection, then 429 with Retry-After: 0: every event arrives exactly once", async () => {
    collector.failNext({ status: 500 }, { drop: true }, { status: 429, retryAfter: "0" });
    const r = await start({ batch_size: 20 });
    await calls(r, 12);
    await r.flush();
    expect(collector.requests.map((q) => q.status)).toEqual([500, 0, 429, 200]);
    expect(collector.events).toHaveLength(12);
    expect(new Set(collector.events.map((e) => e.id)).size).toBe(12);
    expect(collector.duplicates).toBe(0);
  });

  it("past max_retries the loss is reported with its count, and no header value reaches the report", async () => {
    // A collector that echoes the credentials it was sent in its error body.
    collector.failAlways({ status: 503, retryAfter: "0", body: `upstream down; you sent Bearer ${HOOK_TOKEN}` });
    const r = await start({ batch_size: 5, max_retries: 1 });
    await calls(r, 5);
    await r.flush();
    expect(collector.requests).toHaveLength(2);
    const text = stderr.join("");
    expect(text).toContain("[DELIVERY_FAILED] webhook: 5 events lost");
    expect(text).toContain("[redacted]");
    expect(text).not.toContain(HOOK_TOKEN);
  });

  it("a 401 is not retried, and is reported", async () => {
    collector.failNext({ status: 401, body: '{"error":"bad token"}' });
    const r = await start({ max_retries: 3 });
    await calls(r, 1);
    await r.flush();
    expect(collector.requests).toHaveLength(1);
    expect(stderr.join("")).toMatch(/refused 1 event \(not retried\): HTTP 401: \{"error":"bad token"\}/);
  });
});

describe("configuration", () => {
  it("a config without url does not load: the schema names the missing key", async () => {
    // @ts-expect-error the types refuse it too; what the runtime says of it is under test
    const err = await createRuntime({ cwd: dir, config: { litellm_settings: { success_callback: ["webhook"] }, callback_settings: { webhook: {} } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]).toMatchObject({ code: "CONFIG_MISSING_KEY", path: "callback_settings.webhook.url" });
  });

  it("the factory refuses a missing url or a header that is not a string, naming no header value", () => {
    expect(() => createBuiltin("webhook", {})).toThrow(InvalidCallbackError);
    expect(() => createBuiltin("webhook", {})).toThrow(/callback_settings\.webhook\.url/);
    expect(() => createBuiltin("webhook", { url: collector.url, headers: { "X-Key": 42 } })).toThrow(/header "X-Key" must be a string/);
  });
});
