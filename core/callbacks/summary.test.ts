import { describe, expect, it } from "vitest";
import type { CallbackKwargs, StandardLoggingObject } from "../types.ts";
import { clock, eventLine, formatCost, modelLabel, plural, summaryLine } from "./summary.ts";

// 2025-01-31 12:04:05.123 in local time: the line prints the call's start as the reader's clock shows it.
const START = new Date(2025, 0, 31, 12, 4, 5, 123).getTime() / 1000;

/** LiteLLM's StandardLoggingMetadata with every key null, as the runtime writes it for a call without metadata. */
const METADATA = Object.fromEntries(
  [
    "user_api_key_hash", "user_api_key_alias", "user_api_key_spend", "user_api_key_max_budget", "user_api_key_budget_reset_at",
    "user_api_key_user_spend", "user_api_key_user_max_budget", "user_api_key_team_spend", "user_api_key_team_max_budget",
    "user_api_key_org_id", "user_api_key_org_alias", "user_api_key_team_id", "user_api_key_project_id", "user_api_key_project_alias",
    "user_api_key_user_id", "user_api_key_user_email", "user_api_key_team_alias", "user_api_key_end_user_id", "user_api_key_request_route",
    "user_api_key_auth_metadata", "spend_logs_metadata", "requester_ip_address", "user_agent", "requester_metadata",
    "requester_custom_headers", "prompt_management_metadata", "mcp_tool_call_metadata", "vector_store_request_metadata",
    "applied_guardrails", "usage_object", "cold_storage_object_key", "team_alias", "team_id",
  ].map((k) => [k, null]),
) as unknown as StandardLoggingObject["metadata"];

/** A success record as the runtime writes it, with what a test changes. */
function record(over: Partial<StandardLoggingObject> = {}): StandardLoggingObject {
  return {
    id: "chatcmpl-1",
    trace_id: "call-1",
    litellm_call_id: "call-1",
    call_type: "acompletion",
    stream: null,
    response_cost: 0.0000022499999999999996,
    cost_breakdown: null,
    response_cost_failure_debug_info: null,
    status: "success",
    status_fields: { llm_api_status: "success", guardrail_status: "not_run" },
    custom_llm_provider: "mock",
    total_tokens: 20,
    prompt_tokens: 12,
    completion_tokens: 8,
    startTime: START,
    endTime: START + 0.014,
    completionStartTime: START + 0.014,
    response_time: 0.014,
    model_map_information: { model_map_key: "x", model_map_value: null },
    model: "mock/x",
    model_id: "",
    model_group: "fast",
    api_base: "",
    metadata: METADATA,
    cache_hit: false,
    cache_key: null,
    saved_cache_cost: 0,
    request_tags: [],
    end_user: "",
    requester_ip_address: null,
    user_agent: null,
    messages: [],
    response: {},
    error_str: null,
    error_information: { error_code: "", error_class: "", llm_provider: "", traceback: "", error_message: "" },
    model_parameters: {},
    hidden_params: {
      model_id: null,
      cache_key: null,
      api_base: null,
      response_cost: null,
      litellm_overhead_time_ms: null,
      additional_headers: null,
      batch_models: null,
      litellm_model_name: "mock/x",
      usage_object: null,
    },
    guardrail_information: null,
    standard_built_in_tools_params: null,
    stream_aborted: false,
    cache_enabled: false,
    ...over,
  };
}

