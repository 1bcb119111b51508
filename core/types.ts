/**
 * Every public type of litellm-runtime, in one place.
 *
 * Names follow LiteLLM's snake_case so a Python callback ports line by line:
 * `kwargs.litellm_params.metadata`, `kwargs.response_cost`, `log_success_event`.
 */

import type { CallbackObjectRef, CallbackRef, LiteLLMConfig, LiteLLMSettings, ModelEntry } from "./config/types.generated.ts";

// ---------------------------------------------------------------- messages

/** One chat message, in OpenAI's shape. */
export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool" | (string & {});
  /** Text, or OpenAI content parts (text, image_url, ...). */
  content?: string | Array<Record<string, unknown>> | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A tool call the model asked for, in OpenAI's shape (`arguments` is a JSON string). */
export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** Token counts, as OpenAI reports them. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [key: string]: unknown } | null;
  completion_tokens_details?: Record<string, unknown> | null;
  /** Anthropic: prompt tokens written to its prompt cache. */
  cache_creation_input_tokens?: number;
  /** Anthropic: prompt tokens read from its prompt cache. */
  cache_read_input_tokens?: number;
}

// ---------------------------------------------------------------- requests

/** Per-call cache controls, as LiteLLM's `cache={...}`. */
export interface CacheControls {
  /** Do not read the cache for this call. */
  "no-cache"?: boolean;
  /** Do not write this call's answer to the cache. */
  "no-store"?: boolean;
  /** Seconds to keep this answer. */
  ttl?: number;
  /** Accept a cached answer only if it is younger than this many seconds. */
  "s-maxage"?: number;
  /** Keep this call's entries apart from others. */
  namespace?: string;
}

/** The callbacks a call may add for itself only; they never leak into the global lists. */
export interface PerCallCallbacks {
  callbacks?: CallbackInput[];
  input_callback?: CallbackInput[];
  success_callback?: CallbackInput[];
  failure_callback?: CallbackInput[];
}

/** Parameters of `completion` / `acompletion`: OpenAI's chat parameters plus LiteLLM's own. */
export interface CompletionParams extends PerCallCallbacks {
  /** `provider/model` (`openai/gpt-4o-mini`, `mock/demo`), a bare OpenAI name, or a config alias. */
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  top_p?: number;
  n?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  logit_bias?: Record<string, number>;
  seed?: number;
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
  /** The end user, passed to the provider and to `kwargs.user`. */
  user?: string;
  /** Anything you want to see again in the callbacks, as `kwargs.litellm_params.metadata`. */
  metadata?: Record<string, unknown>;
  /**
   * Answer without calling the provider: a string is the answer; an error name
   * such as `"litellm.RateLimitError"` (or an `Error`) makes the call fail with it.
   */
  mock_response?: string | Error;
  /** Milliseconds the mock waits before answering (and between streamed chunks). */
  mock_delay?: number;
  api_key?: string;
  api_base?: string;
  /** Seconds before the call fails with `Timeout`. @default 600 */
  timeout?: number;
  /** Retries of a failed request (connection errors, 408, 429, 5xx). @default 0 */
  num_retries?: number;
  /** Per-call cache controls. */
  cache?: CacheControls;
  /** `false` skips the cache for this call. */
  caching?: boolean;
  /** Per-call prices (USD per token), used when the config gives none. */
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  /** Aborts the provider request (a server uses it when its client goes away); the call fails with APIConnectionError. */
  signal?: AbortSignal;
  /** Any other provider parameter is passed through as it is. */
  [key: string]: unknown;
}

/** Parameters of `embedding` / `aembedding`: OpenAI's embedding parameters plus LiteLLM's own. */
export interface EmbeddingParams extends PerCallCallbacks {
  model: string;
  input: string | string[];
  user?: string;
  metadata?: Record<string, unknown>;
  api_key?: string;
  api_base?: string;
  timeout?: number;
  num_retries?: number;
  mock_response?: string | Error;
  cache?: CacheControls;
  caching?: boolean;
  input_cost_per_token?: number;
  dimensions?: number;
  encoding_format?: "float" | "base64";
  [key: string]: unknown;
}

