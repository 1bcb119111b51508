import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/support/fake-openai.ts";
import { embeddingVector } from "../../../test/support/openai-wire.ts";
import litellm, {
  APIConnectionError,
  InvalidResponseError,
  LiteLLMError,
  Timeout,
  acompletion,
  aembedding,
  completion,
  type CallbackKwargs,
  type ChatCompletionChunk,
  type ModelResponse,
} from "../../index.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";
import { collectUntilError } from "../../../test/support/streams.ts";

// The OpenAI provider end to end, through the public API, against the loopback fake upstream.

const KEY = "sk-test-1234567890abcd";
const MASKED = "sk-...abcd";
// gpt-4o-mini's bundled list price (core/cost/table-openai.ts): $0.15 in, $0.075 cached in, $0.60 out per million tokens.
const MINI_IN = 1.5e-7;
const MINI_CACHED = 7.5e-8;
const MINI_OUT = 6e-7;
// text-embedding-3-small: $0.02 per million input tokens.
const EMBED_IN = 2e-8;

let fake: FakeOpenAI;
let rec: Recorder;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  rec = new Recorder();
  resetLitellm([rec]);
});
afterEach(async () => {
  // Events still queued belong to this test, not to the next one's recorder.
  await litellm.flush();
  fake.reset();
});

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

describe("JSON completion", () => {
  it("returns the content, the usage, the cost at the bundled price and the api_base", async () => {
    fake.set({ content: "Paris.", usage: { prompt_tokens: 1000, completion_tokens: 500, cached_tokens: 200 } });
    const res = await acompletion({ model: "openai/gpt-4o-mini", messages: user("Capital of France?"), api_base: fake.url, api_key: KEY });
    expect(res.choices[0]!.message.content).toBe("Paris.");
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(res.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 200 } });
    // 800 uncached + 200 cached prompt tokens, 500 completion tokens.
    expect(res._hidden_params.response_cost).toBeCloseTo(800 * MINI_IN + 200 * MINI_CACHED + 500 * MINI_OUT, 15);
    expect(res._hidden_params).toMatchObject({ api_base: fake.url, custom_llm_provider: "openai", cache_hit: false });
    // _hidden_params is ours: the response serialises exactly as the provider's.
    expect(Object.keys(res)).not.toContain("_hidden_params");
  });

  it("sends the bearer key and exactly the provider body: model without prefix, messages, temperature, nothing of ours", async () => {
    const messages = [{ role: "system" as const, content: "Be brief." }, ...user("hi")];
    await acompletion({
      model: "openai/gpt-4o-mini",
      messages,
      temperature: 0.3,
      metadata: { team: "search" },
      api_base: fake.url,
      api_key: KEY,
      timeout: 30,
      num_retries: 0,
      success_callback: [() => undefined],
    });
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toEqual({ model: "gpt-4o-mini", messages, temperature: 0.3 });
  });

  it("a bare model name goes to OpenAI as it is", async () => {
    const res = await acompletion({ model: "gpt-4o-mini", messages: user("x"), api_base: fake.url, api_key: KEY });
    expect(fake.requests[0]!.body.model).toBe("gpt-4o-mini");
    expect(res._hidden_params.custom_llm_provider).toBe("openai");
    expect(res._hidden_params.response_cost).toBeGreaterThan(0);
  });
});

