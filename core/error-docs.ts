/**
 * What every error code means and what to do about it: the source of
 * docs/errors.md (`npm run gen:errors`). Each record must name every code of
 * its family in core/error-codes.ts, or the file does not compile.
 */
import {
  CACHE_ERROR_CODES,
  CALLBACK_ERROR_CODES,
  CONFIG_ERROR_CODES,
  ERROR_CODES,
  ROUTER_ERROR_CODES,
  RUNTIME_ERROR_CODES,
  SERVER_ERROR_CODES,
} from "./errors.ts";

/** What a code means and what to do about it: one row of docs/errors.md (`npm run gen:errors`). */
export interface ErrorCodeDoc {
  readonly meaning: string;
  readonly fix: string;
}

type CodeOf<T> = T[keyof T];

/** The meaning of each provider error code, and what to do. */
export const ERROR_CODE_DOCS = {
  LLM_BAD_REQUEST: {
    meaning: "400, 413 or 422 from the provider (`BadRequestError`): it rejected the request as sent.",
    fix: "Read the provider's message in `err.message`; check the model name, the messages and the parameters the deployment's `litellm_params` add.",
  },
  LLM_AUTHENTICATION: {
    meaning: "401 (`AuthenticationError`): the API key is missing or wrong.",
    fix: "Set the key the model reads (`api_key: os.environ/OPENAI_API_KEY`, or `OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, `AZURE_API_KEY`) and check it is for this provider.",
  },
  LLM_PERMISSION_DENIED: {
    meaning: "403 (`PermissionDeniedError`): the key may not use this model or resource.",
    fix: "Use a key or project with access to the model, or pick a model the key may use.",
  },
  LLM_NOT_FOUND: {
    meaning: "404 (`NotFoundError`): the model or deployment does not exist at that provider.",
    fix: "Check the model name after the provider prefix (`openai/gpt-4o-mini`), the Azure deployment name and `api_base`.",
  },
  LLM_RATE_LIMIT: {
    meaning: "429 (`RateLimitError`): too many requests or tokens; `err.retry_after` holds the provider's hint in seconds.",
    fix: "Retry later, or set `num_retries` (retries honour Retry-After), add deployments to the alias or a `fallbacks` entry.",
  },
  LLM_TIMEOUT: {
    meaning: "408, or no answer (or a gap in a stream) within `timeout` / `stream_timeout` seconds (`Timeout`).",
    fix: "Raise `timeout` (call, `litellm_params` or `router_settings`), or set `num_retries`.",
  },
  LLM_CONNECTION: {
    meaning: "The provider could not be reached, or dropped the connection (`APIConnectionError`, no HTTP status).",
    fix: "Check `api_base`, the network and any proxy; connection failures are retried when `num_retries` is set.",
  },
  LLM_SERVICE_UNAVAILABLE: {
    meaning: "503, or Anthropic's 529 overloaded (`ServiceUnavailableError`): the provider cannot serve now.",
    fix: "Retry later, set `num_retries`, or add a fallback.",
  },
  LLM_INTERNAL_SERVER: {
    meaning: "500 or another 5xx (`InternalServerError`): the provider failed.",
    fix: "Retry (set `num_retries`); if it persists, the provider's status page or support.",
  },
  LLM_API_ERROR: {
    meaning: "Any other provider status (`APIError`), a 3xx redirect included (redirects are not followed).",
    fix: "Read `err.status` and the message; for a redirect, set `api_base` to the address it names.",
  },
  LLM_UNSUPPORTED_PROVIDER: {
    meaning: "The model names a provider this runtime does not have (`UnsupportedProviderError`).",
    fix: "Use `openai/`, `anthropic/`, `azure/`, `ollama/`, `openai_compatible/`, `mock/`, or give `api_base` for any OpenAI-compatible server.",
  },
  LLM_INVALID_PARAMS: {
    meaning: "The call's own parameters are missing or malformed, found before anything is sent (`InvalidParamsError`).",
    fix: "The message names the parameter; pass `model` and `messages` (or `input`) with the types OpenAI's API takes.",
  },
  LLM_UNSUPPORTED_PARAMS: {
    meaning: "The call has a parameter the provider's API does not take (`UnsupportedParamsError`, an `InvalidParamsError`), found before anything is sent: api.openai.com and Azure take OpenAI's parameters only, Anthropic has no equivalent for some of them.",
    fix: "Remove the parameter named in the message, or set `drop_params: true` (per call, in the model's `litellm_params`, or `litellm_settings.drop_params`) to drop it with one warning. An OpenAI-compatible server (`api_base`) gets unknown parameters as they are.",
  },
  LLM_INVALID_RESPONSE: {
    meaning: "The provider answered 2xx with a body that is not what its API promises, or an answer larger than `max_response_bytes` / a stream larger than `max_stream_bytes` (`InvalidResponseError`, 502 on the server).",
    fix: "Check that `api_base` points at an OpenAI-compatible (or Anthropic) API and not at another service; raise `litellm_settings.max_response_bytes` / `max_stream_bytes` if answers that large are expected.",
  },
  LLM_CONTEXT_WINDOW_EXCEEDED: {
    meaning: "400: the prompt is longer than the model's context window (`ContextWindowExceededError`).",
    fix: "Shorten the messages, or add `router_settings.context_window_fallbacks` to a model with a larger window.",
  },
  LLM_CONTENT_POLICY_VIOLATION: {
    meaning: "400: the provider refused the content (`ContentPolicyViolationError`).",
    fix: "Change the prompt, or add `router_settings.content_policy_fallbacks`.",
  },
} as const satisfies Record<CodeOf<typeof ERROR_CODES>, ErrorCodeDoc>;

