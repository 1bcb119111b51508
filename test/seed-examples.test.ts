// The examples of LiteLLM's "Custom Callbacks" page, ported to our shape and run against the real runtime, offline.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import litellm, { CustomLogger, RateLimitError, acompletion, completion, type CallbackError, type CallbackKwargs, type ChatCompletionChunk, type ModelResponse } from "../core/index.ts";
import { OPENAI_PRICES } from "../core/cost/table-openai.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";

const MODEL = "gpt-3.5-turbo";
const ANSWER = "Hello from the mock, nice to meet you";
const messages = [{ role: "user" as const, content: "Hi 👋 - i'm openai" }];
const KEY = "sk-test-1234567890abcd";

let fake: FakeOpenAI;
let callbackErrors: CallbackError[];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

beforeEach(() => {
  litellm.callbacks = [];
  litellm.input_callback = [];
  litellm.success_callback = [];
  litellm.failure_callback = [];
  callbackErrors = [];
  litellm.on_callback_error = (err) => callbackErrors.push(err);
});

afterEach(async () => {
  await litellm.flush();
  fake.reset();
  // A callback of these examples that threw would otherwise pass silently.
  expect(callbackErrors.map((e) => e.message)).toEqual([]);
});

/** Reads a stream to its end, as the page's `for chunk in response` loops do. */
async function drain(stream: AsyncIterable<ChatCompletionChunk>, onChunk?: (c: ChatCompletionChunk) => void): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    onChunk?.(chunk);
  }
  return chunks;
}

const joined = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

/** The page's MyCustomHandler: it records which method ran instead of printing. */
class MyCustomHandler extends CustomLogger {
  readonly calls: string[] = [];
  readonly kwargsOf: Record<string, CallbackKwargs> = {};
  private note(name: string, kwargs: CallbackKwargs): void {
    this.calls.push(name);
    this.kwargsOf[name] = kwargs;
  }
  override log_pre_api_call(_model: string, _messages: unknown, kwargs: CallbackKwargs) {
    this.note("pre", kwargs);
  }
  override log_post_api_call(kwargs: CallbackKwargs) {
    this.note("post", kwargs);
  }
  override log_success_event(kwargs: CallbackKwargs) {
    this.note("success", kwargs);
  }
  override log_failure_event(kwargs: CallbackKwargs) {
    this.note("failure", kwargs);
  }
  override async async_log_success_event(kwargs: CallbackKwargs) {
    this.note("async success", kwargs);
  }
  override async async_log_failure_event(kwargs: CallbackKwargs) {
    this.note("async failure", kwargs);
  }
}

describe("1. the callback class", () => {
  it("completion() delivers pre, post and the sync success", async () => {
    const handler = new MyCustomHandler();
    litellm.callbacks = [handler];
    await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(handler.calls).toEqual(["pre", "post", "success"]);
  });

  it("acompletion() delivers pre, post and the async success", async () => {
    const handler = new MyCustomHandler();
    litellm.callbacks = [handler];
    await acompletion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(handler.calls).toEqual(["pre", "post", "async success"]);
  });

  it.each([
    ["completion", completion, "success"],
    ["acompletion", acompletion, "async success"],
  ] as const)("streaming through %s gives exactly one success, after the last chunk", async (_name, entry, successName) => {
    const seen: string[] = [];
    const handler = new (class extends MyCustomHandler {
      override log_success_event(kwargs: CallbackKwargs) {
        seen.push("success");
        super.log_success_event(kwargs);
      }
      override async async_log_success_event(kwargs: CallbackKwargs) {
        seen.push("success");
        await super.async_log_success_event(kwargs);
      }
    })();
    litellm.callbacks = [handler];
    const stream = await entry({ model: MODEL, messages, mock_response: ANSWER, stream: true });
    const chunks = await drain(stream, () => seen.push("chunk"));
    await litellm.flush();

    expect(chunks.length).toBeGreaterThan(2);
    expect(handler.calls).toEqual(["pre", "post", successName]);
    // Every chunk reached the consumer before the one success.
    expect(seen).toEqual([...chunks.map(() => "chunk"), "success"]);
    expect(joined(chunks)).toBe(ANSWER);
  });

  it.each([
    ["completion", completion, "failure"],
    ["acompletion", acompletion, "async failure"],
  ] as const)("a failing %s delivers its failure method", async (_name, entry, failureName) => {
    const handler = new MyCustomHandler();
    litellm.callbacks = [handler];
    await expect(entry({ model: MODEL, messages, mock_response: "litellm.RateLimitError" })).rejects.toBeInstanceOf(RateLimitError);
    await litellm.flush();
    // The provider was asked and answered with an error: pre, post, then the failure (as LiteLLM logs it).
    expect(handler.calls).toEqual(["pre", "post", failureName]);
  });
});

