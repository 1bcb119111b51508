// kwargs.standard_logging_object is LiteLLM's StandardLoggingPayload (litellm/types/utils.py), key for key, built as
// litellm_logging.py's get_standard_logging_object_payload builds it; and the kwargs fields it is built from.
// Ported where they apply from tests/logging_callback_tests/test_standard_logging_payload.py and
// tests/local_testing/test_custom_callback_input.py (BerriAI/litellm, MIT). Upstreams are fakes on loopback.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import litellm, {
  completion_cost,
  cost_per_token,
  createRuntime,
  startServer,
  type CallbackKwargs,
  type InlineConfig,
  type Runtime,
  type StandardLoggingHiddenParams,
  type StandardLoggingMetadata,
  type StandardLoggingPayload,
} from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { Recorder, resetLitellm, useTempDir, user } from "./support/kit.ts";

type Check = (v: unknown) => boolean;
const isStr: Check = (v) => typeof v === "string";
const isNum: Check = (v) => typeof v === "number" && Number.isFinite(v);
const isInt: Check = (v) => Number.isInteger(v);
const isBool: Check = (v) => typeof v === "boolean";
const isList: Check = (v) => Array.isArray(v);
const isDict: Check = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const orNull = (check: Check): Check => (v) => v === null || check(v);
const either = (...checks: Check[]): Check => (v) => checks.some((c) => c(v));

/**
 * Every key of LiteLLM's StandardLoggingPayload with its LiteLLM type (Optional[x] is "or null"), plus our two
 * extras. A Record over the type's keys: a key added to the type without a check here does not compile.
 */
const PAYLOAD: Record<keyof StandardLoggingPayload, Check> = {
  id: isStr,
  trace_id: isStr,
  litellm_call_id: orNull(isStr),
  call_type: isStr,
  stream: (v) => v === true || v === null,
  response_cost: isNum,
  cost_breakdown: orNull(isDict),
  response_cost_failure_debug_info: orNull(isDict),
  status: (v) => v === "success" || v === "failure",
  status_fields: isDict,
  custom_llm_provider: orNull(isStr),
  total_tokens: isInt,
  prompt_tokens: isInt,
  completion_tokens: isInt,
  startTime: isNum,
  endTime: isNum,
  completionStartTime: isNum,
  response_time: isNum,
  model_map_information: isDict,
  model: isStr,
  model_id: orNull(isStr),
  model_group: orNull(isStr),
  api_base: isStr,
  metadata: isDict,
  cache_hit: orNull(isBool),
  cache_key: orNull(isStr),
  saved_cache_cost: isNum,
  request_tags: isList,
  end_user: orNull(isStr),
  requester_ip_address: orNull(isStr),
  user_agent: orNull(isStr),
  messages: orNull(either(isStr, isList, isDict)),
  response: orNull(either(isStr, isList, isDict)),
  error_str: orNull(isStr),
  error_information: orNull(isDict),
  model_parameters: isDict,
  hidden_params: isDict,
  guardrail_information: orNull(isList),
  standard_built_in_tools_params: orNull(isDict),
  stream_aborted: isBool,
  cache_enabled: isBool,
};

/** LiteLLM's StandardLoggingMetadata: every key always present (test_get_standard_logging_metadata's all_fields_present). */
const METADATA_KEYS: Record<keyof StandardLoggingMetadata, true> = {
  user_api_key_hash: true, user_api_key_alias: true, user_api_key_spend: true, user_api_key_max_budget: true, user_api_key_budget_reset_at: true,
  user_api_key_user_spend: true, user_api_key_user_max_budget: true, user_api_key_team_spend: true, user_api_key_team_max_budget: true,
  user_api_key_org_id: true, user_api_key_org_alias: true, user_api_key_team_id: true, user_api_key_project_id: true, user_api_key_project_alias: true,
  user_api_key_user_id: true, user_api_key_user_email: true, user_api_key_team_alias: true, user_api_key_end_user_id: true,
  user_api_key_request_route: true, user_api_key_auth_metadata: true, spend_logs_metadata: true, requester_ip_address: true, user_agent: true,
  requester_metadata: true, requester_custom_headers: true, prompt_management_metadata: true, mcp_tool_call_metadata: true,
  vector_store_request_metadata: true, applied_guardrails: true, usage_object: true, cold_storage_object_key: true, team_alias: true, team_id: true,
};

