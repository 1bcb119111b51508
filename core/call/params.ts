import { InvalidParamsError } from "../errors.ts";
import type { CompletionParams, EmbeddingParams } from "../types.ts";

/** The runtime's own parameters: everything else is the provider's (`optional_params`). */
const OWN_KEYS = new Set([
  "model",
  "messages",
  "input",
  "stream",
  "metadata",
  "mock_response",
  "mock_delay",
  "api_key",
  "api_base",
  "base_url",
  "api_version",
  "azure_ad_token",
  "organization",
  "stream_timeout",
  "timeout",
  "num_retries",
  "cache",
  "caching",
  "callbacks",
  "input_callback",
  "success_callback",
  "failure_callback",
  "input_cost_per_token",
  "output_cost_per_token",
  "litellm_trace_id",
  "litellm_session_id",
  "base_model",
  "proxy_server_request",
  "signal",
]);

/** Default seconds before a call fails with Timeout, as LiteLLM's. */
export const DEFAULT_TIMEOUT_S = 600;

/** Default largest JSON answer read from a provider (32 MiB): far above any completion, far below what hurts to hold. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Default largest streamed answer read from a provider (128 MiB). */
export const DEFAULT_MAX_STREAM_BYTES = 128 * 1024 * 1024;

/** The provider parameters of a call, as `kwargs.optional_params`: a new object, the caller's is untouched. */
export function optionalParams(params: CompletionParams | EmbeddingParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in params) {
    if (!OWN_KEYS.has(key) && params[key] !== undefined) out[key] = params[key];
  }
  return out;
}

export function checkCompletionParams(params: CompletionParams): void {
  if (!params || typeof params !== "object") throw new InvalidParamsError("completion() takes one object: { model, messages, ... }.");
  if (typeof params.model !== "string" || params.model === "")
    throw new InvalidParamsError(`"model" must be a non-empty string such as "openai/gpt-4o-mini" or "mock/demo"; found ${describe(params.model)}.`);
  if (!Array.isArray(params.messages))
    throw new InvalidParamsError(`"messages" must be an array of chat messages ({ role, content }); found ${describe(params.messages)}.`);
  params.messages.forEach((m, i) => {
    if (!m || typeof m !== "object" || typeof m.role !== "string")
      throw new InvalidParamsError(`messages[${i}] must be an object with a string "role"; found ${describe(m)}.`);
  });
}

export function checkEmbeddingParams(params: EmbeddingParams): void {
  if (!params || typeof params !== "object") throw new InvalidParamsError("embedding() takes one object: { model, input }.");
  if (typeof params.model !== "string" || params.model === "")
    throw new InvalidParamsError(`"model" must be a non-empty string such as "openai/text-embedding-3-small"; found ${describe(params.model)}.`);
  const ok = typeof params.input === "string" || (Array.isArray(params.input) && params.input.every((s) => typeof s === "string"));
  if (!ok) throw new InvalidParamsError(`"input" must be a string or an array of strings; found ${describe(params.input)}.`);
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}
