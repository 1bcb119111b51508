import { ERROR_CODES } from "../errors.ts";

/**
 * What a failed attempt says, read from the error alone: its HTTP status, whether
 * the connection failed or timed out, its Retry-After, and which fallback list it
 * calls for. Codes and names are read rather than `instanceof`, so errors from
 * another copy of this package (or the openai client's own) classify the same.
 */

type Obj = Record<string, unknown>;

/** Node and undici codes of a connection that failed before or while answering. */
const CONNECTION_CODES = new Set([
  ERROR_CODES.APIConnectionError,
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
]);
const CONNECTION_NAMES = new Set(["APIConnectionError"]);
const TIMEOUT_CODES = new Set([ERROR_CODES.Timeout, "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const TIMEOUT_NAMES = new Set(["Timeout", "TimeoutError", "APIConnectionTimeoutError"]);

/** Which fallback list an error calls for. */
export const FALLBACK_KIND = { generic: 0, contextWindow: 1, contentPolicy: 2 } as const;
export type FallbackKind = (typeof FALLBACK_KIND)[keyof typeof FALLBACK_KIND];

const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === "object" ? (v as Obj) : undefined);

/** The error, and its `cause` one level down (undici's "fetch failed" keeps the socket's code there). */
function layers(err: unknown): [Obj | undefined, Obj | undefined] {
  const e = asObj(err);
  return [e, asObj(e?.cause)];
}

function has(e: Obj | undefined, codes: Set<string>, names: Set<string>): boolean {
  return e !== undefined && ((typeof e.code === "string" && codes.has(e.code)) || (typeof e.name === "string" && names.has(e.name)));
}

/** The provider's HTTP status: `status` (ours, openai's), else `statusCode` / `status_code`. */
export function statusOf(err: unknown): number | undefined {
  const e = asObj(err);
  if (!e) return undefined;
  for (const v of [e.status, e.statusCode, e.status_code]) if (typeof v === "number" && Number.isInteger(v)) return v;
  return undefined;
}

export function isTimeout(err: unknown): boolean {
  const [e, cause] = layers(err);
  return statusOf(err) === 408 || has(e, TIMEOUT_CODES, TIMEOUT_NAMES) || has(cause, TIMEOUT_CODES, TIMEOUT_NAMES);
}

export function isConnectionError(err: unknown): boolean {
  const [e, cause] = layers(err);
  return has(e, CONNECTION_CODES, CONNECTION_NAMES) || has(cause, CONNECTION_CODES, CONNECTION_NAMES);
}

export function fallbackKind(err: unknown): FallbackKind {
  const e = asObj(err);
  if (!e) return FALLBACK_KIND.generic;
  if (e.code === ERROR_CODES.ContextWindowExceededError || e.name === "ContextWindowExceededError") return FALLBACK_KIND.contextWindow;
  if (e.code === ERROR_CODES.ContentPolicyViolationError || e.name === "ContentPolicyViolationError") return FALLBACK_KIND.contentPolicy;
  return FALLBACK_KIND.generic;
}

/**
 * Worth another attempt: a connection failure, a timeout, 408, 409, 429 or 5xx
 * (LiteLLM's `_should_retry`). Never a prompt too long or refused content: the
 * same request fails the same way, so those go straight to their fallbacks.
 */
export function isRetryable(err: unknown): boolean {
  if (fallbackKind(err) !== FALLBACK_KIND.generic) return false;
  if (isConnectionError(err) || isTimeout(err)) return true;
  const status = statusOf(err);
  return status !== undefined && (status === 408 || status === 409 || status === 429 || status >= 500);
}

/**
 * Says the deployment is unwell, so it counts toward a cool-down: 429, 5xx, a timeout,
 * a connection failure, and (as LiteLLM's `_is_cooldown_required`) 401 and 404, which
 * are this deployment's key or name being wrong. Not 400s and other 4xx: those are the request's fault.
 */
export function isUnwell(err: unknown): boolean {
  if (fallbackKind(err) !== FALLBACK_KIND.generic) return false;
  if (isConnectionError(err) || isTimeout(err)) return true;
  const status = statusOf(err);
  return status !== undefined && (status === 401 || status === 404 || status === 429 || status >= 500);
}

/** Seconds the provider asked to wait (`retry_after` on our errors), or 0. */
export function retryAfterSeconds(err: unknown): number {
  const v = asObj(err)?.retry_after;
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0;
}

/**
 * The classes `retry_policy` and `allowed_fails_policy` name (LiteLLM's exception classes),
 * and `other` for what neither names (connection failures, 403, 404, 409, 422, ...).
 */
export const ERROR_CLASS = { badRequest: 0, authentication: 1, timeout: 2, rateLimit: 3, contentPolicy: 4, internalServer: 5, other: 6 } as const;
export type ErrorClass = (typeof ERROR_CLASS)[keyof typeof ERROR_CLASS];
export const ERROR_CLASS_COUNT = 7;

/**
 * The class of a failed attempt, as LiteLLM sorts its exceptions: a content-policy refusal
 * first (a 400 it keeps apart), a timeout (408 too), then by status: 401 authentication,
 * 429 rate limit, 400 bad request (a context-window error too: LiteLLM's is a BadRequestError),
 * any 5xx internal server error (503 and 529 included).
 */
export function errorClass(err: unknown): ErrorClass {
  const kind = fallbackKind(err);
  if (kind === FALLBACK_KIND.contentPolicy) return ERROR_CLASS.contentPolicy;
  if (kind === FALLBACK_KIND.contextWindow) return ERROR_CLASS.badRequest;
  if (isTimeout(err)) return ERROR_CLASS.timeout;
  const status = statusOf(err);
  if (status === undefined) return ERROR_CLASS.other;
  if (status === 401) return ERROR_CLASS.authentication;
  if (status === 429) return ERROR_CLASS.rateLimit;
  if (status === 400) return ERROR_CLASS.badRequest;
  return status >= 500 ? ERROR_CLASS.internalServer : ERROR_CLASS.other;
}
