import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBuiltin } from "../core/callbacks/builtins.ts";
import { ConfigError, createRuntime, InvalidCallbackError, type Runtime } from "../core/index.ts";
import { checkTrackBody, startFakeMixpanel, type FakeMixpanel } from "../test/support/fake-mixpanel.ts";
import { insertId } from "./mixpanel.ts";
import { reportCount } from "./report.ts";

const TOKEN = "mp-project-token-1";
const API_KEY = "sk-live-call-key-0123456789abcdef";
const MASTER_KEY = "sk-master-key-fedcba9876543210";
const user = (content: string) => [{ role: "user" as const, content }];

let dir: string;
let fake: FakeMixpanel;
let rt: Runtime | undefined;
let stderr: string[];
const savedToken = process.env.MIXPANEL_TOKEN;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mixpanel-"));
  fake = await startFakeMixpanel({ token: TOKEN });
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
  if (savedToken === undefined) delete process.env.MIXPANEL_TOKEN;
  else process.env.MIXPANEL_TOKEN = savedToken;
});

/** A runtime logging successes and failures to the fake Mixpanel; the long flush_interval means batches leave only when full or flushed. */
async function start(mixpanel: Record<string, unknown> = {}, config: Record<string, any> = {}): Promise<Runtime> {
  rt = await createRuntime({
    cwd: dir,
    config: {
      ...config,
      litellm_settings: { success_callback: ["mixpanel"], failure_callback: ["mixpanel"], ...config.litellm_settings },
      callback_settings: { mixpanel: { token: TOKEN, api_host: fake.url, flush_interval: 60_000, ...mixpanel } },
    },
  });
  return rt;
}

const calls = (r: Runtime, n: number, extra: Record<string, unknown> = {}) =>
  Promise.all(Array.from({ length: n }, (_, i) => r.acompletion({ model: "mock/x", messages: user(`q${i}`), mock_response: `a${i}`, ...extra })));