/** The meaning of each callback code, and what to do. `CALLBACK_INVALID` is thrown; the others are reported. */
export const CALLBACK_ERROR_CODE_DOCS = {
  CALLBACK_THREW: {
    meaning:
      "A logging method, a logging hook (skipped), an `async_post_call_success_hook` (the response is kept as it was), a failure or per-chunk hook that throws something other than an Error, a router event, or a callback's `flush()` / `close()` threw or rejected; the call goes on. An `async_pre_call_hook` or `async_moderation_hook` that throws an Error or a message is not reported: it rejects the call with it, as intended. One that throws anything else (`null`, a plain object) is reported and the call fails with this code (500 on the server).",
    fix: "The report names the callback and the method, and carries the cause: fix the callback. To reject a call from a pre-call hook, throw an Error.",
  },
  CALLBACK_TIMEOUT: {
    meaning:
      "A callback method, call hook, `flush()` or `close()` ran longer than `callback_timeout` seconds (default 10) and was abandoned (counted in `stats().timeouts`); also a built-in whose `flush()` could not deliver in time. An `async_pre_call_hook` or `async_moderation_hook` that times out fails its call with this code (500 on the server) unless `litellm_settings.hook_timeout_policy` is `allow`, which lets the call go on unchecked.",
    fix: "Make the method faster or hand slow work to a queue of its own; or raise `litellm_settings.callback_timeout`.",
  },
  CALLBACK_QUEUE_FULL: {
    meaning: "Logging work was dropped: the dispatcher's queue held `max_queue` tasks (the oldest waiting task is dropped), or a sending built-in's buffer of 10,000 events was full (the newest are dropped). Counted in `stats().dropped`.",
    fix: "Callbacks are slower than calls: make them faster, raise `litellm_settings.max_queue`, or check the receiver of mixpanel/webhook.",
  },
  FILE_WRITE_FAILED: {
    meaning: "The `file` built-in cannot write its file (permission, disk full, a folder in the way); lines are kept (up to 10,000) and retried.",
    fix: "Fix the path or the disk; `callback_settings.file.path` says where it writes.",
  },
  DELIVERY_FAILED: {
    meaning: "A sending built-in (mixpanel, webhook) lost events: the receiver refused them (4xx other than 408/429) or kept failing past `max_retries`.",
    fix: "Check the URL, the token and the receiver's answer quoted in the report; raise `max_retries` for a flaky receiver.",
  },
  CALLBACK_INVALID: {
    meaning: "Something that is not a callback was put in a callback list, or a built-in was named without an option it needs (`InvalidCallbackError`). Thrown at the assignment, `push` or call that registers it.",
    fix: "Pass a CustomLogger, a function, a built-in name, or `{ callback, options }` with the option the message names.",
  },
} as const satisfies Record<CodeOf<typeof CALLBACK_ERROR_CODES> | "CALLBACK_INVALID", ErrorCodeDoc>;

