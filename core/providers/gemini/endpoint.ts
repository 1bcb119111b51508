/**
 * Where a Gemini request goes and what it carries; light, so building a request loads no HTTP client.
 * Defaults come from the target's environment (a config runtime's own), else process.env.
 */
import type { ResolvedModel } from "../types.ts";

/** Google AI Studio's Gemini API, the version LiteLLM speaks. */
export const DEFAULT_BASE = "https://generativelanguage.googleapis.com/v1beta";

/** The methods this adapter calls on `models/{model}`. */
export type GeminiMethod = "generateContent" | "streamGenerateContent" | "batchEmbedContents";

/**
 * The base URL, ending in its API version. Accepts the origin (as LiteLLM's `api_base` and
 * GEMINI_API_BASE are written for Gemini: `/v1beta` is added) or a base that already names a
 * version (`.../v1beta`, `.../v1`), as a proxy in front of Gemini may be written.
 */
export function baseUrl(target: ResolvedModel): string {
  const base = (target.api_base ?? (target.env ?? process.env).GEMINI_API_BASE ?? DEFAULT_BASE).replace(/\/+$/, "");
  return /\/v\d+(?:alpha|beta)?\d*$/.test(base) ? base : `${base}/v1beta`;
}

/**
 * `POST {base}/models/{model}:{method}`; a stream asks for server-sent events (`alt=sse`),
 * else Gemini streams one JSON array. The key never goes in the URL (`?key=`): URLs are logged.
 */
export function methodUrl(target: ResolvedModel, method: GeminiMethod): string {
  // A model written as Google's resource name ("models/gemini-2.0-flash") is accepted too.
  const model = target.model.startsWith("models/") ? target.model.slice("models/".length) : target.model;
  const url = `${baseUrl(target)}/models/${encodeURIComponent(model)}:${method}`;
  return method === "streamGenerateContent" ? `${url}?alt=sse` : url;
}

/**
 * The key a call would use: the call's, else GEMINI_API_KEY or GOOGLE_API_KEY. GOOGLE_API_KEY
 * wins when both are set, as in LiteLLM and Google's own SDKs.
 */
export function keyFor(target: ResolvedModel): string | undefined {
  const env = target.env ?? process.env;
  return target.api_key ?? (env.GOOGLE_API_KEY || undefined) ?? (env.GEMINI_API_KEY || undefined);
}

/** The headers as sent; `x-goog-api-key` is masked by `safeHeaders` before any callback sees it. */
export function headersFor(key: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers["x-goog-api-key"] = key;
  return headers;
}
