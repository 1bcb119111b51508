// Which method of a handler each event calls, from completion() and from acompletion(), as LiteLLM delivers them;
// and what post_api_call, the chunks and a cache hit carry.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { Cache, CustomLogger, type CallbackKwargs, type ChatCompletionChunk } from "../core/index.ts";
import { resetLitellm, user } from "./support/kit.ts";

const MODEL = "gpt-4o-mini";
const ANSWER = "a streamed answer in a few chunks";

type Entry = "completion" | "acompletion";
const ENTRIES: readonly Entry[] = ["completion", "acompletion"];

async function call(entry: Entry, extra: Record<string, unknown> = {}): Promise<void> {
  const params: Record<string, unknown> = { model: MODEL, messages: user("hello"), mock_response: ANSWER, ...extra };
  const res = await litellm[entry](params as never);
  if (params.stream === true) for await (const _ of res as unknown as AsyncIterable<ChatCompletionChunk>);
}

/** Defines both forms of every event, LiteLLM's router test handler included (its async pre form a no-op). */
class BothForms extends CustomLogger {
  readonly calls: string[] = [];
  override log_pre_api_call() {
    this.calls.push("log_pre_api_call");
  }
  override async async_log_pre_api_call() {
    // No-op, as in LiteLLM's tests/local_testing/test_custom_callback_router.py.
  }
  override log_post_api_call() {
    this.calls.push("log_post_api_call");
  }
  override log_stream_event() {
    this.calls.push("log_stream_event");
  }
  override async async_log_stream_event() {
    this.calls.push("async_log_stream_event");
  }
  override log_success_event() {
    this.calls.push("log_success_event");
  }
  override async async_log_success_event() {
    this.calls.push("async_log_success_event");
  }
  override log_failure_event() {
    this.calls.push("log_failure_event");
  }
  override async async_log_failure_event() {
    this.calls.push("async_log_failure_event");
  }
}

/** Defines only the async form of each event that has one: that form runs from both entry points. */
class AsyncOnly extends CustomLogger {
  readonly calls: string[] = [];
  override async async_log_pre_api_call() {
    this.calls.push("async_log_pre_api_call");
  }
  override log_post_api_call() {
    this.calls.push("log_post_api_call");
  }
  override async async_log_stream_event() {
    this.calls.push("async_log_stream_event");
  }
  override async async_log_success_event() {
    this.calls.push("async_log_success_event");
  }
  override async async_log_failure_event() {
    this.calls.push("async_log_failure_event");
  }
}

/** Only the sync forms. */
class SyncOnly extends CustomLogger {
  readonly calls: string[] = [];
  override log_pre_api_call() {
    this.calls.push("log_pre_api_call");
  }
  override log_stream_event() {
    this.calls.push("log_stream_event");
  }
  override log_success_event() {
    this.calls.push("log_success_event");
  }
  override log_failure_event() {
    this.calls.push("log_failure_event");
  }
}

/** Collapses the chunk events of a stream into one entry, so the tables below stay readable. */
const collapsed = (calls: readonly string[]) => calls.filter((c, i) => !(c.includes("stream") && calls[i - 1] === c));

beforeEach(async () => {
  await litellm.flush();
  resetLitellm();
});

afterEach(async () => {
  await litellm.flush();
  resetLitellm();
});

