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
  UnsupportedParamsError: "LLM_UNSUPPORTED_PARAMS",
  InvalidResponseError: "LLM_INVALID_RESPONSE",
  ContextWindowExceededError: "LLM_CONTEXT_WINDOW_EXCEEDED",
  ContentPolicyViolationError: "LLM_CONTENT_POLICY_VIOLATION",
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

/** Stable codes of the errors a callback produces. They are reported, never thrown into a call. */
export const CALLBACK_ERROR_CODES = {
  threw: "CALLBACK_THREW",
  timeout: "CALLBACK_TIMEOUT",
  dropped: "CALLBACK_QUEUE_FULL",
  /** The file built-in cannot write its file (no permission, disk full, a folder in the way); lines are kept and retried. */
  fileWriteFailed: "FILE_WRITE_FAILED",
  /** A sending built-in (mixpanel, webhook) lost events: the receiver refused them, or kept failing past max_retries. */
  deliveryFailed: "DELIVERY_FAILED",
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

/** Stable codes of the response cache's problems. A cache fault is reported, never thrown into a call. */
export const CACHE_ERROR_CODES = {
  /** Redis is down, slow or restarting: calls run without the cache (misses, dropped writes) until it answers again. Reported once per outage. */
  unavailable: "CACHE_UNAVAILABLE",
  /** `new Cache({...})` (or `cache_params`) with an option of the wrong type or out of range. Thrown by the constructor. */
  invalidOptions: "CACHE_INVALID_OPTIONS",
} as const;

/** Codes of the router's own: its reports, and the wait for a capped deployment. */
export const ROUTER_ERROR_CODES = {
  /** The Redis of `router_settings.redis_host` / `redis_url` is down or slow: each instance routes on its own counts until it answers. Reported once per outage. */
  redisUnavailable: "ROUTER_REDIS_UNAVAILABLE",
  /** Thrown into a call (`MaxParallelRequestsTimeout`, a 408): every deployment it could use had all its `max_parallel_requests` in flight for the call's whole `timeout`. */
  parallelWaitTimeout: "ROUTER_PARALLEL_WAIT_TIMEOUT",
} as const;

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

/**
 * Stable codes of the HTTP server. `listen` is thrown by `startServer()`; the
 * others are the `code` of an error response's body (`{"error": {"code"}}`),
 * in OpenAI's spelling where OpenAI has one. Errors of a call keep their own
 * code (`LLM_RATE_LIMIT`, ...) on the wire.
 */
export const SERVER_ERROR_CODES = {
  /** The address is taken or not ours to bind (thrown by startServer). */
  listen: "SERVER_LISTEN",
  /** `serve --num_workers N`: a worker ended without being asked to (crashed, killed); the primary started another in its place (printed on stderr). */
  workerDied: "SERVER_WORKER_DIED",
  /** 401: no `Authorization: Bearer <master_key>`, or the wrong key. */
  invalidApiKey: "invalid_api_key",
  /** 400: the body is not JSON (the message says where it failed). */
  invalidJson: "invalid_json",
  /** 400: the body is JSON but not an object. */
  invalidBody: "invalid_request_body",
  /** 400: `model`, `messages` or `input` is missing (`param` names it). */
  missingParameter: "missing_required_parameter",
  /** 400: a field has the wrong type (`param` names it). */
  invalidType: "invalid_type",
  /** 400: a parameter the config owns (core/server/client-params.ts) sent by a client; `param` names it. */
  paramNotAllowed: "param_not_allowed",
  /** 400: the model is not one of the config's aliases (the message lists them). */
  modelNotFound: "model_not_found",
  /** 400: the `x-litellm-metadata` header is not a JSON object. */
  invalidMetadataHeader: "invalid_metadata_header",
  /** 400: a pre-call or moderation hook rejected the request (or a failure hook replaced its error) with a plain error (its own `code` wins when it has one). */
  rejectedByHook: "request_rejected",
  /** 413: the body is over `max_request_body_bytes`. */
  bodyTooLarge: "request_too_large",
  /** 404: no such route. */
  routeNotFound: "not_found",
  /** 405: the route exists for another method (`allow` says which). */
  methodNotAllowed: "method_not_allowed",
  /** 500: a bug, not the request's fault; the detail goes to stderr, never to the client. */
  internal: "internal_error",
} as const;

/** Stable codes of config problems (`issue.code`). */
export const CONFIG_ERROR_CODES = {
  /** No config file where one was named or searched for. */
  notFound: "CONFIG_NOT_FOUND",
  /** The file is not valid YAML / JSON, or a .ts/.mjs config failed to load. */
  parse: "CONFIG_PARSE",
  /** A key nobody knows (with the nearest known key suggested). */
  unknownKey: "CONFIG_UNKNOWN_KEY",
  /** A value of the wrong type or outside what is allowed. */
  invalidValue: "CONFIG_INVALID_VALUE",
  /** A required key is missing. */
  missingKey: "CONFIG_MISSING_KEY",
  /** `os.environ/NAME` or `${NAME}` with NAME unset and no default. */
  missingEnv: "CONFIG_ENV_MISSING",
  /** An `include` file that does not exist, is not a regular file, is too large, or does not load. */
  include: "CONFIG_INCLUDE",
  /** A callback name that is neither built in nor a module reference. */
  unknownCallback: "CONFIG_UNKNOWN_CALLBACK",
  /** A callback module that does not exist or throws while loading. */
  callbackLoad: "CONFIG_CALLBACK_LOAD",
  /** A callback module whose export is missing or is not a callback. */
  callbackExport: "CONFIG_CALLBACK_EXPORT",
  /** `model_cost_map` does not load. */
  costMap: "CONFIG_COST_MAP",
  /** A `model_list` entry whose `litellm_params.model` names a provider this runtime does not support (`bedrock/...`). */
  unsupportedProvider: "CONFIG_UNSUPPORTED_PROVIDER",
  /** A warning, not an error: keys LiteLLM knows that this runtime accepts and does not act on (one issue naming them all). */
  ignoredKeys: "CONFIG_IGNORED_KEYS",
  /** A warning, not an error: a callback method whose name is a likely misspelling of a CustomLogger method (`async_log_sucess_event`), so it would never run. */
  callbackMethodTypo: "CONFIG_CALLBACK_METHOD_TYPO",
  /** A warning, not an error: a router key set in both `litellm_settings` and `router_settings` (one issue naming them all); `router_settings` wins. */
  settingOverridden: "CONFIG_SETTING_OVERRIDDEN",
} as const;

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
 * Codes thrown outside the families above, by the module that owns them: the
 * literals stay there, and are catalogued here so docs/errors.md names them.
 */
export const RUNTIME_ERROR_CODES = {
  /** `rt.acompletion()` (or another call) on a runtime after `rt.close()` (core/config/runtime.ts). */
  closed: "RUNTIME_CLOSED",
  /** `loadCostMap(path)` on a file that is missing, not JSON or not a price table (core/cost). */
  costMapInvalid: "COST_MAP_INVALID",
  /** A pre-call hook answered a chat call with a string: the caller gets the string as its answer; callbacks see this error (core/call/lifecycle.ts). */
  rejectedRequest: "RUNTIME_REQUEST_REJECTED",
} as const;

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
