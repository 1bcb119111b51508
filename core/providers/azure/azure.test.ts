import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeAzure, type FakeAzure } from "../../../test/support/fake-azure.ts";
import { embeddingVector } from "../../../test/support/openai-wire.ts";
import litellm, {
  AuthenticationError,
  InvalidParamsError,
  RateLimitError,
  acompletion,
  aembedding,
  createRuntime,
} from "../../index.ts";
import { DEFAULT_AZURE_API_VERSION } from "./endpoint.ts";
import { collect } from "../../../test/support/streams.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";

// azure/<deployment> end to end, through the public API, against a loopback Azure resource.

const KEY = "azure-key-0123456789abcd";
const MASKED = "azu...abcd";
const TOKEN = "eyJ0eXAiOiJKV1Qi.fake-entra-token-wxyz";
// An Azure deployment named like the model it serves bills at OpenAI's list price (core/cost/table.ts).
const MINI_IN = 1.5e-7;
const MINI_OUT = 6e-7;
const EMBED_IN = 2e-8;
const ENV = ["AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT", "AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_AD_TOKEN", "AZURE_API_VERSION", "OPENAI_API_VERSION"];

let fake: FakeAzure;
let rec: Recorder;

beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(() => fake.close());
beforeEach(() => {
  // The machine's own Azure settings must not leak into what is tested.
  for (const name of ENV) vi.stubEnv(name, undefined);
  rec = new Recorder({ events: ["pre_api_call", "success", "failure"] });
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  vi.unstubAllEnvs();
  fake.reset();
});

describe("chat", () => {
  it("goes to /openai/deployments/<deployment>/chat/completions with api-version and the api-key header; the body carries nothing of ours", async () => {
    fake.set({ content: "Paris.", usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    const res = await acompletion({
      model: "azure/gpt-4o-mini",
      messages: user("Capital of France?"),
      api_base: fake.endpoint,
      api_key: KEY,
      api_version: "2024-06-01",
      temperature: 0.2,
    });
    expect(res.choices[0]!.message.content).toBe("Paris.");
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/openai/deployments/gpt-4o-mini/chat/completions");
    expect(sent.query).toEqual({ "api-version": "2024-06-01" });
    expect(sent.headers["api-key"]).toBe(KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({ model: "gpt-4o-mini", messages: user("Capital of France?"), temperature: 0.2 });
    expect(res._hidden_params).toMatchObject({ custom_llm_provider: "azure", api_base: fake.endpoint });
    expect(res._hidden_params.response_cost).toBeCloseTo(1000 * MINI_IN + 500 * MINI_OUT, 15);
  });

  it("callbacks see the provider, the exact body, the URL and the key masked in kwargs and headers", async () => {
    await acompletion({ model: "azure/gpt-4o-mini", messages: user("hi"), api_base: fake.endpoint, api_key: KEY, api_version: "2024-06-01" });
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.litellm_params.custom_llm_provider).toBe("azure");
    expect(k.optional_params).toEqual({});
    expect(k.api_key).toBe(MASKED);
    expect(k.additional_args!.headers["api-key"]).toBe(MASKED);
    expect(JSON.stringify(k.additional_args)).not.toContain(KEY);
    expect(k.additional_args!.complete_input_dict).toEqual(fake.requests[0]!.body);
    expect(k.additional_args!.api_base).toBe(fake.endpoint);
    expect(k.additional_args!.complete_input_dict).not.toHaveProperty("api_version");
  });

  it(`without api_version it asks for ${DEFAULT_AZURE_API_VERSION}; AZURE_API_VERSION overrides that`, async () => {
    await acompletion({ model: "azure/gpt-4o-mini", messages: user("a"), api_base: fake.endpoint, api_key: KEY });
    vi.stubEnv("AZURE_API_VERSION", "2024-02-01");
    await acompletion({ model: "azure/gpt-4o-mini", messages: user("b"), api_base: fake.endpoint, api_key: KEY });
    expect(fake.requests.map((r) => r.query["api-version"])).toEqual([DEFAULT_AZURE_API_VERSION, "2024-02-01"]);
  });

  it("endpoint and key from AZURE_API_BASE and AZURE_API_KEY; the logged api_base is the URL called", async () => {
    vi.stubEnv("AZURE_API_BASE", fake.endpoint);
    vi.stubEnv("AZURE_API_KEY", KEY);
    const res = await acompletion({ model: "azure/my-deployment", messages: user("x") });
    expect(res.choices[0]!.message.content).toBe("Echo: x");
    expect(fake.requests[0]!.path).toBe("/openai/deployments/my-deployment/chat/completions");
    expect(fake.requests[0]!.headers["api-key"]).toBe(KEY);
    await litellm.flush();
    const url = rec.last("pre_api_call").kwargs.additional_args!.api_base;
    expect(url).toBe(`${fake.endpoint}openai/deployments/my-deployment/chat/completions?api-version=${DEFAULT_AZURE_API_VERSION}`);
  });

  it("azure_ad_token is sent as a bearer token instead of api-key, masked in the log, and never in the body", async () => {
    vi.stubEnv("AZURE_API_KEY", "env-key-must-not-be-used-0000");
    await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), api_base: fake.endpoint, azure_ad_token: TOKEN });
    const sent = fake.requests[0]!;
    expect(sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent.headers["api-key"]).toBeUndefined();
    expect(sent.body).not.toHaveProperty("azure_ad_token");
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.additional_args!.headers.authorization).toBe("Bearer eyJ...wxyz");
    expect(k.optional_params).not.toHaveProperty("azure_ad_token");
    expect(JSON.stringify(k.additional_args)).not.toContain(TOKEN);
  });

  it("AZURE_AD_TOKEN serves when no key is set anywhere", async () => {
    vi.stubEnv("AZURE_AD_TOKEN", TOKEN);
    await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), api_base: fake.endpoint });
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe("streaming", () => {
  it("deltas, then the usage chunk the caller asked for; Azure's choice-less filter preamble is dropped; priced on success", async () => {
    const content = "The quick brown fox jumps over the lazy dog.";
    fake.set({ content, usage: { prompt_tokens: 40, completion_tokens: 11 } });
    const stream = await acompletion({
      model: "azure/gpt-4o-mini",
      messages: user("x"),
      stream: true,
      stream_options: { include_usage: true },
      api_base: fake.endpoint,
      api_key: KEY,
      api_version: "2024-10-21",
    });
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(content);
    expect(chunks.slice(0, -1).filter((c) => c.choices.length === 0)).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 11, total_tokens: 51 });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/openai/deployments/gpt-4o-mini/chat/completions");
    expect(sent.query["api-version"]).toBe("2024-10-21");
    expect(sent.body.stream_options).toEqual({ include_usage: true });
    expect(sent.body).not.toHaveProperty("api_version");
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.complete_streaming_response!.choices[0]!.message.content).toBe(content);
    expect(k.response_cost).toBeCloseTo(40 * MINI_IN + 11 * MINI_OUT, 15);
  });
});

