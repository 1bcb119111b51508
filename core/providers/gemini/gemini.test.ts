import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { errorBody, geminiVector, startFakeGemini, type FakeGemini, type GeminiBehaviour } from "../../../test/support/fake-gemini.ts";
import { Recorder, resetLitellm, useRuntimes, user } from "../../../test/support/kit.ts";
import { collect, collectUntilError } from "../../../test/support/streams.ts";
import litellm, {
  AuthenticationError,
  ContextWindowExceededError,
  InvalidParamsError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  acompletion,
  aembedding,
  startServer,
  type ChatMessage,
} from "../../index.ts";

// The Gemini provider end to end, through the public API, against the loopback fake Gemini API.

const KEY = "AIzaSy-test-key-1234567890abcd";
const MASKED = "AIz...abcd";
const MODEL = "gemini/gemini-2.0-flash";
const PATH = "/v1beta/models/gemini-2.0-flash";
// gemini-2.0-flash's bundled list price (core/cost/table-gemini.ts), USD per token:
// $0.10 input, $0.025 cached input, $0.40 output per million tokens.
const IN = 1e-7;
const CACHED = 2.5e-8;
const OUT = 4e-7;

let fake: FakeGemini;
let rec: Recorder;
const call = (params: Record<string, unknown>) => acompletion({ model: MODEL, messages: user("hi"), api_base: fake.url, api_key: KEY, ...params });
const callStream = (params: Record<string, unknown> = {}) => acompletion({ model: MODEL, messages: user("hi"), api_base: fake.url, api_key: KEY, ...params, stream: true });
const weather = {
  type: "function",
  function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false } },
};

beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(() => fake.close());
beforeEach(() => {
  rec = new Recorder();
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  fake.reset();
  vi.unstubAllEnvs();
});

describe("the request", () => {
  it("lifts system messages into systemInstruction, maps roles, images, tools, tool turns and parameters; the body sent is complete_input_dict", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these, and the weather?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.webp?size=2" } },
        ],
      },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "sunny, 24C" },
    ];
    await call({
      messages,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 100,
      stop: "END",
      n: 1,
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      tools: [weather],
      tool_choice: "required",
      response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object", properties: { answer: { type: "string" } }, additionalProperties: false } } },
      metadata: { team: "search" },
    });
    const expected = {
      systemInstruction: { parts: [{ text: "Be brief." }, { text: "Answer in French." }] },
      contents: [
        {
          role: "user",
          parts: [
            { text: "What is in these, and the weather?" },
            { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
            { fileData: { mimeType: "image/webp", fileUri: "https://example.com/cat.webp?size=2" } },
          ],
        },
        { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
        { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { content: "sunny, 24C" } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } }] }],
      toolConfig: { functionCallingConfig: { mode: "ANY" } },
      generationConfig: {
        temperature: 0.2,
        topP: 0.9,
        candidateCount: 1,
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        maxOutputTokens: 100,
        stopSequences: ["END"],
        responseMimeType: "application/json",
        responseSchema: { type: "object", properties: { answer: { type: "string" } } },
      },
    };
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect([sent.method, sent.path, sent.query]).toEqual(["POST", `${PATH}:generateContent`, ""]);
    expect(sent.body).toEqual(expected);
    expect(sent.headers["x-goog-api-key"]).toBe(KEY);
    await litellm.flush();
    for (const event of ["pre_api_call", "post_api_call", "success"] as const) {
      const k = rec.last(event).kwargs;
      expect(k.additional_args!.complete_input_dict, event).toEqual(expected);
      expect(k.additional_args!.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": MASKED });
      expect(k.api_key).toBe(MASKED);
      expect(JSON.stringify(k)).not.toContain(KEY);
    }
  });

  it("a named tool_choice limits the call to that function; max_completion_tokens is maxOutputTokens; json_object asks for JSON", async () => {
    await call({ max_completion_tokens: 50, tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } }, response_format: { type: "json_object" } });
    const body = fake.requests[0]!.body;
    expect(body.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
    expect(body.generationConfig).toEqual({ maxOutputTokens: 50, responseMimeType: "application/json" });
  });

  it("an OpenAI parameter Gemini has no equivalent for fails before anything is sent, naming it; one set to its default is dropped", async () => {
    const err = await call({ logit_bias: { "50256": -100 }, parallel_tool_calls: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as Error).message).toContain('"logit_bias", "parallel_tool_calls"');
    expect(fake.requests).toHaveLength(0);
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    await call({ logprobs: false, parallel_tool_calls: true, user: "user-42", top_k: 5, stream_options: { include_usage: true } });
    expect(fake.requests[0]!.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], generationConfig: { topK: 5 } });
  });

  it("drop_params drops what Gemini cannot take (the error names it as an UnsupportedParamsError); extra_headers and extra_body reach Gemini", async () => {
    const err = await call({ logit_bias: { "50256": -100 } }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe("LLM_UNSUPPORTED_PARAMS");
    expect((err as Error).message).toContain("drop_params");
    await call({ logit_bias: { "50256": -100 }, drop_params: true, extra_headers: { "x-team": "search" }, extra_body: { cachedContent: "cachedContents/team-search" } });
    const sent = fake.requests.at(-1)!;
    expect(sent.body).toEqual({ contents: [{ role: "user", parts: [{ text: "hi" }] }], cachedContent: "cachedContents/team-search" });
    expect(sent.headers["x-team"]).toBe("search");
  });

  it("takes the key from GEMINI_API_KEY and the base from GEMINI_API_BASE; an api_base ending in /v1beta works too; the key is never in the URL", async () => {
    vi.stubEnv("GOOGLE_API_KEY", "");
    vi.stubEnv("GEMINI_API_KEY", KEY);
    vi.stubEnv("GEMINI_API_BASE", fake.url);
    await acompletion({ model: MODEL, messages: user("hi") });
    await acompletion({ model: MODEL, messages: user("hi"), api_base: `${fake.url}/v1beta/` });
    await acompletion({ model: MODEL, messages: user("hi"), stream: true }).then(collect);
    expect(fake.requests.map((r) => [r.path, r.query, r.headers["x-goog-api-key"]])).toEqual([
      [`${PATH}:generateContent`, "", KEY],
      [`${PATH}:generateContent`, "", KEY],
      [`${PATH}:streamGenerateContent`, "?alt=sse", KEY],
    ]);
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.litellm_params.api_base).toBe(`${fake.url}${PATH}:streamGenerateContent?alt=sse`);
  });
});