/** LiteLLM's StandardLoggingHiddenParams (test_get_hidden_params: every field present). */
const HIDDEN_KEYS: Record<keyof StandardLoggingHiddenParams, true> = {
  model_id: true, cache_key: true, api_base: true, response_cost: true, litellm_overhead_time_ms: true,
  additional_headers: true, batch_models: true, litellm_model_name: true, usage_object: true,
};

/** The keys whose value fails its LiteLLM type, with the value: [] when the record is LiteLLM's. */
function typeErrors(record: Record<string, unknown>): string[] {
  const wrong = Object.entries(PAYLOAD)
    .filter(([key, ok]) => !(key in record) || !ok(record[key]))
    .map(([key]) => `${key} = ${JSON.stringify(record[key])}`);
  const missing = [
    ...Object.keys(METADATA_KEYS).filter((k) => !(k in (record.metadata as object))).map((k) => `metadata.${k} missing`),
    ...Object.keys(HIDDEN_KEYS).filter((k) => !(k in (record.hidden_params as object))).map((k) => `hidden_params.${k} missing`),
    ...["model_map_key", "model_map_value"].filter((k) => !(k in (record.model_map_information as object))).map((k) => `model_map_information.${k} missing`),
  ];
  return [...wrong, ...missing];
}

const RATE_HEADERS = {
  "x-ratelimit-limit-requests": "2000",
  "x-ratelimit-remaining-requests": "1999",
  "x-ratelimit-limit-tokens": "160000",
  "x-ratelimit-remaining-tokens": "159000",
  // Not a whole number: LiteLLM's int() leaves it out.
  "x-ratelimit-reset-requests": "6m0s",
};
const LOGGED_RATE_HEADERS = { x_ratelimit_limit_requests: 2000, x_ratelimit_remaining_requests: 1999, x_ratelimit_limit_tokens: 160000, x_ratelimit_remaining_tokens: 159000 };

let fake: FakeOpenAI;
const runtimes: Runtime[] = [];
const tmp = useTempDir("litellm-payload-");

beforeAll(async () => {
  fake = await startFakeOpenAI({ content: "Hello from the fake upstream", usage: { prompt_tokens: 9, completion_tokens: 6 } });
});
afterAll(() => fake.close());
afterEach(async () => {
  resetLitellm();
  litellm.turn_off_message_logging = false;
  fake.reset();
  fake.set({ content: "Hello from the fake upstream", usage: { prompt_tokens: 9, completion_tokens: 6 } });
  for (const r of runtimes.splice(0)) await r.close();
});

/** A runtime whose alias `chat` is openai/gpt-4o-mini on the fake upstream, with a recorder in its callbacks. */
async function runtime(extra: Partial<InlineConfig> = {}, recorder = new Recorder()): Promise<{ rt: Runtime; rec: Recorder }> {
  const rt = await createRuntime({
    cwd: tmp.path,
    config: {
      model_list: [
        { model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: "sk-test-payload-1234" } },
        { model_name: "embedder", litellm_params: { model: "openai/text-embedding-3-small", api_base: fake.url, api_key: "sk-test-payload-1234" } },
      ],
      ...extra,
      litellm_settings: { callbacks: [recorder], ...extra.litellm_settings },
    },
  });
  runtimes.push(rt);
  return { rt, rec: recorder };
}

const record = (k: CallbackKwargs) => k.standard_logging_object as StandardLoggingPayload;

