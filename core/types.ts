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

/** What the runtime adds to a response for the caller. */
export interface HiddenParams {
  response_cost: number | null;
  cache_hit: boolean;
  api_base: string | null;
  custom_llm_provider: string;
  model_id?: string;
  cache_key?: string | null;
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

/** `kwargs.litellm_params`. */
export interface LiteLLMParams {
  /** The caller's `metadata`, untouched. */
  metadata: Record<string, unknown>;
  /** The deployment's `model_info` from the config (prices, limits, `id`), or null. */
  model_info: Record<string, unknown> | null;
  /** The base URL the request goes to, or null for the mock. */
  api_base: string | null;
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

/**
 * The kwargs every callback receives. Keys appear as the call goes on:
 * the first group from the start, then pre_api_call, post_api_call, success or failure.
 */
export interface CallbackKwargs {
  /** The model as asked for. */
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
  response_cost_failure_debug_information?: { error_str: string; model: string; custom_llm_provider: string } | null;
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

/** A flat, JSON-ready record of one call (LiteLLM's StandardLoggingPayload names). */
export interface StandardLoggingObject {
  id: string;
  trace_id: string;
  call_type: CallType;
  stream: boolean;
  /** Our extra: the consumer (or the server's client) stopped the stream before its end; usage and cost cover what arrived. */
  stream_aborted: boolean;
  status: "success" | "failure";
  model: string;
  model_group: string | null;
  custom_llm_provider: string;
  api_base: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  response_cost: number | null;
  saved_cache_cost: number;
  cache_hit: boolean;
  cache_key: string | null;
  /** Epoch seconds. */
  startTime: number;
  endTime: number;
  completionStartTime: number;
  /** Seconds. */
  response_time: number;
  metadata: Record<string, unknown>;
  user: string | null;
  messages: unknown;
  response: unknown;
  model_parameters: Record<string, unknown>;
  error_str: string | null;
  error_information: {
    error_code: string;
    error_class: string;
    llm_provider: string;
    error_message: string;
    traceback: string;
  } | null;
  /** LiteLLM's `StandardLoggingHiddenParams`; `litellm_model_name` is the deployment the router picked (`mock/x`). */
  hidden_params: {
    model_id: string | null;
    cache_key: string | null;
    api_base: string | null;
    response_cost: number | null;
    litellm_model_name: string;
  };
  /** Our extra: whether a response cache was configured and used for the call; `cache_hit` is only news when it was. */
  cache_enabled: boolean;
}

/** A function in `input_callback`: called with the kwargs before the provider request. */
export type InputCallbackFn = (kwargs: CallbackKwargs) => unknown;
/** A function in `success_callback` / `failure_callback` (sync or async); `response_obj` is null on failure. */
export type EventCallbackFn = (kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date) => unknown;

/**
 * The methods a callback object may have: the same names as LiteLLM's
 * `CustomLogger`. Define only the ones you need; the rest cost nothing.
 */
export interface CustomLoggerMethods {
  log_pre_api_call?(model: string, messages: unknown, kwargs: CallbackKwargs): unknown;
  log_post_api_call?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): unknown;
  log_stream_event?(kwargs: CallbackKwargs, chunk: ChatCompletionChunk, start_time: Date, end_time: Date): unknown;
  log_success_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): unknown;
  log_failure_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): unknown;
  async_log_pre_api_call?(model: string, messages: unknown, kwargs: CallbackKwargs): Promise<unknown>;
  async_log_stream_event?(kwargs: CallbackKwargs, chunk: ChatCompletionChunk, start_time: Date, end_time: Date): Promise<unknown>;
  async_log_success_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<unknown>;
  async_log_failure_event?(kwargs: CallbackKwargs, response_obj: unknown, start_time: Date, end_time: Date): Promise<unknown>;
  /** Awaited before the call: return a changed request, or throw to reject it. */
  async_pre_call_hook?(data: Record<string, unknown>, call_type: CallType): Promise<Record<string, unknown> | undefined | void>;
  /** Awaited after a success: return a changed response, or undefined to keep it. */
  async_post_call_success_hook?(data: Record<string, unknown>, response: unknown): Promise<unknown>;
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