describe("summaryLine", () => {
  it("a success: local start time, call type, alias → deployment, status, latency, tokens, cost, id", () => {
    expect(summaryLine(record())).toBe("12:04:05.123 · acompletion · fast → mock/x · success · 14 ms · in 12 / out 8 tokens · $0.00000225 · id call-1");
  });

  it("a call that named its model: the model once, no arrow", () => {
    const r = record({ model: "mock/x", model_group: "" });
    expect(summaryLine(r)).toContain(" · acompletion · mock/x · success · ");
  });

  it("a stream adds its first token's latency", () => {
    const r = record({ stream: true, completionStartTime: START + 0.003, response_time: 0.003 });
    expect(summaryLine(r)).toContain(" · success · 14 ms (first token 3 ms) · ");
  });

  it("a failure: the error class in the status, then its code and message on the same line", () => {
    const r = record({
      status: "failure",
      prompt_tokens: 0,
      completion_tokens: 0,
      response_cost: 0,
      cache_enabled: true,
      error_str: "slow\n  down",
      error_information: { error_code: "429", error_class: "RateLimitError", llm_provider: "mock", error_message: "slow\n  down", traceback: "" },
    });
    expect(summaryLine(r)).toBe(
      "12:04:05.123 · acompletion · fast → mock/x · failure RateLimitError · 14 ms · in 0 / out 0 tokens · $0 · id call-1 · error [429]: slow down",
    );
  });

  it("a failure of a model named directly: its hidden params are empty, the provider prefixes the model", () => {
    const hidden = { ...record().hidden_params, litellm_model_name: null };
    const r = record({ status: "failure", model: "x", model_group: "", hidden_params: hidden });
    expect(summaryLine(r)).toContain(" · acompletion · mock/x · failure Error · ");
  });

  it("an unknown price is $?, though the record writes 0 beside the reason", () => {
    const debug = { error_str: "No price found", traceback_str: "", model: "x", custom_llm_provider: "mock" };
    expect(summaryLine(record({ response_cost: 0, response_cost_failure_debug_info: debug }))).toContain(" · $? · ");
  });

  it("cache hit or miss only when a cache is configured for the call", () => {
    expect(summaryLine(record())).not.toContain("cache");
    expect(summaryLine(record({ cache_enabled: true }))).toContain(" · $0.00000225 · cache miss · id call-1");
    expect(summaryLine(record({ cache_enabled: true, cache_hit: true, response_cost: 0 }))).toContain(" · $0 · cache hit · id call-1");
  });

  it("the user only when one is set: the call's, else the record's end user", () => {
    expect(summaryLine(record({ end_user: "alice" }))).toContain(" · user alice · id call-1");
    expect(summaryLine(record(), {}, "bob")).toContain(" · user bob · id call-1");
    expect(summaryLine(record({ end_user: "alice" }), {}, "bob")).toContain(" · user bob · id call-1");
    expect(summaryLine(record({ end_user: "" }))).not.toContain("user");
  });

  it("an older record without hidden_params names its model", () => {
    const r = record({ model: "mock/x", model_group: "", hidden_params: undefined as never });
    expect(summaryLine(r)).toContain(" · mock/x · success · ");
  });

  it("colours the status only when asked", () => {
    expect(summaryLine(record(), { color: true })).toContain("\x1b[32msuccess\x1b[0m");
    expect(summaryLine(record())).not.toContain("\x1b[");
  });
});

describe("eventLine", () => {
  it("the event's time and name, the same model label and call id as the summary line", () => {
    const kwargs = { model: "fast", litellm_call_id: "call-1", litellm_params: { model_group: "fast", litellm_model_name: "mock/x" } } as unknown as CallbackKwargs;
    expect(eventLine(kwargs, "pre_api_call", new Date(START * 1000))).toBe("12:04:05.123 · pre_api_call · fast → mock/x · id call-1");
  });
});

describe("the parts", () => {
  it("formatCost: 3 significant digits, no float noise, $0 and $?", () => {
    expect(formatCost(0.0000022499999999999996)).toBe("$0.00000225");
    expect(formatCost(0.012345)).toBe("$0.0123");
    expect(formatCost(0.0000048)).toBe("$0.0000048");
    expect(formatCost(0.000999999)).toBe("$0.001");
    expect(formatCost(1.5)).toBe("$1.5");
    expect(formatCost(1234.5)).toBe("$1235");
    expect(formatCost(2.5e-12)).toBe("$0.0000000000025");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(null)).toBe("$?");
    expect(formatCost(undefined)).toBe("$?");
  });

  it("plural, clock and modelLabel", () => {
    expect([plural(1, "event"), plural(2, "event"), plural(0, "event"), plural(1, "callback")]).toEqual(["1 event", "2 events", "0 events", "1 callback"]);
    expect(clock(new Date(2025, 0, 1, 3, 4, 5, 6))).toBe("03:04:05.006");
    expect([modelLabel("fast", "mock/x"), modelLabel(null, "mock/x"), modelLabel("mock/x", "mock/x")]).toEqual(["fast → mock/x", "mock/x", "mock/x"]);
  });
});
