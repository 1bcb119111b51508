/**
 * One catalogue of the errors this runtime throws, each with a stable `code`
 * (the codes, by family, are in error-codes.ts and exported here too).
 *
 * Provider errors carry the HTTP `status` of the provider where there is one,
 * and the class names are LiteLLM's, so `mock_response: "litellm.RateLimitError"`
 * and `err instanceof RateLimitError` read the same in both languages.
 */

import { CACHE_ERROR_CODES, CALLBACK_ERROR_CODES, CONFIG_ERROR_CODES, ERROR_CODES, ROUTER_ERROR_CODES, RUNTIME_ERROR_CODES, SERVER_ERROR_CODES } from "./error-codes.ts";

export { CACHE_ERROR_CODES, CALLBACK_ERROR_CODES, CONFIG_ERROR_CODES, ERROR_CODES, ROUTER_ERROR_CODES, RUNTIME_ERROR_CODES, SERVER_ERROR_CODES };

export type ProviderErrorName = keyof typeof ERROR_CODES;

export interface LiteLLMErrorOptions {
  status?: number;
  llm_provider?: string;
  model?: string;
  cause?: unknown;
  /** Seconds the provider asked us to wait (Retry-After). */
  retry_after?: number;
}

/** The base of every error a call can throw. */
export class LiteLLMError extends Error {
  /** A stable, documented code: match on this, not on the message. */
  readonly code: string;
  /** The provider's HTTP status, where there is one. */
  readonly status: number | undefined;
  readonly llm_provider: string | undefined;
  readonly model: string | undefined;
  readonly retry_after: number | undefined;
  /** The upstream's rate-limit headers (`x-ratelimit-*`) when it answered with an error status; LiteLLM's name. */
  litellm_response_headers?: Record<string, string>;

  constructor(message: string, code: string, options: LiteLLMErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.llm_provider = options.llm_provider;
    this.model = options.model;
    this.retry_after = options.retry_after;
  }

  /** A JSON-ready view, so an error can sit in a log record. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      llm_provider: this.llm_provider,
      model: this.model,
    };
  }
}

function providerError<N extends ProviderErrorName>(name: N, defaultStatus: number | undefined) {
  const Named = class extends LiteLLMError {
    constructor(message: string, options: LiteLLMErrorOptions = {}) {
      super(message, ERROR_CODES[name], { ...options, status: options.status ?? defaultStatus });
    }
  };
  Object.defineProperty(Named, "name", { value: name });
  return Named;
}

/** 400: the provider rejected the request, or the call's own parameters are wrong. */
export class BadRequestError extends providerError("BadRequestError", 400) {}
/** 401: the API key is missing or wrong. */
export class AuthenticationError extends providerError("AuthenticationError", 401) {}
/** 403: the key may not use this model or resource. */
export class PermissionDeniedError extends providerError("PermissionDeniedError", 403) {}
/** 404: the model or deployment does not exist at that provider. */
export class NotFoundError extends providerError("NotFoundError", 404) {}
/** 429: too many requests or tokens; `retry_after` holds the provider's hint. */
export class RateLimitError extends providerError("RateLimitError", 429) {}
/** 408: the provider did not answer within `timeout`. */
export class Timeout extends providerError("Timeout", 408) {}
/** The connection failed or dropped (no HTTP status). */
export class APIConnectionError extends providerError("APIConnectionError", undefined) {}
/** 503 (and 529, Anthropic's "overloaded"): the provider cannot serve now. */
export class ServiceUnavailableError extends providerError("ServiceUnavailableError", 503) {}
/** 500 and other 5xx: the provider failed. */
export class InternalServerError extends providerError("InternalServerError", 500) {}
/** Any other provider status. */
export class APIError extends providerError("APIError", undefined) {}
/** The model names a provider this runtime does not have. */
export class UnsupportedProviderError extends providerError("UnsupportedProviderError", 400) {}
/** The call's parameters are missing or malformed (checked before anything is sent). */
export class InvalidParamsError extends providerError("InvalidParamsError", 400) {}
/**
 * A parameter the provider's API does not take (LiteLLM's `UnsupportedParamsError`), found
 * before anything is sent. An InvalidParamsError too; `drop_params: true` drops it instead.
 */
export class UnsupportedParamsError extends InvalidParamsError {
  constructor(message: string, options: LiteLLMErrorOptions = {}) {
    super(message, options);
    (this as { code: string }).code = ERROR_CODES.UnsupportedParamsError;
  }
}
/** The provider answered 2xx with a body that is not what its API promises. */
export class InvalidResponseError extends providerError("InvalidResponseError", 502) {}

/** 400: the prompt is longer than the model's context window (a `context_window_fallbacks` trigger). */
export class ContextWindowExceededError extends providerError("ContextWindowExceededError", 400) {}
/** 400: the provider refused the content (a `content_policy_fallbacks` trigger). */
export class ContentPolicyViolationError extends providerError("ContentPolicyViolationError", 400) {}

/** Every provider error class by its LiteLLM name (`"RateLimitError"`). */
export const PROVIDER_ERRORS = {
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  Timeout,
  APIConnectionError,
  ServiceUnavailableError,
  InternalServerError,
  APIError,
  UnsupportedProviderError,
  InvalidParamsError,
  UnsupportedParamsError,
  InvalidResponseError,
  ContextWindowExceededError,
  ContentPolicyViolationError,
} satisfies Record<ProviderErrorName, new (message: string, options?: LiteLLMErrorOptions) => LiteLLMError>;

/** The error class for an HTTP status from a provider. */
export function errorForStatus(status: number): (typeof PROVIDER_ERRORS)[ProviderErrorName] {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return BadRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return PermissionDeniedError;
    case 404:
      return NotFoundError;
    case 408:
      return Timeout;
    case 429:
      return RateLimitError;
    case 503:
    case 529:
      return ServiceUnavailableError;
    default:
      return status >= 500 ? InternalServerError : APIError;
  }
}

