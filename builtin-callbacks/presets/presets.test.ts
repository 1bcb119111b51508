// LiteLLM's callback names served here: the OTLP presets' resolved options, generic_api over webhook, and the
// error for a name LiteLLM has and this runtime does not.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { builtinNames, createBuiltin, isBuiltin } from "../../core/callbacks/builtins.ts";
import { ConfigError, InvalidCallbackError } from "../../core/errors.ts";
import { createRuntime, type Runtime } from "../../core/index.ts";
import { startFakeCollector, type FakeCollector } from "../../test/support/fake-collector.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../../test/support/otlp-receiver.ts";
import "../index.ts";
import { genericApiOptions } from "./generic-api.ts";
import { presetOptions } from "./otel-presets.ts";

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
const LANGFUSE_KEYS = { LANGFUSE_PUBLIC_KEY: "pk-lf-1", LANGFUSE_SECRET_KEY: "sk-lf-2" };

describe("presetOptions: the otel options each LiteLLM name stands for", () => {
  it.each([
    // [name, callback_settings.<name>, environment, resolved otel options]
    ["langfuse_otel: keys only, LiteLLM's default (Langfuse US cloud)", "langfuse_otel", {}, LANGFUSE_KEYS,
      { endpoint: "https://us.cloud.langfuse.com/api/public/otel", headers: { Authorization: basic("pk-lf-1", "sk-lf-2") }, attribute_style: "langfuse" }],
    ["langfuse: keys only, the Langfuse SDK's default (EU cloud)", "langfuse", {}, LANGFUSE_KEYS,
      { endpoint: "https://cloud.langfuse.com/api/public/otel", headers: { Authorization: basic("pk-lf-1", "sk-lf-2") }, attribute_style: "langfuse" }],
    ["langfuse_otel: LANGFUSE_OTEL_HOST before LANGFUSE_HOST", "langfuse_otel", {}, { ...LANGFUSE_KEYS, LANGFUSE_OTEL_HOST: "https://otel.example.com/", LANGFUSE_HOST: "https://ui.example.com" },
      { endpoint: "https://otel.example.com/api/public/otel", headers: { Authorization: basic("pk-lf-1", "sk-lf-2") }, attribute_style: "langfuse" }],
    ["langfuse: a host without a scheme", "langfuse", {}, { ...LANGFUSE_KEYS, LANGFUSE_HOST: "langfuse.internal:3000" },
      { endpoint: "http://langfuse.internal:3000/api/public/otel", headers: { Authorization: basic("pk-lf-1", "sk-lf-2") }, attribute_style: "langfuse" }],
    ["langfuse: callback_settings win over the variables; otel's own options pass through", "langfuse",
      { host: "https://lf.example.com", public_key: "pk-cfg", secret_key: "sk-cfg", headers: { "x-extra": "1" }, service_name: "svc", sample_rate: 0.5, capture_content: false, protocol: "http/json" },
      { ...LANGFUSE_KEYS, LANGFUSE_HOST: "https://ignored.example.com" },
      { endpoint: "https://lf.example.com/api/public/otel", headers: { Authorization: basic("pk-cfg", "sk-cfg"), "x-extra": "1" }, attribute_style: "langfuse", service_name: "svc", sample_rate: 0.5, capture_content: false, protocol: "http/json" }],
    ["langfuse: an Authorization header of its own needs no keys", "langfuse", { endpoint: "https://gw.example.com/otel", headers: { authorization: "Bearer t" } }, {},
      { endpoint: "https://gw.example.com/otel", headers: { authorization: "Bearer t" }, attribute_style: "langfuse" }],
    ["arize_phoenix: nothing set is a local Phoenix", "arize_phoenix", {}, {},
      { endpoint: "http://localhost:6006/v1/traces", attribute_style: "openinference" }],
    ["arize_phoenix: the HTTP endpoint before the other, and the key as a bearer token", "arize_phoenix", {},
      { PHOENIX_COLLECTOR_HTTP_ENDPOINT: "https://app.phoenix.arize.com/s/team/v1/traces", PHOENIX_COLLECTOR_ENDPOINT: "http://other:6006", PHOENIX_API_KEY: "px-key" },
      { endpoint: "https://app.phoenix.arize.com/s/team/v1/traces", headers: { Authorization: "Bearer px-key" }, attribute_style: "openinference" }],
    ["arize_phoenix: /v1/traces added as LiteLLM adds it", "arize_phoenix", {}, { PHOENIX_COLLECTOR_ENDPOINT: "http://phoenix:6006/v1" },
      { endpoint: "http://phoenix:6006/v1/traces", attribute_style: "openinference" }],
    ["arize_phoenix: options win", "arize_phoenix", { endpoint: "http://mine:6006/", api_key: "cfg-key" }, { PHOENIX_COLLECTOR_HTTP_ENDPOINT: "http://env:6006", PHOENIX_API_KEY: "env-key" },
      { endpoint: "http://mine:6006/v1/traces", headers: { Authorization: "Bearer cfg-key" }, attribute_style: "openinference" }],
    ["arize_phoenix: PHOENIX_PROJECT_NAME as the resource's openinference.project.name", "arize_phoenix", { resource_attributes: { team: "search" } }, { PHOENIX_PROJECT_NAME: "litellm" },
      { endpoint: "http://localhost:6006/v1/traces", attribute_style: "openinference", resource_attributes: { "openinference.project.name": "litellm", team: "search" } }],
    ["traceloop: the API key to Traceloop's cloud", "traceloop", {}, { TRACELOOP_API_KEY: "tl-key" },
      { endpoint: "https://api.traceloop.com", headers: { Authorization: "Bearer tl-key" }, attribute_style: "traceloop" }],
    ["traceloop: TRACELOOP_HEADERS replace the key (as the SDK does), percent-decoded; TRACELOOP_TRACE_CONTENT=false", "traceloop", {},
      { TRACELOOP_BASE_URL: "https://otlp.example.com:443/", TRACELOOP_HEADERS: "api-key=a%20b,x-team=t=1", TRACELOOP_API_KEY: "unused", TRACELOOP_TRACE_CONTENT: "false" },
      { endpoint: "https://otlp.example.com:443", headers: { "api-key": "a b", "x-team": "t=1" }, attribute_style: "traceloop", capture_content: false }],
    ["traceloop: an own collector needs no key", "traceloop", {}, { TRACELOOP_BASE_URL: "http://collector:4318" },
      { endpoint: "http://collector:4318", attribute_style: "traceloop" }],
  ] as const)("%s", (_title, name, options, env, expected) => {
    expect(presetOptions(name, { ...options }, env)).toEqual(expected);
  });

  it.each([
    ["langfuse", {}, {}, /LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY not set.*callback_settings\.langfuse\.public_key/],
    ["langfuse_otel", {}, { LANGFUSE_PUBLIC_KEY: "pk" }, /langfuse_otel: LANGFUSE_SECRET_KEY not set/],
    ["arize_phoenix", {}, { PHOENIX_COLLECTOR_ENDPOINT: "https://app.phoenix.arize.com/s/team" }, /PHOENIX_API_KEY not set; Phoenix Cloud/],
    ["arize_phoenix", {}, { PHOENIX_COLLECTOR_ENDPOINT: "grpc://phoenix:4317" }, /gRPC collector address; this runtime sends OTLP over HTTP only/],
    ["traceloop", {}, {}, /TRACELOOP_API_KEY not set/],
    ["langfuse", { public_key: 7 }, LANGFUSE_KEYS, /callback_settings\.langfuse\.public_key must be a non-empty string/],
  ] as const)("%s with %j and %j is a clear InvalidCallbackError", (name, options, env, message) => {
    let err: unknown;
    try {
      presetOptions(name, { ...options }, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidCallbackError);
    expect((err as Error).message).toMatch(message);
  });

  it("never writes a key into a message", () => {
    expect(() => presetOptions("langfuse", {}, { LANGFUSE_PUBLIC_KEY: "pk-secret-value" })).toThrow(/^(?!.*pk-secret-value)/s);
  });
});

describe("the names are built-ins", () => {
  it("registers langfuse, langfuse_otel, arize_phoenix, traceloop and generic_api", () => {
    expect(builtinNames()).toEqual(expect.arrayContaining(["langfuse", "langfuse_otel", "arize_phoenix", "traceloop", "generic_api"]));
  });

});

describe("generic_api: LiteLLM's name for webhook", () => {
  it("reads GENERIC_LOGGER_ENDPOINT and GENERIC_LOGGER_HEADERS, and batches into arrays as LiteLLM does", () => {
    expect(genericApiOptions({}, { GENERIC_LOGGER_ENDPOINT: "https://logs.example.com/in", GENERIC_LOGGER_HEADERS: "Authorization=Bearer t=1, X-Team = search,junk" })).toEqual({
      url: "https://logs.example.com/in",
      headers: { Authorization: "Bearer t=1", "X-Team": "search" },
      batch_size: 100,
    });
  });

  it("takes url or LiteLLM's endpoint from callback_settings over the variable; headers merge key by key", () => {
    const env = { GENERIC_LOGGER_ENDPOINT: "https://env.example.com", GENERIC_LOGGER_HEADERS: "Authorization=Bearer env,X-Env=1" };
    expect(genericApiOptions({ endpoint: "https://cfg.example.com", headers: { Authorization: "Bearer cfg" }, log_format: "single", max_retries: 0 }, env)).toEqual({
      url: "https://cfg.example.com",
      headers: { Authorization: "Bearer cfg", "X-Env": "1" },
      batch_size: 1,
      max_retries: 0,
    });
    expect(genericApiOptions({ url: "https://url.example.com", batch_size: 5 }, env)).toMatchObject({ url: "https://url.example.com", batch_size: 5 });
  });

  it("without an endpoint, names the variable to set; ndjson is refused", () => {
    expect(() => genericApiOptions({}, {})).toThrow(/generic_api: no endpoint\. Export GENERIC_LOGGER_ENDPOINT .* callback_settings\.generic_api\.url/);
    expect(() => genericApiOptions({ log_format: "ndjson" }, { GENERIC_LOGGER_ENDPOINT: "https://x.example.com" })).toThrow(/log_format "ndjson" is not supported/);
  });

  describe("through a runtime, to a loopback collector", () => {
    let collector: FakeCollector;
    let rt: Runtime | undefined;
    beforeEach(async () => {
      collector = await startFakeCollector();
    });
    afterEach(async () => {
      await rt?.close();
      rt = undefined;
      await collector.close();
    });

    it("posts the standard records as a JSON array with the variable's headers", async () => {
      rt = await createRuntime({
        config: {
          model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "hi" } }],
          litellm_settings: { success_callback: ["generic_api"] },
          environment_variables: { GENERIC_LOGGER_ENDPOINT: collector.url, GENERIC_LOGGER_HEADERS: "Authorization=Bearer from-env" },
        },
      });
      await rt.acompletion({ model: "m", messages: [{ role: "user", content: "Hello" }] });
      await rt.flush();
      expect(collector.bodies).toHaveLength(1);
      expect(Array.isArray(collector.bodies[0])).toBe(true);
      expect(collector.events[0]).toMatchObject({ status: "success", model_group: "m" });
      expect(collector.requests[0]!.headers.authorization).toBe("Bearer from-env");
    });
  });
});

