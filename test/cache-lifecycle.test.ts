import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { Cache, CustomLogger, acompletion, aembedding, completion, createRuntime, type CallbackKwargs, type ChatCompletionChunk, type InlineConfig } from "../core/index.ts";

const messages = [{ role: "user", content: "cache me" }];

class States extends CustomLogger {
  states: string[] = [];
  hits: CallbackKwargs[] = [];
  override log_pre_api_call() {
    this.states.push("pre");
  }
  override log_post_api_call() {
    this.states.push("post");
  }
  override log_stream_event() {
    this.states.push("chunk");
  }
  override async async_log_success_event(kwargs: CallbackKwargs) {
    this.states.push(kwargs.cache_hit ? "success(hit)" : "success");
    this.hits.push(kwargs);
  }
  override log_success_event(kwargs: CallbackKwargs) {
    this.states.push(kwargs.cache_hit ? "success(hit)" : "success");
    this.hits.push(kwargs);
  }
}

let handler: States;
let ns: string;

beforeEach(async () => {
  await litellm.flush();
  handler = new States();
  litellm.callbacks = [handler];
  litellm.input_callback = [];
  litellm.cache = new Cache({ type: "local" });
  ns = `t${Math.random().toString(36).slice(2)}`;
});

afterEach(async () => {
  await litellm.flush();
  await (litellm.cache as Cache | null)?.close();
  litellm.cache = null;
});

const ask = (extra: Record<string, unknown> = {}) => acompletion({ model: "gpt-4o-mini", messages, mock_response: "the cached answer", cache: { namespace: ns }, ...extra });