// ---------------------------------------------------------------- responses

/** What the runtime adds to a response for the caller (`response._hidden_params`, LiteLLM's names). */
export interface HiddenParams {
  response_cost: number | null;
  cache_hit: boolean;
  api_base: string | null;
  custom_llm_provider: string;
  /** The deployment's `model_info.id`, for a call to a config alias. */
  model_id?: string | null;
  cache_key?: string | null;
  /** The deployment, provider-prefixed (`openai/gpt-4o`, `mock/demo`). */
  litellm_model_name?: string;
  /** The upstream's rate-limit response headers (`x-ratelimit-*`, lower-case); absent for the mock and cache hits. */
  additional_headers?: Record<string, string> | null;
  /** Milliseconds the runtime itself spent on the call: its time to the provider's answer less the wait for it. */
  litellm_overhead_time_ms?: number | null;
}

/** One choice of a chat completion: the assistant's message and why it stopped. */
export interface Choice {
  index: number;
  message: ChatMessage & { role: "assistant"; content: string | null };
  finish_reason: string | null;
  logprobs?: unknown;
}

/** A chat completion, in OpenAI's shape, plus `_hidden_params`. */
export interface ModelResponse {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Choice[];
  usage: Usage;
  system_fingerprint?: string | null;
  _hidden_params: HiddenParams;
}

/** One choice of a streamed chunk: the `delta` to append. */
export interface ChunkChoice {
  index: number;
  delta: { role?: string; content?: string | null; tool_calls?: Array<Partial<ToolCall> & { index: number }>; [key: string]: unknown };
  finish_reason: string | null;
  logprobs?: unknown;
}