describe("which form of an event runs", () => {
  it.each([
    // handler, entry, stream, expected methods in order
    [BothForms, "completion", false, ["log_pre_api_call", "log_post_api_call", "log_success_event"]],
    [BothForms, "acompletion", false, ["log_pre_api_call", "log_post_api_call", "async_log_success_event"]],
    [BothForms, "completion", true, ["log_pre_api_call", "log_post_api_call", "log_stream_event", "log_success_event"]],
    [BothForms, "acompletion", true, ["log_pre_api_call", "log_post_api_call", "async_log_stream_event", "async_log_success_event"]],
    [AsyncOnly, "completion", true, ["async_log_pre_api_call", "log_post_api_call", "async_log_stream_event", "async_log_success_event"]],
    [AsyncOnly, "acompletion", true, ["async_log_pre_api_call", "log_post_api_call", "async_log_stream_event", "async_log_success_event"]],
    [SyncOnly, "completion", true, ["log_pre_api_call", "log_stream_event", "log_success_event"]],
    [SyncOnly, "acompletion", true, ["log_pre_api_call", "log_stream_event", "log_success_event"]],
  ] as const)("%o from %s (stream %s)", async (Handler, entry, stream, expected) => {
    const handler = new Handler();
    litellm.callbacks = [handler];
    await call(entry, stream ? { stream: true } : {});
    await litellm.flush();
    expect(collapsed(handler.calls)).toEqual(expected);
  });

  it.each([
    [BothForms, "completion", ["log_pre_api_call", "log_post_api_call", "log_failure_event"]],
    [BothForms, "acompletion", ["log_pre_api_call", "log_post_api_call", "async_log_failure_event"]],
    [AsyncOnly, "completion", ["async_log_pre_api_call", "log_post_api_call", "async_log_failure_event"]],
    [SyncOnly, "acompletion", ["log_pre_api_call", "log_failure_event"]],
  ] as const)("failure: %o from %s", async (Handler, entry, expected) => {
    const handler = new Handler();
    litellm.callbacks = [handler];
    await expect(call(entry, { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await litellm.flush();
    expect(handler.calls).toEqual(expected);
  });

  it("every chunk reaches the handler once, in the entry point's form", async () => {
    for (const entry of ENTRIES) {
      const handler = new BothForms();
      litellm.callbacks = [handler];
      const chunks: ChatCompletionChunk[] = [];
      for await (const chunk of (await litellm[entry]({ model: MODEL, messages: user("hello"), mock_response: ANSWER, stream: true, stream_options: { include_usage: true } })) as AsyncIterable<ChatCompletionChunk>) chunks.push(chunk);
      await litellm.flush();
      const form = entry === "completion" ? "log_stream_event" : "async_log_stream_event";
      expect(handler.calls.filter((c) => c.includes("stream"))).toEqual(Array<string>(chunks.length).fill(form));
    }
  });
});

describe("what the events carry", () => {
  /** Keeps the arguments of post_api_call and of each chunk. */
  class Arguments extends CustomLogger {
    post: { response: unknown; start: unknown; end: unknown; type: unknown } | undefined;
    chunkTypes: unknown[] = [];
    chunkEnds: unknown[] = [];
    override log_post_api_call(kwargs: CallbackKwargs, response: unknown, start: Date, end: Date | null) {
      this.post = { response, start, end, type: kwargs.log_event_type };
    }
    override async async_log_stream_event(kwargs: CallbackKwargs, _chunk: unknown, _start: Date, end: Date) {
      this.chunkTypes.push(kwargs.log_event_type);
      this.chunkEnds.push(end);
    }
  }

  it.each(ENTRIES)("%s: post_api_call gets response_obj null and end_time null, as LiteLLM passes them", async (entry) => {
    const handler = new Arguments();
    litellm.callbacks = [handler];
    await call(entry);
    await litellm.flush();
    expect(handler.post).toEqual({ response: null, start: expect.any(Date), end: null, type: "post_api_call" });
  });

  it("a chunk's kwargs say successful_api_call, as LiteLLM's success handler marks them; its end_time is a Date", async () => {
    const handler = new Arguments();
    litellm.callbacks = [handler];
    await call("acompletion", { stream: true });
    await litellm.flush();
    expect(handler.chunkTypes.length).toBeGreaterThan(1);
    expect(new Set(handler.chunkTypes)).toEqual(new Set(["successful_api_call"]));
    expect(handler.chunkEnds.every((e) => e instanceof Date)).toBe(true);
  });
});

describe("a cache hit's kwargs", () => {
  const KEY = "sk-cache-hit-key-0123456789";
  let ns: string;
  const hits: CallbackKwargs[] = [];
  const onSuccess = (kwargs: CallbackKwargs) => void (kwargs.cache_hit && hits.push(kwargs));

  beforeEach(() => {
    hits.length = 0;
    litellm.success_callback = [onSuccess];
    litellm.cache = new Cache({ type: "local" });
    ns = `t${Math.random().toString(36).slice(2)}`;
  });

  afterEach(async () => {
    await (litellm.cache as Cache | null)?.close();
    litellm.cache = null;
  });

  it.each([false, true])("chat (stream %s): input (the messages), api_key masked and original_response (the stored answer), as LiteLLM's caching handler sets them", async (stream) => {
    const messages = user("cache me");
    const ask = async () => {
      const res = await litellm.acompletion({ model: MODEL, messages, mock_response: ANSWER, api_key: KEY, cache: { namespace: ns }, stream } as never);
      if (stream) for await (const _ of res as unknown as AsyncIterable<ChatCompletionChunk>);
    };
    await ask();
    await ask();
    await litellm.flush();
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(hit!.input).toEqual(messages);
    expect(hit!.api_key).toBe("sk-...6789");
    expect(JSON.parse(hit!.original_response as string).choices[0].message.content).toBe(ANSWER);
  });

  it("embeddings: input is the embedding input", async () => {
    const input = ["one", "two"];
    for (let i = 0; i < 2; i++) await litellm.aembedding({ model: "text-embedding-3-small", input, mock_response: "x", api_key: KEY, cache: { namespace: ns } } as never);
    await litellm.flush();
    expect(hits).toHaveLength(1);
    expect(hits[0]!.input).toEqual(input);
    expect(hits[0]!.api_key).toBe("sk-...6789");
    expect(JSON.parse(hits[0]!.original_response as string).data).toHaveLength(2);
  });

  it("with redact_api_keys false, the key as given", async () => {
    litellm.redact_api_keys = false;
    for (let i = 0; i < 2; i++) await litellm.acompletion({ model: MODEL, messages: user("cache me too"), mock_response: ANSWER, api_key: KEY, cache: { namespace: ns } });
    await litellm.flush();
    expect(hits[0]!.api_key).toBe(KEY);
  });
});
