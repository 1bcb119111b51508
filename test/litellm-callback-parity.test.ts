// LiteLLM's own callback tests, ported assertion by assertion: tests/local_testing/test_custom_callback_input.py
// (BerriAI/litellm, MIT). Its handler checks the type of every argument and kwarg at every event and collects what
// fails; each scenario then asserts no check failed and which events arrived. Where this runtime deliberately
// differs (an event LiteLLM loses), the test's name says so. Providers are fake upstreams on loopback.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import litellm, { createRuntime, CustomLogger, type CallbackKwargs, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";

type State =
  | "sync_pre_api_call"
  | "async_pre_api_call"
  | "post_api_call"
  | "sync_stream"
  | "async_stream"
  | "sync_success"
  | "async_success"
  | "sync_failure"
  | "async_failure";

const isStr = (v: unknown): boolean => typeof v === "string";
const isDict = (v: unknown): boolean => v !== null && typeof v === "object" && !Array.isArray(v);
const isList = (v: unknown): boolean => Array.isArray(v);
const isDate = (v: unknown): boolean => v instanceof Date;
const orNull = (check: (v: unknown) => boolean) => (v: unknown) => v === null || v === undefined || check(v);
const isListOfDicts = (v: unknown): boolean => isList(v) && isDict((v as unknown[])[0]);

/** LiteLLM's CompletionCustomHandler: every argument's type, at every event; failures are collected, not thrown. */
class CompletionCustomHandler extends CustomLogger {
  readonly errors: string[] = [];
  readonly states: State[] = [];

  private check(event: string, checks: Record<string, [unknown, (v: unknown) => boolean]>): void {
    for (const [name, [value, ok]] of Object.entries(checks)) {
      if (!ok(value)) this.errors.push(`${event}: ${name} = ${JSON.stringify(value)?.slice(0, 80)}`);
    }
  }

  private common(event: string, k: CallbackKwargs): void {
    const kw = k as unknown as Record<string, unknown>;
    const lp = kw.litellm_params as Record<string, unknown> | undefined;
    this.check(event, {
      "kwargs.model": [kw.model, isStr],
      "kwargs.messages": [kw.messages, isList],
      "kwargs.optional_params": [kw.optional_params, isDict],
      "kwargs.litellm_params": [lp, isDict],
      "kwargs.start_time": [kw.start_time, orNull(isDate)],
      "kwargs.stream": [kw.stream, (v) => typeof v === "boolean"],
      "kwargs.user": [kw.user, orNull(isStr)],
      "kwargs.litellm_params.metadata": [lp?.metadata, orNull(isDict)],
    });
  }

  private afterRequest(event: string, k: CallbackKwargs): void {
    const kw = k as unknown as Record<string, unknown>;
    this.check(event, {
      "kwargs.input": [kw.input, (v) => isList(v) || isDict(v) || isStr(v)],
      "kwargs.api_key": [kw.api_key, orNull(isStr)],
      "kwargs.additional_args": [kw.additional_args, orNull(isDict)],
      "kwargs.log_event_type": [kw.log_event_type, isStr],
    });
  }

  override log_pre_api_call(model: string, messages: unknown, kwargs: CallbackKwargs): void {
    this.states.push("sync_pre_api_call");
    this.check("log_pre_api_call", { model: [model, isStr], messages: [messages, isList] });
    this.common("log_pre_api_call", kwargs);
  }

  override log_post_api_call(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): void {
    this.states.push("post_api_call");
    this.check("log_post_api_call", { start_time: [start_time, isDate], end_time: [end_time, (v) => v === null], response_obj: [response_obj, (v) => v === null] });
    this.common("log_post_api_call", kwargs);
    this.afterRequest("log_post_api_call", kwargs);
    this.check("log_post_api_call", { "kwargs.original_response": [(kwargs as unknown as Record<string, unknown>).original_response, (v) => isStr(v) || isDict(v) || (v !== null && typeof v === "object")] });
  }