describe("embeddings", () => {
  it("float vectors from /openai/deployments/<deployment>/embeddings, priced as OpenAI's model", async () => {
    const res = await aembedding({ model: "azure/text-embedding-3-small", input: ["a", "b"], api_base: fake.endpoint, api_key: KEY });
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/openai/deployments/text-embedding-3-small/embeddings");
    expect(sent.query["api-version"]).toBe(DEFAULT_AZURE_API_VERSION);
    expect(sent.body).toEqual({ model: "text-embedding-3-small", input: ["a", "b"], encoding_format: "float" });
    expect(res.data.map((d) => d.embedding)).toEqual([embeddingVector("a"), embeddingVector("b")]);
    expect(res._hidden_params.custom_llm_provider).toBe("azure");
    expect(res._hidden_params.response_cost).toBeCloseTo(2 * EMBED_IN, 18);
  });
});

describe("failures", () => {
  it("a 429 is RateLimitError from provider azure, with the Retry-After, and one failure event", async () => {
    fake.set({ status: 429, headers: { "retry-after": "3" } });
    const err = await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), api_base: fake.endpoint, api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ code: "LLM_RATE_LIMIT", status: 429, llm_provider: "azure", model: "gpt-4o-mini", retry_after: 3 });
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    expect(rec.of("failure")[0]!.kwargs.exception).toBe(err);
  });

  it("no endpoint anywhere is InvalidParamsError naming api_base and AZURE_API_BASE, before anything is sent", async () => {
    const err = await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), api_key: KEY }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as Error).message).toContain('"api_base"');
    expect((err as Error).message).toContain("AZURE_API_BASE");
    expect(fake.requests).toEqual([]);
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
  });

  it("no key and no token is AuthenticationError naming both ways to sign in", async () => {
    const err = await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), api_base: fake.endpoint }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("AZURE_API_KEY");
    expect((err as Error).message).toContain("azure_ad_token");
    expect(fake.requests).toEqual([]);
  });
});

describe("offline and config", () => {
  it("mock_response on an azure model answers without a network, an endpoint or a key, priced as the model", async () => {
    const res = await acompletion({ model: "azure/gpt-4o-mini", messages: user("x"), mock_response: "mocked" });
    expect(res.choices[0]!.message.content).toBe("mocked");
    expect(res._hidden_params.custom_llm_provider).toBe("azure");
    expect(res._hidden_params.response_cost).toBeGreaterThan(0);
    expect(fake.requests).toEqual([]);
  });

  it("a config's litellm_params api_version, api_base and api_key reach the request; api_version is not sent in the body", async () => {
    const rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "gpt", litellm_params: { model: "azure/gpt-4o-mini", api_base: fake.endpoint, api_key: KEY, api_version: "2024-02-01", temperature: 0.1 } },
        ],
      },
    });
    try {
      const res = await rt.acompletion({ model: "gpt", messages: user("x") });
      expect(res._hidden_params.custom_llm_provider).toBe("azure");
    } finally {
      await rt.close();
    }
    const sent = fake.requests[0]!;
    expect(sent.query["api-version"]).toBe("2024-02-01");
    expect(sent.headers["api-key"]).toBe(KEY);
    expect(sent.body).toEqual({ model: "gpt-4o-mini", messages: user("x"), temperature: 0.1 });
  });

  it("a config's azure_ad_token signs the request as a bearer token", async () => {
    const rt = await createRuntime({
      config: { model_list: [{ model_name: "gpt", litellm_params: { model: "azure/gpt-4o-mini", api_base: fake.endpoint, azure_ad_token: TOKEN } }] },
    });
    try {
      await rt.acompletion({ model: "gpt", messages: user("x") });
    } finally {
      await rt.close();
    }
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(fake.requests[0]!.body).not.toHaveProperty("azure_ad_token");
  });
});
