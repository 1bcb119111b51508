/** Anthropic's failures as the runtime's error classes: HTTP errors, `error` events mid-stream, and the network. */
import {
  APIConnectionError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  LiteLLMError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
  errorForStatus,
} from "../../errors.ts";

/** What an error message names: who failed, for which model, at which URL. */
export interface Where {
  provider: string;
  model: string;
  url: string;
  timeoutMs: number;
  hasKey: boolean;
}

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
  return new Cls(`${where.provider} returned ${code}${kind}${during}: ${message}${hint}`, {
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

/**
 * A failure of the request itself (no HTTP answer, or one cut short). `answered` says
 * whether the headers had arrived; `aborted` that the caller or the stream's consumer stopped it.
 */
export function transportError(err: unknown, where: Where, answered: boolean, aborted: boolean): LiteLLMError {
  if (err instanceof LiteLLMError) return err;
  const opts = { llm_provider: where.provider, model: where.model, cause: err };
  const p = where.provider;
  if (aborted) return new APIConnectionError(`${p}: the request to ${where.url} was aborted.`, opts);
  const code = codeOf(err);
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    const what = code === "UND_ERR_BODY_TIMEOUT" ? "the rest of the answer" : code === "UND_ERR_CONNECT_TIMEOUT" ? "a connection" : "an answer";
    return new Timeout(`${p}: no ${what} from ${where.url} within ${where.timeoutMs / 1000} s. Raise "timeout" (seconds) if the model is just slow.`, opts);
  }
  if (answered) return new APIConnectionError(`${p}: ${where.url} closed the connection before the response was complete (${code}).`, opts);
  return new APIConnectionError(`${p}: could not reach ${where.url} (${code}). Check "api_base" (or ANTHROPIC_BASE_URL) and that the server is running.`, opts);
}

/** The socket's code (ECONNREFUSED, UND_ERR_SOCKET), looking through the causes undici wraps it in. */
function codeOf(err: unknown): string {
  let cur = err;
  for (let depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const { code } = cur as { code?: unknown };
    if (typeof code === "string") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
