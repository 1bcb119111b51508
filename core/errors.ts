/**
 * One catalogue of the errors this runtime throws, each with a stable `code`.
 *
 * Provider errors carry the HTTP `status` of the provider where there is one,
 * and the class names are LiteLLM's, so `mock_response: "litellm.RateLimitError"`
 * and `err instanceof RateLimitError` read the same in both languages.
 */

/** Stable codes of the provider errors (`err.code`). */
export const ERROR_CODES = {
  BadRequestError: "LLM_BAD_REQUEST",
  AuthenticationError: "LLM_AUTHENTICATION",
  PermissionDeniedError: "LLM_PERMISSION_DENIED",
  NotFoundError: "LLM_NOT_FOUND",
  RateLimitError: "LLM_RATE_LIMIT",
  Timeout: "LLM_TIMEOUT",
  APIConnectionError: "LLM_CONNECTION",
  ServiceUnavailableError: "LLM_SERVICE_UNAVAILABLE",
  InternalServerError: "LLM_INTERNAL_SERVER",
  APIError: "LLM_API_ERROR",
  UnsupportedProviderError: "LLM_UNSUPPORTED_PROVIDER",
  InvalidParamsError: "LLM_INVALID_PARAMS",
  InvalidResponseError: "LLM_INVALID_RESPONSE",
} as const;

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
/** The provider answered 2xx with a body that is not what its API promises. */
export class InvalidResponseError extends providerError("InvalidResponseError", 502) {}

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
  InvalidResponseError,
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

/** Stable codes of the errors a callback produces. They are reported, never thrown into a call. */
export const CALLBACK_ERROR_CODES = {
  threw: "CALLBACK_THREW",
  timeout: "CALLBACK_TIMEOUT",
  dropped: "CALLBACK_QUEUE_FULL",
} as const;

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

/** A value put in a callback list that is not a callback. Thrown where it is registered. */
export class InvalidCallbackError extends LiteLLMError {
  constructor(message: string) {
    super(message, "CALLBACK_INVALID");
  }
}