/** The meaning of each router code, and what to do. */
export const ROUTER_ERROR_CODE_DOCS = {
  ROUTER_REDIS_UNAVAILABLE: {
    meaning: "The Redis of `router_settings.redis_host` / `redis_url` failed or did not answer within 0.25 s: each instance routes on its own counts (rpm/tpm limits and cool-downs per process) and no call fails. Reported once per outage on stderr, and once when it is back, when shared state resumes.",
    fix: "Check that Redis is running and reachable from every instance, and `router_settings` (redis_host, redis_port, redis_password, redis_url); it reconnects by itself.",
  },
  ROUTER_PARALLEL_WAIT_TIMEOUT: {
    meaning:
      "408 (`MaxParallelRequestsTimeout`, a `Timeout`): every deployment of the alias the call could use had as many requests in flight as its cap (`max_parallel_requests`, else `rpm`, else `tpm` / 1000 * 6, else `router_settings.default_max_parallel_requests`) for the call's whole `timeout`, so nothing was sent. The message names each deployment's requests in flight and where its cap comes from. The alias's `fallbacks` apply.",
    fix: "Raise the cap the message names (`litellm_params.max_parallel_requests`, which wins over `rpm`), add deployments or `fallbacks` to the alias, or give the call a longer `timeout`.",
  },
} as const satisfies Record<CodeOf<typeof ROUTER_ERROR_CODES>, ErrorCodeDoc>;

/** The meaning of each cache code, and what to do. */
export const CACHE_ERROR_CODE_DOCS = {
  CACHE_UNAVAILABLE: {
    meaning: "Redis is down, slow (past `cache_params.timeout`) or restarting: calls run without the cache until it answers. Reported once per outage, and once when it is back; `/health/readiness` says `degraded`.",
    fix: "Check Redis and `cache_params` (url, host, port, password, tls); nothing to do in the app, it reconnects by itself.",
  },
  CACHE_INVALID_OPTIONS: {
    meaning: "`new Cache({...})` or `cache_params` has an option of the wrong type or out of range; thrown by the constructor.",
    fix: "The message names the option, what was found and what is allowed.",
  },
} as const satisfies Record<CodeOf<typeof CACHE_ERROR_CODES>, ErrorCodeDoc>;

