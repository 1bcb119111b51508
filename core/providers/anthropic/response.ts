/** Anthropic's Messages response → OpenAI's `chat.completion` shape. */
import type { ToolCall, Usage } from "../../types.ts";
import type { RawChat } from "../types.ts";

/** Usage as Anthropic reports it: `input_tokens` excludes what the prompt cache read or wrote. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  model: string;
  content: Array<{ type: string; text?: string; thinking?: string; id?: string; name?: string; input?: unknown }>;
  stop_reason: string | null;
  usage: AnthropicUsage;
}

const FINISH: Readonly<Record<string, string>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** OpenAI's finish_reason for Anthropic's stop_reason. */
export function finishReason(stop: string | null | undefined): string | null {
  return stop == null ? null : (FINISH[stop] ?? stop);
}

const n = (v: number | null | undefined): number => (typeof v === "number" && v > 0 ? v : 0);

/**
 * OpenAI-shaped usage. `prompt_tokens` is the whole input (uncached + cache read + cache
 * write), as OpenAI counts it, and the cache counts ride along so `computeCost` prices each part.
 */
export function toUsage(u: AnthropicUsage): Usage {
  const read = n(u.cache_read_input_tokens);
  const write = n(u.cache_creation_input_tokens);
  const prompt = n(u.input_tokens) + read + write;
  const completion = n(u.output_tokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: read },
    cache_read_input_tokens: read,
    cache_creation_input_tokens: write,
  };
}

/** Whether a 200's parsed body is a Messages response at all. */
export function isMessage(v: unknown): v is AnthropicMessage {
  const m = v as Partial<AnthropicMessage> | null;
  return typeof m === "object" && m !== null && m.type === "message" && Array.isArray(m.content) && typeof m.usage === "object" && m.usage !== null;
}

export function toChatCompletion(msg: AnthropicMessage): RawChat {
  let text = "";
  let hasText = false;
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of msg.content) {
    if (block.type === "text" && typeof block.text === "string") {
      text += block.text;
      hasText = true;
    } else if (block.type === "tool_use") {
      toolCalls.push({ id: String(block.id), type: "function", function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    } else if (block.type === "thinking" && typeof block.thinking === "string") {
      reasoning = (reasoning ?? "") + block.thinking;
    }
  }
  const message: RawChat["choices"][0]["message"] = { role: "assistant", content: hasText || toolCalls.length === 0 ? text : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  // LiteLLM's field for extended thinking, so a caller reads Claude's reasoning where it reads other models'.
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  return {
    id: msg.id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: msg.model,
    choices: [{ index: 0, message, finish_reason: finishReason(msg.stop_reason) }],
    usage: toUsage(msg.usage),
  };
}