/** One streamed chunk, in OpenAI's shape. The last may hold only `usage`. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
}

/** An embeddings response, in OpenAI's shape, plus `_hidden_params`. */
export interface EmbeddingResponse {
  object: "list";
  data: Array<{ object: "embedding"; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
  _hidden_params: HiddenParams;
}

// ---------------------------------------------------------------- callbacks

/** The entry point of a call (`kwargs.call_type`): the `a`-prefixed ones deliver the `async_*` callback methods. */
export type CallType = "completion" | "acompletion" | "embedding" | "aembedding";

/** `kwargs.log_event_type`: the event being delivered. */
export type LogEventType = "pre_api_call" | "post_api_call" | "successful_api_call" | "failed_api_call";

/**
 * `kwargs.litellm_params`: LiteLLM's keys, so a callback that reads one ports
 * as it is. Keys LiteLLM sets only for features this runtime lacks are absent.
 */
export interface LiteLLMParams {
  /**
   * The caller's `metadata`, untouched; `null` when none was passed (as LiteLLM).
   * A call to a config alias adds, as LiteLLM's router does: `model_group`,
   * `deployment` (the deployment's `litellm_params.model`), `deployment_model_name`,
   * `model_info`, `api_base` and (ours) `attempt`.
   */
  metadata: Record<string, unknown> | null;
  /** The deployment's `model_info` from the config (prices, limits, `id`: by default a hash of the entry), or null for a model named directly. */
  model_info: Record<string, unknown> | null;
  /** True for `acompletion()`, false for `completion()`, null for embeddings. */
  acompletion: boolean | null;
  /** True for `aembedding()`, null otherwise. */
  aembedding: boolean | null;
  /** The call's `litellm_session_id`, or null. */
  litellm_session_id: string | null;
  /** The call's own `litellm_trace_id`, or null (`kwargs.litellm_trace_id` always holds the trace id its attempts share). */
  litellm_trace_id: string | null;
  /** The model to price the call as (`base_model` of the call or of `model_info`), or null. */
  base_model: string | null;
  /** On the server: the request as received (`url`, `method`, `headers` without credentials, `body`); null in library use. */
  proxy_server_request: ProxyServerRequest | null;
  /** The response cache's key for this call, when a cache applies to it; else null. */
  preset_cache_key: string | null;
  /** LiteLLM's per-call scratch object: `{}`. */
  stream_response: Record<string, unknown>;
  /** The call's own prices (USD per token), or null. */
  input_cost_per_token: number | null;
  output_cost_per_token: number | null;
  /** The base URL the request goes to (credentials masked): "" until the request is made when the provider's default applies, and for the mock. */
  api_base: string;
  /** The provider: `openai`, `anthropic`, `azure`, `ollama`, `openai_compatible`, `mock`, ... */
  custom_llm_provider: string;
  /** This call's id (also `kwargs.litellm_call_id`). */
  litellm_call_id: string;
  /** The config alias the call asked for, or null. */
  model_group: string | null;
  /** Our extra: the deployment the call goes to, provider-prefixed as in the config (`mock/x`, `openai/gpt-4o`). */
  litellm_model_name: string;
  /** Our extra: whether a response cache is configured and used for this call (so `cache_hit: false` means a miss). */
  cache_enabled: boolean;
  [key: string]: unknown;
}

/** `litellm_params.proxy_server_request`: the HTTP request the server answered, as LiteLLM's proxy records it. */
export interface ProxyServerRequest {
  /** The full URL, e.g. `http://127.0.0.1:4000/v1/chat/completions`. */
  url: string;
  method: string;
  /** The request's headers, lower-case, without `authorization` or any other credential. */
  headers: Record<string, string>;
  /** The JSON body as received. */
  body: Record<string, unknown>;
}

/**
 * The kwargs every callback receives. Keys appear as the call goes on:
 * the first group from the start, then pre_api_call, post_api_call, success or failure.
 */
export interface CallbackKwargs {
  /**
   * The deployment's model, without the provider prefix, as LiteLLM sets it:
   * `gpt-4o` for `openai/gpt-4o`, `demo` for an alias whose deployment is `mock/demo`.
   * The alias is `litellm_params.model_group`.
   */
  model: string;
  /** Chat messages as sent by the caller (for embeddings, the input). */
  messages: ChatMessage[] | string | string[];
  /** Provider parameters (temperature, max_tokens, tools, ...). */
  optional_params: Record<string, unknown>;
  litellm_params: LiteLLMParams;
  start_time: Date;
  stream: boolean;
  call_type: CallType;
  litellm_call_id: string;
  /** Shared by every attempt of one call. */
  litellm_trace_id: string;
  user: string | undefined;
  log_event_type: LogEventType;

  // pre_api_call
  /** The exact prompt sent to the provider. */
  input?: unknown;
  /** The key used, masked (`sk-...wxyz`). */
  api_key?: string | null;
  additional_args?: { complete_input_dict: Record<string, unknown>; api_base: string | null; headers: Record<string, string> };

  // post_api_call
  /** The provider's raw response text; `"<stream>"` for a stream. */
  original_response?: string;

  // success
  end_time?: Date;
  cache_hit?: boolean;
  cache_key?: string | null;
  /** USD; 0 on a cache hit; null when the price is unknown. */
  response_cost?: number | null;
  response_cost_failure_debug_information?: StandardLoggingModelCostFailureDebugInformation | null;
  saved_cache_cost?: number;
  complete_streaming_response?: ModelResponse;
  completion_start_time?: Date;
  /** True when the consumer stopped reading a stream before its end. */
  stream_aborted?: boolean;
  standard_logging_object?: StandardLoggingObject;

  // failure
  exception?: Error;
  traceback_exception?: string;