/** The meaning of each server code, and what to do. */
export const SERVER_ERROR_CODE_DOCS = {
  SERVER_LISTEN: {
    meaning: "The server could not bind its address: the port is taken, or the host or port is not ours to use (thrown by `startServer()`; `serve` exits 1).",
    fix: "Pass another `--port` (0 for any free one) or `--host`, or stop what listens there.",
  },
  SERVER_WORKER_DIED: {
    meaning: "`serve --num_workers N`: a worker process ended without being asked to (it crashed, ran out of memory or was killed); the primary started a new worker in its place. Requests the dead worker had in flight were cut; the other workers kept serving.",
    fix: "Read the worker's own stderr lines before this one for its cause (an uncaught error, an out-of-memory abort); a worker killed by `kill -9` or the OOM killer says `signal SIGKILL`.",
  },
  invalid_api_key: {
    meaning: "401: no `Authorization: Bearer <master_key>`, or the wrong key.",
    fix: "Send the config's `general_settings.master_key` as the client's API key.",
  },
  invalid_json: { meaning: "400: the request body is not JSON; the message says where it failed.", fix: "Send a JSON body with `content-type: application/json`." },
  invalid_request_body: { meaning: "400: the body is JSON but not an object.", fix: "Send an object, as OpenAI's API takes." },
  missing_required_parameter: {
    meaning: "400: `model`, `messages` or `input` is missing; `param` names it.",
    fix: "Add the parameter.",
  },
  invalid_type: { meaning: "400: a field has the wrong type; `param` names it.", fix: "Send the type OpenAI's API takes for that field." },
  param_not_allowed: {
    meaning: "400: a client sent a parameter the config owns (`param` names it): credentials and where requests go, `mock_response`, timeouts and retries, the cache's `namespace` and `ttl`, callbacks, prices.",
    fix: "Leave it out of the request and set it in the config's `litellm_params`; or, for all but callbacks and prices, let every client set it with `general_settings.allow_client_side_credentials: true`.",
  },
  model_not_found: {
    meaning: "400: the model is not one of the config's aliases; the message lists them.",
    fix: "Use a `model_name` of the config (`GET /v1/models` lists them), or add an entry to `model_list`.",
  },
  invalid_metadata_header: {
    meaning: "400: the `x-litellm-metadata` header is not a JSON object.",
    fix: "Send a JSON object in the header, or put `metadata` in the body.",
  },
  request_rejected: {
    meaning:
      "400: an `async_pre_call_hook` or `async_moderation_hook` rejected the request, or an `async_post_call_failure_hook` replaced the call's error, with a plain error or a message (an error with its own `code`, or a 4xx `status` / `status_code`, keeps them).",
    fix: "The message is the hook's; it is the config's policy, not a fault.",
  },
  request_too_large: {
    meaning: "413: the body is over `general_settings.max_request_body_bytes` (1 MiB by default).",
    fix: "Send less, or raise `max_request_body_bytes`.",
  },
  not_found: { meaning: "404: no such route.", fix: "See the routes in docs/server.md; every path also answers without `/v1`." },
  method_not_allowed: { meaning: "405: the route exists for another method; the `allow` header says which.", fix: "Use that method." },
  internal_error: {
    meaning: "500: a bug in the runtime, not the request's fault; the detail goes to the server's stderr, never to the client.",
    fix: "Report it with the stderr lines around it.",
  },
} as const satisfies Record<CodeOf<typeof SERVER_ERROR_CODES>, ErrorCodeDoc>;

