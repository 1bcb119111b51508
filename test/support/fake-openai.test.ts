import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./fake-openai.ts";
import { user } from "./kit.ts";
import { embeddingVector, errorPayload } from "./openai-wire.ts";

let fake: FakeOpenAI;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // logLevel off: the client logs garbage SSE payloads to the console before throwing.
  client = new OpenAI({ apiKey: "sk-test", baseURL: fake.url, maxRetries: 0, logLevel: "off" });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

async function collect<T>(stream: AsyncIterable<T>): Promise<{ chunks: T[]; error?: unknown }> {
  const chunks: T[] = [];
  try {
    for await (const c of stream) chunks.push(c);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}

describe("chat completions", () => {
  it("answers in OpenAI's chat.completion shape with deterministic usage", async () => {
    const res = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "system", content: "Be brief." }, ...user("hello there")],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res).toMatchObject({ object: "chat.completion", model: "gpt-4o-mini", service_tier: "default" });
    expect(res.system_fingerprint).toMatch(/^fp_/);
    expect(res.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "Echo: hello there", refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" },
    ]);
    // "Be brief.hello there" is 20 chars -> 5 tokens; "Echo: hello there" is 17 chars -> 5.
    expect(res.usage).toEqual({
      prompt_tokens: 5,
      completion_tokens: 5,
      total_tokens: 10,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it("uses the fixed content and the usage override", async () => {
    fake.set({ content: "Fixed.", usage: { prompt_tokens: 7, completion_tokens: 3, cached_tokens: 2 } });
    const res = await client.chat.completions.create({ model: "m", messages: user("x") });
    expect(res.choices[0]!.message.content).toBe("Fixed.");
    expect(res.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, prompt_tokens_details: { cached_tokens: 2 } });
  });

  it("streams with include_usage: deltas rebuild the content, one usage chunk comes last", async () => {
    const content = "The quick  brown fox\njumps.";
    fake.set({ content });
    const stream = await client.chat.completions.create({ model: "m", messages: user("x"), stream: true, stream_options: { include_usage: true } });
    const { chunks, error } = await collect(stream);
    expect(error).toBeUndefined();
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant", content: "" });
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(content);
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(chunks.at(-1)).toBe(withUsage[0]);
    expect(withUsage[0]!.choices).toEqual([]);
    expect(withUsage[0]!.usage).toMatchObject({ completion_tokens: 7, total_tokens: 8 });
    expect(chunks.slice(0, -1).map((c) => c.usage)).toEqual(Array(chunks.length - 1).fill(null));
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
  });

  it("streams without include_usage: no usage key anywhere", async () => {
    const stream = await client.chat.completions.create({ model: "m", messages: user("hi you"), stream: true });
    const { chunks } = await collect(stream);
    expect(chunks.filter((c) => "usage" in c)).toEqual([]);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? "").join("")).toBe("Echo: hi you");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.map((c) => [c.object, c.id])).toEqual(Array(chunks.length).fill(["chat.completion.chunk", chunks[0]!.id]));
  });

  it("waits chunkDelayMs between chunks", async () => {
    fake.set({ content: "a b c", chunkDelayMs: 30 });
    const started = Date.now();
    await collect(await client.chat.completions.create({ model: "m", messages: user("x"), stream: true }));
    // role, 3 words, finish, [DONE]: five gaps.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("tool calls", () => {
  const toolCall = { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' };

  it("returns tool_calls with content null and finish_reason tool_calls", async () => {
    fake.set({ toolCall });
    const res = await client.chat.completions.create({ model: "m", messages: user("weather?") });
    const choice = res.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([{ id: expect.stringMatching(/^call_/), type: "function", function: toolCall }]);
  });

  it("streams the arguments in pieces that the client's stream helper reassembles", async () => {
    fake.set({ toolCall });
    const { chunks } = await collect(await client.chat.completions.create({ model: "m", messages: user("w"), stream: true }));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_weather", arguments: "" } });
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.map((c) => c.function?.arguments ?? "").join("")).toBe(toolCall.arguments);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");

    const final = await client.chat.completions.stream({ model: "m", messages: user("w") }).finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: toolCall });
  });
});

describe("embeddings and models", () => {
  it("round-trips base64 embeddings through the client, deterministically", async () => {
    const one = await client.embeddings.create({ model: "text-embedding-3-small", input: "hello" });
    expect(fake.requests[0]!.body.encoding_format).toBe("base64"); // the client's silent default
    expect(one.object).toBe("list");
    expect(one.data).toEqual([{ object: "embedding", index: 0, embedding: embeddingVector("hello") }]);
    expect(one.data[0]!.embedding).toHaveLength(8);
    expect(one.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });

    const many = await client.embeddings.create({ model: "text-embedding-3-small", input: ["hello", "world"] });
    expect(many.data.map((d) => d.index)).toEqual([0, 1]);
    expect(many.data[0]!.embedding).toEqual(one.data[0]!.embedding);
    expect(many.data[1]!.embedding).not.toEqual(many.data[0]!.embedding);
  });

  it("returns plain floats when encoding_format is float", async () => {
    const res = await client.embeddings.create({ model: "e", input: "hello", encoding_format: "float" });
    expect(res.data[0]!.embedding).toEqual(embeddingVector("hello"));
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("gpt-4o-mini");
    expect(fake.requests[0]).toMatchObject({ method: "GET", path: "/v1/models" });
  });
});

