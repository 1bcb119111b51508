/**
 * The stable codes of every error this runtime throws or reports (`err.code`), by family: plain
 * tables, so the error classes (errors.ts), the docs and the tests read one list.
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
