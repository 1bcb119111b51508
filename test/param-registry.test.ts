// One parameter registry: what is sent upstream, what keys the cache, what a server's client may set; extra_headers, extra_body, drop_params.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import litellm, { acompletion, aembedding, createRuntime, InvalidParamsError, UnsupportedParamsError, type InlineConfig, type Runtime } from "../core/index.ts";
import { KEY_IGNORED_PARAMS } from "../core/cache/key.ts";
import { ANSWER_ROUTING, NOT_SENT, OPENAI_CHAT, OPENAI_EMBEDDING, PARAMS, ROUTING, paramSpec } from "../core/call/param-registry.ts";
import { optionalParams } from "../core/call/params.ts";
import { openaiProvider } from "../core/providers/openai/index.ts";
import { resolveModel } from "../core/providers/resolve.ts";
import { CLIENT_PARAM_RULES, forbiddenParam } from "../core/server/client-params.ts";
import { startFakeAnthropic, type FakeAnthropic } from "./support/fake-anthropic.ts";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { user } from "./support/kit.ts";

const KEY = "sk-test-1234567890abcd";

/** LiteLLM's own per-call parameters that reached the upstream body before the registry, with a value of a plausible type. */
const LITELLM_ONLY: Record<string, unknown> = {
  tags: ["team-a"],
  litellm_session_id: "session-1",
  fallbacks: ["other-model"],
  litellm_call_id: "call-1",
  base_model: "gpt-4o-mini",
  custom_llm_provider: "openai",
  max_retries: 0,
  "no-log": false,
  extra_headers: { "x-trace": "t-1" },
  drop_params: false,
  mock_testing_fallbacks: false,
  context_window_fallbacks: [],
  content_policy_fallbacks: [],
  litellm_metadata: { a: 1 },
  model_list: [],
  preset_cache_key: "k",
  cooldown_time: 5,
  allowed_fails: 3,
  rpm: 10,
  tpm: 1000,
};

/** What a model entry's litellm_params held that reached the upstream body before the registry. */
const ENTRY_ONLY: Record<string, unknown> = {
  custom_llm_provider: "openai",
  extra_headers: { "x-deployment": "d-1" },
  base_model: "gpt-4o-mini",
  max_parallel_requests: 4,
  input_cost_per_second: 0.001,
  output_cost_per_second: 0.001,
  aws_region_name: "eu-west-1",
  aws_access_key_id: "AKIA-not-a-key",
  vertex_project: "p",
  vertex_location: "europe-west4",
  tags: ["team-a"],
  rpm: 10,
  tpm: 1000,
};

let fake: FakeOpenAI;
let azure: FakeAzure;
let anthropic: FakeAnthropic;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  [fake, azure, anthropic] = await Promise.all([startFakeOpenAI({ content: "ok" }), startFakeAzure({ content: "ok" }), startFakeAnthropic()]);
});
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.close();
  fake.reset();
  fake.set({ content: "ok" });
  azure.reset();
  anthropic.reset();
  litellm.drop_params = false;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await Promise.all([fake.close(), azure.close(), anthropic.close()]);
});

async function runtime(config: InlineConfig): Promise<Runtime> {
  const rt = await createRuntime({ config });
  runtimes.push(rt);
  return rt;
}

