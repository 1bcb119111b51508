import { InvalidParamsError } from "../errors.ts";
import type { CompletionParams, EmbeddingParams } from "../types.ts";
import { NOT_SENT } from "./param-registry.ts";

/** The runtime's own parameters (LiteLLM's, routing, the request's own parts): everything else is the provider's (`optional_params`). */
const OWN_KEYS = NOT_SENT;

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

/**
 * The HTTP headers a call adds to its provider request: `headers` (LiteLLM's older name)
 * with `extra_headers` over it, or undefined when it adds none. Values are sent as text.
 */
export function extraHeadersOf(params: CompletionParams | EmbeddingParams): Readonly<Record<string, string>> | undefined {
  const { headers, extra_headers } = params as { headers?: unknown; extra_headers?: unknown };
  if (headers == null && extra_headers == null) return undefined;
  const out: Record<string, string> = {};
  for (const [name, given] of [["headers", headers], ["extra_headers", extra_headers]] as const) {
    if (given == null) continue;
    if (typeof given !== "object" || Array.isArray(given)) throw new InvalidParamsError(`"${name}" must be an object of header names to values, such as { "x-trace": "abc" }; found ${describe(given)}.`);
    for (const [key, value] of Object.entries(given as Record<string, unknown>)) {
      if (value == null) continue;
      if (typeof value === "object" || typeof value === "function") throw new InvalidParamsError(`"${name}.${key}" must be a string; found ${describe(value)}.`);
      out[key] = String(value);
    }
  }
  return out;
}

/** Whether parameters the provider does not take are dropped: the call's (or its deployment's) `drop_params`, else the setting. */
export function dropParamsOf(params: CompletionParams | EmbeddingParams, setting: boolean | undefined): boolean {
  const own = (params as { drop_params?: unknown }).drop_params;
  return typeof own === "boolean" ? own : setting === true;
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
