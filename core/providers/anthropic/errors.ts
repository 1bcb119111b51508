/** Anthropic's failures as the runtime's error classes: HTTP errors, `error` events mid-stream, and the network. */
import { scrubUpstream } from "../../secrets.ts";
import type { Where } from "../http.ts";
import {
  ContentPolicyViolationError,
  ContextWindowExceededError,
  LiteLLMError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
  errorForStatus,
} from "../../errors.ts";

export type { Where } from "../http.ts";

/** `error` of Anthropic's error body `{"type":"error","error":{"type","message"}}`. */
export interface AnthropicErrorBody {
  type?: string | undefined;
  message?: string | undefined;
}

/** The status each of Anthropic's error types comes with: an `error` event mid-stream carries only the type. */
const STATUS_OF_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

// Anthropic's words: "prompt is too long: 208310 tokens > 200000 maximum", "input length and `max_tokens` exceed context limit: ...".
const CONTEXT_WINDOW = /prompt is too long|exceeds? (?:the )?context (?:limit|window)|context length/i;
const CONTENT_POLICY = /content (?:filtering )?policy|output blocked/i;

/** The `error` object of an error body; a body that is not Anthropic's (a proxy's page) becomes the message. */
export function parseErrorBody(text: string): AnthropicErrorBody {
  try {
    const e = (JSON.parse(text) as { error?: { type?: unknown; message?: unknown } } | null)?.error;
    if (e && typeof e === "object")
      return { type: typeof e.type === "string" ? e.type : undefined, message: typeof e.message === "string" ? e.message : undefined };
  } catch {
    // not JSON: fall through
  }
  const trimmed = text.trim();
  return { message: trimmed ? trimmed.slice(0, 300) : undefined };
}

/** An Anthropic error as ours: `status` from the response, or undefined for an `error` event in a stream. */
export function anthropicError(where: Where, status: number | undefined, body: AnthropicErrorBody, retryAfter?: string | string[]): LiteLLMError {
  const code = status ?? STATUS_OF_TYPE[body.type ?? ""] ?? 500;
  const message = body.message ?? `HTTP ${code}`;
  const Cls = classFor(code, body.type, message);
  const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  // No header is no hint: Number("") would read it as "retry after 0 s".
  const retry = header ? Number(header) : NaN;
  const hint = code === 401 && !where.hasKey ? ' No key was sent: set "api_key" or ANTHROPIC_API_KEY.' : "";
  const kind = body.type ? ` (${body.type})` : "";
  const during = status === undefined ? " mid-stream" : "";
  // The upstream's text may echo the key it was sent: masked before the error (and its stack) exists.
  return new Cls(scrubUpstream(`${where.provider} returned ${code}${kind}${during}: ${message}${hint}`, where.secrets), {
    llm_provider: where.provider,
    model: where.model,
    status: code,
    retry_after: Number.isFinite(retry) ? retry : undefined,
  });
}

function classFor(status: number, type: string | undefined, message: string) {
  if (type === "overloaded_error" || status === 529) return ServiceUnavailableError;
  if (type === "rate_limit_error") return RateLimitError;
  if (type === "timeout_error") return Timeout;
  // Routing falls back on these two, and Anthropic tells them apart only by the message.
  if (status === 400 || status === 413) {
    if (CONTEXT_WINDOW.test(message)) return ContextWindowExceededError;
    if (CONTENT_POLICY.test(message)) return ContentPolicyViolationError;
  }
  return errorForStatus(status);
}
