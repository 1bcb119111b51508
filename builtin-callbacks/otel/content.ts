import { REDACTED } from "../../core/callbacks/standard-logging.ts";
import type { CallbackKwargs } from "../../core/types.ts";

/**
 * Prompts and answers in the GenAI conventions' shape (`gen_ai.input.messages`,
 * `gen_ai.output.messages`: messages of typed parts), for `capture_content`.
 * The kwargs a built-in gets are already redacted when the call or the handler
 * asks for it (turn_off_message_logging, message_logging: false, mask_input /
 * mask_output): a redacted side is left out, never sent as the text that says
 * it was redacted.
 */

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

export type Part =
  | { type: "text"; content: string }
  | { type: "tool_call"; id?: string; name: string; arguments?: unknown }
  | { type: "tool_call_response"; id?: string; response: unknown };

export interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
  name?: string;
}

export interface Content {
  input?: Message[];
  output?: Message[];
}

/** The call's content, each side only when present and not redacted. Chat only: an embedding's vectors are never content. */
export function contentOf(kwargs: CallbackKwargs, response: unknown): Content {
  if (kwargs.call_type === "embedding" || kwargs.call_type === "aembedding") return {};
  const md = kwargs.litellm_params?.metadata;
  const out: Content = {};
  if (!(isObject(md) && md.mask_input) && Array.isArray(kwargs.messages)) {
    const input = kwargs.messages.map((m) => inputMessage(m)).filter((m): m is Message => m !== undefined);
    if (input.length > 0 && !input.some(redacted)) out.input = input;
  }
  const res = isObject(response) ? response : isObject(kwargs.complete_streaming_response) ? (kwargs.complete_streaming_response as unknown as Obj) : undefined;
  if (!(isObject(md) && md.mask_output) && res && Array.isArray(res.choices)) {
    const output = res.choices.map(outputMessage).filter((m): m is Message => m !== undefined);
    if (output.length > 0 && !output.some(redacted)) out.output = output;
  }
  return out;
}

function redacted(m: Message): boolean {
  return m.parts.some((p) => (p.type === "text" && p.content === REDACTED) || (p.type === "tool_call" && p.arguments === REDACTED));
}

function inputMessage(m: unknown): Message | undefined {
  if (!isObject(m) || typeof m.role !== "string") return undefined;
  const parts: Part[] = textParts(m.content);
  if (m.role === "tool") {
    return { role: "tool", parts: [{ type: "tool_call_response", ...(typeof m.tool_call_id === "string" && { id: m.tool_call_id }), response: contentText(m.content) }] };
  }
  parts.push(...toolCalls(m.tool_calls));
  const msg: Message = { role: m.role, parts };
  if (typeof m.name === "string") msg.name = m.name;
  return msg;
}

function outputMessage(choice: unknown): Message | undefined {
  if (!isObject(choice) || !isObject(choice.message)) return undefined;
  const m = choice.message;
  const parts = [...textParts(m.content), ...toolCalls(m.tool_calls)];
  const msg: Message = { role: typeof m.role === "string" ? m.role : "assistant", parts };
  if (typeof choice.finish_reason === "string") msg.finish_reason = choice.finish_reason;
  return msg;
}

/** Text of a string content or of the text parts of a content list (images and audio are not captured). */
function textParts(content: unknown): Part[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", content }];
  if (!Array.isArray(content)) return [];
  const parts: Part[] = [];
  for (const p of content) if (isObject(p) && p.type === "text" && typeof p.text === "string") parts.push({ type: "text", content: p.text });
  return parts;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  return textParts(content)
    .map((p) => (p.type === "text" ? p.content : ""))
    .join("");
}

function toolCalls(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  const parts: Part[] = [];
  for (const c of calls) {
    if (!isObject(c) || !isObject(c.function) || typeof c.function.name !== "string") continue;
    const args = c.function.arguments;
    parts.push({ type: "tool_call", ...(typeof c.id === "string" && { id: c.id }), name: c.function.name, ...(args !== undefined && { arguments: parseArgs(args) }) });
  }
  return parts;
}

function parseArgs(args: unknown): unknown {
  if (typeof args !== "string" || args === REDACTED) return args;
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/** Plain text of messages, for the tools that show one string per side. */
export function plainText(messages: Message[]): string {
  return messages
    .flatMap((m) => m.parts)
    .map((p) => (p.type === "text" ? p.content : ""))
    .filter((t) => t !== "")
    .join("\n");
}
