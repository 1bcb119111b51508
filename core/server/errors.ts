/**
 * Every error the server answers with, in OpenAI's shape `{"error": {"message", "type", "param", "code"}}`.
 *
 *   thrown                                   status                  type                   code
 *   request problems (body, fields, model)   400                     invalid_request_error  SERVER_ERROR_CODES.*
 *   no / wrong master key                    401                     authentication_error   invalid_api_key
 *   body over the limit                      413                     invalid_request_error  request_too_large
 *   a call's error with a provider status    that status (4xx/5xx)   by status (below)      the error's code (LLM_*)
 *   Timeout                                  504                     timeout                LLM_TIMEOUT
 *   APIConnectionError                       502                     api_connection_error   LLM_CONNECTION
 *   InvalidResponseError                     502                     api_error              LLM_INVALID_RESPONSE
 *   UnsupportedProviderError                 500 (a config problem)  api_error              LLM_UNSUPPORTED_PROVIDER
 *   runtime closed                           503                     api_error              RUNTIME_CLOSED
 *   a pre-call or moderation hook's error,   its 4xx status, or 400  by status              its code, or request_rejected
 *     or one a failure hook put in its place
 *   a pre-call or moderation hook that hung  500, detail to stderr   api_error              CALLBACK_TIMEOUT / CALLBACK_THREW
 *     or threw a non-Error (CallbackError)
 *   anything else (a bug)                    500, detail to stderr   api_error              internal_error
 *
 * By status: 401 authentication_error, 403 permission_error, 429 rate_limit_error, 5xx api_error, other 4xx invalid_request_error.
 */
import { describeThrown } from "../callbacks/failure.ts";
import { CALLBACK_ERROR_CODES, ERROR_CODES, LiteLLMError, SERVER_ERROR_CODES } from "../errors.ts";

/** OpenAI's `error.type` values the server uses. */
export type WireType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "rate_limit_error"
  | "timeout"
  | "api_connection_error"
  | "api_error";

/** An error the server itself answers with (bad body, no key, unknown route). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: WireType,
    readonly code: string,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> | undefined = undefined,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** One error response, ready to send. */
export interface WireError {
  status: number;
  type: WireType;
  message: string;
  code: string | null;
  param: string | null;
  headers?: Readonly<Record<string, string>>;
}

/** The `type` OpenAI's clients expect for a status. */
export function typeForStatus(status: number): WireType {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  return status >= 500 ? "api_error" : "invalid_request_error";
}

const C = ERROR_CODES;

const HOOK_DETAIL = "so the request was rejected: the detail is in the server's log.";

/** A call's error: the provider's status passes on, except where a gateway status says more. */
function fromCall(err: LiteLLMError): WireError {
  const base = { message: err.message, code: err.code, param: null };
  switch (err.code) {
    case C.Timeout:
      return { ...base, status: 504, type: "timeout" };
    case C.APIConnectionError:
      return { ...base, status: 502, type: "api_connection_error" };
    case C.InvalidResponseError:
      return { ...base, status: 502, type: "api_error" };
    case C.UnsupportedProviderError:
      // The config names a provider we lack: the client cannot fix that by changing its request.
      return { ...base, status: 500, type: "api_error", message: `this model is misconfigured on the server: ${err.message}` };
    case "RUNTIME_CLOSED":
      return { ...base, status: 503, type: "api_error", message: "the server is shutting down; retry on another instance." };
    // A guard hook that hung or threw a non-Error: the server's fault, not the request's; the detail went to its callback report.
    case CALLBACK_ERROR_CODES.timeout:
      return { ...base, status: 500, type: "api_error", message: `a check the server runs on each request did not answer in time, ${HOOK_DETAIL}` };
    case CALLBACK_ERROR_CODES.threw:
      return { ...base, status: 500, type: "api_error", message: `a check the server runs on each request failed, ${HOOK_DETAIL}` };
  }
  const status = err.status !== undefined && err.status >= 400 && err.status <= 599 ? err.status : err.llm_provider ? 502 : 500;
  const retry = err.retry_after !== undefined && Number.isFinite(err.retry_after) ? { "retry-after": String(Math.max(0, Math.ceil(err.retry_after))) } : undefined;
  return { ...base, status, type: typeForStatus(status), ...(retry && { headers: retry }) };
}

/** Errors that are bugs (in a hook or in us), never a deliberate rejection. */
const BUGS = [TypeError, ReferenceError, RangeError, SyntaxError, EvalError];

/** A call hook rejecting the request (pre-call, moderation, or a failure hook's replacement): its 4xx status, else 400, with its message. */
function fromHook(err: Error): WireError | undefined {
  if (BUGS.some((B) => err instanceof B)) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; status_code?: unknown; code?: unknown };
  const declared = [e.status, e.statusCode, e.status_code].find((s) => typeof s === "number");
  const status = typeof declared === "number" && declared >= 400 && declared <= 499 ? declared : 400;
  const code = typeof e.code === "string" && e.code ? e.code : SERVER_ERROR_CODES.rejectedByHook;
  return { status, type: typeForStatus(status), message: err.message || "the request was rejected.", code, param: null };
}

/** The response for anything thrown while serving a request; unexpected errors are logged, never shown. `scrub` masks the config's secrets in its message. */
export function toWire(err: unknown, where: string, scrub: (text: string) => string = (t) => t): WireError {
  const w = wire(err, where, scrub);
  return { ...w, message: scrub(w.message) };
}

function wire(err: unknown, where: string, scrub: (text: string) => string): WireError {
  if (err instanceof HttpError) return { status: err.status, type: err.type, message: err.message, code: err.code, param: err.param, ...(err.headers && { headers: err.headers }) };
  if (err instanceof LiteLLMError) return fromCall(err);
  const hook = err instanceof Error ? fromHook(err) : undefined;
  if (hook) return hook;
  process.stderr.write(scrub(`litellm-runtime server: unexpected error in ${where}: ${err instanceof Error ? (err.stack ?? err.message) : describeThrown(err)}\n`));
  return { status: 500, type: "api_error", message: "internal server error: the detail is in the server's log.", code: SERVER_ERROR_CODES.internal, param: null };
}

/** The body of an error response (also the payload of a stream's error event). */
export function errorBody(w: WireError): string {
  return JSON.stringify({ error: { message: w.message, type: w.type, param: w.param, code: w.code } });
}

/** A raw answer for a request Node could not even parse (bad headers, too large headers, too slow). */
export function clientErrorResponse(code: string | undefined): string {
  const [status, reason, message] =
    code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "the request headers are too large."]
      : code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "the request was not received in time."]
        : [400, "Bad Request", "the request is not valid HTTP."];
  const text = errorBody({ status, type: "invalid_request_error", message, code: null, param: null });
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`;
}
