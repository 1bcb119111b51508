import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startServer, type RunningServer } from "../core/server/index.ts";
import litellm, { acompletion, BadRequestError, type InlineConfig } from "../core/index.ts";
import { startFakeAnthropic, type FakeAnthropic } from "./support/fake-anthropic.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { Recorder, resetLitellm, useRuntimes, user } from "./support/kit.ts";

// Wildcard model_list entries, as LiteLLM's router matches them, and a config runtime that answers nothing else.

const OPENAI_KEY = "sk-openai-wildcard-0123456789";
const ANTHROPIC_KEY = "sk-ant-wildcard-0123456789";

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let rec: Recorder;
const runtime = useRuntimes();

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});
beforeEach(() => {
  rec = new Recorder({ events: ["success"] });
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  vi.unstubAllEnvs();
  openai.reset();
  anthropic.reset();
});

/** `"*"` to OpenAI, `anthropic/*` and bare `claude-*` names to Anthropic, and one explicit alias that wins over both. */
function wildcards(): InlineConfig {
  return {
    model_list: [
      { model_name: "*", litellm_params: { model: "openai/*", api_base: openai.url, api_key: OPENAI_KEY } },
      { model_name: "anthropic/*", litellm_params: { model: "anthropic/*", api_base: anthropic.url, api_key: ANTHROPIC_KEY } },
      { model_name: "claude-*", litellm_params: { model: "anthropic/claude-*", api_base: anthropic.url, api_key: ANTHROPIC_KEY } },
      { model_name: "gpt-4o", litellm_params: { model: "mock/gpt-4o", mock_response: "explicit entry" } },
    ],
  } as InlineConfig;
}

/** Where each upstream was asked, as (path, model) pairs. */
const sent = () => ({
  openai: openai.requests.map((r) => [r.path, r.body.model]),
  anthropic: anthropic.requests.map((r) => [r.path, r.body.model]),
});

describe("wildcard entries", () => {
  it("send any name to the covering entry's provider under that name; the most specific pattern wins; explicit entries win", async () => {
    const rt = await runtime(wildcards());
    const answers = [];
    for (const model of ["gpt-4o-mini", "claude-3-5-haiku", "anthropic/claude-3-5-haiku", "gpt-4o"]) {
      const res = await rt.acompletion({ model, messages: user("hi") });
      answers.push([model, res._hidden_params.custom_llm_provider, res.choices[0]!.message.content]);
    }
    expect(sent()).toEqual({
      openai: [["/v1/chat/completions", "gpt-4o-mini"]],
      anthropic: [
        ["/v1/messages", "claude-3-5-haiku"],
        ["/v1/messages", "claude-3-5-haiku"],
      ],
    });
    expect(answers.map(([model, provider]) => [model, provider])).toEqual([
      ["gpt-4o-mini", "openai"],
      ["claude-3-5-haiku", "anthropic"],
      ["anthropic/claude-3-5-haiku", "anthropic"],
      ["gpt-4o", "mock"],
    ]);
    expect(answers[3]![2]).toEqual("explicit entry");
    expect(openai.requests[0]!.headers.authorization).toEqual(`Bearer ${OPENAI_KEY}`);
  });

  it("callbacks see model_group as the name asked for and the deployment as the model it became, as LiteLLM's router writes them", async () => {
    const rt = await runtime(wildcards());
    await rt.acompletion({ model: "anthropic/claude-3-5-haiku", messages: user("hi") });
    await rt.acompletion({ model: "gpt-4o-mini", messages: user("hi") });
    await rt.flush();
    const seen = rec.of("success").map((e) => {
      const md = e.kwargs.litellm_params.metadata as Record<string, unknown>;
      return { model_group: md.model_group, deployment: md.deployment, provider: e.kwargs.litellm_params.custom_llm_provider };
    });
    expect(seen).toEqual([
      { model_group: "anthropic/claude-3-5-haiku", deployment: "anthropic/claude-3-5-haiku", provider: "anthropic" },
      { model_group: "gpt-4o-mini", deployment: "openai/gpt-4o-mini", provider: "openai" },
    ]);
  });

  it("a fallback may name a model only a wildcard covers", async () => {
    const rt = await runtime({
      ...wildcards(),
      router_settings: { fallbacks: [{ "claude-3-5-haiku": ["gpt-4o-mini"] }] },
    } as InlineConfig);
    anthropic.set({ status: 500 });
    const res = await rt.acompletion({ model: "claude-3-5-haiku", messages: user("hi") });
    expect(res.choices[0]!.message.content).toEqual("Echo: hi");
    expect(sent().openai).toEqual([["/v1/chat/completions", "gpt-4o-mini"]]);
  });
});