describe("a callback name LiteLLM has and this runtime does not", () => {
  const dir = resolve(import.meta.dirname, "../../test/fixtures/callbacks-error-litellm-only");
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { errors: Array<{ path: string; code: string; line: number; message: string[] }> };

  it("is a config error at its place, saying LiteLLM has it and how to reach it (the runtime's loader, a real file)", async () => {
    const file = join(dir, "litellm.config.yaml");
    const err = await createRuntime({ config: file }).then(
      async (r) => {
        await r.close();
        return expect.unreachable("the config should not load");
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.map(({ code, path, line, file: f }) => ({ code, path, line, file: f }))).toEqual(
      expected.errors.map(({ code, path, line }) => ({ code, path, line, file })),
    );
    expected.errors.forEach((want, i) => {
      for (const part of want.message) expect(issues[i]!.message).toContain(part);
    });
  });

  it("named in code, the same words", () => {
    expect(() => createBuiltin("langsmith")).toThrow(/"langsmith" is not a built-in callback\. LiteLLM has "langsmith"; this runtime does not\. To reach it: it takes OpenTelemetry traces/);
  });

  it("a name LiteLLM does not have keeps the plain message", () => {
    expect(() => createBuiltin("no_such_tool")).toThrow(/"no_such_tool" is not a built-in callback\. Built-ins: /);
  });
});

describe("end to end: langfuse through the otel built-in to a loopback OTLP receiver", () => {
  let receiver: OtlpReceiver;
  let rt: Runtime | undefined;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await receiver.close();
  });

  it("sends the call's spans to LANGFUSE_HOST/api/public/otel/v1/traces with the keys as Basic auth", async () => {
    rt = await createRuntime({
      config: {
        model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "hi" } }],
        litellm_settings: { callbacks: ["langfuse"] },
        environment_variables: { LANGFUSE_HOST: receiver.url, ...LANGFUSE_KEYS },
      },
    });
    await rt.acompletion({ model: "m", messages: [{ role: "user", content: "Hello" }] });
    await rt.flush();
    const spans = await receiver.waitForSpans(1);
    expect(spans.length).toBeGreaterThanOrEqual(1);
    const post = receiver.requests.find((r) => r.status === 200)!;
    expect(post.path).toBe("/api/public/otel/v1/traces");
    expect(post.headers.authorization).toBe(basic("pk-lf-1", "sk-lf-2"));
  });
});
