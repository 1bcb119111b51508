import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";

// router_settings' retry_policy, model_group_retry_policy, allowed_fails_policy, disable_cooldowns and
// enable_pre_call_checks, end to end: counted in the requests the loopback upstream receives.

let fake: FakeOpenAI;
let dir: string;
let rt: Runtime | undefined;

/** A deployment of `alias` on the fake upstream; `model` "fail-429" makes every request to it fail with 429. */
const deployment = (alias: string, model: string, extra: Record<string, unknown> = {}, model_info?: Record<string, unknown>) => ({
  model_name: alias,
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-policies-test-123456", ...extra },
  ...(model_info ? { model_info } : {}),
});
/** `n` deployments of one failing model: each retry goes to one not yet tried, so no backoff is waited. */
const failing = (alias: string, model: string, n = 4) => Array.from({ length: n }, (_, i) => deployment(alias, model, { weight: i + 1 }));

const messages = [{ role: "user", content: "route me" }];
/** About 250 tokens by the router's estimate (four characters a token). */
const long = [{ role: "user", content: "x".repeat(1000) }];

/** How many requests the upstream got for each model. */
function requestsByModel(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of fake.requests) out[r.body.model] = (out[r.body.model] ?? 0) + 1;
  return out;
}

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(async () => {
  fake.reset();
  dir = await mkdtemp(join(tmpdir(), "litellm-router-policies-"));
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function runtime(config: Record<string, unknown>): Promise<Runtime> {
  rt = await createRuntime({ config, cwd: dir });
  return rt;
}

/** The call's error name and code, and the requests the upstream got per model. */
async function failure(r: Runtime, model: string, msgs: unknown[] = messages) {
  const err = await r.acompletion({ model, messages: msgs as never }).then(
    () => undefined,
    (e: { name: string; code: string }) => ({ name: e.name, code: e.code }),
  );
  return { err, requests: requestsByModel() };
}

describe("retry_policy", () => {
  it("retries each class as many times as it says, over num_retries", async () => {
    const r = await runtime({
      model_list: [...failing("limited", "fail-429"), ...failing("broken", "fail-500"), ...failing("bad", "fail-400"), ...failing("denied", "fail-401")],
      router_settings: {
        num_retries: 1,
        retry_policy: { RateLimitErrorRetries: 3, InternalServerErrorRetries: 0, BadRequestErrorRetries: 2, AuthenticationErrorRetries: 1 },
      },
    });
    const outcomes = [];
    for (const alias of ["limited", "broken", "bad", "denied"]) {
      fake.reset();
      outcomes.push(await failure(r, alias));
    }
    expect(outcomes).toEqual([
      { err: { name: "RateLimitError", code: "LLM_RATE_LIMIT" }, requests: { "fail-429": 4 } },
      { err: { name: "InternalServerError", code: "LLM_INTERNAL_SERVER" }, requests: { "fail-500": 1 } },
      { err: { name: "BadRequestError", code: "LLM_BAD_REQUEST" }, requests: { "fail-400": 3 } },
      { err: { name: "AuthenticationError", code: "LLM_AUTHENTICATION" }, requests: { "fail-401": 2 } },
    ]);
  });

  it("without one, retries num_retries times what is worth retrying, and never a 400 or a 401", async () => {
    const r = await runtime({
      model_list: [...failing("limited", "fail-429"), ...failing("bad", "fail-400"), ...failing("denied", "fail-401")],
      router_settings: { num_retries: 2 },
    });
    const counts = [];
    for (const alias of ["limited", "bad", "denied"]) {
      fake.reset();
      counts.push((await failure(r, alias)).requests);
    }
    expect(counts).toEqual([{ "fail-429": 3 }, { "fail-400": 1 }, { "fail-401": 1 }]);
  });

  it("model_group_retry_policy: an alias's own policy replaces retry_policy for calls to it", async () => {
    const r = await runtime({
      model_list: [...failing("own", "fail-429"), ...failing("global", "fail-429")],
      router_settings: { retry_policy: { RateLimitErrorRetries: 2 }, model_group_retry_policy: { own: { RateLimitErrorRetries: 0 } } },
    });
    const own = await failure(r, "own");
    fake.reset();
    const global = await failure(r, "global");
    expect([own.requests, global.requests]).toEqual([{ "fail-429": 1 }, { "fail-429": 3 }]);
  });
});

describe("cool-downs", () => {
  // The failing deployment has all the weight: every call picks it first while it is not cooling down;
  // the healthy one (weight 0) answers the retry, so every call succeeds.
  const pair = (extra: Record<string, unknown>) => ({
    model_list: [deployment("chat", "fail-429", { weight: 1 }), deployment("chat", "healthy", { weight: 0 })],
    router_settings: { num_retries: 1, cooldown_time: 60, ...extra },
  });

  async function fiveCalls(config: Record<string, unknown>) {
    const r = await runtime(config);
    for (let i = 0; i < 5; i++) await r.acompletion({ model: "chat", messages });
    return requestsByModel();
  }

  it("allowed_fails_policy: a deployment cools down after the failures its class may have", async () => {
    expect(await fiveCalls(pair({ allowed_fails_policy: { RateLimitErrorAllowedFails: 0 } }))).toEqual({ "fail-429": 1, healthy: 5 });
  });

  it("counts a class the policy leaves out against allowed_fails (3 by default)", async () => {
    expect(await fiveCalls(pair({ allowed_fails_policy: { TimeoutErrorAllowedFails: 0 } }))).toEqual({ "fail-429": 4, healthy: 5 });
  });

  it("disable_cooldowns: the failing deployment is tried first on every call", async () => {
    expect(await fiveCalls(pair({ disable_cooldowns: true, allowed_fails: 0, allowed_fails_policy: { RateLimitErrorAllowedFails: 0 } }))).toEqual({ "fail-429": 5, healthy: 5 });
  });
});

describe("enable_pre_call_checks", () => {
  // "small" has all the weight: without the checks a call goes to it first.
  const chat = () => [deployment("chat", "small", { weight: 1 }, { max_input_tokens: 100 }), deployment("chat", "large", { weight: 0 }, { max_input_tokens: 100_000 })];

  it("skips a deployment whose context window the prompt exceeds", async () => {
    const r = await runtime({ model_list: chat(), router_settings: { enable_pre_call_checks: true } });
    await r.acompletion({ model: "chat", messages: long as never });
    await r.acompletion({ model: "chat", messages: long as never });
    await r.acompletion({ model: "chat", messages });
    expect(requestsByModel()).toEqual({ large: 2, small: 1 });
  });

  it("does nothing when off: the long prompt goes to the small deployment", async () => {
    const r = await runtime({ model_list: chat() });
    await r.acompletion({ model: "chat", messages: long as never });
    expect(requestsByModel()).toEqual({ small: 1 });
  });

  it("falls back by context_window_fallbacks when no deployment fits, without a request to the alias asked for", async () => {
    const r = await runtime({
      model_list: [deployment("tiny", "tiny", {}, { max_input_tokens: 50 }), deployment("roomy", "roomy")],
      router_settings: { enable_pre_call_checks: true, context_window_fallbacks: [{ tiny: ["roomy"] }], fallbacks: [{ tiny: ["nowhere"] }] },
    });
    const res = await r.acompletion({ model: "tiny", messages: long as never });
    expect([res.choices[0]!.message.content?.startsWith("Echo: "), requestsByModel()]).toEqual([true, { roomy: 1 }]);
  });

  it("fails with ContextWindowExceededError, sending nothing, when no deployment fits and there is no fallback", async () => {
    const r = await runtime({ model_list: [deployment("tiny", "tiny", {}, { max_input_tokens: 50 })], router_settings: { enable_pre_call_checks: true, num_retries: 3 } });
    expect(await failure(r, "tiny", long)).toEqual({ err: { name: "ContextWindowExceededError", code: "LLM_CONTEXT_WINDOW_EXCEEDED" }, requests: {} });
  });
});