/** The stderr lines written while `run` runs. */
async function stderrOf(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

describe("the table", () => {
  it("names each parameter once", () => {
    const names = PARAMS.map((p) => p.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it("optional_params holds exactly the OpenAI and provider parameters, and any name it does not know", () => {
    const all = Object.fromEntries([...PARAMS.map((p) => [p.name, 1]), ["repetition_penalty", 1]]);
    const sent = PARAMS.filter((p) => p.kind === "openai" || p.kind === "provider").map((p) => p.name);
    expect(Object.keys(optionalParams(all as never)).sort()).toEqual([...sent, "repetition_penalty"].sort());
    expect([...NOT_SENT].sort()).toEqual(PARAMS.filter((p) => !sent.includes(p.name)).map((p) => p.name).sort());
  });

  it("the cache key leaves out exactly the rows that do not change the answer", () => {
    expect([...KEY_IGNORED_PARAMS].sort()).toEqual(PARAMS.filter((p) => !p.keyed).map((p) => p.name).sort());
    expect(KEY_IGNORED_PARAMS.has("repetition_penalty")).toBe(false);
    // The call's own routing keys the cache key takes beside the model: who answers, never who pays.
    expect(ANSWER_ROUTING).toEqual(["api_base", "base_url", "api_version", "mock_response", "custom_llm_provider"]);
  });

  it("the server's rules are the table's client column, and each forbids its parameter", () => {
    const expected = PARAMS.flatMap((p) => [
      ...(p.client ? [{ param: p.name, ...p.client }] : []),
      ...Object.entries(p.controls ?? {}).map(([c, r]) => ({ param: `${p.name}.${c}`, ...r })),
    ]);
    expect(CLIENT_PARAM_RULES).toEqual(expected);
    const found = CLIENT_PARAM_RULES.map((r) => {
      const [name, control] = r.param.split(".");
      return forbiddenParam(control ? { [name!]: { [control]: 1 } } : { [name!]: 1 }, new Set())?.param;
    });
    expect(found).toEqual(CLIENT_PARAM_RULES.map((r) => r.param));
  });

  it("keeps what the four lists held before", () => {
    const ownBefore = ["model", "messages", "input", "stream", "metadata", "mock_response", "mock_delay", "api_key", "api_base", "base_url", "api_version", "azure_ad_token", "organization", "stream_timeout", "timeout", "num_retries", "cache", "caching", "callbacks", "input_callback", "success_callback", "failure_callback", "input_cost_per_token", "output_cost_per_token", "litellm_trace_id", "litellm_session_id", "base_model", "proxy_server_request", "signal"];
    const routingBefore = ["model", "api_key", "api_base", "mock_response", "rpm", "tpm", "weight", "api_version", "organization", "max_retries"];
    const ignoredBefore = ["user", "stream", "stream_options", "metadata", "caching", "cache", "timeout", "stream_timeout", "request_timeout", "num_retries", "max_retries", "api_key", "mock_delay", "input_cost_per_token", "output_cost_per_token", "callbacks", "input_callback", "success_callback", "failure_callback", "service_callback", "litellm_call_id", "litellm_logging_obj", "litellm_metadata", "litellm_trace_id", "proxy_server_request", "no-log"];
    expect(ownBefore.filter((n) => !NOT_SENT.has(n))).toEqual([]);
    expect(routingBefore.filter((n) => !ROUTING.has(n))).toEqual([]);
    expect(ignoredBefore.filter((n) => !KEY_IGNORED_PARAMS.has(n))).toEqual([]);
    // Keyed before: an answer from another server, version or mock is another answer.
    expect(["api_base", "base_url", "api_version", "mock_response", "temperature"].filter((n) => KEY_IGNORED_PARAMS.has(n))).toEqual([]);
  });

  it("metadata is LiteLLM's own; the OpenAI sets split chat from embeddings", () => {
    expect(paramSpec("metadata")?.kind).toEqual("litellm");
    expect([OPENAI_CHAT.has("temperature"), OPENAI_EMBEDDING.has("temperature"), OPENAI_EMBEDDING.has("dimensions"), OPENAI_CHAT.has("dimensions"), OPENAI_CHAT.has("user"), OPENAI_EMBEDDING.has("user")]).toEqual([
      true, false, true, false, true, true,
    ]);
  });
});

describe("LiteLLM's own parameters never reach a provider body", () => {
  it("per call", async () => {
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, temperature: 0.2, ...LITELLM_ONLY });
    expect(Object.keys(fake.requests[0]!.body).sort()).toEqual(["messages", "model", "temperature"]);
  });

  it("per call, streamed", async () => {
    const stream = await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, stream: true, ...LITELLM_ONLY });
    for await (const _ of stream as AsyncIterable<unknown>);
    expect(Object.keys(fake.requests[0]!.body).sort()).toEqual(["messages", "model", "stream", "stream_options"]);
  });

  it("in a model entry's litellm_params (a provider's own, top_k, still goes)", async () => {
    const rt = await runtime({ model_list: [{ model_name: "m", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY, temperature: 0.3, top_k: 5, ...ENTRY_ONLY } }] });
    await rt.acompletion({ model: "m", messages: user("hi"), ...LITELLM_ONLY });
    const req = fake.requests[0]!;
    expect(req.body).toEqual({ model: "gpt-4o-mini", messages: user("hi"), temperature: 0.3, top_k: 5 });
    // The entry's extra_headers are sent, and the call's own too.
    expect([req.headers["x-deployment"], req.headers["x-trace"]]).toEqual([undefined, "t-1"]);
  });

  it("the entry's extra_headers are sent when the call gives none", async () => {
    const rt = await runtime({ model_list: [{ model_name: "m", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY, ...ENTRY_ONLY } }] });
    await rt.acompletion({ model: "m", messages: user("hi") });
    expect(fake.requests[0]!.headers["x-deployment"]).toEqual("d-1");
  });

  it("in embeddings", async () => {
    await aembedding({ model: "openai/text-embedding-3-small", input: "hi", api_base: fake.url, api_key: KEY, tags: ["a"], litellm_call_id: "c", extra_headers: { "x-e": "1" } } as never);
    expect(Object.keys(fake.requests[0]!.body).sort()).toEqual(["encoding_format", "input", "model"]);
    expect(fake.requests[0]!.headers["x-e"]).toEqual("1");
  });
});

