// LiteLLM's router keys where LiteLLM's docs put them (litellm_settings), and the router_settings keys
// that used to be accepted and ignored: stream_timeout, default_litellm_params, model_group_alias.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import litellm, { createRuntime, startServer, Timeout, validateConfig, type InlineConfig } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useRuntimes, user } from "./support/kit.ts";
import { errorPayload } from "./support/openai-wire.ts";
import { collectUntilError } from "./support/streams.ts";

let fake: FakeOpenAI;
const runtime = useRuntimes();
const messages = user("route me");

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

const entry = (alias: string, model: string, extra: Record<string, unknown> = {}) => ({
  model_name: alias,
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-router-keys-123456", ...extra },
});

/** The models the upstream was asked for, in order. */
const asked = (): string[] => fake.requests.map((r) => r.body.model);

/** The call's error, or undefined when it answered. */
const failure = (work: Promise<unknown>): Promise<unknown> => work.then(() => undefined, (err: unknown) => err);

describe("router keys in litellm_settings", () => {
  it("num_retries: one more attempt per retry, across the alias's deployments", async () => {
    const model_list = [entry("flaky", "fail-503"), entry("flaky", "fail-500")];
    const none = await runtime({ model_list });
    await failure(none.acompletion({ model: "flaky", messages }));
    expect(fake.requests.length).toEqual(1);

    fake.reset();
    const one = await runtime({ model_list, litellm_settings: { num_retries: 1 } });
    await failure(one.acompletion({ model: "flaky", messages }));
    expect(asked().sort()).toEqual(["fail-500", "fail-503"]);
  });

  it("fallbacks: the next alias answers when the first fails", async () => {
    const rt = await runtime({
      model_list: [entry("primary", "fail-503"), entry("backup", "gpt-4o-mini")],
      litellm_settings: { fallbacks: [{ primary: ["backup"] }] },
    });
    const res = await rt.acompletion({ model: "primary", messages });
    expect(res.choices[0]!.message.content).toEqual("Echo: route me");
    expect(asked()).toEqual(["fail-503", "gpt-4o-mini"]);
  });

  it("context_window_fallbacks and content_policy_fallbacks: each for its own failure", async () => {
    const rt = await runtime({
      model_list: [entry("small", "gpt-4o-mini"), entry("large", "gpt-4o"), entry("lenient", "gpt-4.1")],
      litellm_settings: { context_window_fallbacks: [{ small: ["large"] }], content_policy_fallbacks: [{ small: ["lenient"] }] },
    });
    fake.queue({ status: 400, errorBody: JSON.stringify(errorPayload(400, "too long", "messages", "context_length_exceeded")) });
    await rt.acompletion({ model: "small", messages });
    expect(asked()).toEqual(["gpt-4o-mini", "gpt-4o"]);

    fake.reset();
    fake.queue({ status: 400, errorBody: JSON.stringify(errorPayload(400, "refused", null, "content_policy_violation")) });
    await rt.acompletion({ model: "small", messages });
    expect(asked()).toEqual(["gpt-4o-mini", "gpt-4.1"]);
  });

  it("allowed_fails and cooldown_time: a deployment past its failures is skipped", async () => {
    const rt = await runtime({
      model_list: [entry("pool", "fail-503"), entry("pool", "gpt-4o-mini")],
      litellm_settings: { allowed_fails: 0, cooldown_time: 60, num_retries: 1 },
    });
    for (let i = 0; i < 20; i++) await rt.acompletion({ model: "pool", messages });
    // Its first failure cools it down for a minute: it is never asked again (router defaults would allow 3 more).
    expect(asked().filter((m) => m === "fail-503").length).toEqual(1);
    expect(asked().filter((m) => m === "gpt-4o-mini").length).toEqual(20);
  });

  it("default_fallbacks: for every alias without fallbacks of its own, in either section", async () => {
    const model_list = [entry("a", "fail-503"), entry("b", "fail-500"), entry("backup", "gpt-4o-mini"), entry("other", "gpt-4.1")];
    for (const section of ["litellm_settings", "router_settings"] as const) {
      fake.reset();
      const rt = await runtime({ model_list, [section]: { default_fallbacks: ["backup"], fallbacks: [{ b: ["other"] }] } });
      await rt.acompletion({ model: "a", messages });
      await rt.acompletion({ model: "b", messages });
      expect(asked(), section).toEqual(["fail-503", "gpt-4o-mini", "fail-500", "gpt-4.1"]);
    }
  });

  it("are what runtime.settings.router holds", async () => {
    const rt = await runtime({
      model_list: [entry("m", "gpt-4o-mini")],
      litellm_settings: { num_retries: 2, allowed_fails: 1, cooldown_time: 9, fallbacks: [{ m: ["n"] }], default_fallbacks: ["n"] },
      router_settings: { retry_after: 0 },
    });
    const { num_retries, allowed_fails, cooldown_time, fallbacks, default_fallbacks } = rt.settings.router;
    expect({ num_retries, allowed_fails, cooldown_time, fallbacks, default_fallbacks }).toEqual({
      num_retries: 2,
      allowed_fails: 1,
      cooldown_time: 9,
      fallbacks: [{ m: ["n"] }],
      default_fallbacks: ["n"],
    });
  });
});