  [key: string]: unknown;
}

/**
 * `kwargs.standard_logging_object`: LiteLLM's `StandardLoggingPayload`, every
 * key with LiteLLM's name, type and default, so a record reads the same to a
 * LiteLLM dashboard as to ours. Plain JSON; never an API key or a header of
 * the request. Two extras, where LiteLLM has no field: `stream_aborted` and `cache_enabled`.
 */
export interface StandardLoggingPayload {
  /** The response's id (`chatcmpl-...`); the call id when there is none (a failure, an embedding); `<id>_cache_hit<time>` on a cache hit. */
  id: string;
  /** `litellm_session_id`, else `litellm_trace_id`, else `metadata.session_id` / `metadata.trace_id`, else the call's trace id (shared by its retries and fallbacks). */
  trace_id: string;
  litellm_call_id: string | null;
  call_type: CallType;
  /** True for a stream that produced a whole response; null otherwise (LiteLLM never writes false). */
  stream: boolean | null;
  /** USD: 0 when unknown (see `response_cost_failure_debug_info`), on a failure and on a cache hit. */
  response_cost: number;
  /** What each part of a chat completion's cost was; null for embeddings, failures and cache hits. */
  cost_breakdown: CostBreakdown | null;
  /** Why `response_cost` is unknown, or null. */
  response_cost_failure_debug_info: StandardLoggingModelCostFailureDebugInformation | null;
  status: "success" | "failure";
  status_fields: { llm_api_status: "success" | "failure"; guardrail_status: "success" | "guardrail_intervened" | "guardrail_failed_to_respond" | "not_run" };
  custom_llm_provider: string | null;
  total_tokens: number;
  prompt_tokens: number;
  completion_tokens: number;
  /** Epoch seconds. */
  startTime: number;
  endTime: number;
  /** The first token's time for a stream, else `endTime`. */
  completionStartTime: number;
  /** Seconds: to the first token for a stream, to the end otherwise. */
  response_time: number;
  model_map_information: StandardLoggingModelInformation;
  /** The deployment's model: provider-prefixed for a config alias (`mock/demo`, its `litellm_params.model`), as named otherwise (`gpt-4o`). */
  model: string;
  /** The deployment's `model_info.id`, or "". */
  model_id: string | null;
  /** The config alias, or "". */
  model_group: string | null;
  /** The base URL called (credentials masked, no trailing slash), or "". */
  api_base: string;
  metadata: StandardLoggingMetadata;
  cache_hit: boolean | null;
  cache_key: string | null;
  /** On a cache hit, what the call would have cost; else 0. */
  saved_cache_cost: number;
  /** `metadata.tags`, and on the server the client's `User-Agent` as LiteLLM tags it. */
  request_tags: string[];
  /** `metadata.user_api_key_end_user_id`, else the server request's `user`, else "" (as LiteLLM: a library call's `user` is not an end user here). */
  end_user: string | null;
  requester_ip_address: string | null;
  user_agent: string | null;
  /** The messages (an embedding's input as user messages); redacted: `[{ role: "user", content: "redacted-by-litellm" }]`. */
  messages: string | unknown[] | Record<string, unknown> | null;
  /** The response; `{}` on a failure. Redacted: a chat completion keeps its shape with its content redacted, anything else is `{ text: "redacted-by-litellm" }`. */
  response: string | unknown[] | Record<string, unknown> | null;
  error_str: string | null;
  /** Always present; its fields are "" on a success. */
  error_information: StandardLoggingPayloadErrorInformation | null;
  /** The OpenAI API parameters of the call (temperature, max_tokens, tools, ...), without the prompt. */
  model_parameters: Record<string, unknown>;
  hidden_params: StandardLoggingHiddenParams;
  guardrail_information: unknown[] | null;
  standard_built_in_tools_params: { web_search_options: unknown; file_search: unknown } | null;
  /** Our extra: the consumer (or the server's client) stopped the stream before its end; usage and cost cover what arrived. */
  stream_aborted: boolean;
  /** Our extra: whether a response cache was configured and used for the call; `cache_hit: false` is only news when it was. */
  cache_enabled: boolean;
}

/** The name this runtime used before it followed LiteLLM's type name. */
export type StandardLoggingObject = StandardLoggingPayload;

/** `standard_logging_object.metadata`: LiteLLM's `StandardLoggingMetadata`. Every key is present (null when unknown); the caller's other metadata keys are not copied. */
export interface StandardLoggingMetadata {
  /** `metadata.user_api_key` when it is a SHA-256 hash (64 hex digits), else `metadata.user_api_key_hash`. */
  user_api_key_hash: string | null;
  user_api_key_alias: string | null;
  user_api_key_spend: number | null;
  user_api_key_max_budget: number | null;
  user_api_key_budget_reset_at: string | null;
  user_api_key_user_spend: number | null;
  user_api_key_user_max_budget: number | null;
  user_api_key_team_spend: number | null;
  user_api_key_team_max_budget: number | null;
  user_api_key_org_id: string | null;
  user_api_key_org_alias: string | null;
  user_api_key_team_id: string | null;
  user_api_key_project_id: string | null;
  user_api_key_project_alias: string | null;
  user_api_key_user_id: string | null;
  user_api_key_user_email: string | null;
  user_api_key_team_alias: string | null;
  user_api_key_end_user_id: string | null;
  user_api_key_request_route: string | null;
  user_api_key_auth_metadata: Record<string, string> | null;
  spend_logs_metadata: Record<string, unknown> | null;
  requester_ip_address: string | null;
  user_agent: string | null;
  /** `metadata.requester_metadata`, else `metadata.metadata`, else (on the server) the request body's `metadata`. */
  requester_metadata: Record<string, unknown> | null;
  requester_custom_headers: Record<string, string> | null;
  prompt_management_metadata: Record<string, unknown> | null;
  mcp_tool_call_metadata: Record<string, unknown> | null;
  vector_store_request_metadata: unknown[] | null;
  applied_guardrails: string[] | null;
  /** The response's usage. */
  usage_object: Record<string, unknown> | null;
  cold_storage_object_key: string | null;
  team_alias: string | null;
  team_id: string | null;
}

/** `standard_logging_object.hidden_params`: LiteLLM's `StandardLoggingHiddenParams`, every key present. */
export interface StandardLoggingHiddenParams {
  model_id: string | null;
  cache_key: string | null;
  api_base: string | null;
  response_cost: number | null;
  litellm_overhead_time_ms: number | null;
  /** The upstream's `x-ratelimit-*` headers that hold whole numbers, as LiteLLM names them; `{}` when it sent none; null without an HTTP answer. */
  additional_headers: StandardLoggingAdditionalHeaders | null;
  batch_models: string[] | null;
  /** The deployment, provider-prefixed (`openai/gpt-4o`, `mock/demo`). */
  litellm_model_name: string | null;
  usage_object: Record<string, unknown> | null;
}

/** LiteLLM's `StandardLoggingAdditionalHeaders`: the rate-limit headers whose value is a whole number (a reset like `"6m0s"` is left out, as LiteLLM does). */
export interface StandardLoggingAdditionalHeaders {
  x_ratelimit_limit_requests?: number;
  x_ratelimit_limit_tokens?: number;
  x_ratelimit_remaining_requests?: number;
  x_ratelimit_remaining_tokens?: number;
  x_ratelimit_reset_requests?: number;
  x_ratelimit_reset_tokens?: number;
}

/** LiteLLM's `StandardLoggingModelInformation`: the price-table entry used (`model_map_value`) and its key; `""` and null when there was none. */
export interface StandardLoggingModelInformation {
  model_map_key: string;
  model_map_value: Record<string, unknown> | null;
}

/** LiteLLM's `StandardLoggingPayloadErrorInformation`. */
export interface StandardLoggingPayloadErrorInformation {
  /** The HTTP status as text (`"429"`), or "". */
  error_code: string;
  /** The error's class (`RateLimitError`), or "". */
  error_class: string;
  llm_provider: string;
  traceback: string;
  error_message: string;
}

/** LiteLLM's `StandardLoggingModelCostFailureDebugInformation`: why a call's cost is unknown. */
export interface StandardLoggingModelCostFailureDebugInformation {
  /** What was missing, and how to fix it. */
  error_str: string;
  traceback_str: string;
  model: string;
  cache_hit?: boolean | null;
  custom_llm_provider: string | null;
  base_model?: string | null;
  call_type?: string;
  custom_pricing?: boolean | null;
}

/** LiteLLM's `CostBreakdown` of a chat completion, in USD. */
export interface CostBreakdown {
  input_cost: number;
  output_cost: number;
  total_cost: number;
  tool_usage_cost: number;
  /** Present when prompt tokens were read from the provider's cache. */
  cache_read_cost?: number;
  /** Present when prompt tokens were written to the provider's cache. */
  cache_creation_cost?: number;
}

/** A function in `input_callback`: called with the kwargs before the provider request. */
export type InputCallbackFn = (kwargs: CallbackKwargs) => unknown;
/** A function in `success_callback` / `failure_callback` (sync or async); `response_obj` is null on failure. */
export type EventCallbackFn = (kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date) => unknown;

/** `call_type` in the call hooks, LiteLLM's proxy values: `"completion"` for chat, `"embeddings"`. */
export type HookCallType = "completion" | "embeddings";

/** What `async_pre_call_hook` may return: a changed request, a string to answer with, or nothing (unchanged). */
export type PreCallHookResult = Record<string, unknown> | string | null | undefined | void;

/**
 * Who makes a call, in the shape of LiteLLM's `UserAPIKeyAuth` (`litellm/proxy/_types.py`),
 * every key present. On the server: the caller's key as a SHA-256 hash (`api_key`, `token`;
 * never the key itself), and with a master key `user_role: "proxy_admin"`. In the library the
 * fields are null (and the lists and maps empty, as LiteLLM's defaults).
 */
export interface UserAPIKeyAuth {
  /** SHA-256 (hex) of the key the caller sent; null without one. */
  api_key: string | null;
  /** The same hash, as LiteLLM keeps it in both. */
  token: string | null;
  key_name: string | null;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  expires: string | null;
  models: string[];
  aliases: Record<string, unknown>;
  config: Record<string, unknown>;
  user_id: string | null;
  team_id: string | null;
  max_parallel_requests: number | null;
  metadata: Record<string, unknown>;
  tpm_limit: number | null;
  rpm_limit: number | null;
  budget_duration: string | null;
  budget_reset_at: string | null;
  allowed_cache_controls: string[];
  allowed_routes: string[];
  permissions: Record<string, unknown>;
  model_spend: Record<string, unknown>;
  model_max_budget: Record<string, unknown>;
  soft_budget_cooldown: boolean;
  blocked: boolean | null;
  litellm_budget_table: Record<string, unknown> | null;
  org_id: string | null;
  created_at: string | null;
  created_by: string | null;
  updated_at: string | null;
  updated_by: string | null;
  object_permission_id: string | null;
  object_permission: Record<string, unknown> | null;
  team_spend: number | null;
  team_alias: string | null;
  team_tpm_limit: number | null;
  team_rpm_limit: number | null;
  team_max_budget: number | null;
  team_models: string[];
  team_blocked: boolean;
  soft_budget: number | null;
  team_model_aliases: Record<string, unknown> | null;
  team_member_spend: number | null;
  team_member: Record<string, unknown> | null;
  team_metadata: Record<string, unknown> | null;
  /** The request's `user`, as LiteLLM's proxy sets it. */
  end_user_id: string | null;
  end_user_tpm_limit: number | null;
  end_user_rpm_limit: number | null;
  end_user_max_budget: number | null;
  last_refreshed_at: number | null;
  /** `"proxy_admin"` for the server's master key (and for every caller of a server without one, as LiteLLM); null in the library. */
  user_role: "proxy_admin" | "proxy_admin_viewer" | "internal_user" | "internal_user_viewer" | "team" | "customer" | null;
  allowed_model_region: string | null;
  parent_otel_span: null;
  rpm_limit_per_model: Record<string, number> | null;
  tpm_limit_per_model: Record<string, number> | null;
  user_tpm_limit: number | null;
  user_rpm_limit: number | null;
  user_email: string | null;
  /** The server route called (`/v1/chat/completions`); null in the library. */
  request_route: string | null;
}

/**
 * The `cache` a pre-call hook gets: LiteLLM's `DualCache` calls. It is the
 * configured response cache's store (Redis or in-process) when there is one,
 * else an in-memory store of the runtime. Values are JSON; a fault reads as null.
 */
export interface DualCache {
  /** The value stored under `key`, or null. */
  async_get_cache(key: string): Promise<unknown>;
  /** Stores `value` for `ttl` seconds (else for as long as the store keeps it). */
  async_set_cache(key: string, value: unknown, options?: { ttl?: number }): Promise<void>;
  async_delete_cache(key: string): Promise<void>;
}

/**
 * The methods a callback object may have: the same names as LiteLLM's
 * `CustomLogger`. Define only the ones you need; the rest cost nothing.
 */
export interface CustomLoggerMethods {
  log_pre_api_call?(model: string, messages: unknown, kwargs: CallbackKwargs): unknown;
  /** `response_obj` and `end_time` are null, as LiteLLM passes them. */
  log_post_api_call?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date | null): unknown;
  log_stream_event?(kwargs: CallbackKwargs, chunk: ChatCompletionChunk, start_time: Date, end_time: Date): unknown;
  log_success_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): unknown;
  log_failure_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): unknown;
  async_log_pre_api_call?(model: string, messages: unknown, kwargs: CallbackKwargs): Promise<unknown>;
  async_log_stream_event?(kwargs: CallbackKwargs, chunk: ChatCompletionChunk, start_time: Date, end_time: Date): Promise<unknown>;
  async_log_success_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<unknown>;
  async_log_failure_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<unknown>;
  /**
   * Awaited before the call, in order, each getting what the previous returned: return a changed `data`
   * (a changed `model` is routed anew), nothing to keep it, a string to answer the call with it (chat; a 400
   * for embeddings), or throw to reject the call.
   */
  async_pre_call_hook?(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType): Promise<PreCallHookResult>;
  /** Runs beside the provider request (all of them at once); throw to fail the call: the provider's answer is then discarded. */
  async_moderation_hook?(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, call_type: HookCallType): Promise<unknown>;
  /** Awaited after a success, in order: change the response in place or return a new one. For a stream, once, on the whole response. */
  async_post_call_success_hook?(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, response: ModelResponse | EmbeddingResponse): Promise<unknown>;
  /** Awaited after a failed call (a rejection by another hook too): an Error it throws or returns replaces the caller's error. */
  async_post_call_failure_hook?(request_data: Record<string, unknown>, original_exception: Error, user_api_key_dict: UserAPIKeyAuth, traceback_str: string | null): Promise<unknown>;
  /** Per streamed chunk, with the text streamed so far (this chunk's included), as LiteLLM passes it: a returned value replaces the chunk. */
  async_post_call_streaming_hook?(user_api_key_dict: UserAPIKeyAuth, response: string): Promise<unknown>;
  /** Wraps the stream the caller reads (`async *` method): yield the chunks to send. Chained in registration order. */
  async_post_call_streaming_iterator_hook?(user_api_key_dict: UserAPIKeyAuth, response: AsyncIterable<ChatCompletionChunk>, request_data: Record<string, unknown>): AsyncIterable<ChatCompletionChunk>;
  /** Before the success and failure loggers (`acompletion()`, `aembedding()`): return the `[kwargs, result]` they get instead, e.g. masked. */
  async_logging_hook?(kwargs: CallbackKwargs, result: unknown, call_type: CallType): Promise<[CallbackKwargs, unknown]>;
  /** As `async_logging_hook`, for `completion()` and `embedding()`. */
  logging_hook?(kwargs: CallbackKwargs, result: unknown, call_type: CallType): [CallbackKwargs, unknown];
  /** The router answered from a fallback alias after `original_model_group` failed with `original_exception`. */
  log_success_fallback_event?(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error): unknown;
  /** A fallback alias failed too (`original_exception` is the first alias's error). */
  log_failure_fallback_event?(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error): unknown;
  /** An attempt failed on an alias with one deployment, where nothing else of the alias could answer (LiteLLM's rule). */
  log_model_group_rate_limit_error?(exception: Error, original_model_group: string | null, kwargs: CallbackKwargs): unknown;
  /** Called by `flush()`: finish background delivery. */
  flush?(): unknown;
  /** Called when the callback is retired (reload, `close()`). */
  close?(): unknown;
}