describe("a success", () => {
  it("has every key with LiteLLM's type; id is the response's; the deployment is the model and the alias model_group", async () => {
    fake.set({ content: "Hello", usage: { prompt_tokens: 9, completion_tokens: 6 }, headers: RATE_HEADERS });
    const { rt, rec } = await runtime();
    const res = await rt.acompletion({ model: "chat", messages: user("hi"), temperature: 0.2, top_k: 5, metadata: { tags: ["a", "b"], team: "search" } });
    await rt.flush();
    const { kwargs } = rec.last("success");
    const r = record(kwargs);
    expect(typeErrors(r as never)).toEqual([]);
    expect(JSON.parse(JSON.stringify(r))).toEqual(JSON.parse(JSON.stringify(r)));

    expect(r.id).toBe(res.id);
    expect(r.litellm_call_id).toBe(kwargs.litellm_call_id);
    expect(r.trace_id).toBe(kwargs.litellm_trace_id);
    expect(r).toMatchObject({ status: "success", call_type: "acompletion", stream: null, custom_llm_provider: "openai", cache_hit: false, saved_cache_cost: 0 });
    expect(r.status_fields).toEqual({ llm_api_status: "success", guardrail_status: "not_run" });
    // LiteLLM's model: the router's provider-prefixed deployment; kwargs.model is it without the provider.
    expect([r.model, r.model_group, kwargs.model, kwargs.litellm_params.model_group]).toEqual(["openai/gpt-4o-mini", "chat", "gpt-4o-mini", "chat"]);
    expect(r.model_id).toMatch(/^[0-9a-f]{64}$/);
    expect(r.model_id).toBe(kwargs.litellm_params.model_info!.id);
    expect(r.api_base).toBe(fake.url);
    expect([r.prompt_tokens, r.completion_tokens, r.total_tokens]).toEqual([9, 6, 15]);
    expect(r.response_time).toBeCloseTo(r.endTime - r.startTime, 9);
    expect(r.completionStartTime).toBe(r.endTime);
    expect(r.request_tags).toEqual(["a", "b"]);
    expect(r.end_user).toBe("");
    // Only OpenAI's request parameters, without the prompt (ModelParamHelper).
    expect(r.model_parameters).toEqual({ temperature: 0.2 });
    expect(r.response).toBe(rec.last("success").response);
    expect(r.messages).toEqual(user("hi"));
    // test_get_error_information(None): present, every field "".
    expect(r.error_str).toBeNull();
    expect(r.error_information).toEqual({ error_code: "", error_class: "", llm_provider: "", traceback: "", error_message: "" });
  });

  it("prices as kwargs.response_cost, with the breakdown and the price-table entry used", async () => {
    const { rt, rec } = await runtime();
    const res = await rt.acompletion({ model: "chat", messages: user("hi") });
    await rt.flush();
    const { kwargs } = rec.last("success");
    const r = record(kwargs);
    expect(kwargs.response_cost).toBeGreaterThan(0);
    expect(r.response_cost).toBe(kwargs.response_cost);
    expect(r.response_cost_failure_debug_info).toBeNull();
    expect(r.cost_breakdown).toEqual({ input_cost: expect.any(Number), output_cost: expect.any(Number), total_cost: kwargs.response_cost, tool_usage_cost: 0 });
    expect(r.cost_breakdown!.input_cost + r.cost_breakdown!.output_cost).toBe(kwargs.response_cost);
    expect(r.model_map_information.model_map_key).toBe("gpt-4o-mini");
    expect(r.model_map_information.model_map_value).toMatchObject({ input_cost_per_token: expect.any(Number), output_cost_per_token: expect.any(Number), litellm_provider: "openai" });
    expect(r.hidden_params.response_cost).toBe(kwargs.response_cost);
    expect(res._hidden_params.response_cost).toBe(kwargs.response_cost);
  });

  it("hidden_params: LiteLLM's keys, with the upstream's x-ratelimit headers as numbers", async () => {
    fake.set({ content: "Hello", headers: RATE_HEADERS });
    const { rt, rec } = await runtime();
    const res = await rt.acompletion({ model: "chat", messages: user("hi") });
    await rt.flush();
    const { kwargs } = rec.last("success");
    const hidden = record(kwargs).hidden_params;
    expect(hidden).toEqual({
      model_id: kwargs.litellm_params.model_info!.id,
      cache_key: null,
      api_base: fake.url,
      response_cost: kwargs.response_cost,
      litellm_overhead_time_ms: expect.any(Number),
      additional_headers: LOGGED_RATE_HEADERS,
      batch_models: null,
      litellm_model_name: "openai/gpt-4o-mini",
      usage_object: null,
    });
    expect(hidden.litellm_overhead_time_ms).toBeGreaterThanOrEqual(0);
    // The caller's response carries the headers as received, as LiteLLM's _hidden_params["additional_headers"].
    expect(res._hidden_params.additional_headers).toMatchObject({ "x-ratelimit-limit-requests": "2000", "x-ratelimit-reset-requests": "6m0s" });
  });

  it("an upstream that sends no rate-limit header: additional_headers is {}; the mock, which has no HTTP answer: null", async () => {
    const { rt, rec } = await runtime();
    await rt.acompletion({ model: "chat", messages: user("hi") });
    await rt.acompletion({ model: "chat", messages: user("hi"), mock_response: "mocked" });
    await rt.flush();
    expect(rec.of("success").map((e) => record(e.kwargs).hidden_params.additional_headers)).toEqual([{}, null]);
  });
});