describe("what callbacks see of a request", () => {
  it("the exact body sent, the key and Authorization masked, the raw response text", async () => {
    const res = await acompletion({ model: "openai/gpt-4o-mini", messages: user("hello"), temperature: 0, api_base: fake.url, api_key: KEY });
    await litellm.flush();
    const sent = fake.requests[0]!.body;
    for (const event of ["pre_api_call", "post_api_call", "success"] as const) {
      const k = rec.last(event).kwargs;
      expect(k.additional_args!.complete_input_dict).toEqual(sent);
      expect(k.api_key).toBe(MASKED);
      expect(k.additional_args!.headers.authorization).toBe(`Bearer ${MASKED}`);
      expect(JSON.stringify(k)).not.toContain(KEY);
    }
    const post = rec.last("post_api_call").kwargs;
    expect(typeof post.original_response).toBe("string");
    expect(JSON.parse(post.original_response!)).toEqual(JSON.parse(JSON.stringify(res)));
    expect(post.original_response).toBe(JSON.stringify(res));
    expect(rec.last("success").kwargs.response_cost).toBe(res._hidden_params.response_cost);
  });

  it("completion() delivers the same kwargs to a plain success_callback function", async () => {
    const calls: CallbackKwargs[] = [];
    litellm.callbacks = [];
    litellm.success_callback = [(kwargs: CallbackKwargs) => void calls.push(kwargs)];
    await completion({ model: "openai/gpt-4o-mini", messages: user("hello"), api_base: fake.url, api_key: KEY });
    await litellm.flush();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.call_type).toBe("completion");
    expect(calls[0]!.additional_args!.complete_input_dict).toEqual(fake.requests[0]!.body);
    expect(calls[0]!.api_key).toBe(MASKED);
  });

  it("with redact_api_keys = false the key is in clear", async () => {
    litellm.redact_api_keys = false;
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("hello"), api_base: fake.url, api_key: KEY });
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.api_key).toBe(KEY);
    expect(k.additional_args!.headers.authorization).toBe(`Bearer ${KEY}`);
  });
});

describe("streaming", () => {
  const content = "The quick brown fox jumps over the lazy dog.";

  it("deltas join to the content; usage is asked of the upstream but withheld from a caller that did not ask", async () => {
    fake.set({ content, usage: { prompt_tokens: 40, completion_tokens: 11 } });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), stream: true, api_base: fake.url, api_key: KEY });
    const { chunks, error } = await collectUntilError(stream);
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(3);
    expect(text(chunks)).toBe(content);
    expect(chunks.filter((c) => c.choices.length === 0)).toEqual([]);
    expect(chunks.filter((c) => c.usage)).toEqual([]);
    const body = fake.requests[0]!.body;
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("a caller that asked for include_usage gets the usage chunk last", async () => {
    fake.set({ content, usage: { prompt_tokens: 40, completion_tokens: 11 } });
    const stream = await acompletion({
      model: "openai/gpt-4o-mini",
      messages: user("x"),
      stream: true,
      stream_options: { include_usage: true },
      api_base: fake.url,
      api_key: KEY,
    });
    const { chunks } = await collectUntilError(stream);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 11, total_tokens: 51 });
    expect(text(chunks)).toBe(content);
  });

  it("one success event with the whole response, the upstream's usage, a cost, the first-chunk time and <stream>", async () => {
    fake.set({ content, usage: { prompt_tokens: 40, completion_tokens: 11 } });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), stream: true, api_base: fake.url, api_key: KEY });
    await collectUntilError(stream);
    await litellm.flush();
    expect(rec.of("failure")).toEqual([]);
    expect(rec.of("success")).toHaveLength(1);
    const { kwargs: k, response } = rec.last("success");
    const full = k.complete_streaming_response!;
    expect(response).toBe(full);
    expect(full.choices[0]!.message).toMatchObject({ role: "assistant", content });
    expect(full.choices[0]!.finish_reason).toBe("stop");
    expect(full.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 11, total_tokens: 51 });
    expect(k.response_cost).toBeCloseTo(40 * MINI_IN + 11 * MINI_OUT, 15);
    expect(full._hidden_params.response_cost).toBe(k.response_cost);
    expect(k.completion_start_time).toBeInstanceOf(Date);
    expect(k.completion_start_time!.getTime()).toBeGreaterThanOrEqual(k.start_time.getTime());
    expect(k.completion_start_time!.getTime()).toBeLessThanOrEqual(k.end_time!.getTime());
    expect(k.original_response).toBe("<stream>");
    expect(rec.last("post_api_call").kwargs.original_response).toBe("<stream>");
  });
});

