import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ERROR_CODES, RateLimitError } from "../core/errors.ts";
import { Router } from "../core/router/index.ts";
import { limitOf } from "../core/router/usage.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useRuntimes } from "./support/kit.ts";

// rpm / tpm as limits: usage-based-routing(-v2) and cost-based-routing count each deployment's
// requests and tokens per calendar minute (a test clock here) and skip one at its limit.

let fake: FakeOpenAI;
const runtime = useRuntimes();
const messages = [{ role: "user" as const, content: "hi" }];
// The test clock: 12:00:00.000 UTC on a fixed day; Date is the only thing faked.
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

const deployment = (model: string, litellm: Record<string, unknown>) => ({
  model_name: "chat",
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-router-limits-1234", ...litellm },
});

/** Calls `chat` `n` times in a row: the upstream model of each answer, or the error's code. */
async function calls(rt: Awaited<ReturnType<typeof runtime>>, n: number): Promise<Array<{ model?: string; error?: unknown }>> {
  const out: Array<{ model?: string; error?: unknown }> = [];
  for (let i = 0; i < n; i++) {
    try {
      const res = await rt.acompletion({ model: "chat", messages });
      out.push({ model: String(res.model) });
    } catch (error) {
      out.push({ error });
    }
  }
  return out;
}

const tally = (results: Array<{ model?: string; error?: unknown }>) => {
  const t: Record<string, number> = {};
  for (const r of results) {
    const k = r.model ?? (r.error as { code?: string }).code ?? "?";
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
};

describe("usage-based-routing-v2 enforces rpm", () => {
  it("two deployments with rpm 5: 12 calls in a minute go 5/5 and 2 fail with RateLimitError naming limits and the reset", async () => {
    const rt = await runtime({
      model_list: [deployment("dep-a", { rpm: 5 }), deployment("dep-b", { rpm: 5 })],
      router_settings: { routing_strategy: "usage-based-routing-v2" },
    });
    vi.setSystemTime(T0 + 15_000);
    const results = await calls(rt, 12);
    expect(tally(results)).toEqual({ "dep-a": 5, "dep-b": 5, [ERROR_CODES.RateLimitError]: 2 });
    expect(results.slice(10).map((r) => r.model)).toEqual([undefined, undefined]);
    const err = results[11]!.error as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect({ status: err.status, retry_after: err.retry_after }).toEqual({ status: 429, retry_after: 45 });
    expect(err.message).toContain('Every deployment of "chat" is at its rpm/tpm limit this minute');
    expect(err.message).toContain("openai/dep-a (rpm 5/5)");
    expect(err.message).toContain("openai/dep-b (rpm 5/5)");
    expect(err.message).toContain("resets in 45s (at 12:01:00 UTC)");
    // Only the 10 allowed calls reached the provider.
    expect(fake.requests.length).toEqual(10);
  });

  it("counts again from the next minute", async () => {
    const rt = await runtime({
      model_list: [deployment("dep-a", { rpm: 2 }), deployment("dep-b", { rpm: 1 })],
      router_settings: { routing_strategy: "usage-based-routing" },
    });
    const first = await calls(rt, 4);
    vi.setSystemTime(T0 + 60_000);
    const second = await calls(rt, 4);
    expect([tally(first), tally(second)]).toEqual([
      { "dep-a": 2, "dep-b": 1, [ERROR_CODES.RateLimitError]: 1 },
      { "dep-a": 2, "dep-b": 1, [ERROR_CODES.RateLimitError]: 1 },
    ]);
  });

  it("reads a limit at the entry's top level (beside litellm_params) before litellm_params', as LiteLLM does", async () => {
    const rt = await runtime({
      model_list: [{ ...deployment("dep-a", { rpm: 100 }), rpm: 2 }, { ...deployment("dep-b", {}), rpm: 1 }],
      router_settings: { routing_strategy: "usage-based-routing-v2" },
    });
    expect(tally(await calls(rt, 4))).toEqual({ "dep-a": 2, "dep-b": 1, [ERROR_CODES.RateLimitError]: 1 });
  });

  it("a rate-limited alias goes on to its fallbacks", async () => {
    const rt = await runtime({
      model_list: [deployment("dep-a", { rpm: 1 }), { ...deployment("backup", {}), model_name: "backup" }],
      router_settings: { routing_strategy: "usage-based-routing-v2", fallbacks: [{ chat: ["backup"] }] },
    });
    expect((await calls(rt, 3)).map((r) => r.model)).toEqual(["dep-a", "backup", "backup"]);
  });
});

describe("usage-based-routing-v2 enforces tpm with the tokens of each answer's usage", () => {
  it("tpm 100, 20 tokens an answer (a 7-token prompt counted before each): 12 calls go 5/5 and 2 fail", async () => {
    fake.set({ usage: { prompt_tokens: 12, completion_tokens: 8 } });
    const rt = await runtime({
      model_list: [deployment("dep-a", { tpm: 100 }), deployment("dep-b", { tpm: 100 })],
      router_settings: { routing_strategy: "usage-based-routing-v2" },
    });
    const results = await calls(rt, 12);
    expect(tally(results)).toEqual({ "dep-a": 5, "dep-b": 5, [ERROR_CODES.RateLimitError]: 2 });
    // Fewest tokens first: the two take turns.
    expect(results.slice(0, 4).map((r) => r.model).sort()).toEqual(["dep-a", "dep-a", "dep-b", "dep-b"]);
    const err = results[11]!.error as RateLimitError;
    expect(err.message).toContain("openai/dep-a (tpm 100/100)");
    expect(err.message).toContain("this prompt: about 7 tokens");
  });
});

describe("usage-based-routing-v2 counts a streamed answer's tokens when its stream ends", () => {
  it("tpm 100, 20 tokens a stream: 12 streams read to the end go 5/5 and 2 fail", async () => {
    fake.set({ usage: { prompt_tokens: 12, completion_tokens: 8 } });
    const rt = await runtime({
      model_list: [deployment("dep-a", { tpm: 100 }), deployment("dep-b", { tpm: 100 })],
      router_settings: { routing_strategy: "usage-based-routing-v2" },
    });
    const results: Array<{ model?: string; error?: unknown }> = [];
    for (let i = 0; i < 12; i++) {
      try {
        let model = "";
        for await (const chunk of await rt.acompletion({ model: "chat", messages, stream: true })) model ||= String(chunk.model);
        results.push({ model });
      } catch (error) {
        results.push({ error });
      }
    }
    expect(tally(results)).toEqual({ "dep-a": 5, "dep-b": 5, [ERROR_CODES.RateLimitError]: 2 });
    expect((results[11]!.error as RateLimitError).message).toContain("openai/dep-a (tpm 100/100)");
  });
});

describe("cost-based-routing", () => {
  it("picks the cheapest by input+output price per token (litellm_params, model_info, the bundled table), then the next once it is at its rpm", async () => {
    const rt = await runtime({
      model_list: [
        deployment("gpt-4o", {}),
        deployment("house-cheap", { input_cost_per_token: 1e-9, output_cost_per_token: 1e-9, rpm: 2 }),
        { ...deployment("gpt-4o-mini", {}) },
        { ...deployment("unpriced", {}) },
      ],
      router_settings: { routing_strategy: "cost-based-routing" },
    });
    expect((await calls(rt, 4)).map((r) => r.model)).toEqual(["house-cheap", "house-cheap", "gpt-4o-mini", "gpt-4o-mini"]);
  });
});

describe("strategies that do not enforce limits", () => {
  it("simple-shuffle, least-busy and latency-based-routing keep rpm as a weight only: no call fails", async () => {
    for (const routing_strategy of ["simple-shuffle", "least-busy", "latency-based-routing"] as const) {
      const rt = await runtime({ model_list: [deployment("dep-a", { rpm: 1 }), deployment("dep-b", { rpm: 1 })], router_settings: { routing_strategy } });
      expect(tally(await calls(rt, 4))[ERROR_CODES.RateLimitError], routing_strategy).toBeUndefined();
    }
  });
});

describe("optional_pre_call_checks: [enforce_model_rate_limits]", () => {
  it("makes rpm a limit under simple-shuffle, least-busy and latency-based-routing too (LiteLLM's ModelRateLimitingCheck)", async () => {
    for (const routing_strategy of ["simple-shuffle", "least-busy", "latency-based-routing"] as const) {
      fake.reset();
      const rt = await runtime({
        model_list: [deployment("dep-a", { rpm: 2 }), deployment("dep-b", { rpm: 3 })],
        router_settings: { routing_strategy, optional_pre_call_checks: ["enforce_model_rate_limits"] },
      });
      expect(tally(await calls(rt, 7)), routing_strategy).toEqual({ "dep-a": 2, "dep-b": 3, [ERROR_CODES.RateLimitError]: 2 });
      expect(fake.requests.length, routing_strategy).toEqual(5);
    }
  });
});

describe("where limits come from", () => {
  it("the entry's top level, then litellm_params, then model_info (LiteLLM's order); Infinity without one", () => {
    const d = (extra: Record<string, unknown>, params: Record<string, unknown> = {}, model_info: Record<string, unknown> | null = null) => ({
      alias: "a",
      index: 0,
      params: { model: "openai/x", ...params },
      model_info,
      ...extra,
    });
    expect([
      limitOf(d({ rpm: 3 }, { rpm: 4 }, { rpm: 5 }), "rpm"),
      limitOf(d({}, { rpm: "4" }, { rpm: 5 }), "rpm"),
      limitOf(d({}, {}, { tpm: 5 }), "tpm"),
      limitOf(d({}), "tpm"),
    ]).toEqual([3, 4, 5, Infinity]);
  });

  it("a Router with options.now counts by that clock's minute", () => {
    let t = T0;
    const a = { alias: "chat", index: 0, params: { model: "openai/a", rpm: 1 } };
    const router = new Router(new Map([["chat", [a]]]), { routing_strategy: "usage-based-routing-v2" }, { now: () => t, warn: () => {} });
    router.started(router.pick("chat")!);
    const blocked = [router.pick("chat"), router.limitError("chat")?.retry_after];
    t += 60_000;
    expect([...blocked, router.pick("chat"), router.limitError("chat")]).toEqual([null, 60, a, null]);
  });
});