describe("the answer", () => {
  it("maps text, finish_reason and usage with cached tokens, and prices cached and uncached input apart", async () => {
    fake.set({ content: "Bonjour.", usage: { promptTokenCount: 1000, candidatesTokenCount: 200, cachedContentTokenCount: 400 } });
    const res = await call({});
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: "Bonjour." }, finish_reason: "stop" }]);
    expect(res.object).toBe("chat.completion");
    expect(res.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(res.model).toBe("gemini-2.0-flash");
    expect(res.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200, prompt_tokens_details: { cached_tokens: 400 }, cache_read_input_tokens: 400 });
    // 600 uncached at $0.10, 400 cached at $0.025, 200 out at $0.40 (per million) = $0.00015.
    const cost = 600 * IN + 400 * CACHED + 200 * OUT;
    expect(cost).toBeCloseTo(0.00015, 12);
    expect(res._hidden_params.response_cost).toBeCloseTo(cost, 15);
    expect(res._hidden_params.custom_llm_provider).toBe("gemini");
    await litellm.flush();
    // original_response is Gemini's own text, not our translation.
    expect(JSON.parse(rec.last("post_api_call").kwargs.original_response as string)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { cachedContentTokenCount: 400 } });
    expect(rec.last("success").kwargs.response_cost).toBe(res._hidden_params.response_cost);
  });

  it("thinking tokens Gemini counts apart are completion tokens", async () => {
    fake.set({ content: "42", usage: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 20 } });
    const res = await call({});
    expect(res.usage).toEqual({ prompt_tokens: 10, completion_tokens: 25, total_tokens: 35, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 20 } });
  });

  it.each([
    ["MAX_TOKENS", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["STOP", "stop"],
  ])("finishReason %s is finish_reason %s", async (reason, mapped) => {
    fake.set({ content: "Once upon a", finishReason: reason });
    const res = await call({});
    expect(res.choices[0]!.finish_reason).toBe(mapped);
  });
});