describe("a router key in both sections", () => {
  const config = (): InlineConfig => ({
    model_list: [entry("flaky", "fail-503"), entry("flaky", "fail-500")],
    litellm_settings: { num_retries: 1, fallbacks: [{ flaky: ["x"] }], cache: false },
    router_settings: { num_retries: 0, fallbacks: [] },
  });

  it("router_settings wins", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    let rt;
    try {
      rt = await runtime(config());
    } finally {
      spy.mockRestore();
    }
    await failure(rt.acompletion({ model: "flaky", messages }));
    expect(fake.requests.length).toEqual(1);
    expect(lines.filter((l) => l.includes("[CONFIG_SETTING_OVERRIDDEN]")).length).toEqual(1);
  });

  it("one warning names them all", async () => {
    const result = await validateConfig(config() as Record<string, unknown>);
    expect(result.valid).toEqual(true);
    expect(result.warnings.map((w) => [w.code, w.path, w.message])).toEqual([
      [
        "CONFIG_SETTING_OVERRIDDEN",
        "litellm_settings.num_retries",
        "litellm_settings.num_retries, litellm_settings.fallbacks are also set in router_settings, whose values apply: remove them from one of the two sections to silence this warning.",
      ],
    ]);
  });

  it("no warning when each section sets its own keys", async () => {
    const result = await validateConfig({ litellm_settings: { num_retries: 1 }, router_settings: { allowed_fails: 2 } });
    expect(result.warnings).toEqual([]);
  });
});

describe("litellm_settings.request_timeout", () => {
  it("times out a call that sets no timeout, while a deployment's own timeout wins", async () => {
    const rt = await runtime({
      model_list: [entry("slow", "slow-1500"), entry("patient", "slow-1500", { timeout: 30 })],
      litellm_settings: { request_timeout: 0.2 },
    });
    const err = await failure(rt.acompletion({ model: "slow", messages }));
    expect(err).toBeInstanceOf(Timeout);
    expect((err as Error).message).toContain("0.2 s");
    const res = await rt.acompletion({ model: "patient", messages });
    expect(res.choices[0]!.message.content).toEqual("Echo: route me");
  });

  it("litellm.request_timeout does the same for library calls", async () => {
    expect(litellm.request_timeout).toEqual(600);
    litellm.request_timeout = 0.2;
    try {
      const err = await failure(litellm.acompletion({ model: "openai/slow-1500", messages, api_base: fake.url, api_key: "sk-router-keys-123456" }));
      expect(err).toBeInstanceOf(Timeout);
    } finally {
      litellm.request_timeout = 600;
    }
    expect(() => (litellm.request_timeout = 0)).toThrow(TypeError);
  });
});