describe("cache hits in the call lifecycle", () => {
  it("two identical calls give pre, post, success, success, the second a hit with no cost and the cost it saved", async () => {
    const first = await ask();
    const second = await ask();
    await litellm.flush();
    expect(handler.states).toEqual(["pre", "post", "success", "success(hit)"]);
    expect(second.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(second._hidden_params.cache_hit).toBe(true);
    expect(second._hidden_params.response_cost).toBe(0);
    const [miss, hit] = handler.hits;
    expect(miss!.cache_hit).toBe(false);
    expect(typeof miss!.cache_key).toBe("string");
    expect(hit!.cache_key).toBe(miss!.cache_key);
    expect(hit!.response_cost).toBe(0);
    expect(hit!.saved_cache_cost).toBeCloseTo(miss!.response_cost as number, 12);
    expect(hit!.saved_cache_cost).toBeGreaterThan(0);
    expect(hit!.standard_logging_object!.cache_hit).toBe(true);
    expect(hit!.standard_logging_object!.cache_key).toBe(miss!.cache_key);
  });

  it("a hit is a copy: changing a returned response never changes the cache", async () => {
    const first = await ask();
    first.choices[0]!.message.content = "tampered";
    const second = await ask();
    expect(second.choices[0]!.message.content).toBe("the cached answer");
  });

  it("a streaming call served from the cache streams the same content and usage as chunks, with one success and no chunk events", async () => {
    const stored = await completion({ model: "gpt-4o-mini", messages, mock_response: "one two three four", cache: { namespace: ns } });
    const stream = await completion({ model: "gpt-4o-mini", messages, mock_response: "one two three four", stream: true, stream_options: { include_usage: true }, cache: { namespace: ns } });
    let text = "";
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    await litellm.flush();
    expect(text).toBe("one two three four");
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-1)!.usage).toEqual(stored.usage);
    expect(handler.states).toEqual(["pre", "post", "success", "success(hit)"]);
    const hit = handler.hits[1]!;
    expect(hit.complete_streaming_response!.choices[0]!.message.content).toBe("one two three four");
    expect(hit.complete_streaming_response!.usage).toEqual(stored.usage);
  });

  it("a streamed answer is stored whole and serves a later non-streaming call", async () => {
    const stream = await acompletion({ model: "gpt-4o-mini", messages, mock_response: "streamed then stored", stream: true, cache: { namespace: ns } });
    for await (const _ of stream) void _;
    await litellm.flush();
    const again = await ask({ mock_response: "streamed then stored" });
    expect(again.choices[0]!.message.content).toBe("streamed then stored");
    expect(again._hidden_params.cache_hit).toBe(true);
  });

  it("keys: keys in another order hit, a changed temperature misses, metadata and user do not matter", async () => {
    // Each mocked answer has its own id: a hit gives back the stored one.
    const first = await acompletion({ model: "gpt-4o-mini", messages: [{ role: "user", content: "k" }], temperature: 0.2, top_p: 1, mock_response: "a", cache: { namespace: ns } });
    const reordered = await acompletion({ top_p: 1, temperature: 0.2, messages: [{ content: "k", role: "user" }], model: "gpt-4o-mini", mock_response: "a", cache: { namespace: ns }, metadata: { run: 2 }, user: "someone" });
    const warmer = await acompletion({ model: "gpt-4o-mini", messages: [{ role: "user", content: "k" }], temperature: 0.9, top_p: 1, mock_response: "a", cache: { namespace: ns } });
    expect(reordered._hidden_params.cache_hit).toBe(true);
    expect(reordered.id).toBe(first.id);
    expect(warmer._hidden_params.cache_hit).toBe(false);
    expect(warmer.id).not.toBe(first.id);
  });

  it("keys: mock_response is part of what a call is: another mocked answer is never served from this one", async () => {
    await ask({ mock_response: "first" });
    const other = await ask({ mock_response: "second" });
    expect(other._hidden_params.cache_hit).toBe(false);
    expect(other.choices[0]!.message.content).toBe("second");
  });

  it("per-call controls: no-cache reads nothing, no-store writes nothing, caching: false skips both, namespace separates", async () => {
    const first = await ask();
    const noCache = await ask({ cache: { namespace: ns, "no-cache": true } });
    expect(noCache._hidden_params.cache_hit).toBe(false);
    expect(noCache.id).not.toBe(first.id);
    // no-cache still stores: the next call is served the answer it got.
    expect((await ask()).id).toBe(noCache.id);
    const other = `${ns}-other`;
    await acompletion({ model: "gpt-4o-mini", messages, mock_response: "x", cache: { namespace: other, "no-store": true } });
    const afterNoStore = await acompletion({ model: "gpt-4o-mini", messages, mock_response: "x", cache: { namespace: other } });
    expect(afterNoStore._hidden_params.cache_hit).toBe(false);
    const skipped = await ask({ caching: false });
    expect(skipped._hidden_params.cache_hit).toBe(false);
    expect(skipped.id).not.toBe(noCache.id);
  });

  it("s-maxage: an entry older than the call accepts is a miss", async () => {
    await ask();
    await new Promise((r) => setTimeout(r, 30));
    const strict = await ask({ cache: { namespace: ns, "s-maxage": 0.001 } });
    expect(strict._hidden_params.cache_hit).toBe(false);
    const lenient = await ask({ cache: { namespace: ns, "s-maxage": 60 } });
    expect(lenient._hidden_params.cache_hit).toBe(true);
  });

  it("mode default_off: only calls that opt in with caching: true use the cache", async () => {
    litellm.cache = new Cache({ type: "local", mode: "default_off" });
    await ask();
    expect((await ask())._hidden_params.cache_hit).toBe(false);
    const stored = await ask({ caching: true });
    const optedIn = await ask({ caching: true });
    expect(optedIn._hidden_params.cache_hit).toBe(true);
    expect(optedIn.id).toBe(stored.id);
  });

  it("embeddings are cached per input: only the inputs not yet stored go to the provider", async () => {
    const sent: unknown[] = [];
    litellm.input_callback = [(k: CallbackKwargs) => void sent.push(k.additional_args!.complete_input_dict.input)];
    const first = await aembedding({ model: "mock/embed", input: ["alpha", "beta"], cache: { namespace: ns } });
    const second = await aembedding({ model: "mock/embed", input: ["beta", "gamma"], cache: { namespace: ns } });
    const third = await aembedding({ model: "mock/embed", input: ["gamma", "alpha"], cache: { namespace: ns } });
    await litellm.flush();
    expect(sent).toEqual([["alpha", "beta"], ["gamma"]]);
    expect(second.data.map((d) => d.index)).toEqual([0, 1]);
    expect(second.data[0]!.embedding).toEqual(first.data[1]!.embedding);
    expect(third._hidden_params.cache_hit).toBe(true);
    expect(third.data[1]!.embedding).toEqual(first.data[0]!.embedding);
  });
});

