// The config owns what changes answers, keys and cost: what a server's client may not set, the cache key, and values that go into URLs.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acompletion, ConfigError, createRuntime, InvalidParamsError, loadConfig, SERVER_ERROR_CODES, startServer, type InlineConfig, type RunningServer, type Runtime } from "../core/index.ts";
import { CLIENT_PARAM_RULES } from "../core/server/client-params.ts";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { tempDirForTest, user } from "./support/kit.ts";

const UPSTREAM_KEY = "sk-test-1234567890abcd";

let fake: FakeOpenAI;
let azure: FakeAzure;
const running: Array<{ server: RunningServer; rt: Runtime }> = [];

beforeAll(async () => {
  fake = await startFakeOpenAI({ content: "the real answer" });
  azure = await startFakeAzure();
});
afterEach(async () => {
  for (const { server, rt } of running.splice(0)) {
    await server.close(500);
    await rt.close();
  }
  fake.reset();
  fake.set({ content: "the real answer" });
  azure.reset();
});
afterAll(async () => {
  await fake.close();
  await azure.close();
});

/** A server over one cached upstream model ("real"), with `general` as its general_settings. */
async function serve(general: Record<string, unknown> = {}): Promise<RunningServer> {
  const config: InlineConfig = {
    model_list: [{ model_name: "real", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } }],
    litellm_settings: { cache: true, cache_params: { type: "local", namespace: `t${Math.random().toString(36).slice(2)}` } },
    general_settings: general,
  };
  const rt = await createRuntime({ config });
  const server = await startServer(rt, { port: 0 });
  running.push({ server, rt });
  return server;
}

async function post(server: RunningServer, body: unknown): Promise<{ status: number; body: any; hit: string | null }> {
  const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json(), hit: res.headers.get("x-litellm-cache-hit") };
}

/** A value of the right type for each forbidden parameter. */
const SAMPLE: Record<string, unknown> = {
  api_key: "sk-client",
  api_base: "http://127.0.0.1:9/v1",
  base_url: "http://127.0.0.1:9/v1",
  organization: "org-client",
  api_version: "2024-10-21",
  azure_ad_token: "token",
  mock_response: "a fake answer",
  mock_delay: 1,
  num_retries: 5,
  timeout: 10_000,
  stream_timeout: 10_000,
  callbacks: ["console"],
  input_callback: ["console"],
  success_callback: ["console"],
  failure_callback: ["console"],
  input_cost_per_token: 0,
  output_cost_per_token: 0,
  extra_headers: { "x-client": "1" },
  headers: { "x-client": "1" },
};

/** The request body that sets one rule's parameter. */
function setting(param: string): Record<string, unknown> {
  if (param === "cache.namespace") return { cache: { namespace: "someone-else" } };
  if (param === "cache.ttl") return { cache: { ttl: 10_000_000 } };
  return { [param]: SAMPLE[param] };
}

describe("what a client may not set", () => {
  it("each config-owned parameter is a 400 naming it, with the setting that allows it, and nothing goes upstream", async () => {
    const server = await serve();
    const answers = [];
    for (const rule of CLIENT_PARAM_RULES) {
      const res = await post(server, { model: "real", messages: user("hi"), ...setting(rule.param) });
      answers.push({ param: rule.param, status: res.status, code: res.body.error.code, named: res.body.error.param, fix: res.body.error.message.includes("general_settings.allow_client_side_credentials: true") });
    }
    expect(answers).toEqual(CLIENT_PARAM_RULES.map((r) => ({ param: r.param, status: 400, code: SERVER_ERROR_CODES.paramNotAllowed, named: r.param, fix: r.unless !== null })));
    expect(fake.requests).toHaveLength(0);
  });

  it("the issue's list is all in the table", () => {
    const listed = CLIENT_PARAM_RULES.map((r) => r.param);
    expect(listed).toEqual(expect.arrayContaining(["mock_response", "mock_delay", "api_key", "api_base", "organization", "api_version", "azure_ad_token", "num_retries", "timeout", "cache.namespace", "cache.ttl"]));
  });

  it("the cache controls a client keeps: no-cache, no-store, s-maxage", async () => {
    const server = await serve();
    const res = await post(server, { model: "real", messages: user("hi"), cache: { "no-cache": true, "no-store": true, "s-maxage": 5 } });
    expect(res.status).toBe(200);
  });

  it("allow_client_side_credentials hands over all but the callbacks and prices", async () => {
    const server = await serve({ allow_client_side_credentials: true });
    const served = await post(server, { model: "real", messages: user("hi"), mock_response: "mocked", mock_delay: 1, num_retries: 0, timeout: 30, cache: { namespace: "mine", ttl: 5 } });
    expect(served.status).toBe(200);
    expect(served.body.choices[0].message.content).toBe("mocked");
    const still = await post(server, { model: "real", messages: user("hi"), success_callback: ["console"] });
    expect({ status: still.status, param: still.body.error.param }).toEqual({ status: 400, param: "success_callback" });
  });
});

