import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MaxParallelRequestsTimeout, ROUTER_ERROR_CODES, Timeout } from "../core/errors.ts";
import { parallelLimitOf } from "../core/router/permits.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useRuntimes } from "./support/kit.ts";

// max_parallel_requests (else rpm, else tpm, else router_settings.default_max_parallel_requests): a cap on
// each deployment's requests in flight, per process. Measured at the fake upstream: every request it
// receives is counted in flight until the caller has its answer, which can only overstate the upstream's.

let fake: FakeOpenAI;
const runtime = useRuntimes();
const messages = [{ role: "user" as const, content: "hi" }];

/** What the fake saw, in order: each request's arrival (its model) and the marks a test adds between them. */
let order: string[];
let arrived: number;
let answered: number;
/** The most requests in flight at the upstream when one arrived. */
let peak: number;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  order = [];
  arrived = answered = peak = 0;
  // The fake pushes each request onto this array as it arrives: the moment to count what is in flight.
  fake.requests.push = function (...items) {
    for (const r of items) {
      arrived++;
      peak = Math.max(peak, arrived - answered);
      order.push(`request ${String(r.body?.model).replace("openai/", "")}`);
    }
    return Array.prototype.push.apply(this, items);
  };
});

const deployment = (model: string, litellm: Record<string, unknown> = {}, entry: Record<string, unknown> = {}) => ({
  model_name: "chat",
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-router-parallel-1234", ...litellm },
  ...entry,
});

type Rt = Awaited<ReturnType<typeof runtime>>;

/** One call to `chat`, counted as answered when the caller has the answer: the upstream model that gave it. */
async function call(rt: Rt, extra: Record<string, unknown> = {}): Promise<string> {
  try {
    const res = await rt.acompletion({ model: "chat", messages, ...extra });
    return String(res.model);
  } finally {
    answered++;
  }
}