describe("the config's cache", () => {
  let dir: string;
  beforeEach(async () => {
    litellm.cache = null;
    dir = await mkdtemp(join(tmpdir(), "litellm-cache-rt-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("litellm_settings.cache turns it on, the alias is the key's model, and a reload keeps the entries", async () => {
    const config = (answer: string): InlineConfig => ({
      model_list: [
        { model_name: "fast", litellm_params: { model: "mock/a", mock_response: answer } },
        { model_name: "slow", litellm_params: { model: "mock/a", mock_response: answer } },
      ],
      litellm_settings: { cache: true, cache_params: { type: "local", namespace: ns } },
    });
    const rt = await createRuntime({ config: config("from deployment"), cwd: dir });
    try {
      await rt.acompletion({ model: "fast", messages });
      const again = await rt.acompletion({ model: "fast", messages });
      const otherAlias = await rt.acompletion({ model: "slow", messages });
      expect(again._hidden_params.cache_hit).toBe(true);
      expect(otherAlias._hidden_params.cache_hit).toBe(false);
      expect(await rt.reload()).toBe(true);
      const afterReload = await rt.acompletion({ model: "fast", messages });
      expect(afterReload._hidden_params.cache_hit).toBe(true);
      expect(await rt.health()).toEqual({ ready: true, cache: "reachable" });
    } finally {
      await rt.close();
    }
    expect(await rt.ready()).toBe(false);
  });

  it("a Redis that does not answer turns into misses: every call still succeeds", async () => {
    const rt = await createRuntime({
      config: {
        model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "still fine" } }],
        litellm_settings: { cache: true, cache_params: { type: "redis", host: "127.0.0.1", port: 1, timeout: 0.05 } },
      },
      cwd: dir,
    });
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => rt.acompletion({ model: "m", messages })));
      for (const r of results) {
        expect(r.choices[0]!.message.content).toBe("still fine");
        expect(r._hidden_params.cache_hit).toBe(false);
      }
      // The runtime still serves: readiness must not take it out of rotation for a cache outage.
      expect(await rt.health()).toEqual({ ready: true, cache: "unreachable" });
      expect(await rt.ready()).toBe(true);
    } finally {
      await rt.close();
    }
  });

  it("the record says a cache applied, and which deployment answered, as they stand after the pre-call hooks", async () => {
    const records: Array<{ cache_enabled: boolean; deployment: string | null | undefined }> = [];
    const recorder = {
      async async_pre_call_hook(_user: unknown, _cache: unknown, data: Record<string, unknown>) {
        return data.model === "moved" ? { ...data, model: "target", caching: false } : data;
      },
      async async_log_success_event(kwargs: CallbackKwargs) {
        const r = kwargs.standard_logging_object!;
        records.push({ cache_enabled: r.cache_enabled, deployment: r.hidden_params?.litellm_model_name });
      },
    };
    const rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "moved", litellm_params: { model: "mock/first", mock_response: "a" } },
          { model_name: "target", litellm_params: { model: "mock/second", mock_response: "b" } },
        ],
        litellm_settings: { cache: true, callbacks: [recorder] },
      },
      cwd: dir,
    });
    try {
      await rt.acompletion({ model: "target", messages });
      await rt.acompletion({ model: "moved", messages });
      await rt.flush();
      expect(records).toEqual([
        { cache_enabled: true, deployment: "mock/second" },
        { cache_enabled: false, deployment: "mock/second" },
      ]);
    } finally {
      await rt.close();
    }
  });
});
