/** Gemini's `GenerateContentResponse` → OpenAI's `chat.completion` shape. */
import { randomBytes, randomUUID } from "node:crypto";
import type { ToolCall, Usage } from "../../types.ts";
import type { RawChat } from "../types.ts";

/** A part of a candidate's content: text (a thought summary when `thought`), or a function call. */
export interface GeminiPart {
  text?: string;
  thought?: boolean;
  functionCall?: { name?: string; args?: unknown };
  [key: string]: unknown;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}

/** Token counts as Gemini reports them: `promptTokenCount` includes the cached part. */
export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface GenerateContentResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  modelVersion?: string;
  responseId?: string;
}

/** Gemini's finishReason → OpenAI's, as LiteLLM maps them; one it does not know reads as a stop. */
const FINISH: Readonly<Record<string, string>> = {
  STOP: "stop",
  FINISH_REASON_UNSPECIFIED: "stop",
  MAX_TOKENS: "length",
  MALFORMED_FUNCTION_CALL: "stop",
  UNEXPECTED_TOOL_CALL: "stop",
  TOO_MANY_TOOL_CALLS: "stop",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  LANGUAGE: "content_filter",
  OTHER: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
};

/** OpenAI's finish_reason for a candidate: `tool_calls` when it called a function, as LiteLLM reports it. */
export function finishReason(reason: string | undefined, calledTools: boolean): string {
  if (calledTools) return "tool_calls";
  return reason === undefined ? "stop" : (FINISH[reason] ?? "stop");
}

const n = (v: number | null | undefined): number => (typeof v === "number" && v > 0 ? v : 0);

/**
 * OpenAI-shaped usage, as LiteLLM computes it. Thinking tokens count as completion tokens: when
 * Gemini leaves them out of `candidatesTokenCount` (prompt + candidates ≠ total), they are added.
 * Cached tokens stay inside `prompt_tokens`, as OpenAI counts them, so `computeCost` prices them apart.
 */
export function toUsage(u: GeminiUsage): Usage {
  const prompt = n(u.promptTokenCount);
  const thoughts = n(u.thoughtsTokenCount);
  let completion = n(u.candidatesTokenCount);
  if (thoughts > 0 && prompt + completion !== n(u.totalTokenCount)) completion += thoughts;
  const cached = n(u.cachedContentTokenCount);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: n(u.totalTokenCount) || prompt + completion,
    prompt_tokens_details: { cached_tokens: cached },
  };
  if (u.cachedContentTokenCount !== undefined) usage.cache_read_input_tokens = cached;
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/** An id in OpenAI's form, for the response or a stream. */
export const completionId = (): string => `chatcmpl-${randomUUID()}`;

/** Gemini's function calls have no id; OpenAI's tool calls need one to be answered by. */
export const toolCallId = (): string => `call_${randomBytes(12).toString("hex")}`;

/** Whether a 200's parsed body is a GenerateContentResponse at all. */
export function isGenerateContentResponse(v: unknown): v is GenerateContentResponse {
  const r = v as GenerateContentResponse | null;
  return typeof r === "object" && r !== null && (Array.isArray(r.candidates) || typeof r.promptFeedback === "object" || typeof r.usageMetadata === "object");
}

/** One candidate's text, thought summaries and function calls. */
export function readParts(parts: GeminiPart[] | undefined): { text: string; hasText: boolean; reasoning: string | undefined; calls: Array<{ name: string; args: string }> } {
  let text = "";
  let hasText = false;
  let reasoning: string | undefined;
  const calls: Array<{ name: string; args: string }> = [];
  for (const p of parts ?? []) {
    if (p.functionCall) calls.push({ name: String(p.functionCall.name ?? ""), args: JSON.stringify(p.functionCall.args ?? {}) });
    else if (typeof p.text === "string" && p.thought === true) reasoning = (reasoning ?? "") + p.text;
    else if (typeof p.text === "string") {
      text += p.text;
      hasText = true;
    }
  }
  return { text, hasText, reasoning, calls };
}

export function toChatCompletion(res: GenerateContentResponse, model: string): RawChat {
  const choices: RawChat["choices"] = (res.candidates ?? []).map((c, i) => {
    const { text, hasText, reasoning, calls } = readParts(c.content?.parts);
    const message: RawChat["choices"][0]["message"] = { role: "assistant", content: hasText || calls.length === 0 ? text : null };
    if (calls.length > 0) message.tool_calls = calls.map((call): ToolCall => ({ id: toolCallId(), type: "function", function: { name: call.name, arguments: call.args } }));
    // LiteLLM's field for thinking, so a caller reads Gemini's thought summaries where it reads other models'.
    if (reasoning !== undefined) message.reasoning_content = reasoning;
    return { index: c.index ?? i, message, finish_reason: finishReason(c.finishReason, calls.length > 0) };
  });
  // A prompt Gemini blocked has no candidate: one empty choice filtered for content, as LiteLLM answers it.
  if (choices.length === 0) choices.push({ index: 0, message: { role: "assistant", content: null }, finish_reason: "content_filter" });
  return {
    id: completionId(),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices,
    usage: toUsage(res.usageMetadata ?? {}),
  };
}