/**
 * A built-in named with its own options (and, optionally, the events it gets),
 * as in a config file's object form:
 * `litellm.success_callback = [{ callback: "webhook", options: { url: "https://..." } }]`.
 * The options are checked when the entry is assigned or pushed.
 */
export interface CallbackSpec {
  /** A built-in name: `console`, `file`, `mixpanel`, `webhook`. (In a config file, also a module path.) */
  callback: string;
  /** The built-in's options, as under `callback_settings.<name>` in a config. @default {} */
  options?: Record<string, unknown>;
  /** Only these events of the list reach it. @default every event the list delivers */
  events?: Array<"pre_api_call" | "post_api_call" | "stream_event" | "success" | "failure">;
}

/** Anything a callback list accepts: a logger object, a function, a built-in name, or a built-in with options (`CallbackSpec`). */
export type CallbackInput = CustomLoggerMethods | InputCallbackFn | EventCallbackFn | string | CallbackSpec;

// ---------------------------------------------------------------- a config given as a value

type CallbackListKey = "callbacks" | "input_callback" | "success_callback" | "failure_callback";
/** An entry of a callback list in code: what a file may name, the callback itself, or the object form around it. */
type InlineCallbackRef = CallbackRef | CallbackInput | (Omit<CallbackObjectRef, "callback"> & { callback: CallbackInput });
type InlineCallbackList = InlineCallbackRef | InlineCallbackRef[];