describe("2. callback functions", () => {
  it("success_callback receives kwargs, the response, and the start and end Dates", async () => {
    const got: Array<{ kwargs: CallbackKwargs; response: unknown; start: Date; end: Date }> = [];
    function customCallback(kwargs: CallbackKwargs, completion_response: unknown, start_time: Date, end_time: Date) {
      got.push({ kwargs, response: completion_response, start: start_time, end: end_time });
    }
    litellm.success_callback = [customCallback];
    const response = await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();

    expect(got).toHaveLength(1);
    const [call] = got;
    // The handler's own copy: equal to the caller's response, never the caller's object (it may change it freely).
    expect(call!.response).toEqual(response);
    expect(call!.response).not.toBe(response);
    expect(response.choices[0]!.message.content).toBe(ANSWER);
    expect(call!.start).toBeInstanceOf(Date);
    expect(call!.end).toBeInstanceOf(Date);
    expect(call!.end.getTime()).toBeGreaterThanOrEqual(call!.start.getTime());
    expect(call!.kwargs.start_time).toEqual(call!.start);
    expect(call!.kwargs.end_time).toEqual(call!.end);
    expect(call!.kwargs.model).toBe(MODEL);
  });
});

describe("3. async callback functions", () => {
  it("an async success_callback runs once for acompletion, with the response", async () => {
    const got: unknown[] = [];
    litellm.success_callback = [
      async function asyncTestLoggingFn(_kwargs: CallbackKwargs, completion_obj: unknown) {
        await Promise.resolve();
        got.push(completion_obj);
      },
    ];
    const response = await acompletion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(got).toEqual([response]);
  });

  it("an async success_callback runs once for a stream, with the assembled response", async () => {
    const got: Array<{ response: ModelResponse; kwargs: CallbackKwargs }> = [];
    litellm.success_callback = [
      async (kwargs: CallbackKwargs, completion_obj: unknown) => {
        await Promise.resolve();
        got.push({ response: completion_obj as ModelResponse, kwargs });
      },
    ];
    const chunks = await drain(await acompletion({ model: MODEL, messages, mock_response: ANSWER, stream: true }));
    await litellm.flush();
    expect(got).toHaveLength(1);
    expect(got[0]!.response.choices[0]!.message.content).toBe(joined(chunks));
    expect(got[0]!.response).toBe(got[0]!.kwargs.complete_streaming_response);
  });
});

// ---------------------------------------------------------------- 4. what's in kwargs

const ALWAYS = ["model", "messages", "optional_params", "litellm_params", "start_time", "stream", "call_type", "litellm_call_id", "user", "log_event_type"];
const PRE = ["input", "api_key", "additional_args"];
const POST = ["original_response"];
const SUCCESS = ["end_time", "cache_hit", "response_cost", "completion_start_time", "standard_logging_object"];
const FAILURE = ["exception", "traceback_exception", "end_time"];

