/**
 * Where an Anthropic request goes and what it carries; light, so building a request loads no HTTP client.
 * Defaults come from the target's environment (a config runtime's own), else process.env.
 */
import type { ResolvedModel } from "../types.ts";

const DEFAULT_BASE = "https://api.anthropic.com";

/** The Messages API version this adapter speaks; Anthropic requires the header on every request. */
export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * The Messages endpoint for a base URL. Accepts the origin (`https://api.anthropic.com`, as
 * ANTHROPIC_BASE_URL is written for Anthropic's SDKs), a base ending in `/v1`, or the full
 * `/v1/messages` URL (as LiteLLM's `api_base` for Anthropic is often written).
 */
export function messagesUrl(target: ResolvedModel): string {
  const base = (target.api_base ?? (target.env ?? process.env).ANTHROPIC_BASE_URL ?? DEFAULT_BASE).replace(/\/+$/, "");
  if (base.endsWith("/v1/messages")) return base;
  return base.endsWith("/v1") ? `${base}/messages` : `${base}/v1/messages`;
}

/** The key a call would use, for the header and for masking in kwargs. */
export function keyFor(target: ResolvedModel): string | undefined {
  return target.api_key ?? (target.env ?? process.env).ANTHROPIC_API_KEY;
}

/** The headers as sent; `x-api-key` is masked by `safeHeaders` before any callback sees it. */
export function headersFor(key: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION };
  if (key) headers["x-api-key"] = key;
  return headers;
}