describe("the /track body", () => {
  it("is Mixpanel's format: a JSON array of {event, properties} with token, distinct_id, integer time, a unique $insert_id and the record's fields", async () => {
    const r = await start({ distinct_id: "service-account" });
    const before = Date.now();
    await r.acompletion({ model: "mock/x", messages: user("hi"), mock_response: "hello there", user: "alice", metadata: { team: "search", deep: { a: { b: { c: { d: 1 } } } } } });
    await r.completion({ model: "mock/x", messages: user("hi"), mock_response: "x" });
    await expect(r.acompletion({ model: "mock/x", messages: user("hi"), mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();
    const after = Date.now();

    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ method: "POST", path: "/track", status: 200, query: { ip: "0", verbose: "1" } });
    expect(req.headers["content-type"]).toBe("application/json");
    expect(checkTrackBody(req.raw, { token: TOKEN })).not.toHaveProperty("error");
    expect(fake.accepted).toHaveLength(3);

    const alice = fake.accepted.find((e) => e.properties.user === "alice");
    const anonymous = fake.accepted.find((e) => e.properties.user === null && e.properties.status === "success");
    const failed = fake.accepted.find((e) => e.properties.status === "failure");
    for (const e of fake.accepted) {
      expect(Object.keys(e).sort()).toEqual(["event", "properties"]);
      expect(e.event).toBe("LLM Response");
      expect(e.properties.token).toBe(TOKEN);
      // /track takes seconds or milliseconds; these are integer milliseconds of the call's end.
      expect(Number.isInteger(e.properties.time)).toBe(true);
      expect(e.properties.time).toBeGreaterThanOrEqual(before - 1);
      expect(e.properties.time).toBeLessThanOrEqual(after + 1);
      expect(e.properties.$insert_id).toMatch(/^[0-9a-f]{32}$/);
      // The record's model: LiteLLM's kwargs["model"], without the provider (which has its own property).
      expect(e.properties.model).toBe("x");
      expect(e.properties.custom_llm_provider).toBe("mock");
      expect(typeof e.properties.response_time).toBe("number");
      expect(e.properties.cache_hit).toBe(false);
    }
    expect(new Set(fake.accepted.map((e) => e.properties.$insert_id)).size).toBe(3);

    expect(alice!.properties).toMatchObject({ distinct_id: "alice", user: "alice", status: "success", call_type: "acompletion", metadata: { team: "search" } });
    expect(alice!.properties.prompt_tokens).toBeGreaterThan(0);
    expect(alice!.properties.total_tokens).toBe((alice!.properties.prompt_tokens as number) + (alice!.properties.completion_tokens as number));
    expect(typeof alice!.properties.response_cost).toBe("number");
    // Mixpanel takes objects nested 3 deep; below that the value travels as JSON text.
    expect(alice!.properties.metadata).toEqual({ team: "search", deep: { a: { b: '{"c":{"d":1}}' } } });
    expect(alice!.properties.$insert_id).toBe(insertId({ id: alice!.properties.litellm_call_id as string, status: "success" }));
    expect(anonymous!.properties).toMatchObject({ distinct_id: "service-account", call_type: "completion" });
    expect(failed!.properties).toMatchObject({ distinct_id: "service-account", error_class: "RateLimitError", error_code: "429" });
  });

  it("uses event_name, takes the token from MIXPANEL_TOKEN, and falls back to the call id as distinct_id", async () => {
    process.env.MIXPANEL_TOKEN = TOKEN;
    rt = await createRuntime({
      cwd: dir,
      config: { litellm_settings: { success_callback: ["mixpanel"] }, callback_settings: { mixpanel: { api_host: `${fake.url}/`, event_name: "Chat", flush_interval: 60_000 } } },
    });
    await rt.acompletion({ model: "mock/x", messages: user("hi"), mock_response: "ok", user: "anonymous" });
    await rt.flush();
    const [e] = fake.accepted;
    expect(e!.event).toBe("Chat");
    expect(e!.properties.token).toBe(TOKEN);
    // "anonymous" is one of the ids Mixpanel refuses: the call id stands in.
    expect(e!.properties.distinct_id).toBe(e!.properties.litellm_call_id);
  });

  it("never holds message text, the call's API key or the master key", async () => {
    const r = await start({}, { litellm_settings: { turn_off_message_logging: true }, general_settings: { master_key: MASTER_KEY } });
    await r.acompletion({ model: "mock/x", messages: user("my secret prompt 4711"), mock_response: "the secret answer 0815", api_key: API_KEY, user: "bob" });
    await expect(r.acompletion({ model: "mock/x", messages: user("my secret prompt 4711"), mock_response: "litellm.AuthenticationError", api_key: API_KEY })).rejects.toThrow();
    await r.flush();
    expect(fake.accepted).toHaveLength(2);
    const raw = fake.requests.map((q) => q.raw).join("\n");
    for (const secret of ["my secret prompt 4711", "the secret answer 0815", API_KEY, MASTER_KEY, "sk-live", "Bearer"]) expect(raw).not.toContain(secret);
  });
});

describe("batching", () => {
  it("sends 120 events as 3 requests of at most 50", async () => {
    const r = await start();
    await calls(r, 120);
    await r.flush();
    expect(fake.requests.map((q) => JSON.parse(q.raw).length).sort((a, b) => b - a)).toEqual([50, 50, 20]);
    expect(fake.accepted).toHaveLength(120);
    expect(fake.duplicates).toBe(0);
  });

  it("keeps batch_size under 50 when asked", async () => {
    const r = await start({ batch_size: 7 });
    await calls(r, 15);
    await r.flush();
    expect(fake.requests.map((q) => JSON.parse(q.raw).length).sort((a, b) => b - a)).toEqual([7, 7, 1]);
  });

  it("a burst of 300 concurrent calls with [file, mixpanel]: one whole JSON line and one Mixpanel event per call", async () => {
    const r = await start({}, { litellm_settings: { success_callback: ["file", "mixpanel"] } });
    await calls(r, 300);
    await r.flush();
    const lines = (await readFile(join(dir, "logs", "litellm-events.jsonl"), "utf8")).split("\n").filter(Boolean);
    // The record's id is the response's; the call id is litellm_call_id, which the Mixpanel event carries.
    const ids = lines.map((l) => (JSON.parse(l) as { litellm_call_id: string }).litellm_call_id);
    expect(new Set(ids).size).toBe(300);
    expect(fake.accepted).toHaveLength(300);
    expect(new Set(fake.accepted.map((e) => e.properties.litellm_call_id))).toEqual(new Set(ids));
  });
});

describe("delivery through failures", () => {
  it("500, 500, then 429 with Retry-After: 0, then accepted: every event arrives exactly once", async () => {
    fake.failNext({ status: 500 }, { status: 500 }, { status: 429, retryAfter: "0" });
    const r = await start();
    await calls(r, 30);
    await r.flush();
    expect(fake.requests.map((q) => q.status)).toEqual([500, 500, 429, 200]);
    // A retry resends the same bytes: same $insert_ids, so Mixpanel could deduplicate.
    expect(new Set(fake.requests.map((q) => q.raw)).size).toBe(1);
    expect(fake.accepted).toHaveLength(30);
    expect(fake.duplicates).toBe(0);
    expect([...fake.deliveries.values()].every((n) => n === 1)).toBe(true);
  });

  it("a dropped connection is retried", async () => {
    fake.failNext({ drop: true });
    const r = await start();
    await calls(r, 5);
    await r.flush();
    expect(fake.requests.map((q) => q.status)).toEqual([0, 200]);
    expect(fake.accepted).toHaveLength(5);
  });

  it("a batch still failing after max_retries is reported with the count lost", async () => {
    fake.failAlways({ status: 503, retryAfter: "0" });
    const r = await start({ max_retries: 2 });
    await calls(r, 7);
    await r.flush();
    expect(fake.requests).toHaveLength(3);
    expect(fake.accepted).toHaveLength(0);
    const text = stderr.join("");
    expect(text).toContain("[DELIVERY_FAILED]");
    expect(text).toContain("7 events lost");
    expect(text).toContain("after 3 attempts");
    expect(reportCount("mixpanel", "DELIVERY_FAILED")).toBeGreaterThan(0);
  });

  it("a 400 is not retried, and Mixpanel's reason is reported", async () => {
    fake.failNext({ status: 400, body: JSON.stringify({ status: 0, error: "'properties.time' is invalid" }) });
    const r = await start({ max_retries: 3 });
    await calls(r, 4);
    await r.flush();
    expect(fake.requests).toHaveLength(1);
    const text = stderr.join("");
    expect(text).toContain("refused 4 events (not retried)");
    expect(text).toContain("'properties.time' is invalid");
  });

  it("a 200 answering 0 (nothing valid) is a refusal, not a success, and is not retried", async () => {
    fake.failNext({ status: 200, body: "0" });
    const r = await start();
    await calls(r, 2);
    await r.flush();
    expect(fake.requests).toHaveLength(1);
    expect(stderr.join("")).toContain("Mixpanel answered 0");
  });
});

describe("configuration", () => {
  it("no token: the config does not load, and the error names the entry and how to fix it", async () => {
    delete process.env.MIXPANEL_TOKEN;
    const err = await createRuntime({ cwd: dir, config: { litellm_settings: { success_callback: ["console", "mixpanel"] } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues[0]!;
    expect(issue.path).toBe("litellm_settings.success_callback[1]");
    expect(issue.message).toContain("callback_settings.mixpanel.token");
    expect(issue.message).toContain("MIXPANEL_TOKEN");
  });

  it("the factory refuses a batch_size over Mixpanel's 50, and a missing token, with InvalidCallbackError", () => {
    delete process.env.MIXPANEL_TOKEN;
    expect(() => createBuiltin("mixpanel", {})).toThrow(InvalidCallbackError);
    expect(() => createBuiltin("mixpanel", { token: TOKEN, batch_size: 51 })).toThrow(/batch_size must be an integer from 1 to 50/);
  });
});

describe("the fake ingestion server is strict", () => {
  const good = () => ({ event: "E", properties: { token: TOKEN, distinct_id: "u1", time: Date.now(), $insert_id: "abc-123" } });
  const check = (body: unknown) => checkTrackBody(JSON.stringify(body), { token: TOKEN });
  const withProps = (p: Record<string, unknown>) => [{ ...good(), properties: { ...good().properties, ...p } }];

  it.each([
    ["not an array", good(), "JSON array"],
    ["an empty array", [], "at least one"],
    ["51 events", Array.from({ length: 51 }, good), "at most 50"],
    ["an extra top-level key", [{ ...good(), time: 1 }], "unexpected keys"],
    ["no token", withProps({ token: undefined }), "token"],
    ["a float time", withProps({ time: Date.now() + 0.5 }), "integer"],
    ["a time older than 5 days", withProps({ time: Math.floor(Date.now() / 1000) - 6 * 86400 }), "window"],
    ["an $insert_id with _", withProps({ $insert_id: "a_b" }), "$insert_id"],
    ["an $insert_id of 37 bytes", withProps({ $insert_id: "a".repeat(37) }), "$insert_id"],
    ["a placeholder distinct_id", withProps({ distinct_id: "null" }), "placeholder"],
    ["objects nested 4 deep", withProps({ m: { a: { b: { c: { d: 1 } } } } }), "deeper than 3"],
  ])("refuses %s", (_, body, says) => {
    const out = check(body);
    expect(out).toHaveProperty("error");
    expect((out as { error: string }).error).toContain(says);
  });

  it("takes a well-formed body, in seconds or milliseconds, with objects nested 3 deep", () => {
    expect(check([good(), ...withProps({ time: Math.floor(Date.now() / 1000), $insert_id: "x", m: { a: { b: { c: 1 } } } })])).toHaveProperty("events");
  });
});