describe("extra_headers", () => {
  it("arrive as headers, names in lower case, over the provider's own", async () => {
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, extra_headers: { "X-Trace": "t-2", "Content-Type": "application/json" } });
    const h = fake.requests[0]!.headers;
    expect([h["x-trace"], h["content-type"], h.authorization]).toEqual(["t-2", "application/json", `Bearer ${KEY}`]);
  });

  it("LiteLLM's older `headers` works too; extra_headers wins on a name both give", async () => {
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, headers: { "x-a": "old", "x-b": "old" }, extra_headers: { "x-b": "new" } } as never);
    const h = fake.requests[0]!.headers;
    expect([h["x-a"], h["x-b"]]).toEqual(["old", "new"]);
  });

  it("never replace a credential header the request carries: the call fails naming it, before anything is sent", async () => {
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, extra_headers: { Authorization: "Bearer someone-else" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as Error).message).toContain('"Authorization"');
    const azureErr = await acompletion({ model: "azure/my-gpt", messages: user("hi"), api_base: azure.endpoint, api_key: KEY, extra_headers: { "api-key": "other" } }).catch((e: unknown) => e);
    expect(azureErr).toBeInstanceOf(InvalidParamsError);
    expect([fake.requests.length, azure.requests.length]).toEqual([0, 0]);
  });

  it("may add a credential header a request without one lacks (a gateway's own sign-in)", async () => {
    await acompletion({ model: "openai_compatible/llama", messages: user("hi"), api_base: fake.url, extra_headers: { Authorization: "Bearer gateway" } });
    expect(fake.requests[0]!.headers.authorization).toEqual("Bearer gateway");
  });

  it("reach Anthropic too", async () => {
    await acompletion({ model: "anthropic/claude-sonnet-4-5", messages: user("hi"), api_base: anthropic.url, api_key: KEY, extra_headers: { "anthropic-beta": "x-1" } });
    expect(anthropic.requests[0]!.headers["anthropic-beta"]).toEqual("x-1");
  });

  it("must be an object of text values", async () => {
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, extra_headers: "x-a: 1" } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect(fake.requests).toEqual([]);
  });
});

describe("extra_body", () => {
  it("is merged into the body, its keys winning, never checked (even for a strict provider)", async () => {
    await acompletion({ model: "azure/my-gpt", messages: user("hi"), api_base: azure.endpoint, api_key: KEY, temperature: 0.1, extra_body: { temperature: 0.9, data_sources: [{ type: "x" }] } });
    const body = azure.requests[0]!.body;
    expect(body).toEqual({ model: "my-gpt", messages: user("hi"), temperature: 0.9, data_sources: [{ type: "x" }] });
  });

  it("from litellm_params, for Anthropic", async () => {
    const rt = await runtime({ model_list: [{ model_name: "c", litellm_params: { model: "anthropic/claude-sonnet-4-5", api_base: anthropic.url, api_key: KEY, extra_body: { top_k: 3 } } }] });
    await rt.acompletion({ model: "c", messages: user("hi") });
    expect(anthropic.requests[0]!.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: "hi" }], top_k: 3 });
  });

  it("changes the cache key", async () => {
    const rt = await runtime({
      model_list: [{ model_name: "m", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } }],
      litellm_settings: { cache: true, cache_params: { type: "local" } },
    });
    await rt.acompletion({ model: "m", messages: user("q"), extra_body: { a: 1 } });
    await new Promise((r) => setTimeout(r, 20));
    await rt.acompletion({ model: "m", messages: user("q"), extra_body: { a: 2 } });
    expect(fake.requests.map((r) => r.body.a)).toEqual([1, 2]);
  });
});