describe("a config runtime answers only its entries", () => {
  const config = (): InlineConfig =>
    ({
      model_list: [
        { model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: openai.url } },
        { model_name: "claude", litellm_params: { model: "mock/claude", mock_response: "hi" } },
      ],
    }) as InlineConfig;

  it("a mistyped alias is a BadRequestError naming the aliases and the nearest, and nothing is sent", async () => {
    // The environment's key is there to be not used: a typo must not reach api.openai.com.
    vi.stubEnv("OPENAI_API_KEY", OPENAI_KEY);
    const rt = await runtime(config());
    for (const call of [() => rt.acompletion({ model: "gpt-4o-mni", messages: user("x") }), () => rt.aembedding({ model: "gpt-4o-mni", input: "x" })]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as Error).message).toEqual('invalid model name passed in model="gpt-4o-mni": this config serves: "gpt-4o-mini", "claude". Did you mean "gpt-4o-mini"?');
    }
    expect(openai.requests).toEqual([]);
    await rt.flush();
    expect(rec.events()).toEqual([]);
  });

  it("a provider-prefixed name is not served either; the process-wide acompletion still calls models directly", async () => {
    const rt = await runtime(config());
    await expect(rt.acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: openai.url })).rejects.toBeInstanceOf(BadRequestError);
    const res = await acompletion({ model: "openai/gpt-4o-mini", messages: user("x"), api_base: openai.url });
    expect(res.choices[0]!.message.content).toEqual("Echo: x");
    expect(sent().openai).toEqual([["/v1/chat/completions", "gpt-4o-mini"]]);
  });
});

describe("through the server", () => {
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    const { createRuntime } = await import("../core/config/runtime.ts");
    const rt = await createRuntime({ config: wildcards() });
    server = await startServer(rt, { port: 0 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
    onServerClose = async () => {
      await server.close(1000);
      await rt.close();
    };
  });
  let onServerClose: () => Promise<void> = async () => {};
  afterAll(() => onServerClose());

  it("serves names a wildcard covers, and lists the explicit aliases and the known models the wildcards cover", async () => {
    const res = await client.chat.completions.create({ model: "claude-3-5-haiku", messages: user("hi") });
    expect(res.choices[0]!.message.content).toEqual("Echo: hi");
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids[0]).toEqual("gpt-4o");
    expect(ids).toContain("gpt-4o-mini");
    expect(ids).toContain("anthropic/claude-sonnet-4-5");
    expect(ids).toContain("claude-sonnet-4-5");
    // Each name once, under the entry that answers it: no "openai/..." spelling, no claude name twice.
    expect(new Set(ids).size).toEqual(ids.length);
    expect(ids.filter((id) => id.startsWith("openai/"))).toEqual([]);
    expect(ids.filter((id) => id.includes("*"))).toEqual([]);
  });
});

describe("through the server, without wildcards", () => {
  it("an unknown model is the openai client's BadRequestError with the nearest alias", async () => {
    const { createRuntime } = await import("../core/config/runtime.ts");
    const rt = await createRuntime({ config: { model_list: [{ model_name: "demo", litellm_params: { model: "mock/demo" } }] } as InlineConfig });
    const server = await startServer(rt, { port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
      const err = await client.chat.completions.create({ model: "dmeo", messages: user("x") }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as Error).message).toContain('invalid model name passed in model="dmeo": this server serves: "demo". Did you mean "demo"?');
    } finally {
      await server.close(1000);
      await rt.close();
    }
  });
});