/** Records each event's kwargs, and whether the call had already returned when the handler ran. */
class KwargsRecorder extends CustomLogger {
  readonly events: Array<{ event: string; kwargs: CallbackKwargs; afterReturn: boolean }> = [];
  returned = false;
  private note(event: string, kwargs: CallbackKwargs) {
    this.events.push({ event, kwargs, afterReturn: this.returned });
  }
  override log_pre_api_call(_m: string, _msgs: unknown, kwargs: CallbackKwargs) {
    this.note("pre", kwargs);
  }
  override log_post_api_call(kwargs: CallbackKwargs) {
    this.note("post", kwargs);
  }
  override log_success_event(kwargs: CallbackKwargs) {
    this.note("success", kwargs);
  }
  override log_failure_event(kwargs: CallbackKwargs) {
    this.note("failure", kwargs);
  }
}

function expectKeys(kwargs: CallbackKwargs, present: string[], absent: string[]) {
  for (const key of present) expect(kwargs, `expected "${key}"`).toHaveProperty([key]);
  for (const key of absent) expect(Object.hasOwn(kwargs, key), `unexpected "${key}" at ${kwargs.log_event_type}`).toBe(false);
}

function expectSerialisable(kwargs: CallbackKwargs) {
  const { exception: _, ...rest } = kwargs;
  const text = JSON.stringify(rest);
  expect(JSON.parse(text)).toMatchObject({ model: kwargs.model, litellm_call_id: kwargs.litellm_call_id });
}

describe("4. what's in kwargs", () => {
  it.each([
    ["completion", completion],
    ["acompletion", acompletion],
  ] as const)("%s: each event has its keys, and none of a later event's", async (callType, entry) => {
    const rec = new KwargsRecorder();
    litellm.callbacks = [rec];
    await entry({ model: MODEL, messages, mock_response: ANSWER, user: "user-7", temperature: 0.3, metadata: { team: "a" } });
    rec.returned = true;
    await litellm.flush();

    expect(rec.events.map((e) => e.event)).toEqual(["pre", "post", "success"]);
    const [pre, post, success] = rec.events.map((e) => e.kwargs) as [CallbackKwargs, CallbackKwargs, CallbackKwargs];
    // Background work: the pre_api_call handler ran after the call returned, yet sees the kwargs of its own moment.
    expect(rec.events[0]!.afterReturn).toBe(true);

    expectKeys(pre, [...ALWAYS, ...PRE], [...POST, ...SUCCESS, "exception", "traceback_exception"]);
    expectKeys(post, [...ALWAYS, ...PRE, ...POST], [...SUCCESS, "exception", "traceback_exception"]);
    expectKeys(success, [...ALWAYS, ...PRE, ...POST, ...SUCCESS], ["exception", "traceback_exception", "complete_streaming_response"]);

    expect([pre.log_event_type, post.log_event_type, success.log_event_type]).toEqual(["pre_api_call", "post_api_call", "successful_api_call"]);
    for (const k of [pre, post, success]) {
      expect(k).toMatchObject({ model: MODEL, messages, stream: false, call_type: callType, user: "user-7" });
      expect(k.optional_params).toMatchObject({ temperature: 0.3 });
      expect(k.litellm_params).toMatchObject({ metadata: { team: "a" }, litellm_call_id: k.litellm_call_id });
      expect(k.start_time).toBeInstanceOf(Date);
      expect(k.litellm_call_id).toBe(pre.litellm_call_id);
      expectSerialisable(k);
    }
    expect(success.end_time).toBeInstanceOf(Date);
    expect(success.completion_start_time).toBeInstanceOf(Date);
    expect(success.standard_logging_object!.status).toBe("success");
  });

  it("failure: exception, traceback_exception and end_time, and no success keys", async () => {
    const rec = new KwargsRecorder();
    litellm.callbacks = [rec];
    await expect(completion({ model: MODEL, messages, mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await litellm.flush();

    expect(rec.events.map((e) => e.event)).toEqual(["pre", "post", "failure"]);
    const [pre, post, failure] = rec.events.map((e) => e.kwargs) as [CallbackKwargs, CallbackKwargs, CallbackKwargs];
    expect(post.original_response).toContain("RateLimitError");
    expectKeys(pre, [...ALWAYS, ...PRE], [...FAILURE]);
    expectKeys(failure, [...ALWAYS, ...PRE, ...FAILURE], ["cache_hit", "completion_start_time", "complete_streaming_response"]);
    expect(failure.log_event_type).toBe("failed_api_call");
    expect(failure.end_time).toBeInstanceOf(Date);
    expectSerialisable(pre);
    expectSerialisable(failure);
  });

  it("two calls never share an id", async () => {
    const rec = new KwargsRecorder();
    litellm.callbacks = [rec];
    await completion({ model: MODEL, messages, mock_response: ANSWER });
    await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    const ids = new Set(rec.events.map((e) => e.kwargs.litellm_call_id));
    expect(ids.size).toBe(2);
  });
});

describe("5. cache hits", () => {
  it("kwargs.cache_hit is false on a normal call", async () => {
    const hits: unknown[] = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void hits.push(kwargs.cache_hit)];
    const response = await acompletion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(hits).toEqual([false]);
    expect(response._hidden_params.cache_hit).toBe(false);
  });
});

describe("6. complete streaming response", () => {
  it("a success_callback sees the whole streamed response with usage, only for streams", async () => {
    const got: CallbackKwargs[] = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void got.push(kwargs)];
    const chunks = await drain(await completion({ model: MODEL, messages, mock_response: ANSWER, stream: true, stream_options: { include_usage: true } }));
    await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();

    expect(got).toHaveLength(2);
    const [streamed, plain] = got as [CallbackKwargs, CallbackKwargs];
    const full = streamed.complete_streaming_response!;
    expect(full.choices[0]!.message.content).toBe(ANSWER);
    expect(full.choices[0]!.message.content).toBe(joined(chunks));
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.usage).toBeTruthy();
    expect(full.usage).toEqual(usageChunk.usage);
    expect(full.usage.total_tokens).toBe(full.usage.prompt_tokens + full.usage.completion_tokens);
    expect(streamed.stream).toBe(true);
    expect(Object.hasOwn(plain, "complete_streaming_response")).toBe(false);
  });
});