describe("failures", () => {
  it("429 becomes RateLimitError with the body's message and only the headers asked for", async () => {
    fake.set({ status: 429, headers: { "retry-after": "1" } });
    const err = await client.chat.completions.create({ model: "m", messages: user("x") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const e = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.message).toBe(`429 ${errorPayload(429).error.message}`);
    expect(e.code).toBe("rate_limit_exceeded");
    expect(e.headers.get("retry-after")).toBe("1");
    expect(fake.requests).toHaveLength(1);
  });

  it("500 becomes InternalServerError; a raw error body becomes the message", async () => {
    fake.set({ status: 500 });
    const err = await client.chat.completions.create({ model: "m", messages: user("x") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect(err).toMatchObject({ status: 500, type: "server_error" });

    fake.set({ status: 503, errorBody: "upstream exploded" });
    const raw = await client.chat.completions.create({ model: "m", messages: user("x") }).catch((e: unknown) => e);
    expect(raw).toMatchObject({ status: 503, message: "503 upstream exploded", error: undefined });
  });

  it("rejects a body without model or messages with 400, as OpenAI does", async () => {
    const err = await client.chat.completions.create({ model: "m" } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, param: "messages", code: "missing_required_parameter" });

    const res = await fetch(`${fake.url}/chat/completions`, { method: "POST", body: JSON.stringify({ messages: [] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: "you must provide a model parameter", type: "invalid_request_error", param: null, code: null } });
  });

  it("answers unknown routes with a 404 OpenAI error", async () => {
    const res = await fetch(`${fake.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error).toMatchObject({ message: "Invalid URL (GET /v1/nope)", type: "invalid_request_error" });
  });

  it("a stream dropped mid-way makes the client's iterator throw after the chunks sent", async () => {
    fake.set({ content: "one two three four", dropAfterChunks: 2 });
    const stream = await client.chat.completions.create({ model: "m", messages: user("x"), stream: true });
    const { chunks, error } = await collect(stream);
    expect(error).toBeInstanceOf(TypeError); // undici's "terminated", not an OpenAIError
    expect((error as Error).message).toBe("terminated");
    expect(error).not.toBeInstanceOf(OpenAI.APIError);
    expect(chunks.map((c) => c.choices[0]!.delta.content).join("")).toBe("one two ");
  });

  it("a malformed 200 body or SSE payload makes the client throw SyntaxError", async () => {
    fake.set({ malformedBody: "{not json" });
    await expect(client.chat.completions.create({ model: "m", messages: user("x") })).rejects.toBeInstanceOf(SyntaxError);

    fake.set({ content: "a b c d", malformedChunk: "garbage{" });
    const { chunks, error } = await collect(await client.chat.completions.create({ model: "m", messages: user("x"), stream: true }));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it("delayMs beyond the client's timeout gives APIConnectionTimeoutError, and the server stays usable", async () => {
    fake.set({ delayMs: 2_000 });
    const started = Date.now();
    const err = await client.chat.completions.create({ model: "m", messages: user("x") }, { timeout: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
    fake.set({});
    const ok = await client.chat.completions.create({ model: "m", messages: user("again") });
    expect(ok.choices[0]!.message.content).toBe("Echo: again");
  });
});

describe("behaviour selection and recording", () => {
  it("queue: fail once, then fall back to set()", async () => {
    fake.set({ content: "recovered" });
    fake.queue({ status: 503 });
    await expect(client.chat.completions.create({ model: "m", messages: user("x") })).rejects.toMatchObject({ status: 503 });
    const res = await client.chat.completions.create({ model: "m", messages: user("x") });
    expect(res.choices[0]!.message.content).toBe("recovered");
  });

  it("model names pick behaviours for concurrent requests", async () => {
    const ask = (model: string) => client.chat.completions.create({ model, messages: user("a b c") });
    const started = Date.now();
    const streamDrop = client.chat.completions.create({ model: "drop-1", messages: user("a b c"), stream: true }).then(collect);
    const [fail, slow, dropJSON, plain, dropped] = await Promise.allSettled([ask("openai/fail-429"), ask("slow-150"), ask("drop-1"), ask("gpt-4o"), streamDrop]);
    expect(fail).toMatchObject({ status: "rejected", reason: { status: 429 } });
    expect(slow.status).toBe("fulfilled");
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(dropJSON.status).toBe("rejected"); // non-streamed reply cut off half-way
    expect(plain).toMatchObject({ status: "fulfilled", value: { model: "gpt-4o" } });
    expect(dropped).toMatchObject({ status: "fulfilled", value: { error: expect.any(TypeError) } });
  });

  it("records method, path, parsed body and the Authorization header", async () => {
    await client.chat.completions.create({ model: "gpt-4o", messages: user("remember me"), temperature: 0.5 });
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ method: "POST", path: "/v1/chat/completions" });
    expect(req.body).toEqual({ model: "gpt-4o", messages: user("remember me"), temperature: 0.5 });
    expect(req.headers.authorization).toBe("Bearer sk-test");
  });

  it("close() does not hang on kept-alive or busy sockets", async () => {
    const other = await startFakeOpenAI({ content: "bye" });
    const c = new OpenAI({ apiKey: "sk-test", baseURL: other.url, maxRetries: 0 });
    await c.chat.completions.create({ model: "m", messages: user("x") });
    // Node's server.close() only drops idle sockets; a request still in flight must be cut too.
    const inFlight = c.chat.completions.create({ model: "slow-10000", messages: user("x") }).catch((e: unknown) => e);
    while (other.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const closed = await Promise.race([other.close().then(() => "closed"), new Promise((r) => setTimeout(r, 1_000, "hung"))]);
    expect(closed).toBe("closed");
    expect(await inFlight).toBeInstanceOf(OpenAI.APIConnectionError);
    await expect(fetch(`${other.url}/models`)).rejects.toThrow();
  });
});
