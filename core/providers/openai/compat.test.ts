import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/support/fake-openai.ts";
import { embeddingVector } from "../../../test/support/openai-wire.ts";
import litellm, { acompletion, aembedding, type ChatCompletionChunk } from "../../index.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";
import { OLLAMA_DEFAULT_BASE, OPENAI_COMPATIBLE_DEFAULT_BASE } from "./compat.ts";

// ollama/<model> and openai_compatible/<model>: local OpenAI-compatible servers, against the loopback fake.

const OPENAI_KEY = "sk-openai-must-stay-home-9876";

let fake: FakeOpenAI;
let rec: Recorder;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  // An OpenAI key in the environment is there to be not sent: these servers are not OpenAI.
  vi.stubEnv("OPENAI_API_KEY", OPENAI_KEY);
  vi.stubEnv("OLLAMA_API_BASE", undefined);
  rec = new Recorder({ events: ["pre_api_call", "success", "failure"] });
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  vi.unstubAllEnvs();
  fake.reset();
});

describe("ollama/<model>", () => {
  it("goes to api_base with the bare model name and no key; provider ollama, no price (null cost, with the reason)", async () => {
    const res = await acompletion({ model: "ollama/llama3.2", messages: user("hi"), api_base: fake.url });
    expect(res.choices[0]!.message.content).toBe("Echo: hi");
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/v1/chat/completions");
    expect(sent.body.model).toBe("llama3.2");
    expect(sent.headers.authorization).toBeUndefined();
    expect(res._hidden_params.custom_llm_provider).toBe("ollama");
    expect(res._hidden_params.response_cost).toBeNull();
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.litellm_params.custom_llm_provider).toBe("ollama");
    expect(k.api_key).toBeNull();
    expect(k.additional_args!.headers).not.toHaveProperty("authorization");
    expect(k.response_cost_failure_debug_information!.error_str).toContain("ollama/llama3.2");
  });

  it("OLLAMA_API_BASE as LiteLLM writes it (the server root) gets /v1 added", async () => {
    vi.stubEnv("OLLAMA_API_BASE", `http://127.0.0.1:${fake.port}`);
    await acompletion({ model: "ollama/qwen2.5:7b", messages: user("x") });
    expect(fake.requests[0]!.path).toBe("/v1/chat/completions");
    expect(fake.requests[0]!.body.model).toBe("qwen2.5:7b");
  });

  it(`with nothing set the request goes to ${OLLAMA_DEFAULT_BASE}`, async () => {
    // Whether anything listens there does not matter: the pre_api_call event records where the request went.
    await acompletion({ model: "ollama/llama3.2", messages: user("x"), timeout: 0.5 }).catch(() => undefined);
    await litellm.flush();
    expect(rec.last("pre_api_call").kwargs.additional_args!.api_base).toBe(`${OLLAMA_DEFAULT_BASE}/chat/completions`);
  });

  it("streams, with the usage chunk the caller asked for", async () => {
    fake.set({ content: "one two three", usage: { prompt_tokens: 3, completion_tokens: 3 } });
    const stream = await acompletion({ model: "ollama/llama3.2", messages: user("x"), stream: true, stream_options: { include_usage: true }, api_base: fake.url });
    const chunks: ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("one two three");
    expect(chunks.at(-1)!.usage).toMatchObject({ total_tokens: 6 });
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe("openai_compatible/<model>", () => {
  it("keeps the rest of the name (slashes included) as the model; sends a key only when given one", async () => {
    await acompletion({ model: "openai_compatible/meta-llama/Llama-3.1-8B-Instruct", messages: user("x"), api_base: fake.url });
    await acompletion({ model: "openai_compatible/meta-llama/Llama-3.1-8B-Instruct", messages: user("x"), api_base: fake.url, api_key: "local-key-123456789" });
    expect(fake.requests.map((r) => r.body.model)).toEqual(["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct"]);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([undefined, "Bearer local-key-123456789"]);
    await litellm.flush();
    expect(rec.last("success").kwargs.litellm_params.custom_llm_provider).toBe("openai_compatible");
  });

  it(`with no api_base the request goes to ${OPENAI_COMPATIBLE_DEFAULT_BASE}`, async () => {
    await acompletion({ model: "openai_compatible/some-model", messages: user("x"), timeout: 0.5 }).catch(() => undefined);
    await litellm.flush();
    expect(rec.last("pre_api_call").kwargs.additional_args!.api_base).toBe(`${OPENAI_COMPATIBLE_DEFAULT_BASE}/chat/completions`);
  });

  it("embeddings come back as floats", async () => {
    const res = await aembedding({ model: "openai_compatible/bge-small", input: "a", api_base: fake.url });
    expect(fake.requests[0]!.path).toBe("/v1/embeddings");
    expect(fake.requests[0]!.body).toEqual({ model: "bge-small", input: "a", encoding_format: "float" });
    expect(res.data[0]!.embedding).toEqual(embeddingVector("a"));
  });
});

describe("openai/<model> without any key", () => {
  it("sends no Authorization header rather than a made-up key", async () => {
    vi.stubEnv("OPENAI_API_KEY", undefined);
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: fake.url });
    expect(fake.requests[0]!.headers.authorization).toBeUndefined();
  });
});
