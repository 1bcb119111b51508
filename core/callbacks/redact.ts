import type { StandardLoggingObject } from "../types.ts";
import type { EventPayload } from "./registry.ts";
import { REDACTED } from "./standard-logging.ts";
import { redactedMessages, redactedResponse } from "./standard-logging-fields.ts";

/**
 * What a logger's view hides: the prompt (`MASK_INPUT`), the answer
 * (`MASK_OUTPUT`), or both. `litellm_settings.turn_off_message_logging` and a
 * handler built with `message_logging: false` hide both; LiteLLM's per-call
 * `metadata.mask_input` / `metadata.mask_output` one side each.
 */
export type Mask = 0 | 1 | 2 | 3;
export const MASK_INPUT = 1;
export const MASK_OUTPUT = 2;
export const MASK_ALL = 3;

/** The call's own mask, read once per call. LiteLLM reads the metadata flags as truthy values. */
export function callMask(turnOffMessageLogging: boolean, metadata: Record<string, unknown> | null | undefined): Mask {
  if (turnOffMessageLogging) return MASK_ALL;
  if (!metadata) return 0;
  return ((metadata.mask_input ? MASK_INPUT : 0) | (metadata.mask_output ? MASK_OUTPUT : 0)) as Mask;
}

/** Request-body fields that carry the prompt, whichever provider's shape the body has. */
const PROMPT_FIELDS = ["messages", "input", "prompt", "system", "contents", "instructions", "system_instruction"] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Redacts, in place, one view of an event that belongs to the redaction alone
 * (a handler's own copy, or a view the built-ins share): the caller's objects
 * and other handlers' views are never reached.
 */
export function redactView(view: EventPayload, mask: Mask): void {
  const k = view.kwargs as Json;
  if (mask & MASK_INPUT) {
    // LiteLLM's shapes: one user message saying it was redacted, and an empty input.
    if (k.messages !== undefined) k.messages = redactedMessages();
    if (k.input !== undefined) k.input = "";
    const args = k.additional_args;
    if (isObject(args) && isObject(args.complete_input_dict)) redactBody(args.complete_input_dict);
    const server = (k.litellm_params as Json | undefined)?.proxy_server_request;
    if (isObject(server) && isObject(server.body)) redactBody(server.body);
  }
  if (mask & MASK_OUTPUT) {
    view.response = redactResponse(view.response);
    if (k.complete_streaming_response !== undefined) k.complete_streaming_response = redactResponse(k.complete_streaming_response);
    if (typeof k.original_response === "string") k.original_response = REDACTED;
  }
  if (isObject(k.standard_logging_object)) redactRecord(k.standard_logging_object as unknown as StandardLoggingObject, mask);
}

/** A request body keeps its parameters (model, temperature, tools, ...); the prompt fields say they were redacted. */
function redactBody(body: Json): void {
  for (const field of PROMPT_FIELDS) {
    if (body[field] === undefined) continue;
    body[field] = field === "messages" ? redactedMessages() : REDACTED;
  }
}

/**
 * A response or chunk with its content redacted in place, as LiteLLM redacts a
 * `ModelResponse` (the record's own, non-mutating version of these shapes is
 * in standard-logging-fields.ts): message and delta text, reasoning, tool-call
 * arguments; and, beyond LiteLLM, refusals and logprobs (their tokens are the
 * answer). An embedding loses its vectors; anything else becomes `{ text: REDACTED }`.
 * In place, so the copy keeps its `_hidden_params` and its aliases.
 */
function redactResponse(response: unknown): unknown {
  if (response === null || response === undefined) return response;
  if (!isObject(response)) return { text: REDACTED };
  if (Array.isArray(response.choices)) {
    for (const choice of response.choices) {
      if (!isObject(choice)) continue;
      if (isObject(choice.message)) redactMessage(choice.message);
      if (isObject(choice.delta)) redactMessage(choice.delta);
      if (choice.text != null) choice.text = REDACTED;
      if (isObject(choice.logprobs)) choice.logprobs = null;
    }
    return response;
  }
  if (Array.isArray(response.data)) {
    response.data = [];
    return response;
  }
  return { text: REDACTED };
}

function redactMessage(message: Json): void {
  if (message.content != null) message.content = REDACTED;
  if (message.reasoning_content != null) message.reasoning_content = REDACTED;
  if (message.refusal != null) message.refusal = REDACTED;
  if ("thinking_blocks" in message) message.thinking_blocks = null;
  if ("audio" in message) message.audio = null;
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isObject(call) && isObject(call.function) && call.function.arguments !== undefined) call.function.arguments = REDACTED;
    }
  }
  if (isObject(message.function_call) && message.function_call.arguments !== undefined) message.function_call.arguments = REDACTED;
}

/**
 * The view's copy of the record, with the record's own redacted shapes (those
 * turn_off_message_logging builds it with): its messages for the prompt, its
 * response for the answer. Both are replaced, never changed in place: they may
 * be the view's kwargs.messages and response.
 */
function redactRecord(record: StandardLoggingObject, mask: Mask): void {
  const r = record as unknown as Json;
  if (mask & MASK_INPUT && r.messages != null) r.messages = redactedMessages();
  if (mask & MASK_OUTPUT) r.response = redactedResponse(r.response);
}