describe("7. log additional metadata", () => {
  it("metadata reaches kwargs.litellm_params and the standard logging object", async () => {
    const got: CallbackKwargs[] = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void got.push(kwargs)];
    await completion({ model: MODEL, messages, metadata: { hello: "world" }, mock_response: ANSWER });
    await litellm.flush();
    expect(got[0]!.litellm_params.metadata).toEqual({ hello: "world" });
    // The record's metadata is LiteLLM's StandardLoggingMetadata: its own keys, every one present; the caller's are in kwargs.
    const recorded = got[0]!.standard_logging_object!.metadata;
    expect(recorded).toMatchObject({ user_api_key_hash: null, spend_logs_metadata: null, requester_metadata: null });
    expect(recorded).not.toHaveProperty("hello");
  });
});

describe("8. cost tracking, streaming and non-streaming", () => {
  const price = OPENAI_PRICES.find((g) => g.ids.includes(MODEL))!.price;
  const costOf = (u: { prompt_tokens: number; completion_tokens: number }) =>
    u.prompt_tokens * price.input_cost_per_token! + u.completion_tokens * price.output_cost_per_token!;

  it("response_cost is the bundled price times the usage", async () => {
    const costs: unknown[] = [];
    litellm.success_callback = [function trackCostCallback(kwargs: CallbackKwargs) {
      costs.push(kwargs.response_cost);
    }];
    const response = await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();

    const expected = costOf(response.usage);
    expect(expected).toBeGreaterThan(0);
    expect(costs).toHaveLength(1);
    expect(costs[0]).toBeCloseTo(expected, 15);
    expect(response._hidden_params.response_cost).toBeCloseTo(expected, 15);
  });

  it("a stream is priced from its usage too", async () => {
    const costs: unknown[] = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void costs.push(kwargs.response_cost)];
    const chunks = await drain(await acompletion({ model: MODEL, messages, mock_response: ANSWER, stream: true, stream_options: { include_usage: true } }));
    await litellm.flush();

    const usage = chunks.at(-1)!.usage!;
    expect(costs).toHaveLength(1);
    expect(costs[0]).toBeCloseTo(costOf(usage), 15);
  });

  it("a model without a price gives null, and says why", async () => {
    const got: CallbackKwargs[] = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void got.push(kwargs)];
    await completion({ model: "openai/my-own-model", messages, api_base: fake.url, api_key: KEY });
    await litellm.flush();

    expect(got).toHaveLength(1);
    expect(got[0]!.response_cost).toBeNull();
    expect(got[0]!.response_cost_failure_debug_information!.error_str).toContain("my-own-model");
    // The record writes 0, as LiteLLM does, with the reason beside it.
    expect(got[0]!.standard_logging_object!.response_cost).toBe(0);
    expect(got[0]!.standard_logging_object!.response_cost_failure_debug_info!.error_str).toContain("my-own-model");
  });
});