/**
 * A config given as a value (`createRuntime({ config })`, `loadConfig(config)`,
 * `export default defineConfig({...})` in `litellm.config.ts`): `LiteLLMConfig`,
 * where a callback list may also hold the callbacks themselves (CustomLogger
 * instances, functions, handler objects). Every `LiteLLMConfig` is one.
 */
export type InlineConfig = Omit<LiteLLMConfig, "model_list" | "litellm_settings"> & {
  model_list?: Array<Omit<ModelEntry, "callbacks"> & { callbacks?: InlineCallbackList }>;
  litellm_settings?: Omit<LiteLLMSettings, CallbackListKey> & { [K in CallbackListKey]?: InlineCallbackList };
};

/** What the runtime counts about background logging (`litellm.stats()`). */
export interface DispatchStats {
  /** Logging tasks waiting or running now. */
  pending: number;
  /** Tasks dropped because the queue was full (the oldest go first). */
  dropped: number;
  /** Callback invocations that threw or rejected. */
  errors: number;
  /** Callback invocations abandoned after `callback_timeout`. */
  timeouts: number;
}

/** What `rt.stats()` counts: its background logging, and its reloads (the process-wide `litellm.stats()` has no config to reload). */
export interface RuntimeStats extends DispatchStats {
  /** Reloads that put a new snapshot in service (the config version is `reloads + 1`). */
  reloads: number;
  /** Reloads that failed (`reload_error`): the previous config kept serving. */
  reload_errors: number;
}