/** The meaning of each config code, and what to do. */
export const CONFIG_ERROR_CODE_DOCS = {
  CONFIG_NOT_FOUND: {
    meaning: "No config at the given path, or none found searching from the working directory upward.",
    fix: "Pass `--config <file>` (or `createRuntime({ config })`), or run `litellm-runtime init` to write one.",
  },
  CONFIG_PARSE: {
    meaning: "The file is not valid YAML or JSON, or a `.ts` / `.mjs` config failed to load (also a reload that failed for another reason).",
    fix: "The message gives file:line:col of the syntax error, or the error the module threw.",
  },
  CONFIG_UNKNOWN_KEY: {
    meaning: "A key nobody knows, neither this runtime nor LiteLLM; the nearest known key is suggested.",
    fix: "Fix the spelling (`Did you mean ...`); every key is in docs/config.md.",
  },
  CONFIG_INVALID_VALUE: {
    meaning: "A value of the wrong type or outside what is allowed.",
    fix: "The message says what was found and what is allowed.",
  },
  CONFIG_MISSING_KEY: { meaning: "A required key is missing (`model_name`, `litellm_params.model`, ...).", fix: "Add the key the message names." },
  CONFIG_ENV_MISSING: {
    meaning: "`os.environ/NAME` or `${NAME}` with NAME unset and no default.",
    fix: "Export the variable, set it under `environment_variables`, or give a default with `${NAME:-value}`.",
  },
  CONFIG_INCLUDE: {
    meaning: "An `include` file that does not exist, is not a regular file (a directory, a device, a FIFO), is over 10 MiB, does not load, is not a map, or includes itself.",
    fix: "Fix the path (relative to the including file) or break the cycle.",
  },
  CONFIG_UNKNOWN_CALLBACK: {
    meaning: "A callback name that is neither a built-in (console, file, mixpanel, webhook, otel, prometheus, and LiteLLM's names langfuse, langfuse_otel, arize_phoenix, traceloop and generic_api) nor a module reference. For a name LiteLLM has and this runtime does not (datadog, sentry, s3, ...), the message says so.",
    fix: "Use a built-in name, or a module path such as `./callbacks/mine.ts` or `./callbacks/mine.ts#name`. To reach a tool that ingests OTLP (Datadog, Honeycomb, New Relic, ...), use `otel` with its endpoint; for any other HTTP collector, `webhook`.",
  },
  CONFIG_CALLBACK_LOAD: {
    meaning: "A callback module that does not exist, has a syntax error or throws while loading.",
    fix: "The message names the file and the cause; paths are relative to the config file.",
  },
  CONFIG_CALLBACK_EXPORT: {
    meaning: "A callback module whose export is missing or is not a callback.",
    fix: "Export a CustomLogger (instance or class), a function or an object with CustomLogger method names; the message lists the exports found.",
  },
  CONFIG_COST_MAP: {
    meaning: "`litellm_settings.model_cost_map` does not load (missing file, not JSON, or not LiteLLM's price format).",
    fix: "Fix the path (relative to the config) or the file.",
  },
  CONFIG_UNSUPPORTED_PROVIDER: {
    meaning: "A `model_list` entry's `litellm_params.model` names a provider this runtime does not support (`bedrock/...`, `vertex_ai/...`, an unknown prefix without `api_base`); the message lists the supported ones.",
    fix: "Use a supported prefix (docs/providers-and-routing.md lists them), or point `api_base` at an OpenAI-compatible server that serves the model.",
  },
  CONFIG_IGNORED_KEYS: {
    meaning: "A warning, not an error: LiteLLM keys this runtime accepts and does not act on, named in one line.",
    fix: "Nothing, or remove the keys; the list per section is in docs/config.md.",
  },
  CONFIG_CALLBACK_METHOD_TYPO: {
    meaning: "A warning, not an error: a callback method whose name looks like a misspelt CustomLogger method (`async_log_sucess_event`), so it would never run.",
    fix: "Rename it to the method suggested (`async_log_success_event`).",
  },
  CONFIG_SETTING_OVERRIDDEN: {
    meaning:
      "A warning, not an error: a router key (`num_retries`, `fallbacks`, `allowed_fails`, ...) is set in both `litellm_settings` and `router_settings`, named in one line. The `router_settings` value applies; the `litellm_settings` one is unused.",
    fix: "Keep the key in one section: remove it from `litellm_settings`, or from `router_settings` to let the `litellm_settings` value apply.",
  },
} as const satisfies Record<CodeOf<typeof CONFIG_ERROR_CODES>, ErrorCodeDoc>;

