import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, type CallbackKwargs, type Runtime } from "../core/index.ts";
import { ROUTER_ERROR_CODES } from "../core/errors.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";

// Routing through a config: each attempt is its own pre/post/failure sequence, all sharing one trace id.

let fake: FakeOpenAI;
let dir: string;
let rt: Runtime | undefined;
let events: Array<{ event: string; kwargs: CallbackKwargs }>;

const recorder = {
  log_pre_api_call: (_m: string, _msgs: unknown, kwargs: CallbackKwargs) => void events.push({ event: "pre", kwargs }),
  log_post_api_call: (kwargs: CallbackKwargs) => void events.push({ event: "post", kwargs }),
  log_success_event: (kwargs: CallbackKwargs) => void events.push({ event: "success", kwargs }),
  log_failure_event: (kwargs: CallbackKwargs) => void events.push({ event: "failure", kwargs }),
};

const deployment = (alias: string, model: string, extra: Record<string, unknown> = {}) => ({
  model_name: alias,
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-routing-test-123456", ...extra },
});

const messages = [{ role: "user", content: "route me" }];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(async () => {
  fake.reset();
  events = [];
  dir = await mkdtemp(join(tmpdir(), "litellm-routing-"));
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function runtime(config: Record<string, unknown>): Promise<Runtime> {
  rt = await createRuntime({ config: { ...config, litellm_settings: { callbacks: [recorder] } }, cwd: dir });
  return rt;
}

describe("routing through the config", () => {
  it("a fallback call logs pre, post, failure, pre, post, success, with one trace id and the attempt in metadata", async () => {
    const r = await runtime({
      model_list: [deployment("primary", "fail-503"), deployment("backup", "gpt-4o-mini")],
      router_settings: { fallbacks: [{ primary: ["backup"] }] },
    });
    const res = await r.acompletion({ model: "primary", messages, metadata: { team: "search" } });
    await r.flush();
    expect(res.choices[0]!.message.content).toContain("route me");
    expect(events.map((e) => e.event)).toEqual(["pre", "post", "failure", "pre", "post", "success"]);
    const traces = new Set(events.map((e) => e.kwargs.litellm_trace_id));
    expect(traces.size).toBe(1);
    expect(new Set(events.map((e) => e.kwargs.litellm_call_id)).size).toBe(2);
    const failed = events[2]!.kwargs;
    const succeeded = events[5]!.kwargs;
    // LiteLLM's router keys: the deployment is its litellm_params.model; the alias is model_group.
    expect(failed.litellm_params.metadata).toMatchObject({ team: "search", model_group: "primary", deployment: "openai/fail-503", deployment_model_name: "primary", attempt: 1 });
    expect(succeeded.litellm_params.metadata).toMatchObject({ team: "search", model_group: "backup", deployment: "openai/gpt-4o-mini", attempt: 2 });
    expect(succeeded.standard_logging_object!.trace_id).toBe(failed.standard_logging_object!.trace_id);
    expect(failed.exception!.name).toBe("ServiceUnavailableError");
  });

  it("retries then succeeds: num_retries, with each attempt its own events", async () => {
    const r = await runtime({ model_list: [deployment("flaky", "gpt-4o-mini")], router_settings: { num_retries: 2, retry_after: 0 } });
    fake.queue({ status: 500 }, { status: 429, headers: { "retry-after": "0" } });
    const res = await r.acompletion({ model: "flaky", messages });
    await r.flush();
    expect(res.choices[0]!.message.content).toContain("route me");
    expect(fake.requests).toHaveLength(3);
    expect(events.map((e) => e.event)).toEqual(["pre", "post", "failure", "pre", "post", "failure", "pre", "post", "success"]);
    expect(events.filter((e) => e.event === "pre").map((e) => e.kwargs.litellm_params.metadata?.attempt)).toEqual([1, 2, 3]);
  });

  it("does not retry what retrying cannot fix (a 400)", async () => {
    const r = await runtime({ model_list: [deployment("strict", "gpt-4o-mini")], router_settings: { num_retries: 3 } });
    fake.queue({ status: 400 });
    await expect(r.acompletion({ model: "strict", messages })).rejects.toMatchObject({ name: "BadRequestError", status: 400 });
    expect(fake.requests).toHaveLength(1);
  });

  it("a deployment that keeps failing is cooled down: the next calls go to the healthy one", async () => {
    const r = await runtime({
      model_list: [deployment("pair", "fail-500"), deployment("pair", "gpt-4o-mini")],
      router_settings: { allowed_fails: 1, cooldown_time: 60, num_retries: 1, retry_after: 0 },
    });
    // Until the failing deployment has failed twice (allowed_fails: 1), calls still go to it now and then.
    for (let i = 0; i < 200 && fake.requests.filter((q) => q.body.model === "fail-500").length < 2; i++) await r.acompletion({ model: "pair", messages });
    expect(fake.requests.filter((q) => q.body.model === "fail-500").length).toBe(2);
    fake.reset();
    for (let i = 0; i < 20; i++) await r.acompletion({ model: "pair", messages });
    expect(fake.requests.every((q) => q.body.model === "gpt-4o-mini")).toBe(true);
    expect(fake.requests).toHaveLength(20);
  });

  it("spreads 3,000 calls over three deployments within 10% of their weights", async () => {
    const r = await runtime({
      model_list: ["a", "b", "c"].map((name) => deployment("w", `mock-${name}`, { mock_response: name, weight: 2 })),
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 3000; i++) counts[(await r.acompletion({ model: "w", messages })).choices[0]!.message.content as string]!++;
    // Equal weights: 1,000 each; 10% is 3.9 standard deviations of a binomial(3000, 1/3), so this holds in all but ~1 run in 10,000.
    for (const name of ["a", "b", "c"]) expect(Math.abs(counts[name]! - 1000)).toBeLessThan(100);
    expect(counts.a! + counts.b! + counts.c!).toBe(3000);
  });
});

describe("a call's own routing controls on an alias, as LiteLLM's router takes them", () => {
  it("fallbacks as a list of aliases replace the config's: tried in order after the alias asked for, and never sent upstream", async () => {
    const r = await runtime({
      model_list: [deployment("primary", "fail-503"), deployment("second", "fail-500"), deployment("third", "gpt-4o-mini"), deployment("configured", "gpt-4o")],
      router_settings: { fallbacks: [{ primary: ["configured"] }] },
    });
    const res = (await r.acompletion({ model: "primary", messages, fallbacks: ["second", "third"] } as never)) as unknown as { model: string };
    await r.flush();
    expect(res.model).toContain("gpt-4o-mini");
    expect(events.filter((e) => e.event === "pre").map((e) => e.kwargs.litellm_params.model_group)).toEqual(["primary", "second", "third"]);
    for (const q of fake.requests) expect(Object.keys(q.body as object)).not.toContain("fallbacks");
  });

  it("fallbacks in LiteLLM's map form apply to the alias they name", async () => {
    const r = await runtime({ model_list: [deployment("primary", "fail-503"), deployment("backup", "gpt-4o-mini")] });
    await r.acompletion({ model: "primary", messages, fallbacks: [{ primary: ["backup"] }] } as never);
    await r.flush();
    expect(events.map((e) => e.event)).toEqual(["pre", "post", "failure", "pre", "post", "success"]);
  });

  it("mock_testing_fallbacks fails the alias asked for (logged as its failure) and answers from its fallback, with nothing sent for the first", async () => {
    const r = await runtime({
      model_list: [deployment("primary", "gpt-4o"), deployment("backup", "gpt-4o-mini")],
      router_settings: { fallbacks: [{ primary: ["backup"] }] },
    });
    const res = (await r.acompletion({ model: "primary", messages, mock_testing_fallbacks: true } as never)) as unknown as { model: string };
    await r.flush();
    expect(res.model).toContain("gpt-4o-mini");
    const failure = events.find((e) => e.event === "failure")!;
    expect(failure.kwargs.litellm_params.model_group).toBe("primary");
    expect(String((failure.kwargs.exception as Error).message)).toContain("mock exception for model=primary");
    expect(fake.requests.map((q) => (q.body as { model: string }).model)).toEqual(["gpt-4o-mini"]);
    for (const q of fake.requests) expect(Object.keys(q.body as object)).not.toContain("mock_testing_fallbacks");
  });

  it("a call's timeout applies to each attempt of an alias: a slow deployment times out, and its fallback answers", async () => {
    const r = await runtime({
      model_list: [deployment("primary", "slow-3000"), deployment("backup", "gpt-4o-mini")],
      router_settings: { fallbacks: [{ primary: ["backup"] }] },
    });
    const res = await r.acompletion({ model: "primary", messages, timeout: 0.2 });
    await r.flush();
    expect(res.model).toContain("gpt-4o-mini");
    const failure = events.find((e) => e.event === "failure")!;
    expect((failure.kwargs.exception as Error).name).toBe("Timeout");
  });
});

describe("a call that fails before any attempt gets one failure event, as a pre-call hook's rejection does", () => {
  /** Each call's error name (or "ok"), after the events of all of them are delivered. */
  async function outcomes(r: Runtime, model: string, n: number, msgs: unknown[] = messages): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await r.acompletion({ model, messages: msgs as never }).then(() => "ok", (e: Error) => e.name));
    await r.flush();
    return out;
  }

  it("every deployment at its rpm this minute: a RateLimitError, logged once, with nothing sent", async () => {
    const r = await runtime({ model_list: [deployment("limited", "gpt-4o-mini", { rpm: 1 })], router_settings: { routing_strategy: "usage-based-routing-v2" } });
    expect(await outcomes(r, "limited", 2)).toEqual(["ok", "RateLimitError"]);
    expect(events.map((e) => e.event)).toEqual(["pre", "post", "success", "failure"]);
    const failed = events[3]!.kwargs;
    expect([(failed.exception as Error).name, failed.model, failed.litellm_params.model_group, failed.standard_logging_object?.status]).toEqual(["RateLimitError", "gpt-4o-mini", "limited", "failure"]);
    expect(failed.litellm_call_id).not.toBe(events[0]!.kwargs.litellm_call_id);
    expect(fake.requests).toHaveLength(1);
  });

  it("no deployment takes the prompt (enable_pre_call_checks): a ContextWindowExceededError, logged once", async () => {
    const r = await runtime({
      model_list: [{ ...deployment("tiny", "tiny"), model_info: { max_input_tokens: 50 } }],
      router_settings: { enable_pre_call_checks: true, num_retries: 2 },
    });
    expect(await outcomes(r, "tiny", 1, [{ role: "user", content: "x".repeat(1000) }])).toEqual(["ContextWindowExceededError"]);
    expect(events.map((e) => [e.event, (e.kwargs.exception as Error | undefined)?.name])).toEqual([["failure", "ContextWindowExceededError"]]);
    expect(fake.requests).toHaveLength(0);
  });

  it("no permit freed within the call's timeout (max_parallel_requests): the wait's Timeout, logged once, with nothing sent", async () => {
    const r = await runtime({ model_list: [deployment("capped", "slow-300", { max_parallel_requests: 1 })] });
    const first = r.acompletion({ model: "capped", messages });
    const waited = await r.acompletion({ model: "capped", messages, timeout: 0.05 }).catch((e: { code: string }) => e.code);
    await first;
    await r.flush();
    expect(waited).toBe(ROUTER_ERROR_CODES.parallelWaitTimeout);
    // The waiting call failed while the first was still in flight: its one event comes before the first's post and success.
    expect(events.map((e) => [e.event, (e.kwargs.exception as { code?: string } | undefined)?.code])).toEqual([
      ["pre", undefined],
      ["failure", ROUTER_ERROR_CODES.parallelWaitTimeout],
      ["post", undefined],
      ["success", undefined],
    ]);
    expect(fake.requests).toHaveLength(1);
  });

  it("an alias at its limit that falls back: only the fallback's attempt is logged, since the call did not fail", async () => {
    const r = await runtime({
      model_list: [deployment("limited", "gpt-4o-mini", { rpm: 1 }), deployment("backup", "backup-model")],
      router_settings: { routing_strategy: "usage-based-routing-v2", fallbacks: [{ limited: ["backup"] }] },
    });
    expect(await outcomes(r, "limited", 2)).toEqual(["ok", "ok"]);
    expect(events.map((e) => e.event)).toEqual(["pre", "post", "success", "pre", "post", "success"]);
    expect(events[3]!.kwargs.model).toBe("backup-model");
  });
});