describe("router_settings.stream_timeout", () => {
  it("bounds every deployment's streams unless its own stream_timeout says otherwise; plain calls keep timeout", async () => {
    const rt = await runtime({
      model_list: [entry("m", "slow-1500"), entry("own", "slow-1500", { stream_timeout: 30 })],
      router_settings: { stream_timeout: 0.2, timeout: 30 },
    });
    const plain = await rt.acompletion({ model: "m", messages });
    expect(plain.choices[0]!.message.content).toEqual("Echo: route me");
    const stream = await rt.acompletion({ model: "m", messages, stream: true }).then(collectUntilError, (e: unknown) => ({ chunks: [], error: e }));
    expect(stream.error).toBeInstanceOf(Timeout);
    expect((stream.error as Error).message).toContain("0.2 s");
    const own = await collectUntilError(await rt.acompletion({ model: "own", messages, stream: true }));
    expect(own.error).toEqual(undefined);
  });
});

describe("router_settings.default_litellm_params", () => {
  it("reaches every call's body over the deployment's own litellm_params, as in LiteLLM's router; the call's own win", async () => {
    const rt = await runtime({
      model_list: [entry("plain", "gpt-4o-mini"), entry("tuned", "gpt-4o", { temperature: 0.9 })],
      router_settings: { default_litellm_params: { temperature: 0.3, max_tokens: 7, api_key: "sk-not-taken" } },
    });
    await rt.acompletion({ model: "plain", messages });
    await rt.acompletion({ model: "tuned", messages });
    await rt.acompletion({ model: "plain", messages, temperature: 0.1 });
    expect(fake.requests.map((r) => [r.body.temperature, r.body.max_tokens])).toEqual([
      [0.3, 7],
      [0.3, 7],
      [0.1, 7],
    ]);
    // A key that says where a call goes is not taken from here.
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual(Array(3).fill("Bearer sk-router-keys-123456"));
  });

  it("reaches a call of a config without model_list", async () => {
    const rt = await runtime({ router_settings: { default_litellm_params: { temperature: 0.4 } } });
    await rt.acompletion({ model: "openai/gpt-4o-mini", messages, api_base: fake.url, api_key: "sk-router-keys-123456" });
    expect(fake.requests.map((r) => r.body.temperature)).toEqual([0.4]);
  });
});

describe("router_settings.model_group_alias", () => {
  const config = (): InlineConfig => ({
    model_list: [entry("gpt-4o", "gpt-4o"), entry("backup", "gpt-4o-mini"), entry("legacy", "gpt-3.5-turbo")],
    router_settings: { model_group_alias: { "gpt-4": "gpt-4o", legacy: { model: "backup", hidden: true } } },
  });

  it("a call to the name goes to the alias it names, even over an entry of that name", async () => {
    const rt = await runtime(config());
    await rt.acompletion({ model: "gpt-4", messages });
    await rt.acompletion({ model: "legacy", messages });
    expect(asked()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(rt.models()).toEqual(["gpt-4o", "backup", "legacy", "gpt-4"]);
  });

  it("takes the alias's fallbacks", async () => {
    const rt = await runtime({
      model_list: [entry("broken", "fail-503"), entry("backup", "gpt-4o-mini")],
      router_settings: { model_group_alias: { old: "broken" }, fallbacks: [{ broken: ["backup"] }] },
    });
    await rt.acompletion({ model: "old", messages });
    expect(asked()).toEqual(["fail-503", "gpt-4o-mini"]);
  });

  it("an alias no entry serves is a config error", async () => {
    const result = await validateConfig({ model_list: [entry("gpt-4o", "gpt-4o")], router_settings: { model_group_alias: { "gpt-4": "gtp-4o" } } });
    expect(result.errors.map((e) => [e.code, e.path, e.message, e.suggestion])).toEqual([
      ["CONFIG_INVALID_VALUE", "router_settings.model_group_alias.gpt-4", '"gpt-4" routes to "gtp-4o", which no model_list entry serves (its model_names: "gpt-4o").', "gpt-4o"],
    ]);
  });

  it("the server serves the names and lists those not hidden", async () => {
    const rt = await createRuntime({ config: config() });
    const server = await startServer(rt, { port: 0 });
    try {
      const list = (await (await fetch(`${server.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
      expect(list.data.map((m) => m.id)).toEqual(["gpt-4o", "backup", "gpt-4"]);
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "legacy", messages }),
      });
      expect(res.status).toEqual(200);
      expect(asked()).toEqual(["gpt-4o-mini"]);
    } finally {
      await server.close(1000);
      await rt.close();
    }
  });
});