describe("a failure", () => {
  it("a 429 from the upstream: error_code \"429\", LiteLLM's error fields, the headers of the error, and no response", async () => {
    fake.queue({ status: 429, headers: RATE_HEADERS });
    const { rt, rec } = await runtime();
    const err = (await rt.acompletion({ model: "chat", messages: user("hi") }).catch((e: unknown) => e)) as Error;
    await rt.flush();
    const { kwargs } = rec.last("failure");
    const r = record(kwargs);
    expect(typeErrors(r as never)).toEqual([]);
    expect(r.status).toBe("failure");
    expect(r.status_fields).toEqual({ llm_api_status: "failure", guardrail_status: "not_run" });
    // test_get_error_information with a RateLimitError: the HTTP status as text, the class, the provider.
    expect(r.error_information).toMatchObject({ error_code: "429", error_class: "RateLimitError", llm_provider: "openai", error_message: err.message });
    expect(r.error_information!.traceback).toContain("RateLimitError");
    expect((err as { code?: string }).code).toBe("LLM_RATE_LIMIT");
    expect(r.error_str).toBe(err.message);
    expect(r.id).toBe(kwargs.litellm_call_id);
    expect(r.response).toEqual({});
    expect([r.response_cost, r.cost_breakdown, r.model_map_information]).toEqual([0, null, { model_map_key: "", model_map_value: null }]);
    expect(r.hidden_params).toMatchObject({ additional_headers: LOGGED_RATE_HEADERS, model_id: null, response_cost: null });
  });

  it("a failure that never reached an upstream: additional_headers null, the key still there", async () => {
    const { rt, rec } = await runtime();
    await rt.acompletion({ model: "chat", messages: user("hi"), mock_response: "litellm.RateLimitError" }).catch(() => undefined);
    await rt.flush();
    const r = record(rec.last("failure").kwargs);
    expect(r.hidden_params).toHaveProperty("additional_headers", null);
    expect(r.error_information!.error_code).toBe("429");
  });
});

describe("a stream, a cache hit, an embedding", () => {
  it("a stream: stream true, response_time to the first token, the assembled response's id, the stream's rate-limit headers", async () => {
    fake.set({ usage: { prompt_tokens: 9, completion_tokens: 6 }, headers: RATE_HEADERS });
    const { rt, rec } = await runtime();
    const stream = await rt.acompletion({ model: "chat", messages: user("a longer question for several chunks"), stream: true });
    for await (const _ of stream) void _;
    await rt.flush();
    const { kwargs } = rec.last("success");
    const r = record(kwargs);
    expect(typeErrors(r as never)).toEqual([]);
    expect(r.stream).toBe(true);
    expect(r.id).toBe(kwargs.complete_streaming_response!.id);
    expect(r.completionStartTime).toBeLessThanOrEqual(r.endTime);
    expect(r.response_time).toBeCloseTo(r.completionStartTime - r.startTime, 9);
    expect(r.total_tokens).toBeGreaterThan(0);
    expect(r.cost_breakdown!.total_cost).toBe(kwargs.response_cost);
    expect(r.hidden_params.additional_headers).toEqual(LOGGED_RATE_HEADERS);
  });

  it("a cache hit: its own id, no cost, the saved cost, the key", async () => {
    const { rt, rec } = await runtime({ litellm_settings: { cache: true } });
    const first = await rt.acompletion({ model: "chat", messages: user("cache me") });
    const second = await rt.acompletion({ model: "chat", messages: user("cache me") });
    await rt.flush();
    const [miss, hit] = rec.of("success").map((e) => record(e.kwargs));
    expect(typeErrors(hit as never)).toEqual([]);
    expect(miss!.cache_hit).toBe(false);
    expect(miss!.cache_key).toEqual(expect.any(String));
    expect(hit).toMatchObject({ cache_hit: true, response_cost: 0, cost_breakdown: null, cache_key: miss!.cache_key, cache_enabled: true });
    expect(hit!.saved_cache_cost).toBe(miss!.response_cost);
    // LiteLLM does not log the cached response's id twice: the hit's is `<id>_cache_hit<time>`.
    expect(second.id).toBe(first.id);
    expect(hit!.id).toBe(`${second.id}_cache_hit${hit!.endTime}`);
    expect(hit!.hidden_params).toMatchObject({ cache_key: miss!.cache_key, model_id: miss!.model_id, litellm_model_name: "openai/gpt-4o-mini" });
    // preset_cache_key: the key the cache looked under, on both calls.
    expect(rec.of("success").map((e) => e.kwargs.litellm_params.preset_cache_key)).toEqual([miss!.cache_key, miss!.cache_key]);
  });

  it("an embedding: the input as user messages, the call id as id, no cost breakdown", async () => {
    const { rt, rec } = await runtime();
    await rt.aembedding({ model: "embedder", input: ["good morning", "good night"] });
    await rt.flush();
    const { kwargs } = rec.last("success");
    const r = record(kwargs);
    expect(typeErrors(r as never)).toEqual([]);
    expect(r).toMatchObject({ call_type: "aembedding", id: kwargs.litellm_call_id, stream: null, cost_breakdown: null, model: "openai/text-embedding-3-small", model_group: "embedder" });
    expect(r.messages).toEqual([{ role: "user", content: "good morning" }, { role: "user", content: "good night" }]);
    expect((r.response as { object: string }).object).toBe("list");
    expect(r.response_cost).toBeGreaterThan(0);
    expect(kwargs.litellm_params).toMatchObject({ acompletion: null, aembedding: true });
  });
});