/**
 * A callback failed, hung, or its work was dropped. It is handed to
 * `litellm.on_callback_error` (or written once to stderr), never thrown into a call.
 */
export class CallbackError extends LiteLLMError {
  /** The callback's name: its class, function name, or built-in name. */
  readonly callback: string;
  /** The event or hook it failed in (`async_log_success_event`, ...). */
  readonly event: string;
  constructor(message: string, code: string, callback: string, event: string, cause?: unknown) {
    super(message, code, { cause });
    this.callback = callback;
    this.event = event;
  }
}

/** What an `InvalidCallbackError` can say beyond its message. */
export interface InvalidCallbackDetails {
  cause?: unknown;
  /** The built-in option that is missing (`url`), when that is the problem. */
  option?: string;
  /** A value for it, as code (`"https://..."`, `process.env.MIXPANEL_TOKEN`), for the fix the message shows. */
  example?: string;
}

/**
 * A value put in a callback list that is not a callback, or a built-in whose
 * options do not make one (`CALLBACK_INVALID`). Thrown where it is registered:
 * at the assignment or `push` for the process-wide lists.
 */
export class InvalidCallbackError extends LiteLLMError {
  /** The missing built-in option (`url`), when that is the problem. */
  readonly option: string | undefined;
  /** A value for `option`, as code. */
  readonly example: string | undefined;
  constructor(message: string, details: InvalidCallbackDetails = {}) {
    super(message, "CALLBACK_INVALID", details.cause === undefined ? {} : { cause: details.cause });
    this.option = details.option;
    this.example = details.example;
  }
}

/**
 * 408: the call waited its whole `timeout` for a permit of a deployment whose requests in flight are
 * capped (`max_parallel_requests`, else `rpm`, ...), and none came free. A `Timeout` with its own code.
 */
export class MaxParallelRequestsTimeout extends Timeout {
  constructor(message: string, options: LiteLLMErrorOptions = {}) {
    super(message, options);
    (this as { code: string }).code = ROUTER_ERROR_CODES.parallelWaitTimeout;
  }
}

/** A response cache problem: an outage report (`CACHE_UNAVAILABLE`), or invalid options thrown by `new Cache()`. */
export class CacheError extends LiteLLMError {
  constructor(message: string, code: string, cause?: unknown) {
    super(message, code, { cause });
  }
}

/** One problem in a config file, located as precisely as the file allows. */
export interface ConfigIssue {
  code: string;
  /** The file the problem is in (the config, or an included file); null for an inline object. */
  file: string | null;
  /** 1-based line and column, where known. */
  line?: number;
  col?: number;
  /** Dotted path of the value, `litellm_settings.cache_params.type`, `model_list[2].model_name`. */
  path: string;
  /** What is wrong, in a sentence (without the location, which `formatIssue` adds). */
  message: string;
  /** The nearest known key or value, for a misspelling. */
  suggestion?: string;
}

/** `file:line:col path: message (did you mean "x"?) [CODE]` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}:${issue.col ?? 1}` : ""}` : "<config>";
  const path = issue.path ? ` ${issue.path}:` : "";
  const hint = issue.suggestion ? ` Did you mean "${issue.suggestion}"?` : "";
  return `${where}${path} ${issue.message}${hint} [${issue.code}]`;
}

/** Every problem of one config, together: fix them all in one go. `code` is the first issue's. */
export class ConfigError extends LiteLLMError {
  readonly issues: readonly ConfigIssue[];
  readonly file: string | null;
  constructor(issues: readonly ConfigIssue[], file: string | null = issues[0]?.file ?? null) {
    const head = issues.length === 1 ? "invalid config" : `invalid config: ${issues.length} problems`;
    super(`${head}\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`, issues[0]?.code ?? CONFIG_ERROR_CODES.invalidValue);
    this.issues = issues;
    this.file = file;
  }
}

/**
 * A chat call a pre-call hook answered with a string instead of letting it
 * through (LiteLLM's `RejectedRequestError`, a 400). The caller never sees it:
 * it gets the string as the answer. The failure loggers and the failure hooks
 * see the call as failed with this error, as LiteLLM's do.
 */
export class RejectedRequestError extends LiteLLMError {
  constructor(message: string, options: LiteLLMErrorOptions = {}) {
    super(message, RUNTIME_ERROR_CODES.rejectedRequest, { ...options, status: 400 });
  }
}