describe("9. transformed input", () => {
  it.each([false, true])("input_callback sees the exact body sent (stream: %s)", async (stream) => {
    const seen: CallbackKwargs[] = [];
    litellm.input_callback = [function getTransformedInputs(kwargs: CallbackKwargs) {
      seen.push(kwargs);
    }];
    const params = { model: "openai/gpt-3.5-turbo", messages, api_base: fake.url, api_key: KEY, max_tokens: 256, temperature: 0.2 };
    if (stream) await drain(await completion({ ...params, stream: true }));
    else await completion(params);
    await litellm.flush();

    expect(fake.requests).toHaveLength(1);
    expect(seen).toHaveLength(1);
    const k = seen[0]!;
    expect(k.additional_args!.complete_input_dict).toEqual(fake.requests[0]!.body);
    expect(k.additional_args!.complete_input_dict).toMatchObject({ model: "gpt-3.5-turbo", max_tokens: 256, temperature: 0.2, messages });
    expect(k.input).toEqual(messages);
    // The key is logged masked, never in clear.
    expect(k.api_key).toBe("sk-...abcd");
    expect(JSON.stringify(k)).not.toContain(KEY);
  });
});

describe("10. writing to Mixpanel", () => {
  it("a success callback builds and records a Mixpanel-style event", async () => {
    const tracked: Array<{ event: string; properties: Record<string, unknown> }> = [];
    const mixpanel = { track: (event: string, properties: Record<string, unknown>) => void tracked.push({ event, properties }) };
    litellm.success_callback = [(_kwargs: CallbackKwargs, completion_response: unknown) => mixpanel.track("LLM Response", { llm_response: completion_response })];
    const response = await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(tracked).toEqual([{ event: "LLM Response", properties: { llm_response: response } }]);
  });
});

describe("11. failure details", () => {
  it.each([
    ["completion", completion],
    ["acompletion", acompletion],
  ] as const)("%s: failure_callback gets the exception, its stack and a failure record", async (_name, entry) => {
    const got: Array<{ kwargs: CallbackKwargs; response: unknown }> = [];
    litellm.failure_callback = [(kwargs: CallbackKwargs, response: unknown) => void got.push({ kwargs, response })];
    const thrown = await entry({ model: MODEL, messages, mock_response: "litellm.RateLimitError" }).catch((e: unknown) => e);
    await litellm.flush();

    expect(thrown).toBeInstanceOf(RateLimitError);
    expect(got).toHaveLength(1);
    const { kwargs, response } = got[0]!;
    expect(response).toBeNull();
    expect(kwargs.exception).toBe(thrown);
    expect(typeof kwargs.traceback_exception).toBe("string");
    expect(kwargs.traceback_exception).toBe((thrown as Error).stack);
    expect(kwargs.traceback_exception).toContain("RateLimitError");
    expect(kwargs.traceback_exception).toMatch(/\n\s+at /);
    expect(kwargs.response_cost).toBe(0);
    const slo = kwargs.standard_logging_object!;
    expect(slo.status).toBe("failure");
    expect(slo.error_information).toMatchObject({ error_class: "RateLimitError", error_code: "429" });
    expect(slo.error_str).toBe((thrown as Error).message);
  });
});