describe("UnsupportedParamsError and drop_params", () => {
  it("api.openai.com: a parameter OpenAI does not take fails before anything is sent, naming it, the provider and drop_params", async () => {
    vi.stubEnv("OPENAI_BASE_URL", undefined);
    vi.stubEnv("OPENAI_API_BASE", undefined);
    const err = await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_key: KEY, top_k: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParamsError);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect(err).toMatchObject({ code: "LLM_UNSUPPORTED_PARAMS", status: 400, llm_provider: "openai", model: "gpt-4o-mini" });
    expect((err as Error).message).toContain('"top_k"');
    expect((err as Error).message).toContain("drop_params: true");
  });

  it("api.openai.com with drop_params: the request leaves the parameter out, and one warning names it once", async () => {
    vi.stubEnv("OPENAI_BASE_URL", undefined);
    vi.stubEnv("OPENAI_API_BASE", undefined);
    const target = resolveModel({ model: "openai/gpt-4o-mini", api_key: KEY });
    const opts = { stream: false, timeoutMs: 1000, maxRetries: 0, dropParams: true };
    const bodies: unknown[] = [];
    const lines = await stderrOf(async () => {
      for (let i = 0; i < 2; i++) bodies.push(openaiProvider.chatRequest(target, user("hi"), { temperature: 0, repetition_penalty: 1.1 }, opts).body);
    });
    expect(bodies).toEqual([0, 1].map(() => ({ model: "gpt-4o-mini", messages: user("hi"), temperature: 0 })));
    expect(lines.filter((l) => l.includes('"repetition_penalty"'))).toHaveLength(1);
    expect(lines.join("")).toContain("openai");
  });

  it("Azure: refused without drop_params; dropped with it per call, in litellm_params, in litellm_settings and as litellm.drop_params", async () => {
    const call = (extra: Record<string, unknown>) => acompletion({ model: "azure/my-gpt", messages: user("hi"), api_base: azure.endpoint, api_key: KEY, top_k: 5, ...extra });
    const err = await call({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParamsError);
    expect((err as Error).message).toContain('azure does not support the parameter "top_k"');
    expect(azure.requests).toEqual([]);

    const lines = await stderrOf(async () => {
      await call({ drop_params: true });
      const entry = await runtime({ model_list: [{ model_name: "az", litellm_params: { model: "azure/my-gpt", api_base: azure.endpoint, api_key: KEY, drop_params: true } }] });
      await entry.acompletion({ model: "az", messages: user("hi"), top_k: 5 });
      const setting = await runtime({
        model_list: [{ model_name: "az", litellm_params: { model: "azure/my-gpt", api_base: azure.endpoint, api_key: KEY } }],
        litellm_settings: { drop_params: true },
      });
      await setting.acompletion({ model: "az", messages: user("hi"), top_k: 5 });
      litellm.drop_params = true;
      await call({});
    });
    expect(azure.requests.map((r) => r.body)).toEqual([0, 1, 2, 3].map(() => ({ model: "my-gpt", messages: user("hi") })));
    expect(lines.filter((l) => l.includes('"top_k"') && l.includes("azure"))).toHaveLength(1);
  });

  it("the call's own drop_params: false wins over the setting", async () => {
    litellm.drop_params = true;
    const err = await acompletion({ model: "azure/my-gpt", messages: user("hi"), api_base: azure.endpoint, api_key: KEY, top_k: 5, drop_params: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParamsError);
  });

  it("Azure embeddings take OpenAI's embedding parameters only", async () => {
    const err = await aembedding({ model: "azure/emb", input: "hi", api_base: azure.endpoint, api_key: KEY, temperature: 0.5 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParamsError);
    expect(azure.requests).toEqual([]);
  });

  it("Anthropic: an OpenAI parameter it has no equivalent for is refused, or dropped with drop_params", async () => {
    const call = (extra: Record<string, unknown>) => acompletion({ model: "anthropic/claude-sonnet-4-5", messages: user("hi"), api_base: anthropic.url, api_key: KEY, logit_bias: { "1": 2 }, ...extra });
    const err = await call({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedParamsError);
    expect((err as Error).message).toContain('anthropic does not support the parameter "logit_bias"');
    expect(anthropic.requests).toEqual([]);
    const lines = await stderrOf(() => call({ drop_params: true, top_k: 2 }));
    expect(anthropic.requests[0]!.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: "hi" }], top_k: 2 });
    expect(lines.filter((l) => l.includes('"logit_bias"'))).toHaveLength(1);
  });

  it("a custom api_base gets unknown parameters as they are (vLLM and others take extras)", async () => {
    await acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, top_k: 5, repetition_penalty: 1.1 });
    await acompletion({ model: "openai_compatible/llama", messages: user("hi"), api_base: fake.url, guided_json: { type: "object" } });
    expect(fake.requests.map((r) => r.body)).toEqual([
      { model: "gpt-4o-mini", messages: user("hi"), top_k: 5, repetition_penalty: 1.1 },
      { model: "llama", messages: user("hi"), guided_json: { type: "object" } },
    ]);
  });
});