describe("tool calls", () => {
  const toolCall = { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius","days":3}' };
  const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }];

  it("non-streaming: the call's id, name and arguments, finish_reason tool_calls", async () => {
    fake.set({ toolCall });
    const res = await acompletion({ model: "openai/gpt-4o-mini", messages: user("weather?"), tools, api_base: fake.url, api_key: KEY });
    expect(fake.requests[0]!.body.tools).toEqual(tools);
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: "function", function: toolCall }]);
  });

  it("streaming: the assembled response holds the whole tool call", async () => {
    fake.set({ toolCall });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("weather?"), tools, stream: true, api_base: fake.url, api_key: KEY });
    const { chunks, error } = await collectUntilError(stream);
    expect(error).toBeUndefined();
    // The arguments really came in pieces.
    expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments).length).toBeGreaterThan(2);
    const id = chunks[0]!.choices[0]!.delta.tool_calls![0]!.id;
    await litellm.flush();
    const full = rec.last("success").kwargs.complete_streaming_response!;
    expect(full.choices[0]!.finish_reason).toBe("tool_calls");
    expect(full.choices[0]!.message.content).toBeNull();
    expect(full.choices[0]!.message.tool_calls).toEqual([{ id, type: "function", function: toolCall }]);
    expect(id).toMatch(/^call_/);
  });
});