  override async async_log_stream_event(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<void> {
    this.states.push("async_stream");
    this.check("async_log_stream_event", {
      start_time: [start_time, isDate],
      end_time: [end_time, isDate],
      response_obj: [response_obj, (v) => isDict(v) && (v as { object?: unknown }).object === "chat.completion.chunk"],
      "kwargs.messages": [kwargs.messages, isListOfDicts],
    });
    this.common("async_log_stream_event", kwargs);
    this.afterRequest("async_log_stream_event", kwargs);
  }

  override log_success_event(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): void {
    this.states.push("sync_success");
    this.success("log_success_event", kwargs, response_obj, start_time, end_time);
  }

  override log_failure_event(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): void {
    this.states.push("sync_failure");
    this.failure("log_failure_event", kwargs, response_obj, start_time, end_time);
  }

  override async async_log_pre_api_call(model: string, messages: unknown, kwargs: CallbackKwargs): Promise<void> {
    this.states.push("async_pre_api_call");
    this.check("async_log_pre_api_call", { model: [model, isStr], messages: [messages, isListOfDicts] });
    this.common("async_log_pre_api_call", kwargs);
  }

  override async async_log_success_event(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<void> {
    this.states.push("async_success");
    this.success("async_log_success_event", kwargs, response_obj, start_time, end_time);
    this.check("async_log_success_event", { "kwargs.completion_start_time": [(kwargs as unknown as Record<string, unknown>).completion_start_time, isDate] });
  }

  override async async_log_failure_event(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<void> {
    this.states.push("async_failure");
    this.failure("async_log_failure_event", kwargs, response_obj, start_time, end_time);
  }

  private success(event: string, kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): void {
    const kw = kwargs as unknown as Record<string, unknown>;
    // LiteLLM's first check: the kwargs serialise, so no circular reference is in the logging object.
    try {
      JSON.stringify(kwargs);
    } catch (err) {
      this.errors.push(`${event}: kwargs do not serialise: ${String(err)}`);
    }
    this.check(event, {
      start_time: [start_time, isDate],
      end_time: [end_time, isDate],
      response_obj: [response_obj, (v) => isDict(v) && ["chat.completion", "list"].includes(String((v as { object?: unknown }).object))],
      "kwargs.litellm_params.api_base": [(kw.litellm_params as Record<string, unknown>).api_base, isStr],
      "kwargs.cache_hit": [kw.cache_hit, orNull((v) => typeof v === "boolean")],
      "kwargs.original_response": [kw.original_response, (v) => isStr(v) || (v !== null && typeof v === "object")],
      "kwargs.response_cost": [kw.response_cost, orNull((v) => typeof v === "number")],
    });
    this.common(event, kwargs);
    this.afterRequest(event, kwargs);
  }

  private failure(event: string, kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): void {
    const kw = kwargs as unknown as Record<string, unknown>;
    this.check(event, {
      start_time: [start_time, isDate],
      end_time: [end_time, isDate],
      response_obj: [response_obj, (v) => v === null],
      "kwargs.original_response": [kw.original_response, orNull(isStr)],
    });
    this.common(event, kwargs);
    this.afterRequest(event, kwargs);
  }
}

let upstream: FakeOpenAI;
const messages = [{ role: "user" as const, content: "Hi 👋 - i'm openai" }];

beforeAll(async () => {
  upstream = await startFakeOpenAI({ content: "Hello from the fake upstream", usage: { prompt_tokens: 9, completion_tokens: 6 } });
});
afterAll(async () => {
  await upstream.close();
});
afterEach(() => {
  litellm.callbacks = [];
  litellm.success_callback = [];
  litellm.failure_callback = [];
  litellm.input_callback = [];
  litellm.turn_off_message_logging = false;
  upstream.reset();
  upstream.set({ content: "Hello from the fake upstream", usage: { prompt_tokens: 9, completion_tokens: 6 } });
});

const openai = () => ({ model: "openai/gpt-3.5-turbo", api_base: upstream.url, api_key: "sk-test-1234" });

/**
 * LiteLLM's three calls per chat scenario: a completion, a stream, and a stream with a bad key that fails. Events
 * of one call are ordered; calls' events run in the background, so each call's are flushed before the next.
 */
async function threeCalls(call: typeof litellm.completion, handler: CompletionCustomHandler): Promise<State[]> {
  litellm.callbacks = [handler];
  await call({ ...openai(), messages });
  await litellm.flush();
  const stream = await call({ ...openai(), messages, stream: true });
  for await (const _ of stream) void _;
  await litellm.flush();
  upstream.queue({ status: 401 });
  await expect(
    (async () => {
      const failing = await call({ ...openai(), messages, api_key: "my-bad-key", stream: true });
      for await (const _ of failing) void _;
    })(),
  ).rejects.toThrow();
  await litellm.flush();
  return handler.states.filter((s) => s !== "async_stream");
}

describe("test_custom_callback_input.py, chat completions", () => {
  it("test_chat_openai_stream: completion, a stream and a failed stream; every kwarg has LiteLLM's type (sync_stream events come from async_log_stream_event: our fix of an event LiteLLM loses)", async () => {
    const handler = new CompletionCustomHandler();
    const states = await threeCalls(litellm.completion, handler);
    expect(handler.errors).toEqual([]);
    expect(states).toEqual(["sync_pre_api_call", "post_api_call", "sync_success", "sync_pre_api_call", "post_api_call", "sync_success", "sync_pre_api_call", "post_api_call", "sync_failure"]);
    expect(handler.states.filter((s) => s === "async_stream").length).toBeGreaterThan(0);
  });

  it("test_async_chat_openai_stream: acompletion, a stream and a failed stream; the pre event is log_pre_api_call, as LiteLLM calls it", async () => {
    const handler = new CompletionCustomHandler();
    const states = await threeCalls(litellm.acompletion, handler);
    expect(handler.errors).toEqual([]);
    expect(states).toEqual(["sync_pre_api_call", "post_api_call", "async_success", "sync_pre_api_call", "post_api_call", "async_success", "sync_pre_api_call", "post_api_call", "async_failure"]);
  });

  it("test_async_chat_openai_stream_options: with include_usage, async_log_success_event runs once", async () => {
    const handler = new CompletionCustomHandler();
    litellm.callbacks = [handler];
    const stream = await litellm.acompletion({ ...openai(), messages, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream) void _;
    await litellm.flush();
    expect(handler.states.filter((s) => s === "async_success")).toHaveLength(1);
    expect(handler.errors).toEqual([]);
  });
});

describe("test_custom_callback_input.py, embeddings", () => {
  it("test_async_embedding_openai: pre, post, success; then pre, post, failure with a bad key", async () => {
    const ok = new CompletionCustomHandler();
    litellm.callbacks = [ok];
    await litellm.aembedding({ model: "openai/text-embedding-ada-002", api_base: upstream.url, api_key: "sk-test-1234", input: ["good morning from litellm"] });
    await litellm.flush();
    expect(ok.errors).toEqual([]);
    expect(ok.states).toEqual(["sync_pre_api_call", "post_api_call", "async_success"]);

    const failing = new CompletionCustomHandler();
    litellm.callbacks = [failing];
    upstream.queue({ status: 401 });
    await expect(litellm.aembedding({ model: "openai/text-embedding-ada-002", api_base: upstream.url, api_key: "my-bad-key", input: ["good morning from litellm"] })).rejects.toThrow();
    await litellm.flush();
    expect(failing.errors).toEqual([]);
    expect(failing.states).toEqual(["sync_pre_api_call", "post_api_call", "async_failure"]);
  });

  it("test_amazing_sync_embedding: the same three events through embedding()", async () => {
    const ok = new CompletionCustomHandler();
    litellm.callbacks = [ok];
    await litellm.embedding({ model: "openai/text-embedding-ada-002", api_base: upstream.url, api_key: "sk-test-1234", input: ["good morning from litellm"] });
    await litellm.flush();
    expect(ok.states).toEqual(["sync_pre_api_call", "post_api_call", "sync_success"]);
    expect(ok.errors).toEqual([]);
  });
});

/** The keys of LiteLLM's StandardLoggingPayload that every version since the docs page has. */
const PAYLOAD_KEYS = [
  "id", "trace_id", "call_type", "stream", "response_cost", "response_cost_failure_debug_info", "status", "custom_llm_provider",
  "total_tokens", "prompt_tokens", "completion_tokens", "startTime", "endTime", "completionStartTime", "response_time",
  "model_map_information", "model", "model_id", "model_group", "api_base", "metadata", "cache_hit", "cache_key", "saved_cache_cost",
  "request_tags", "end_user", "requester_ip_address", "messages", "response", "error_str", "model_parameters", "hidden_params",
];

/** A handler that keeps the kwargs of each success and failure, as LiteLLM's tests do with a patched method. */
class Keeper extends CustomLogger {
  readonly success: CallbackKwargs[] = [];
  readonly failure: CallbackKwargs[] = [];
  override log_success_event(kwargs: CallbackKwargs): void {
    this.success.push(kwargs);
  }
  override log_failure_event(kwargs: CallbackKwargs): void {
    this.failure.push(kwargs);
  }
}

const slo = (k: CallbackKwargs) => (k as unknown as { standard_logging_object: Record<string, any> }).standard_logging_object;

describe("test_custom_callback_input.py, the standard logging payload", () => {
  it("test_turn_off_message_logging: no type check fails with message logging off", async () => {
    litellm.turn_off_message_logging = true;
    const handler = new CompletionCustomHandler();
    litellm.callbacks = [handler];
    await litellm.completion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Hey, how's it going?" }], mock_response: "Going well!" });
    await litellm.flush();
    expect(handler.errors).toEqual([]);
  });

  it("test_standard_logging_payload: every key, JSON-serialisable, priced, with model map information, and LiteLLM's redacted shapes", async () => {
    litellm.turn_off_message_logging = true;
    const keeper = new Keeper();
    litellm.callbacks = [keeper];
    await litellm.completion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Hey, how's it going?" }], mock_response: "Going well!" });
    await litellm.flush();
    expect(keeper.success).toHaveLength(1);
    const payload = slo(keeper.success[0]!);
    expect(PAYLOAD_KEYS.filter((k) => !(k in payload))).toEqual([]);
    expect(JSON.parse(JSON.stringify(payload))).toEqual(JSON.parse(JSON.stringify(payload)));
    expect(payload.response_cost).toBeGreaterThan(0);
    expect(payload.model_map_information.model_map_value).not.toBeNull();
    expect(payload.messages[0].content).toBe("redacted-by-litellm");
    // LiteLLM since PR #23235 (its test updated to match): a chat response keeps its shape, its content redacted.
    expect(payload.response.choices[0].message.content).toBe("redacted-by-litellm");
  });

  it("test_logging_async_cache_hit_sync_call: a streamed cache hit is logged once, priced 0 with the saved cost, redacted when asked", async () => {
    for (const redact of [false, true]) {
      const rt: Runtime = await createRuntime({
        config: {
          model_list: [{ model_name: "gpt-3.5-turbo", litellm_params: { model: "openai/gpt-3.5-turbo", api_base: upstream.url, api_key: "sk-test-1234" } }],
          litellm_settings: { cache: true, turn_off_message_logging: redact },
        },
      });
      try {
        const first = await rt.completion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Hey, how's it going?" }], stream: true });
        for await (const _ of first) void _;
        await rt.flush();
        const keeper = new Keeper();
        litellm.callbacks = [keeper];
        const hit = await rt.completion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Hey, how's it going?" }], stream: true });
        for await (const _ of hit) void _;
        await rt.flush();
        expect(keeper.success).toHaveLength(1);
        const payload = slo(keeper.success[0]!);
        expect(payload.cache_hit).toBe(true);
        expect(payload.response_cost).toBe(0);
        expect(payload.saved_cache_cost).toBeGreaterThan(0);
        if (redact) {
          expect(payload.messages[0].content).toBe("redacted-by-litellm");
          expect(payload.response.choices[0].message.content).toBe("redacted-by-litellm");
        }
      } finally {
        litellm.callbacks = [];
        await rt.close();
      }
    }
  });

  it("test_logging_standard_payload_failure_call: a failure's hidden_params carry additional_headers", async () => {
    const keeper = new Keeper();
    litellm.callbacks = [keeper];
    upstream.queue({ status: 401 });
    await expect(litellm.completion({ ...openai(), messages, api_key: "my-bad-api-key" })).rejects.toThrow();
    await litellm.flush();
    expect(keeper.failure).toHaveLength(1);
    expect(slo(keeper.failure[0]!).hidden_params).toHaveProperty("additional_headers");
  });

  it("test_standard_logging_payload_stream_usage: a stream without stream_options logs the usage of its chunks", async () => {
    for (const call of [litellm.completion, litellm.acompletion]) {
      const keeper = new Keeper();
      const asyncKeeper = new (class extends CustomLogger {
        readonly success: CallbackKwargs[] = [];
        override async async_log_success_event(kwargs: CallbackKwargs): Promise<void> {
          this.success.push(kwargs);
        }
      })();
      litellm.callbacks = call === litellm.completion ? [keeper] : [asyncKeeper];
      const stream = await call({ ...openai(), messages: [{ role: "user", content: "Hey, how's it going?" }], stream: true });
      for await (const _ of stream) void _;
      await litellm.flush();
      const kept = call === litellm.completion ? keeper.success : asyncKeeper.success;
      expect(kept).toHaveLength(1);
      expect(slo(kept[0]!).total_tokens).toBe(15);
    }
  });

  it("test_standard_logging_retries: two failures of one call share a trace_id", async () => {
    const rt = await createRuntime({
      config: { model_list: [{ model_name: "gpt-3.5-turbo", litellm_params: { model: "openai/gpt-3.5-turbo", api_key: "test-api-key" } }] },
    });
    const keeper = new Keeper();
    litellm.callbacks = [keeper];
    try {
      await expect(rt.completion({ model: "gpt-3.5-turbo", messages: [{ role: "user", content: "Hey, how's it going?" }], num_retries: 1, mock_response: "litellm.RateLimitError" })).rejects.toThrow();
      await rt.flush();
      expect(keeper.failure).toHaveLength(2);
      const [a, b] = keeper.failure.map((k) => slo(k).trace_id);
      expect(a).toEqual(expect.any(String));
      expect(a).toBe(b);
    } finally {
      await rt.close();
    }
  });
});

describe("test_custom_callback_router.py", () => {
  it("a fallback: six events, pre, post and failure for the alias asked for, then pre, post and success for its fallback, one trace", async () => {
    const rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "azure-gpt", litellm_params: { model: "openai/gpt-3.5-turbo", api_base: upstream.url, api_key: "sk-test-1234", mock_response: "litellm.RateLimitError" } },
          { model_name: "gpt-3.5-turbo", litellm_params: { model: "openai/gpt-3.5-turbo", api_base: upstream.url, api_key: "sk-test-1234" } },
        ],
        router_settings: { fallbacks: [{ "azure-gpt": ["gpt-3.5-turbo"] }] },
      },
    });
    const handler = new CompletionCustomHandler();
    const keeper = new Keeper();
    litellm.callbacks = [handler, keeper];
    try {
      await rt.acompletion({ model: "azure-gpt", messages });
      await rt.flush();
      expect(handler.states).toEqual(["sync_pre_api_call", "post_api_call", "async_failure", "sync_pre_api_call", "post_api_call", "async_success"]);
      expect(handler.errors).toEqual([]);
      const [failed, answered] = [slo(keeper.failure[0]!), slo(keeper.success[0]!)];
      expect([failed.model_group, answered.model_group]).toEqual(["azure-gpt", "gpt-3.5-turbo"]);
      expect(failed.trace_id).toBe(answered.trace_id);
    } finally {
      await rt.close();
    }
  });
});