describe("trace_id, request_tags, metadata", () => {
  it.each([
    ["litellm_session_id first", { litellm_session_id: "S", litellm_trace_id: "T", metadata: { session_id: "MS", trace_id: "MT" } }, "S"],
    ["then litellm_trace_id", { litellm_trace_id: "T", metadata: { session_id: "MS", trace_id: "MT" } }, "T"],
    ["then metadata.session_id", { metadata: { session_id: "MS", trace_id: "MT" } }, "MS"],
    ["then metadata.trace_id", { metadata: { trace_id: "MT" } }, "MT"],
  ])("%s", async (_name, params, expected) => {
    const rec = new Recorder({ events: ["success"] });
    litellm.callbacks = [rec];
    await litellm.acompletion({ model: "mock/x", messages: user("hi"), ...params });
    await litellm.flush();
    expect(record(rec.last("success").kwargs).trace_id).toBe(expected);
  });

  it("else the call's own trace id, which the attempts of a routed call share", async () => {
    const { rt, rec } = await runtime({ router_settings: { num_retries: 1, retry_after: 0 } });
    await rt.acompletion({ model: "chat", messages: user("hi"), mock_response: "litellm.RateLimitError" }).catch(() => undefined);
    await rt.flush();
    const traces = rec.of("failure").map((e) => record(e.kwargs).trace_id);
    expect(traces).toHaveLength(2);
    expect(traces[0]).toBe(traces[1]);
    expect(traces[0]).toBe(rec.of("failure")[0]!.kwargs.litellm_trace_id);
  });

  it("metadata: LiteLLM's keys, every one, from the call's; the others stay in kwargs; the hash of a virtual key only", async () => {
    const rec = new Recorder({ events: ["success"] });
    litellm.callbacks = [rec];
    const hash = "a".repeat(64);
    await litellm.acompletion({
      model: "mock/x",
      messages: user("hi"),
      metadata: { team: "search", user_api_key: hash, user_api_key_alias: "alias", spend_logs_metadata: { k: "v" }, metadata: { from: "sdk" }, tags: ["t"] },
    });
    await litellm.acompletion({ model: "mock/x", messages: user("hi"), metadata: { user_api_key: "not-a-hash" } });
    await litellm.flush();
    const [withMeta, invalid] = rec.of("success").map((e) => record(e.kwargs).metadata);
    expect(Object.keys(withMeta!).sort()).toEqual(Object.keys(METADATA_KEYS).sort());
    expect(withMeta).toMatchObject({ user_api_key_hash: hash, user_api_key_alias: "alias", spend_logs_metadata: { k: "v" }, requester_metadata: { from: "sdk" } });
    expect(withMeta!.usage_object).toMatchObject({ prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(withMeta).not.toHaveProperty("team");
    expect(invalid!.user_api_key_hash).toBeNull();
    expect(rec.of("success")[0]!.kwargs.litellm_params.metadata).toMatchObject({ team: "search" });
  });
});

describe("kwargs", () => {
  it("litellm_params: LiteLLM's keys; metadata null when none was passed; model_info null for a model named directly", async () => {
    const rec = new Recorder();
    litellm.callbacks = [rec];
    await litellm.completion({ model: "mock/x", messages: user("hi") });
    await litellm.acompletion({ model: "mock/x", messages: user("hi"), litellm_session_id: "sess-1", base_model: "gpt-4o", metadata: {} });
    await litellm.flush();
    const [sync, async] = rec.of("success").map((e) => e.kwargs);
    expect(sync!.model).toBe("x");
    expect(sync!.litellm_params).toMatchObject({
      acompletion: false,
      aembedding: null,
      metadata: null,
      model_info: null,
      custom_llm_provider: "mock",
      litellm_call_id: sync!.litellm_call_id,
      model_group: null,
      litellm_session_id: null,
      litellm_trace_id: null,
      base_model: null,
      proxy_server_request: null,
      preset_cache_key: null,
      stream_response: {},
      api_base: "",
    });
    expect(async!.litellm_params).toMatchObject({ acompletion: true, metadata: {}, litellm_session_id: "sess-1", base_model: "gpt-4o" });
    // Every event of the call has them, from pre_api_call on.
    expect(rec.of("pre_api_call")[0]!.kwargs.litellm_params.metadata).toBeNull();
  });

  it("a routed call: kwargs.model is the deployment's model, metadata carries the router's keys with deployment = litellm_params.model", async () => {
    const { rt, rec } = await runtime();
    await rt.acompletion({ model: "chat", messages: user("hi"), metadata: { team: "search" } });
    await rt.flush();
    const { kwargs } = rec.last("success");
    expect(kwargs.model).toBe("gpt-4o-mini");
    expect(kwargs.litellm_params.model_group).toBe("chat");
    expect(kwargs.litellm_params.api_base).toBe(fake.url);
    expect(kwargs.litellm_params.metadata).toMatchObject({
      team: "search",
      model_group: "chat",
      deployment: "openai/gpt-4o-mini",
      deployment_model_name: "chat",
      model_info: { id: kwargs.litellm_params.model_info!.id },
      api_base: fake.url,
      attempt: 1,
    });
  });

  it("model_info.id defaults to a hash of the entry: the same across reloads and runtimes, another for another entry, the config's own when it gives one", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    const yaml = (base: string) =>
      `model_list:\n  - model_name: a\n    litellm_params: { model: mock/a, api_base: "${base}" }\n  - model_name: b\n    litellm_params: { model: mock/b }\n    model_info: { id: my-b }\n`;
    await writeFile(file, yaml("http://one.example/v1"));
    const idsOf = async (rt: Runtime) => {
      const rec = new Recorder({ events: ["success"] });
      for (const model of ["a", "b"]) await rt.acompletion({ model, messages: user("hi"), callbacks: [rec] });
      await rt.flush();
      return rec.of("success").map((e) => e.kwargs.litellm_params.model_info?.id);
    };
    const rt = await createRuntime({ config: file });
    runtimes.push(rt);
    const first = await idsOf(rt);
    expect(first[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(first[1]).toBe("my-b");
    expect(await rt.reload()).toBe(true);
    expect(await idsOf(rt)).toEqual(first);
    const again = await createRuntime({ config: file });
    runtimes.push(again);
    expect(await idsOf(again)).toEqual(first);
    await writeFile(file, yaml("http://two.example/v1"));
    expect(await rt.reload()).toBe(true);
    const changed = await idsOf(rt);
    expect(changed[0]).not.toBe(first[0]);
    expect(changed[1]).toBe("my-b");
  });

  it("on the server: proxy_server_request as LiteLLM's proxy records it, without credentials; end_user, tags and user_agent from it", async () => {
    const rec = new Recorder({ events: ["success"] });
    const { rt } = await runtime({ general_settings: { master_key: "sk-master-payload-0987654321" } }, rec);
    const server = await startServer(rt, { port: 0 });
    try {
      const body = { model: "chat", messages: user("hi"), user: "alice", metadata: { team: "search", tags: ["t"] } };
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-master-payload-0987654321", "user-agent": "OpenAI/Python 1.50.0" },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      await rt.flush();
      const { kwargs } = rec.last("success");
      const request = kwargs.litellm_params.proxy_server_request!;
      expect(request).toMatchObject({ url: `${server.url}/v1/chat/completions`, method: "POST", body: { model: "chat", user: "alice", metadata: { team: "search", tags: ["t"] } } });
      expect(request.headers["user-agent"]).toBe("OpenAI/Python 1.50.0");
      expect(request.headers).not.toHaveProperty("authorization");
      expect(JSON.stringify(kwargs.litellm_params)).not.toContain("sk-master-payload");
      const r = record(kwargs);
      expect(r.end_user).toBe("alice");
      expect(r.request_tags).toEqual(["t", "User-Agent: OpenAI", "User-Agent: OpenAI/Python 1.50.0"]);
      expect(r.user_agent).toBe("OpenAI/Python 1.50.0");
      expect(r.metadata.requester_metadata).toEqual({ team: "search", tags: ["t"] });
    } finally {
      await server.close();
    }
  });
});

describe("redacted shapes", () => {
  it("turn_off_message_logging: messages are one user message, a chat response keeps its shape with its content redacted", async () => {
    litellm.turn_off_message_logging = true;
    const rec = new Recorder({ events: ["success", "failure"] });
    litellm.callbacks = [rec];
    fake.set({ toolCall: { name: "lookup", arguments: '{"q":"secret"}' } });
    const res = await litellm.acompletion({ model: "openai/gpt-4o-mini", api_base: fake.url, api_key: "sk-test-payload-1234", messages: user("my secret") });
    await litellm.acompletion({ model: "mock/x", messages: user("my secret"), mock_response: "litellm.RateLimitError" }).catch(() => undefined);
    await litellm.flush();
    const ok = record(rec.last("success").kwargs);
    expect(ok.messages).toEqual([{ role: "user", content: "redacted-by-litellm" }]);
    const message = (ok.response as { choices: Array<{ message: Record<string, any> }> }).choices[0]!.message;
    expect(message.tool_calls[0].function).toEqual({ name: "lookup", arguments: "redacted-by-litellm" });
    expect(JSON.stringify(ok)).not.toContain("secret");
    // The caller's response is untouched.
    expect(res.choices[0]!.message.tool_calls![0]!.function.arguments).toBe('{"q":"secret"}');
    expect(record(rec.last("failure").kwargs).response).toEqual({ text: "redacted-by-litellm" });
  });
});

describe("completion_cost", () => {
  it("of a response, in a callback and after the call, equals kwargs.response_cost", async () => {
    const costs: number[] = [];
    const { rt, rec } = await runtime();
    const res = await rt.acompletion({
      model: "chat",
      messages: user("hi"),
      callbacks: [{ log_success_event: (_kwargs: CallbackKwargs, response_obj: unknown) => void costs.push(completion_cost({ completion_response: response_obj })) }],
    });
    await rt.flush();
    const { kwargs } = rec.last("success");
    expect(kwargs.response_cost).toBeGreaterThan(0);
    expect(completion_cost({ completion_response: res })).toBe(kwargs.response_cost);
    expect(costs).toEqual([kwargs.response_cost]);
    expect(litellm.completion_cost({ completion_response: res })).toBe(kwargs.response_cost);
  });

  it("of a response object of one's own: its usage at its model's price", () => {
    const response = { id: "x", model: "gpt-4o-mini", usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 } };
    const [prompt, output] = cost_per_token({ model: "gpt-4o-mini", prompt_tokens: 1000, completion_tokens: 500 });
    expect(prompt).toBeCloseTo(1000 * 0.15e-6, 15);
    expect(output).toBeCloseTo(500 * 0.6e-6, 15);
    expect(completion_cost({ completion_response: response })).toBe(prompt + output);
    expect(completion_cost({ completion_response: response, custom_cost_per_token: { input_cost_per_token: 1, output_cost_per_token: 2 } })).toBe(2000);
  });

  it("of a model and its text: the tokens counted (about four characters a token)", () => {
    const cost = completion_cost({ model: "openai/gpt-4o-mini", prompt: "a".repeat(400), completion: "b".repeat(200) });
    expect(cost).toBeCloseTo(100 * 0.15e-6 + 50 * 0.6e-6, 15);
  });

  it("throws, saying what to set, for a model no table prices", () => {
    expect(() => completion_cost({ model: "openai/no-such-model-zz9", prompt: "hi" })).toThrow(/No price found for "openai\/no-such-model-zz9".*model_info/);
  });
});