const concurrently = (rt: Rt, n: number) => Promise.all(Array.from({ length: n }, () => call(rt)));
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a cap on requests in flight per deployment", () => {
  it("max_parallel_requests: 2 lets 6 concurrent calls through 2 at a time, and all 6 succeed", async () => {
    const rt = await runtime({ model_list: [deployment("slow-60", { max_parallel_requests: 2 })] });
    const models = await concurrently(rt, 6);
    expect(models).toEqual(Array(6).fill("slow-60"));
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 6, peak: 2 });
  });

  it("rpm: 2 and nothing else caps them the same way (LiteLLM's rpm as max_parallel_requests), under simple-shuffle", async () => {
    const rt = await runtime({ model_list: [deployment("slow-60", { rpm: 2 })] });
    expect(await concurrently(rt, 6)).toHaveLength(6);
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 6, peak: 2 });
  });

  it("max_parallel_requests wins over rpm, and is read at the entry's top level first", async () => {
    const rt = await runtime({ model_list: [deployment("slow-60", { rpm: 100, max_parallel_requests: 5 }, { max_parallel_requests: 3 })] });
    await concurrently(rt, 6);
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 6, peak: 3 });
  });

  it("router_settings.default_max_parallel_requests caps a deployment that sets no limit", async () => {
    const rt = await runtime({ model_list: [deployment("slow-60")], router_settings: { default_max_parallel_requests: 1 } });
    await concurrently(rt, 4);
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 4, peak: 1 });
  });

  it("without any cap, every call is in flight at once, as before", async () => {
    const rt = await runtime({ model_list: [deployment("slow-100")] });
    await concurrently(rt, 6);
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 6, peak: 6 });
  });

  it("with two deployments, a call goes to the one with a permit free rather than wait for the saturated one", async () => {
    // dep-a takes almost all the weight: a pick that ignored permits would send the second call there, to wait.
    const rt = await runtime({
      model_list: [deployment("slow-150", { weight: 1000, max_parallel_requests: 1 }), deployment("dep-b", { weight: 1, max_parallel_requests: 1 })],
    });
    for (let round = 0; round < 3; round++) {
      arrived = answered = peak = 0;
      fake.reset();
      const models = await concurrently(rt, 2);
      expect(models.sort()).toEqual(["dep-b", "slow-150"]);
      // Both were in flight at once: neither waited for the other.
      expect(peak).toEqual(2);
    }
  });

  it("a stream holds its permit while its upstream is still sending, and gives it back once the answer is all in, read or not", async () => {
    // Seven chunks 40 ms apart: the upstream is busy with the stream for about 250 ms.
    fake.set({ content: "one two three four five", chunkDelayMs: 40 });
    const rt = await runtime({ model_list: [deployment("stream-me", { max_parallel_requests: 1 })] });
    const first = await rt.acompletion({ model: "chat", messages, stream: true });
    const next = call(rt, { timeout: 5 });
    await tick(120);
    expect(fake.requests.length).toEqual(1);
    // Never read: the waiting call still goes once the upstream has sent the whole stream.
    expect(await next).toEqual("stream-me");
    expect(fake.requests.length).toEqual(2);
    let text = "";
    for await (const chunk of first) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("one two three four five");
  });

  it("two streams still arriving hold both permits: a third call waits until the first one is all in", async () => {
    fake.set({ content: "one two three four five", chunkDelayMs: 40 });
    const rt = await runtime({ model_list: [deployment("stream-me", { max_parallel_requests: 2 })] });
    const first = await rt.acompletion({ model: "chat", messages, stream: true });
    const second = await rt.acompletion({ model: "chat", messages, stream: true });
    const third = call(rt);
    // Given every chance to go while the upstream still sends both streams: it must not.
    await tick(120);
    expect(fake.requests.length).toEqual(2);
    for await (const _ of first) void _;
    order.push("first stream all in");
    expect(await third).toEqual("stream-me");
    for await (const _ of second) void _;
    expect(order).toEqual(["request stream-me", "request stream-me", "first stream all in", "request stream-me"]);
  });

  it("a stream the reader stops early gives its permit back", async () => {
    fake.set({ content: "one two three four five", chunkDelayMs: 40 });
    const rt = await runtime({ model_list: [deployment("stream-me", { max_parallel_requests: 1 })] });
    const stream = await rt.acompletion({ model: "chat", messages, stream: true });
    const next = call(rt);
    await tick(100);
    expect(fake.requests.length).toEqual(1);
    for await (const _ of stream) break;
    order.push("reader stopped");
    await next;
    expect(order).toEqual(["request stream-me", "reader stopped", "request stream-me"]);
  });

  it("a failed attempt gives its permit back: the waiting call goes next", async () => {
    // Slow failures: uncapped, all three would be in flight at once.
    fake.set({ status: 500, delayMs: 60 });
    const rt = await runtime({ model_list: [deployment("dep-a", { max_parallel_requests: 1 })] });
    const results = await Promise.allSettled([call(rt), call(rt), call(rt)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    expect({ requests: fake.requests.length, peak }).toEqual({ requests: 3, peak: 1 });
  });

  it("a call that waits its whole timeout fails with ROUTER_PARALLEL_WAIT_TIMEOUT (a 408 Timeout) naming the cap, and sends nothing", async () => {
    const rt = await runtime({ model_list: [deployment("slow-400", { max_parallel_requests: 1 })] });
    const first = call(rt);
    const err = await call(rt, { timeout: 0.05 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaxParallelRequestsTimeout);
    expect(err).toBeInstanceOf(Timeout);
    const e = err as MaxParallelRequestsTimeout;
    expect({ code: e.code, status: e.status, model: e.model }).toEqual({ code: ROUTER_ERROR_CODES.parallelWaitTimeout, status: 408, model: "chat" });
    expect(e.message).toContain("openai/slow-400 (1/1 in flight, cap from max_parallel_requests)");
    expect(e.message).toContain("Raise litellm_params.max_parallel_requests");
    await first;
    expect(fake.requests.length).toEqual(1);
  });

  it("a waiting call whose caller aborts leaves the line at once, sends nothing, and the next call takes its place", async () => {
    const rt = await runtime({ model_list: [deployment("slow-300", { max_parallel_requests: 1 })] });
    const first = call(rt);
    const abort = new AbortController();
    const waiting = call(rt, { signal: abort.signal }).catch((e: unknown) => e);
    const third = call(rt);
    await tick(50);
    abort.abort();
    const err = (await waiting) as Error & { code?: string };
    // Rejected while the first call still holds the permit: the abort, not the timeout, ended the wait.
    expect(answered).toBe(1);
    expect(err.name).toBe("APIConnectionError");
    expect(err.message).toContain("aborted while it waited for a permit");
    await Promise.all([first, third]);
    // The first and the third reached the upstream, the aborted one never did.
    expect(fake.requests.length).toBe(2);
    expect(peak).toBe(1);
  });
});

describe("parallelLimitOf: LiteLLM's calculate_max_parallel_requests", () => {
  const d = (entry: Record<string, unknown>, params: Record<string, unknown> = {}, info: Record<string, unknown> = {}) => ({
    alias: "x",
    index: 0,
    ...entry,
    params: { model: "openai/x", ...params },
    model_info: info,
  });

  it("takes max_parallel_requests, else rpm, else tpm / 1000 * 6 (at least 1), else the default; 0 is no cap", () => {
    expect([
      parallelLimitOf(d({}, { max_parallel_requests: 4, rpm: 10 }), 7),
      parallelLimitOf(d({}, { rpm: 10, tpm: 1_000_000 }), 7),
      parallelLimitOf(d({}, { tpm: 100_000 }), 7),
      parallelLimitOf(d({}, { tpm: 100 }), 7),
      parallelLimitOf(d({}), 7),
      parallelLimitOf(d({}), undefined),
      parallelLimitOf(d({}, { max_parallel_requests: 0, rpm: 10 }), 7),
    ]).toEqual([
      { limit: 4, from: "max_parallel_requests" },
      { limit: 10, from: "rpm" },
      { limit: 600, from: "tpm" },
      { limit: 1, from: "tpm" },
      { limit: 7, from: "default_max_parallel_requests" },
      { limit: Infinity, from: null },
      { limit: Infinity, from: null },
    ]);
  });

  it("reads each key at the entry's top level, then litellm_params, then model_info (as rpm/tpm limits are read)", () => {
    expect([
      parallelLimitOf(d({ max_parallel_requests: 3 }, { max_parallel_requests: 4 }, { max_parallel_requests: 5 }), undefined).limit,
      parallelLimitOf(d({}, { max_parallel_requests: "4" }, { max_parallel_requests: 5 }), undefined).limit,
      parallelLimitOf(d({}, {}, { rpm: 5 }), undefined).limit,
    ]).toEqual([3, 4, 5]);
  });
});
