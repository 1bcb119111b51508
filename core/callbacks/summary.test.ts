import { describe, expect, it } from "vitest";
import type { CallbackKwargs, StandardLoggingObject } from "../types.ts";
import { clock, eventLine, formatCost, modelLabel, plural, summaryLine } from "./summary.ts";

// 2025-01-31 12:04:05.123 in local time: the line prints the call's start as the reader's clock shows it.
const START = new Date(2025, 0, 31, 12, 4, 5, 123).getTime() / 1000;

/** A success record as the runtime writes it, with what a test changes. */
function record(over: Partial<StandardLoggingObject> = {}): StandardLoggingObject {
  return {
    id: "call-1",
    trace_id: "call-1",
    call_type: "acompletion",
    stream: false,
    stream_aborted: false,
    status: "success",
    model: "fast",
    model_group: "fast",
    custom_llm_provider: "mock",
    api_base: null,
    prompt_tokens: 12,
    completion_tokens: 8,
    total_tokens: 20,
    response_cost: 0.0000022499999999999996,
    saved_cache_cost: 0,
    cache_hit: false,
    cache_key: null,
    startTime: START,
    endTime: START + 0.014,
    completionStartTime: START + 0.014,
    response_time: 0.014,
    metadata: {},
    user: null,
    messages: [],
    response: null,
    model_parameters: {},
    error_str: null,
    error_information: null,
    hidden_params: { model_id: null, cache_key: null, api_base: null, response_cost: null, litellm_model_name: "mock/x" },
    cache_enabled: false,
    ...over,
  };
}

describe("summaryLine", () => {
  it("a success: local start time, call type, alias → deployment, status, latency, tokens, cost, id", () => {
    expect(summaryLine(record())).toBe("12:04:05.123 · acompletion · fast → mock/x · success · 14 ms · in 12 / out 8 tokens · $0.00000225 · id call-1");
  });

  it("a call that named its model: the model once, no arrow", () => {
    const r = record({ model: "mock/x", model_group: null });
    expect(summaryLine(r)).toContain(" · acompletion · mock/x · success · ");
  });

  it("a stream adds its first token's latency", () => {
    const r = record({ stream: true, completionStartTime: START + 0.003 });
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
      error_information: { error_code: "LLM_RATE_LIMIT", error_class: "RateLimitError", llm_provider: "mock", error_message: "slow\n  down", traceback: "" },
    });
    expect(summaryLine(r)).toBe(
      "12:04:05.123 · acompletion · fast → mock/x · failure RateLimitError · 14 ms · in 0 / out 0 tokens · $0 · id call-1 · error [LLM_RATE_LIMIT]: slow down",
    );
  });

  it("cache hit or miss only when a cache is configured for the call", () => {
    expect(summaryLine(record())).not.toContain("cache");
    expect(summaryLine(record({ cache_enabled: true }))).toContain(" · $0.00000225 · cache miss · id call-1");
    expect(summaryLine(record({ cache_enabled: true, cache_hit: true, response_cost: 0 }))).toContain(" · $0 · cache hit · id call-1");
  });

  it("the user only when one is set", () => {
    expect(summaryLine(record({ user: "alice" }))).toContain(" · user alice · id call-1");
    expect(summaryLine(record({ user: "" }))).not.toContain("user");
  });

  it("an older record without hidden_params names its model", () => {
    const r = record({ model: "mock/x", model_group: null, hidden_params: undefined as never });
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