describe("tool calls", () => {
  it("a functionCall comes back as a tool call with an id, and its answer goes back as a functionResponse", async () => {
    fake.set({ functionCall: { name: "get_weather", args: { city: "Paris" } } });
    const res = await call({ tools: [weather] });
    const calls = res.choices[0]!.message.tool_calls!;
    expect(calls.map((c) => ({ ...c, id: "" }))).toEqual([{ id: "", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect(calls[0]!.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(res.choices[0]!.message.content).toBeNull();
    expect(res.choices[0]!.finish_reason).toBe("tool_calls");

    fake.set({ content: "It is sunny in Paris." });
    const messages: ChatMessage[] = [...user("Weather in Paris?"), res.choices[0]!.message, { role: "tool", tool_call_id: calls[0]!.id, content: '{"sky":"sunny"}' }];
    const next = await call({ messages, tools: [weather] });
    expect(next.choices[0]!.message.content).toBe("It is sunny in Paris.");
    expect(fake.requests[1]!.body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris?" }] },
      { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] },
      { role: "user", parts: [{ functionResponse: { name: "get_weather", response: { content: '{"sky":"sunny"}' } } }] },
    ]);
  });

  it("a streamed functionCall is one tool-call delta, and the assembled response holds it", async () => {
    fake.set({ functionCall: { name: "get_weather", args: { city: "Paris" } }, usage: { promptTokenCount: 30, candidatesTokenCount: 8 } });
    const chunks = await collect(await callStream({ tools: [weather] }));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.map((d) => ({ ...d, id: "" }))).toEqual([{ index: 0, id: "", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(["tool_calls"]);
    await litellm.flush();
    const full = rec.last("success").kwargs.complete_streaming_response!;
    expect(full.choices[0]).toMatchObject({ message: { role: "assistant", content: null, tool_calls: [{ id: deltas[0]!.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] }, finish_reason: "tool_calls" });
  });
});

describe("streaming", () => {
  const content = "Il fait beau à Paris aujourd'hui.";

  it("Gemini's events become OpenAI chunks, assembled into complete_streaming_response with usage and cost", async () => {
    fake.set({ content, usage: { promptTokenCount: 1000, candidatesTokenCount: 50, cachedContentTokenCount: 800 } });
    const chunks = await collect(await callStream({ stream_options: { include_usage: true } }));
    const sent = fake.requests[0]!;
    expect([sent.path, sent.query]).toEqual([`${PATH}:streamGenerateContent`, "?alt=sse"]);
    expect(sent.body).not.toHaveProperty("stream");
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant" });
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(content);
    expect(chunks.at(-2)!.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050, prompt_tokens_details: { cached_tokens: 800 }, cache_read_input_tokens: 800 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0]!.id).toMatch(/^chatcmpl-/);
    await litellm.flush();
    expect(rec.of("failure")).toEqual([]);
    const k = rec.last("success").kwargs;
    const full = k.complete_streaming_response!;
    expect(full.choices[0]).toMatchObject({ message: { role: "assistant", content }, finish_reason: "stop" });
    expect(full.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 800 } });
    // 200 uncached at $0.10, 800 cached at $0.025, 50 out at $0.40 (per million) = $0.00006.
    expect(k.response_cost).toBeCloseTo(200 * IN + 800 * CACHED + 50 * OUT, 15);
    expect(k.response_cost).toBeCloseTo(0.00006, 12);
    expect(k.additional_args!.complete_input_dict).toEqual(sent.body);
  });

  it("an error event mid-stream fails the stream with its class, after the chunks before it", async () => {
    fake.set({ content, streamErrorAfter: 2, errorMessage: "The model is overloaded." });
    const { chunks, error } = await collectUntilError(await callStream());
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Il fait ");
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).status).toBe(503);
    expect((error as Error).message).toBe('gemini returned 503 (UNAVAILABLE) mid-stream for model "gemini-2.0-flash": The model is overloaded.');
  });
});