describe("the cache-poisoning sequence", () => {
  it("mock_response from a client is a 400", async () => {
    const server = await serve();
    const a = await post(server, { model: "real", messages: user("what is 2+2?"), mock_response: "5" });
    expect({ status: a.status, param: a.body.error.param }).toEqual({ status: 400, param: "mock_response" });
    const b = await post(server, { model: "real", messages: user("what is 2+2?") });
    expect({ status: b.status, content: b.body.choices[0].message.content, hit: b.hit }).toEqual({ status: 200, content: "the real answer", hit: "false" });
  });

  it("where allowed, a mocked answer is keyed apart: the next client gets the real answer, not a cache hit", async () => {
    const server = await serve({ allow_client_side_credentials: true });
    const a = await post(server, { model: "real", messages: user("what is 2+2?"), mock_response: "5" });
    expect({ status: a.status, content: a.body.choices[0].message.content }).toEqual({ status: 200, content: "5" });
    // Stored in the background: give it the time a cache write takes.
    await new Promise((r) => setTimeout(r, 20));
    const b = await post(server, { model: "real", messages: user("what is 2+2?") });
    expect({ content: b.body.choices[0].message.content, hit: b.hit }).toEqual({ content: "the real answer", hit: "false" });
    expect(fake.requests).toHaveLength(1);
    // The mocked answer is still cached, for the same mock only.
    const again = await post(server, { model: "real", messages: user("what is 2+2?"), mock_response: "5" });
    expect({ content: again.body.choices[0].message.content, hit: again.hit }).toEqual({ content: "5", hit: "true" });
  });

  it("a call sent to another api_base is keyed apart from the config's model", async () => {
    const other = await startFakeOpenAI({ content: "another server" });
    try {
      const server = await serve({ allow_client_side_credentials: true });
      // A call of the config's own first: the deployment's route, which later calls of their own must not take.
      const first = await post(server, { model: "real", messages: user("p") });
      const a = await post(server, { model: "real", messages: user("q"), api_base: other.url });
      await new Promise((r) => setTimeout(r, 20));
      const b = await post(server, { model: "real", messages: user("q") });
      expect([first.body.choices[0].message.content, a.body.choices[0].message.content, b.body.choices[0].message.content, b.hit]).toEqual([
        "the real answer",
        "another server",
        "the real answer",
        "false",
      ]);
    } finally {
      await other.close();
    }
  });
});

describe("values that go into a URL", () => {
  const call = (extra: Record<string, unknown>) => acompletion({ model: "azure/my-gpt", messages: user("hi"), api_base: azure.endpoint, api_key: UPSTREAM_KEY, ...extra });

  it("an api_version with '&', '?', '/' or a line break is rejected before anything is sent", async () => {
    for (const api_version of ["2024-10-21&api-key=x", "2024-10-21\nX-Injected: 1", "../../x", "2024-10-21?a=b", " 2024-10-21"]) {
      const err = await call({ api_version }).catch((e: unknown) => e);
      expect(err, api_version).toBeInstanceOf(InvalidParamsError);
      expect((err as Error).message).toContain("is not an API version");
    }
    expect(azure.requests).toHaveLength(0);
  });

  it("a valid api_version and the deployment name are sent escaped, as one query value and one path segment", async () => {
    await call({ api_version: "2024-08-01-preview" });
    await acompletion({ model: "azure/dep?x=1&y", messages: user("hi"), api_base: azure.endpoint, api_key: UPSTREAM_KEY });
    expect(azure.requests.map((r) => ({ path: r.path, deployment: r.deployment, query: r.query }))).toEqual([
      { path: "/openai/deployments/my-gpt/chat/completions", deployment: "my-gpt", query: { "api-version": "2024-08-01-preview" } },
      { path: "/openai/deployments/dep%3Fx%3D1%26y/chat/completions", deployment: "dep?x=1&y", query: { "api-version": "2024-10-21" } },
    ]);
  });

  it("a deployment named '..' is rejected: it would climb out of the path", async () => {
    await expect(acompletion({ model: "azure/..", messages: user("hi"), api_base: azure.endpoint, api_key: UPSTREAM_KEY })).rejects.toBeInstanceOf(InvalidParamsError);
    expect(azure.requests).toHaveLength(0);
  });

  it("from the config, a bad api_version is a config error at load, with its path", async () => {
    const file = join(await tempDirForTest("litellm-apiversion-"), "litellm.config.yaml");
    await writeFile(file, `model_list:\n  - model_name: a\n    litellm_params:\n      model: azure/my-gpt\n      api_version: "2024-10-21&x=1"\n`);
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]).toMatchObject({ path: "model_list[0].litellm_params.api_version", line: 5 });
  });

  it("from a client allowed to set it, a bad api_version is a 400 from the call", async () => {
    const rt = await createRuntime({
      config: {
        model_list: [{ model_name: "az", litellm_params: { model: "azure/my-gpt", api_base: azure.endpoint, api_key: UPSTREAM_KEY } }],
        general_settings: { allow_client_side_credentials: true },
      },
    });
    const server = await startServer(rt, { port: 0 });
    running.push({ server, rt });
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "az", messages: user("hi"), api_version: "1&x=2" }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("is not an API version");
    expect(azure.requests).toHaveLength(0);
  });
});