describe("failures", () => {
  it("a connection dropped mid-stream throws APIConnectionError from the iterator, with one failure event and no success", async () => {
    fake.set({ content: "one two three four five six", dropAfterChunks: 2 });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), stream: true, api_base: fake.url, api_key: KEY });
    const { chunks, error } = await collectUntilError(stream);
    expect(text(chunks)).toBe("one two ");
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).code).toBe("LLM_CONNECTION");
    expect((error as APIConnectionError).llm_provider).toBe("openai");
    await litellm.flush();
    expect(rec.of("success")).toEqual([]);
    expect(rec.of("failure")).toHaveLength(1);
    expect(rec.last("failure").kwargs.exception).toBe(error);
  });

  it("a 200 whose body is not a completion is InvalidResponseError (502)", async () => {
    fake.set({ malformedBody: "{not json at all" });
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: fake.url, api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ code: "LLM_INVALID_RESPONSE", status: 502, llm_provider: "openai" });
    expect((err as Error).message).toContain("{not json at all");
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    expect(rec.of("success")).toEqual([]);
  });

  it("valid JSON that is not a completion is InvalidResponseError too", async () => {
    fake.set({ malformedBody: '{"hello":"world"}' });
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: fake.url, api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
  });

  it("a garbage SSE line mid-stream throws InvalidResponseError from the iterator, with one failure event", async () => {
    fake.set({ content: "one two three four", malformedChunk: "{garbage" });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), stream: true, api_base: fake.url, api_key: KEY });
    const { chunks, error } = await collectUntilError(stream);
    expect(chunks.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ code: "LLM_INVALID_RESPONSE", status: 502, llm_provider: "openai" });
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    expect(rec.of("success")).toEqual([]);
  });

  it("a 200 to a streaming request that carries no event is InvalidResponseError, not an empty success", async () => {
    fake.set({ malformedBody: '{"id":"x","choices":[]}' });
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), stream: true, api_base: fake.url, api_key: KEY });
    const { chunks, error } = await collectUntilError(stream);
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain(`${fake.url}/chat/completions`);
    await litellm.flush();
    expect(rec.of("success")).toEqual([]);
    expect(rec.of("failure")).toHaveLength(1);
  });

  it("a slow answer past timeout is Timeout, with one failure event carrying exception and traceback", async () => {
    fake.set({ delayMs: 5_000 });
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), timeout: 0.2, api_base: fake.url, api_key: KEY }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toMatchObject({ code: "LLM_TIMEOUT", status: 408, llm_provider: "openai" });
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    const k = rec.last("failure").kwargs;
    expect(k.exception).toBe(err);
    expect(typeof k.traceback_exception).toBe("string");
    expect(k.traceback_exception).toContain("Timeout");
    expect(rec.of("success")).toEqual([]);
  });

  it("an unreachable api_base is APIConnectionError naming the URL and api_base", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const api_base = `http://127.0.0.1:${port}/v1`;
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base, api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect((err as APIConnectionError).code).toBe("LLM_CONNECTION");
    expect((err as Error).message).toContain(api_base);
    expect((err as Error).message).toContain("api_base");
    expect((err as Error).message).toContain("ECONNREFUSED");
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
  });

  it("num_retries: 2 survives two 500s: one success, three requests upstream", async () => {
    // retry-after-ms keeps the client's backoff short; the retry count is what is tested.
    const fail = { status: 500, headers: { "retry-after-ms": "10" } };
    fake.queue(fail, fail);
    fake.set({ content: "third time lucky" });
    const res = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), num_retries: 2, api_base: fake.url, api_key: KEY });
    expect(res.choices[0]!.message.content).toBe("third time lucky");
    expect(fake.requests).toHaveLength(3);
    await litellm.flush();
    expect(rec.of("success")).toHaveLength(1);
    expect(rec.of("failure")).toEqual([]);
  });

  it("without num_retries a 500 is not retried", async () => {
    fake.queue({ status: 500 });
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: fake.url, api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("embeddings", () => {
  it("returns float vectors as the upstream made them, usage and cost; pre, post and success events", async () => {
    const res = await aembedding({ model: "openai/text-embedding-3-small", input: ["a", "b"], api_base: fake.url, api_key: KEY });
    expect(fake.requests[0]!.path).toBe("/v1/embeddings");
    expect(fake.requests[0]!.body).toEqual({ model: "text-embedding-3-small", input: ["a", "b"], encoding_format: "float" });
    expect(res.data.map((d) => d.embedding)).toEqual([embeddingVector("a"), embeddingVector("b")]);
    expect(res.data.map((d) => Array.isArray(d.embedding))).toEqual([true, true]);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
    expect(res._hidden_params.response_cost).toBeCloseTo(2 * EMBED_IN, 18);
    await litellm.flush();
    expect(rec.events()).toEqual(["pre_api_call", "post_api_call", "success"]);
    expect(rec.seen.map((s) => s.kwargs.call_type)).toEqual(["aembedding", "aembedding", "aembedding"]);
    const k = rec.last("success").kwargs;
    expect(k.input).toEqual(["a", "b"]);
    expect(k.response_cost).toBe(res._hidden_params.response_cost);
    expect(k.additional_args!.complete_input_dict).toEqual(fake.requests[0]!.body);
  });
});

describe("connection reuse", () => {
  let server: Server;
  let connections = 0;
  let base: string;

  beforeAll(async () => {
    const body = JSON.stringify({
      id: "chatcmpl-raw",
      object: "chat.completion",
      created: 1,
      model: "gpt-4o-mini",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    });
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.on("connection", () => connections++);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const call = (i: number) => acompletion({ model: "openai/gpt-4o-mini", messages: user(`n${i}`), api_base: base, api_key: KEY });

  it("sequential calls reuse kept-alive connections instead of opening one each", async () => {
    const answers: ModelResponse[] = [];
    for (let i = 0; i < 20; i++) answers.push(await call(i));
    expect(answers.map((r) => r.choices[0]!.message.content)).toEqual(Array(20).fill("ok"));
    // undici frees a connection a tick after the body is read, so a call made at once takes a
    // second one (Node's own fetch does the same); after that the two are reused, never more.
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(connections).toBeLessThanOrEqual(2);
    const after20 = connections;
    for (let i = 0; i < 20; i++) await call(i);
    expect(connections).toBe(after20);
  });
});
