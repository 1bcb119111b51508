import { findPrice, type CostMap } from "../cost/index.ts";
import { ContextWindowExceededError } from "../errors.ts";
import type { RoutableDeployment } from "./types.ts";

/**
 * What `enable_pre_call_checks` needs: each deployment's context window, found when
 * the config loads, and an estimate of a prompt's tokens, made once per call.
 *
 * LiteLLM counts the prompt with the model's tokenizer. This runtime bundles none, so
 * it estimates: four characters a token (OpenAI's rule of thumb for English text), plus
 * OpenAI's chat overhead of 3 tokens a message and 3 for the reply. Code and most
 * non-English text take more tokens per character, so the estimate errs short: a prompt
 * near the limit may still reach a provider, whose own refusal then falls back the same way.
 */

/** Characters a token, in the estimate. */
export const CHARS_PER_TOKEN = 4;
/** OpenAI's per-message and reply-priming overheads (its cookbook's count for chat models). */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;

const positive = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined);
const text = (v: unknown): number => (typeof v === "string" ? v.length : 0);

/** Characters of one message that reach the model as text: its content (or content parts' text), name, and tool calls. */
function messageChars(m: Record<string, unknown>): number {
  let n = text(m.name);
  const content = m.content;
  if (typeof content === "string") n += content.length;
  else if (Array.isArray(content)) for (const part of content) if (part && typeof part === "object") n += text((part as Record<string, unknown>).text);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = call && typeof call === "object" ? (call as Record<string, unknown>).function : undefined;
      if (fn && typeof fn === "object") n += text((fn as Record<string, unknown>).name) + text((fn as Record<string, unknown>).arguments);
    }
  }
  return n;
}

/** The estimated prompt tokens of chat `messages`; 0 for anything that is not a list of messages (an embedding's `input`). */
export function estimatePromptTokens(messages: unknown): number {
  if (!Array.isArray(messages) || messages.length === 0) return 0;
  let tokens = TOKENS_PER_REPLY;
  for (const m of messages) {
    if (m === null || typeof m !== "object") continue;
    tokens += TOKENS_PER_MESSAGE + Math.ceil(messageChars(m as Record<string, unknown>) / CHARS_PER_TOKEN);
  }
  return tokens;
}

/**
 * A deployment's context window in tokens, as LiteLLM's router finds it: `model_info.max_input_tokens`,
 * else the price table's `max_input_tokens` for its `base_model` (model_info's, else litellm_params')
 * or its model (a user `model_cost_map` first, then the bundled table). Infinity when none is known:
 * such a deployment is never skipped.
 */
export function contextWindowOf(d: RoutableDeployment, costMap: CostMap | null | undefined): number {
  const own = positive(d.model_info?.max_input_tokens);
  if (own !== undefined) return own;
  const model = typeof d.params.model === "string" ? d.params.model : "";
  const slash = model.indexOf("/");
  // The provider prefix, as the call path reads it (a bare name is OpenAI's); the table knows only its own providers' models.
  const provider = slash > 0 ? model.slice(0, slash) : "openai";
  const base = d.model_info?.base_model ?? d.params.base_model;
  const price = findPrice({ model: slash > 0 ? model.slice(slash + 1) : model, provider, costMap, baseModel: typeof base === "string" ? base : null });
  return positive(price?.max_input_tokens) ?? Infinity;
}

/** The error of a prompt of about `promptTokens` that no deployment of `alias` takes (`windows`: "model: tokens" each). */
export function tooLongError(alias: string, promptTokens: number, windows: readonly string[]): ContextWindowExceededError {
  return new ContextWindowExceededError(
    `The prompt, about ${promptTokens} tokens (estimated at ${CHARS_PER_TOKEN} characters a token), is longer than the context window ` +
      `of every deployment of "${alias}" (max_input_tokens ${windows.join(", ")}), so router_settings.enable_pre_call_checks sent it to none. ` +
      `Shorten the prompt, or add context_window_fallbacks for "${alias}" to an alias with a larger window.`,
    { model: alias },
  );
}
