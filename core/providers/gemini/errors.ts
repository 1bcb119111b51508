/** Gemini's failures as the runtime's error classes: HTTP errors and `error` objects mid-stream. */
import { scrubUpstream } from "../../secrets.ts";
import type { Where } from "../http.ts";
import {
  AuthenticationError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  LiteLLMError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
  errorForStatus,
} from "../../errors.ts";

export type { Where } from "../http.ts";

/** `error` of Google's error body `{"error": {"code", "message", "status", "details"}}`. */
export interface GeminiErrorBody {
  code?: number | undefined;
  message?: string | undefined;
  /** Google's canonical code: INVALID_ARGUMENT, RESOURCE_EXHAUSTED, ... */
  status?: string | undefined;
  /** `google.rpc` details: an ErrorInfo's `reason`, a RetryInfo's `retryDelay` ("37s"). */
  details?: unknown[] | undefined;
}

// Gemini's words: "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576)."
const CONTEXT_WINDOW = /exceeds the maximum number of tokens|input token count.*exceeds|context (?:length|window)/i;
const CONTENT_POLICY = /prohibited content|blocked (?:for|due to) safety|safety reasons/i;

/** The `error` object of an error body; a body that is not Google's (a proxy's page) becomes the message. */
export function parseErrorBody(text: string): GeminiErrorBody {
  try {
    const parsed = JSON.parse(text) as unknown;
    // A streamed request's error comes as a one-element JSON array when it is not SSE.
    const e = ((Array.isArray(parsed) ? parsed[0] : parsed) as { error?: Record<string, unknown> } | null)?.error;
    if (e && typeof e === "object") return errorObject(e);
  } catch {
    // not JSON: fall through
  }
  const trimmed = text.trim();
  return { message: trimmed ? trimmed.slice(0, 300) : undefined };
}

/** The fields of an `error` object, each kept only when of its type. */
export function errorObject(e: Record<string, unknown>): GeminiErrorBody {
  return {
    code: typeof e.code === "number" ? e.code : undefined,
    message: typeof e.message === "string" ? e.message : undefined,
    status: typeof e.status === "string" ? e.status : undefined,
    details: Array.isArray(e.details) ? e.details : undefined,
  };
}

/** A Gemini error as ours: `status` from the response, or undefined for an `error` in a stream (its `code` then). */
export function geminiError(where: Where, status: number | undefined, body: GeminiErrorBody, retryAfter?: string | string[]): LiteLLMError {
  const code = status ?? body.code ?? 500;
  const message = body.message ?? `HTTP ${code}`;
  const reason = detail(body.details, "reason");
  const Cls = classFor(code, body.status, reason, message);
  const hint = (code === 401 || code === 403 || Cls === AuthenticationError) && !where.hasKey ? ' No key was sent: set "api_key" or GEMINI_API_KEY.' : "";
  const kind = body.status ? ` (${body.status})` : "";
  const during = status === undefined ? " mid-stream" : "";
  // The upstream's text may echo the key it was sent: masked before the error (and its stack) exists.
  return new Cls(scrubUpstream(`${where.provider} returned ${code}${kind}${during} for model "${where.model}": ${message}${hint}`, where.secrets), {
    llm_provider: where.provider,
    model: where.model,
    status: code,
    retry_after: retrySeconds(retryAfter, body.details),
  });
}

function classFor(status: number, canonical: string | undefined, reason: string | undefined, message: string) {
  // Google answers a wrong key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID: it is an auth failure all the same.
  if (reason === "API_KEY_INVALID" || /API key not valid|API key expired/i.test(message)) return AuthenticationError;
  if (canonical === "RESOURCE_EXHAUSTED") return RateLimitError;
  if (canonical === "UNAVAILABLE") return ServiceUnavailableError;
  if (canonical === "DEADLINE_EXCEEDED") return Timeout;
  // Routing falls back on these two, and Gemini tells them apart only by the message.
  if (status === 400) {
    if (CONTEXT_WINDOW.test(message)) return ContextWindowExceededError;
    if (CONTENT_POLICY.test(message)) return ContentPolicyViolationError;
  }
  return errorForStatus(status);
}

/** A field of the first `details` entry that has it (ErrorInfo's `reason`, RetryInfo's `retryDelay`). */
function detail(details: unknown[] | undefined, field: string): string | undefined {
  for (const d of details ?? []) {
    const v = (d as Record<string, unknown> | null)?.[field];
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** Seconds to wait: the `retry-after` header, else the RetryInfo detail Gemini sends with a 429 ("37s", "0.5s"). */
function retrySeconds(header: string | string[] | undefined, details: unknown[] | undefined): number | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  // No header is no hint: Number("") would read it as "retry after 0 s".
  const fromHeader = h ? Number(h) : NaN;
  if (Number.isFinite(fromHeader)) return fromHeader;
  const delay = /^(\d+(?:\.\d+)?)s$/.exec(detail(details, "retryDelay") ?? "");
  return delay ? Number(delay[1]) : undefined;
}