/** The meaning of each of those codes, and what to do. */
export const RUNTIME_ERROR_CODE_DOCS = {
  RUNTIME_CLOSED: {
    meaning: "A call on a runtime after `rt.close()`.",
    fix: "Create a new runtime with `createRuntime()`, or close it only when the process is done with it.",
  },
  COST_MAP_INVALID: {
    meaning: "`loadCostMap(path)` read a file that is missing, not JSON, or not in LiteLLM's `model_prices_and_context_window.json` format; the message names the path and the key.",
    fix: "Fix the file or the path. In a config the same problem is `CONFIG_COST_MAP`.",
  },
  RUNTIME_REQUEST_REJECTED: {
    meaning:
      "An `async_pre_call_hook` answered a chat call with a string (`RejectedRequestError`, status 400). The caller gets the string as the assistant's answer (as chunks for a stream) and no provider request is made; the failure event and `async_post_call_failure_hook` see this error, as in LiteLLM.",
    fix: "Nothing to fix when the hook meant to turn the request away. To let the call through, return `data` (or nothing) from the hook; to fail the call with an error instead, throw one.",
  },
} as const satisfies Record<CodeOf<typeof RUNTIME_ERROR_CODES>, ErrorCodeDoc>;

/** One family of codes, as docs/errors.md presents it. */
export interface ErrorCodeFamily {
  /** The exported constant that holds the codes (`CONFIG_ERROR_CODES`). */
  readonly name: string;
  readonly title: string;
  /** Where the codes show up and how to read them. */
  readonly intro: string;
  readonly codes: Readonly<Record<string, ErrorCodeDoc>>;
}

/** Every code this runtime produces, by family: the source of docs/errors.md and of the test that keeps the two in step. */
export const ERROR_CATALOGUE: readonly ErrorCodeFamily[] = [
  {
    name: "ERROR_CODES",
    title: "Call errors",
    intro: "Thrown by `completion`, `acompletion`, `embedding` and `aembedding` (and answered by the server with the provider's status): a `LiteLLMError` subclass with LiteLLM's class name, `err.code`, and `err.status` where the provider gave one.",
    codes: ERROR_CODE_DOCS,
  },
  {
    name: "CONFIG_ERROR_CODES",
    title: "Config problems",
    intro: "`issue.code` of each problem a `ConfigError` carries, printed by `litellm-runtime validate` as `file:line:col path: message [CODE]`. All problems of a file come together; warnings do not stop a load.",
    codes: CONFIG_ERROR_CODE_DOCS,
  },
  {
    name: "CALLBACK_ERROR_CODES",
    title: "Callback problems",
    intro: "A `CallbackError` naming the callback and the method, handed to `litellm.on_callback_error` (or the runtime's `callback_error` event), else written once to stderr. Never thrown into a call, except `CALLBACK_INVALID`, thrown where the bad value is registered.",
    codes: CALLBACK_ERROR_CODE_DOCS,
  },
  {
    name: "CACHE_ERROR_CODES",
    title: "Cache problems",
    intro: "A `CacheError`. The cache never fails a call: an outage is reported, and calls run without the cache until it is back.",
    codes: CACHE_ERROR_CODE_DOCS,
  },
  {
    name: "ROUTER_ERROR_CODES",
    title: "Router problems",
    intro: "`ROUTER_REDIS_UNAVAILABLE` is a report of the router, written once to stderr as `litellm-runtime [CODE] ...`, never thrown into a call. `ROUTER_PARALLEL_WAIT_TIMEOUT` is the `code` of the error a call fails with when it waited too long for a capped deployment.",
    codes: ROUTER_ERROR_CODE_DOCS,
  },
  {
    name: "SERVER_ERROR_CODES",
    title: "Server errors",
    intro: "The `code` of an error response's body (`{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`), in OpenAI's spelling where OpenAI has one; a call's own error keeps its `LLM_*` code on the wire. `SERVER_LISTEN` is thrown by `startServer()`.",
    codes: SERVER_ERROR_CODE_DOCS,
  },
  {
    name: "RUNTIME_ERROR_CODES",
    title: "Other runtime errors",
    intro: "A `LiteLLMError` (or, for `loadCostMap`, an `Error` with `code` and `path`) thrown by the function named.",
    codes: RUNTIME_ERROR_CODE_DOCS,
  },
];
