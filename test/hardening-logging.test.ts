// Issue 13, "calls hidden from the logs": whatever a call carries, it is logged, and it never costs its batch neighbours.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { boundedJson, CIRCULAR_MARKER, DEPTH_MARKER, recordJson, UNREADABLE_MARKER } from "../core/callbacks/safe-json.ts";
import { cacheKey, UnkeyableRequest } from "../core/cache/key.ts";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { startFakeMixpanel, type FakeMixpanel } from "./support/fake-mixpanel.ts";
import { useTempDir, user } from "./support/kit.ts";

const TOKEN = "mp-hardening-token";

/** `{"a":{"a":...1}}`, `levels` deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

const tmp = useTempDir("hardening-logging-");
let rt: Runtime | undefined;
let server: RunningServer | undefined;
let collector: FakeCollector;
let mixpanel: FakeMixpanel;

beforeEach(async () => {
  collector = await startFakeCollector();
  mixpanel = await startFakeMixpanel({ token: TOKEN });
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});

afterEach(async () => {
  await server?.close(1000);
  await rt?.close();
  server = undefined;
  rt = undefined;
  vi.restoreAllMocks();
  await collector.close();
  await mixpanel.close();
});

async function start(litellm: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({
    cwd: tmp.path,
    config: {
      model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }],
      litellm_settings: { success_callback: ["file", "webhook", "mixpanel"], failure_callback: ["file", "webhook", "mixpanel"], ...litellm },
      callback_settings: {
        file: { path: "events.jsonl" },
        // Batches of six that leave only when full or flushed: the deep record shares its batch with five others.
        webhook: { url: collector.url, batch_size: 6, flush_interval: 60_000 },
        mixpanel: { token: TOKEN, api_host: mixpanel.url, batch_size: 6, flush_interval: 60_000 },
      },
    },
  });
  return rt;
}

async function fileLines(): Promise<Array<Record<string, any>>> {
  const text = await readFile(join(tmp.path, "events.jsonl"), "utf8");
  return text.trim().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
}

const post = (path: string, body: string) => fetch(`${server!.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("a record nested 20,000 deep", () => {
  it("reaches file, webhook and Mixpanel through a real server with the depth marker, and its five batch neighbours all arrive", async () => {
    const r = await start();
    server = await startServer(r, { port: 0 });
    const deepText = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    const deepBody = `{"model":"echo","messages":[{"role":"user","content":"deep"}],"metadata":{"user_id":"deep-user","tree":${deepText}}}`;
    expect(deepBody.length).toBeGreaterThan(100_000);
    expect(deepBody.length).toBeLessThan(1024 * 1024);
    const answers = await Promise.all([
      post("/v1/chat/completions", deepBody),
      ...Array.from({ length: 5 }, (_, i) => post("/v1/chat/completions", JSON.stringify({ model: "echo", messages: user(`q${i}`), metadata: { n: i } }))),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    await r.flush();

    const lines = await fileLines();
    expect(lines).toHaveLength(6);
    // The server records the client's metadata as the record's requester_metadata, as LiteLLM's proxy does.
    const deepLine = lines.find((l) => l.metadata?.requester_metadata?.user_id === "deep-user")!;
    expect(JSON.stringify(deepLine.metadata)).toContain(DEPTH_MARKER);
    expect(deepLine.status).toBe("success");

    expect(collector.events).toHaveLength(6);
    const deepEvent = collector.events.find((e) => (e.metadata as { requester_metadata?: { user_id?: string } } | undefined)?.requester_metadata?.user_id === "deep-user")!;
    expect(JSON.stringify(deepEvent.metadata)).toContain(DEPTH_MARKER);
    expect(new Set(collector.events.map((e) => e.id))).toEqual(new Set(lines.map((l) => l.id)));

    expect(mixpanel.accepted).toHaveLength(6);
    const deepMix = mixpanel.accepted.find((e) => e.properties.distinct_id === "deep-user")!;
    expect(JSON.stringify(deepMix.properties.metadata)).toContain(DEPTH_MARKER);
    expect(new Set(mixpanel.accepted.map((e) => e.properties.litellm_call_id))).toEqual(new Set(lines.map((l) => l.litellm_call_id)));
  });
});

describe("records JSON cannot hold", () => {
  it("a cyclic object in metadata, via the library: the line is written with the cycle cut", async () => {
    const r = await start();
    const meta: Record<string, unknown> = { name: "loop", big: 12n };
    meta.self = meta;
    // spend_logs_metadata is one of the metadata keys LiteLLM's record keeps.
    await r.acompletion({ model: "echo", messages: user("hi"), metadata: { spend_logs_metadata: meta } });
    await r.flush();
    const [line] = await fileLines();
    expect(line!.metadata.spend_logs_metadata).toMatchObject({ name: "loop", big: "12", self: CIRCULAR_MARKER });
    expect(collector.events).toHaveLength(1);
    expect(mixpanel.accepted).toHaveLength(1);
  });

  it("a record over max_record_bytes: its largest fields become a size marker; still valid JSON with id, status and cost", async () => {
    const r = await start({ max_record_bytes: 4096 });
    const big = "x".repeat(20_000);
    await r.acompletion({ model: "echo", messages: user(big), metadata: { tags: ["big"] } });
    await r.flush();
    const [line] = await fileLines();
    expect(line!.messages).toMatch(/^\[truncated: \d+ bytes, over max_record_bytes 4096\]$/);
    expect(line!.response).toMatch(/^\[truncated: \d+ bytes, over max_record_bytes 4096\]$/);
    expect(line!.id).toEqual(expect.any(String));
    expect(line!.status).toBe("success");
    expect(line!.response_cost).toEqual(expect.any(Number));
    expect(line!.request_tags).toEqual(["big"]);
    expect(Buffer.byteLength(JSON.stringify(line))).toBeLessThanOrEqual(4096);
    expect(JSON.parse(collector.requests[0]!.raw)).toHaveLength(1);
  });

  it("a record that still cannot be written comes out with its ids, status and serialization_error", () => {
    const record = { id: "call-1", status: "success", response_cost: 0.5, messages: "y".repeat(5000), model_group: "g".repeat(5000) };
    // Identity fields alone are over the bound: nothing more can be dropped.
    const out = JSON.parse(recordJson(record, { maxBytes: 1000, scrub: (t) => t }));
    expect(out).toEqual({ id: "call-1", status: "success", response_cost: 0.5, model_group: "g".repeat(5000), serialization_error: expect.stringContaining("max_record_bytes 1000") });
  });

  it("values that throw when read, revoked proxies and BigInts never throw out of the serialiser", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const value = {
      ok: 1,
      getter: Object.defineProperty({}, "boom", { enumerable: true, get: () => { throw new Error("no"); } }),
      proxy,
      json: { toJSON: () => { throw Object.create(null); } },
      n: 10n,
      date: new Date(0),
    };
    expect(JSON.parse(boundedJson(value))).toEqual({
      ok: 1,
      getter: UNREADABLE_MARKER,
      proxy: UNREADABLE_MARKER,
      json: UNREADABLE_MARKER,
      n: "10",
      date: "1970-01-01T00:00:00.000Z",
    });
    expect(boundedJson(nested(40))).toContain(DEPTH_MARKER);
    expect(JSON.parse(boundedJson(nested(31)))).toEqual(nested(31));
  });
});

describe("the cache key is bounded too", () => {
  it("a request too deep to key is a miss that is not stored, answered and logged, never a 500", async () => {
    const r = await start({ cache: true, cache_params: { type: "local" } });
    server = await startServer(r, { port: 0 });
    const tree = `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`;
    const deep = `{"model":"echo","messages":[{"role":"user","content":[{"type":"text","text":"deep","extra":${tree}}]}]}`;
    const first = await post("/v1/chat/completions", deep);
    const second = await post("/v1/chat/completions", deep);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get("x-litellm-cache-hit"), second.headers.get("x-litellm-cache-hit")]).toEqual(["false", "false"]);
    await r.flush();
    const lines = await fileLines();
    expect(lines.map((l) => [l.status, l.cache_hit, l.cache_key])).toEqual([
      ["success", false, null],
      ["success", false, null],
    ]);
    expect(JSON.stringify(lines[0]!.messages)).toContain(DEPTH_MARKER);
  });

  it("cacheKey throws UnkeyableRequest past the depth bound instead of overflowing the stack", () => {
    const parts = (content: unknown) => ({ kind: "chat" as const, model: "m", messages: [{ role: "user", content }] as never, params: {} });
    expect(() => cacheKey(parts(nested(40)))).toThrow(UnkeyableRequest);
    expect(() => cacheKey(parts(nested(100_000)))).toThrow(UnkeyableRequest);
    expect(cacheKey(parts(nested(20)))).toMatch(/^litellm:[0-9a-f]{64}$/);
  });
});