describe("errors", () => {
  const retryInfo = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "37s" }];
  const keyInvalid = [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" }];
  const cases: Array<[string, GeminiBehaviour, Function, number]> = [
    ["429 RESOURCE_EXHAUSTED", { status: 429, errorDetails: retryInfo }, RateLimitError, 429],
    ["400 with reason API_KEY_INVALID", { status: 400, errorMessage: "API key not valid. Please pass a valid API key.", errorDetails: keyInvalid }, AuthenticationError, 400],
    ["400 over the context window", { status: 400, errorMessage: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)." }, ContextWindowExceededError, 400],
    ["404 NOT_FOUND", { status: 404 }, NotFoundError, 404],
    ["503 UNAVAILABLE", { status: 503 }, ServiceUnavailableError, 503],
  ];
  it.each(cases)("%s is mapped to its class, with its status, naming provider and model", async (_name, behaviour, Cls, status) => {
    fake.set(behaviour);
    const err = (await call({}).catch((e: unknown) => e)) as { status?: number; message: string; llm_provider?: string; model?: string };
    expect(err).toBeInstanceOf(Cls);
    expect([err.status, err.llm_provider, err.model]).toEqual([status, "gemini", "gemini-2.0-flash"]);
    const body = errorBody(status, behaviour.errorStatus, behaviour.errorMessage).error;
    expect(err.message).toBe(`gemini returned ${status} (${body.status}) for model "gemini-2.0-flash": ${body.message}`);
    await litellm.flush();
    expect(rec.last("failure").kwargs.exception).toBe(err);
  });

  it("a 429's RetryInfo is retry_after", async () => {
    fake.set({ status: 429, errorDetails: retryInfo });
    const err = (await call({}).catch((e: unknown) => e)) as RateLimitError;
    expect(err.retry_after).toBe(37);
  });

  it("a call without a key is refused by Gemini, and the error says how to set one", async () => {
    vi.stubEnv("GEMINI_API_KEY", "");
    vi.stubEnv("GOOGLE_API_KEY", "");
    const err = (await acompletion({ model: MODEL, messages: user("hi"), api_base: fake.url }).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(err.message).toMatch(/No key was sent: set "api_key" or GEMINI_API_KEY\.$/);
    expect(fake.requests[0]!.headers).not.toHaveProperty("x-goog-api-key");
  });

  it("a key the upstream echoes back is masked in the error", async () => {
    fake.set({ status: 400, errorMessage: `API key not valid: ${KEY}` });
    const err = (await call({}).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).not.toContain(KEY);
    expect(err.message).toContain(MASKED);
    expect(err.stack).not.toContain(KEY);
  });
});

describe("embeddings", () => {
  it("batchEmbedContents answers in OpenAI's embedding shape; dimensions is outputDimensionality", async () => {
    const res = await aembedding({ model: "gemini/text-embedding-004", input: ["a", "bb"], dimensions: 3, api_base: fake.url, api_key: KEY });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(sent.body).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "a" }] }, outputDimensionality: 3 },
        { model: "models/text-embedding-004", content: { parts: [{ text: "bb" }] }, outputDimensionality: 3 },
      ],
    });
    expect(res.data).toEqual([
      { object: "embedding", index: 0, embedding: geminiVector("a") },
      { object: "embedding", index: 1, embedding: geminiVector("bb") },
    ]);
    expect(res.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
  });
});

describe("through the server", () => {
  const runtime = useRuntimes();

  it("the openai client gets Gemini's answer, streamed and not, in OpenAI's shape", async () => {
    const rt = await runtime({ model_list: [{ model_name: "flash", litellm_params: { model: MODEL, api_base: fake.url, api_key: KEY } }] });
    const server = await startServer(rt, { port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
      fake.set({ content: "Hello from Gemini.", usage: { promptTokenCount: 12, candidatesTokenCount: 4 } });
      const res = await client.chat.completions.create({ model: "flash", messages: user("hi") });
      expect(res.choices[0]!.message.content).toBe("Hello from Gemini.");
      expect(res.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
      const stream = await client.chat.completions.create({ model: "flash", messages: user("hi"), stream: true, stream_options: { include_usage: true } });
      let text = "";
      let usage: unknown;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe("Hello from Gemini.");
      expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
      expect(fake.requests.map((r) => [r.path, r.query, r.headers["x-goog-api-key"]])).toEqual([
        [`${PATH}:generateContent`, "", KEY],
        [`${PATH}:streamGenerateContent`, "?alt=sse", KEY],
      ]);
    } finally {
      await server.close(1000);
    }
  });
});
