// The redacted view of one event: what each mask hides, in which shapes, and that only the view changes.
import { describe, expect, it } from "vitest";
import type { CallbackKwargs, StandardLoggingObject } from "../types.ts";
import { ownCopy, viewFor } from "./handler-copy.ts";
import { callMask, MASK_ALL, MASK_INPUT, MASK_OUTPUT } from "./redact.ts";
import type { EventPayload, Handler } from "./registry.ts";
import { REDACTED } from "./standard-logging.ts";

const PROMPT = "the secret question";
const ANSWER = "the secret answer";

/** A success event as the call hands it over: kwargs, the response (aliased as complete_streaming_response), its record. */
function success(): EventPayload {
  const messages = [{ role: "user", content: PROMPT }];
  const response = {
    id: "chatcmpl-1",
    object: "chat.completion",
    choices: [
      {
        index: 0,
        finish_reason: "stop",
        message: { role: "assistant", content: ANSWER, reasoning_content: `thinking about ${ANSWER}`, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: `{"q":"${ANSWER}"}` } }] },
        logprobs: { content: [{ token: ANSWER, logprob: -0.1 }] },
      },
    ],
    usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
  };
  Object.defineProperty(response, "_hidden_params", { value: { response_cost: 0.001 }, enumerable: false, writable: true });
  const record = { id: "r1", messages, response, metadata: { team: "search" }, response_cost: 0.001 } as unknown as StandardLoggingObject;
  const kwargs = {
    model: "gpt-4o-mini",
    messages,
    input: messages,
    litellm_params: { metadata: { team: "search" }, proxy_server_request: { url: "/v1/chat/completions", body: { model: "fast", messages } } },
    additional_args: { complete_input_dict: { model: "gpt-4o-mini", temperature: 0.2, messages, system: PROMPT }, api_base: "https://api.openai.com/v1" },
    original_response: JSON.stringify(response),
    complete_streaming_response: response,
    response_cost: 0.001,
    standard_logging_object: record,
  } as unknown as CallbackKwargs;
  return { kwargs, response, start: new Date(0), end: new Date(1) };
}

const text = (v: unknown) => JSON.stringify(v);

describe("a redacted view", () => {
  it("MASK_ALL: neither the prompt nor the answer, in LiteLLM's shapes; ids, metadata, usage and cost stay", () => {
    const payload = success();
    const before = text(payload);
    const view = ownCopy(payload, MASK_ALL);
    expect(text(view)).not.toContain(PROMPT);
    expect(text(view)).not.toContain(ANSWER);
    const k = view.kwargs as Record<string, any>;
    expect(k.messages).toEqual([{ role: "user", content: REDACTED }]);
    expect(k.input).toBe("");
    expect(k.additional_args.complete_input_dict).toEqual({ model: "gpt-4o-mini", temperature: 0.2, messages: [{ role: "user", content: REDACTED }], system: REDACTED });
    expect(k.litellm_params.proxy_server_request.body).toEqual({ model: "fast", messages: [{ role: "user", content: REDACTED }] });
    expect(k.original_response).toBe(REDACTED);
    const message = (view.response as any).choices[0].message;
    expect(message).toMatchObject({ role: "assistant", content: REDACTED, reasoning_content: REDACTED });
    expect(message.tool_calls[0].function).toEqual({ name: "lookup", arguments: REDACTED });
    expect((view.response as any).choices[0].logprobs).toBeNull();
    expect((view.response as any).usage).toEqual({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect((view.response as any)._hidden_params).toEqual({ response_cost: 0.001 });
    expect(k.complete_streaming_response).toBe(view.response);
    expect(k.standard_logging_object).toMatchObject({ id: "r1", messages: [{ role: "user", content: REDACTED }], metadata: { team: "search" }, response_cost: 0.001 });
    expect(k.standard_logging_object.response.choices[0].message.content).toBe(REDACTED);
    expect(k.litellm_params.metadata).toEqual({ team: "search" });
    expect(k.response_cost).toBe(0.001);
    // The call's own objects are untouched.
    expect(text(payload)).toBe(before);
  });

  it("MASK_INPUT hides the prompt only, in kwargs and in the record", () => {
    const payload = success();
    const view = ownCopy(payload, MASK_INPUT);
    expect(text(view)).not.toContain(PROMPT);
    expect(text(view)).toContain(ANSWER);
    const record = (view.kwargs as Record<string, any>).standard_logging_object;
    expect(record.messages).toEqual([{ role: "user", content: REDACTED }]);
    expect(record.response.choices[0].message.content).toBe(ANSWER);
  });

  it("MASK_OUTPUT hides the answer only", () => {
    const payload = success();
    const view = ownCopy(payload, MASK_OUTPUT);
    expect(text(view)).toContain(PROMPT);
    expect(text(view)).not.toContain(ANSWER);
    expect((view.kwargs as Record<string, any>).standard_logging_object.messages[0].content).toBe(PROMPT);
  });

  it("a chunk's delta, an embedding's vectors, a response of another shape", () => {
    const chunk = { id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta: { content: ANSWER } }] };
    const base = { kwargs: { messages: [] } as unknown as CallbackKwargs, start: new Date(0), end: new Date(1) };
    expect((ownCopy({ ...base, response: chunk }, MASK_OUTPUT).response as any).choices[0].delta.content).toBe(REDACTED);
    expect((ownCopy({ ...base, response: { object: "list", data: [{ embedding: [0.1, 0.2] }] } }, MASK_OUTPUT).response as any).data).toEqual([]);
    expect(ownCopy({ ...base, response: ANSWER }, MASK_OUTPUT).response).toEqual({ text: REDACTED });
    expect(ownCopy({ ...base, response: null }, MASK_OUTPUT).response).toBeNull();
  });
});

describe("who gets which view", () => {
  const handler = (copies: boolean, redacts: boolean) => ({ copies, redacts }) as Handler;

  it("no mask: a copying handler gets a copy, a sharing one the payload itself", () => {
    const payload = success();
    expect(viewFor(handler(false, false), payload)).toBe(payload);
    const own = viewFor(handler(true, false), payload);
    expect(own).not.toBe(payload);
    expect(text(own)).toContain(PROMPT);
  });

  it("a call mask: sharing handlers share one redacted view per event; message_logging: false redacts that handler whatever the call", () => {
    const payload = { ...success(), mask: MASK_INPUT } as EventPayload;
    const a = viewFor(handler(false, false), payload);
    expect(viewFor(handler(false, false), payload)).toBe(a);
    expect(text(a)).not.toContain(PROMPT);
    expect(text(a)).toContain(ANSWER);
    const quiet = viewFor(handler(true, true), { ...success(), mask: 0 } as EventPayload);
    expect(text(quiet)).not.toContain(PROMPT);
    expect(text(quiet)).not.toContain(ANSWER);
  });

  it("the call's mask: turn_off_message_logging hides both; LiteLLM's metadata flags one side each, as truthy values", () => {
    expect(callMask(true, null)).toBe(MASK_ALL);
    expect(callMask(false, null)).toBe(0);
    expect(callMask(false, { mask_input: true })).toBe(MASK_INPUT);
    expect(callMask(false, { mask_output: 1 })).toBe(MASK_OUTPUT);
    expect(callMask(false, { mask_input: true, mask_output: true })).toBe(MASK_ALL);
    expect(callMask(false, { mask_input: false, team: "x" })).toBe(0);
  });
});