describe("12. two identical calls without a cache", () => {
  it("a handler sees pre, post, success twice", async () => {
    const states: string[] = [];
    litellm.callbacks = [
      new (class extends CustomLogger {
        override log_pre_api_call() {
          states.push("pre");
        }
        override log_post_api_call() {
          states.push("post");
        }
        override async async_log_success_event() {
          states.push("success");
        }
      })(),
    ];
    const unique = `Hi 👋 - i'm async ${Date.now()}`;
    await acompletion({ model: MODEL, messages: [{ role: "user", content: unique }], mock_response: ANSWER });
    await acompletion({ model: MODEL, messages: [{ role: "user", content: unique }], mock_response: ANSWER });
    await litellm.flush();
    expect(states).toEqual(["pre", "post", "success", "pre", "post", "success"]);
  });
});

// ---------------------------------------------------------------- the contract's extras

describe("per-call callbacks", () => {
  it("apply to their call only and never leak into the global lists", async () => {
    const global: string[] = [];
    const own: string[] = [];
    const globalFn = (k: CallbackKwargs) => void global.push(k.litellm_call_id);
    const ownFn = (k: CallbackKwargs) => void own.push(k.litellm_call_id);
    const handler = new MyCustomHandler();
    litellm.success_callback = [globalFn];

    await completion({ model: MODEL, messages, mock_response: ANSWER, success_callback: [ownFn], callbacks: [handler] });
    expect(litellm.success_callback).toHaveLength(1);
    expect(litellm.callbacks).toHaveLength(0);
    await completion({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();

    expect(global).toHaveLength(2);
    expect(own).toEqual([global[0]]);
    expect(handler.calls).toEqual(["pre", "post", "success"]);
  });

  it("the same function twice runs once per event", async () => {
    const calls: string[] = [];
    const fn = (k: CallbackKwargs) => void calls.push(k.log_event_type);
    const handler = new MyCustomHandler();
    litellm.success_callback = [fn, fn];
    litellm.callbacks = [handler, handler];
    await completion({ model: MODEL, messages, mock_response: ANSWER, success_callback: [fn], callbacks: [handler] });
    await litellm.flush();
    expect(calls).toEqual(["successful_api_call"]);
    expect(handler.calls).toEqual(["pre", "post", "success"]);
  });

  it("keep the order of registration: global lists, then the call's own", async () => {
    const order: string[] = [];
    litellm.callbacks = [{ log_success_event: () => void order.push("global logger") }];
    litellm.success_callback = [() => void order.push("global fn 1"), () => void order.push("global fn 2")];
    await completion({ model: MODEL, messages, mock_response: ANSWER, success_callback: [() => void order.push("own fn")] });
    await litellm.flush();
    expect(order).toEqual(["global logger", "global fn 1", "global fn 2", "own fn"]);
  });
});

describe("ordering within one handler", () => {
  /** Its pre_api_call is slow: later events of the call must wait for it, not overlap it. */
  class SlowStart extends CustomLogger {
    readonly trace: string[] = [];
    override async async_log_pre_api_call() {
      this.trace.push("enter pre");
      await new Promise((r) => setTimeout(r, 50));
      this.trace.push("exit pre");
    }
    override log_post_api_call() {
      this.trace.push("enter post");
      this.trace.push("exit post");
    }
    override async async_log_success_event() {
      this.trace.push("enter success");
      await new Promise((r) => setTimeout(r, 5));
      this.trace.push("exit success");
    }
  }

  it.each([
    ["completion", completion],
    ["acompletion", acompletion],
  ] as const)("%s: events arrive in order and never overlap", async (_name, entry) => {
    const handler = new SlowStart();
    litellm.callbacks = [handler];
    await entry({ model: MODEL, messages, mock_response: ANSWER });
    await litellm.flush();
    expect(handler.trace).toEqual(["enter pre", "exit pre", "enter post", "exit post", "enter success", "exit success"]);
  });
});
