import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/support/fake-openai.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";
import litellm, { acompletion } from "../../index.ts";
import { providerFor, resolveModel, SUPPORTED_PROVIDERS } from "../index.ts";
import { COMPATIBLE_PREFIXES, COMPATIBLE_PROVIDERS, hasBase } from "./compatible-table.ts";

// LiteLLM's OpenAI-compatible hosts by prefix: each one's documented base and key variable, then a real call to the loopback fake.

/** What LiteLLM documents for each prefix: the default base (null: api_base required) and the key variable it reads. */
const DOCUMENTED: Record<string, { base: string | null; key: string }> = {
  groq: { base: "https://api.groq.com/openai/v1", key: "GROQ_API_KEY" },
  deepseek: { base: "https://api.deepseek.com/beta", key: "DEEPSEEK_API_KEY" },
  mistral: { base: "https://api.mistral.ai/v1", key: "MISTRAL_API_KEY" },
  together_ai: { base: "https://api.together.xyz/v1", key: "TOGETHER_API_KEY" },
  fireworks_ai: { base: "https://api.fireworks.ai/inference/v1", key: "FIREWORKS_API_KEY" },
  openrouter: { base: "https://openrouter.ai/api/v1", key: "OPENROUTER_API_KEY" },
  xai: { base: "https://api.x.ai/v1", key: "XAI_API_KEY" },
  perplexity: { base: "https://api.perplexity.ai", key: "PERPLEXITYAI_API_KEY" },
  deepinfra: { base: "https://api.deepinfra.com/v1/openai", key: "DEEPINFRA_API_KEY" },
  cerebras: { base: "https://api.cerebras.ai/v1", key: "CEREBRAS_API_KEY" },
  nvidia_nim: { base: "https://integrate.api.nvidia.com/v1", key: "NVIDIA_NIM_API_KEY" },
  hosted_vllm: { base: null, key: "HOSTED_VLLM_API_KEY" },
  lm_studio: { base: null, key: "LM_STUDIO_API_KEY" },
  llamafile: { base: "http://127.0.0.1:8080/v1", key: "LLAMAFILE_API_KEY" },
};

const OPENAI_KEY = "sk-openai-must-stay-home-4321";
/** Every key and base variable of the table, unset for each test: the machine's own must not leak in. */
const ALL_VARS = Object.values(COMPATIBLE_PROVIDERS).flatMap((p) => [...p.baseEnv, ...p.keyEnv]);

let fake: FakeOpenAI;
let rec: Recorder;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  for (const name of ALL_VARS) vi.stubEnv(name, undefined);
  vi.stubEnv("OPENAI_API_KEY", OPENAI_KEY);
  rec = new Recorder({ events: ["pre_api_call", "success"] });
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  vi.unstubAllEnvs();
  fake.reset();
});

/** Where a request to `model` goes and with which key, without sending it. */
function endpointOf(model: string, env: Record<string, string>, api_base?: string) {
  const target = resolveModel({ model, env, api_base });
  const req = providerFor(target.transport).chatRequest(target, user("x"), {}, { stream: false, timeoutMs: 1000, maxRetries: 0 });
  return { provider: target.provider, url: req.url, key: req.apiKey, model: req.body.model };
}

describe("the table", () => {
  it("holds exactly the documented prefixes, each supported", () => {
    expect([...COMPATIBLE_PREFIXES].sort()).toEqual(Object.keys(DOCUMENTED).sort());
    for (const prefix of COMPATIBLE_PREFIXES) expect(SUPPORTED_PROVIDERS).toContain(prefix);
  });

  it("says which prefixes need an api_base: hosted_vllm and lm_studio, unless their base variable is set", () => {
    expect(COMPATIBLE_PREFIXES.filter((p) => !hasBase(p, {}))).toEqual(["hosted_vllm", "lm_studio"]);
    expect(hasBase("hosted_vllm", { HOSTED_VLLM_API_BASE: "http://127.0.0.1:8000/v1" })).toBe(true);
  });
});

describe.each(Object.entries(DOCUMENTED))("%s/<model>", (prefix, doc) => {
  const key = `${prefix}-key-0123456789`;

  it(`goes to ${doc.base ?? "the api_base it is given"} with ${doc.key}, the model name without the prefix`, () => {
    const base = doc.base ?? "http://127.0.0.1:9/v1";
    expect(endpointOf(`${prefix}/org/some-model`, { [doc.key]: key, OPENAI_API_KEY: OPENAI_KEY }, doc.base ? undefined : base)).toEqual({
      provider: prefix,
      url: `${base}/chat/completions`,
      key,
      model: "org/some-model",
    });
  });

  it("sends no key when none is set (never OPENAI_API_KEY)", () => {
    expect(endpointOf(`${prefix}/m`, { OPENAI_API_KEY: OPENAI_KEY }, "http://127.0.0.1:9/v1").key).toBeUndefined();
  });

  it("answers through the fake OpenAI upstream with api_base overridden; no bundled price: null cost with the reason", async () => {
    vi.stubEnv(doc.key, key);
    const res = await acompletion({ model: `${prefix}/llama-3.1-8b`, messages: user("hi"), api_base: fake.url });
    expect(res.choices[0]!.message.content).toEqual("Echo: hi");
    const sent = fake.requests[0]!;
    expect({ path: sent.path, model: sent.body.model, authorization: sent.headers.authorization }).toEqual({
      path: "/v1/chat/completions",
      model: "llama-3.1-8b",
      authorization: `Bearer ${key}`,
    });
    expect(res._hidden_params.custom_llm_provider).toEqual(prefix);
    expect(res._hidden_params.response_cost).toBeNull();
    await litellm.flush();
    const k = rec.last("success").kwargs;
    expect(k.litellm_params.custom_llm_provider).toEqual(prefix);
    expect(k.response_cost_failure_debug_information!.error_str).toContain(`No price found for "${prefix}/llama-3.1-8b"`);
  });
});

describe("base variables and LiteLLM's own rules", () => {
  it("a base variable wins over the default; the call's api_base over both", () => {
    const env = { GROQ_API_BASE: "http://127.0.0.1:7/groq/v1/" };
    expect(endpointOf("groq/m", env).url).toEqual("http://127.0.0.1:7/groq/v1/chat/completions");
    expect(endpointOf("groq/m", env, "http://127.0.0.1:8/v1").url).toEqual("http://127.0.0.1:8/v1/chat/completions");
  });

  it("mistral's base gets /v1 when it lacks it, as LiteLLM adds it", () => {
    expect(endpointOf("mistral/m", {}, "http://127.0.0.1:7").url).toEqual("http://127.0.0.1:7/v1/chat/completions");
  });

  it("a second key variable LiteLLM reads counts when the first is unset", () => {
    expect(endpointOf("together_ai/m", { TOGETHERAI_API_KEY: "t-key-123456789" }).key).toEqual("t-key-123456789");
    expect(endpointOf("openrouter/m", { OR_API_KEY: "or-key-123456789" }).key).toEqual("or-key-123456789");
  });

  it("hosted_vllm without api_base or HOSTED_VLLM_API_BASE fails the call, naming both", async () => {
    const err = await acompletion({ model: "hosted_vllm/llama", messages: user("x") }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('Set "api_base"');
    expect((err as Error).message).toContain("HOSTED_VLLM_API_BASE");
    expect(fake.requests).toEqual([]);
  });
});
