import type {
  CallType,
  CallbackKwargs,
  ChatCompletionChunk,
  CustomLoggerMethods,
  DualCache,
  EmbeddingResponse,
  HookCallType,
  ModelResponse,
  PreCallHookResult,
  UserAPIKeyAuth,
} from "../types.ts";

/** What `new CustomLogger(options)` takes: LiteLLM's `message_logging`, and any options of the handler's own. */
export interface CustomLoggerOptions {
  /** `false`: this handler gets the messages and responses redacted, whatever the call and the settings say. @default true */
  message_logging?: boolean;
  [option: string]: unknown;
}

/**
 * The base class of a callback handler, as LiteLLM's `CustomLogger`.
 *
 * Override only the methods you need. As in LiteLLM, `log_pre_api_call` runs
 * for both entry points, and otherwise `completion()` delivers the `log_*`
 * methods and `acompletion()` the `async_log_*` ones; where a handler defines
 * only one of the pair, that one runs for both, so every handler sees every
 * event once. Methods left as they are here are never called, and cost nothing.
 */
export class CustomLogger implements CustomLoggerMethods {
  /** The options given in the config's object form (`{ callback, options }`), or to the constructor. */
  readonly options: Readonly<Record<string, unknown>>;
  /** False when built with `{ message_logging: false }`: this handler's events then hold redacted content (LiteLLM's attribute). */
  readonly message_logging: boolean;

  constructor(options: CustomLoggerOptions = {}) {
    this.options = options;
    this.message_logging = options.message_logging !== false;
  }

  log_pre_api_call(_model: string, _messages: unknown, _kwargs: CallbackKwargs): unknown {
    return undefined;
  }
  log_post_api_call(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date | null): unknown {
    return undefined;
  }
  log_stream_event(_kwargs: CallbackKwargs, _chunk: ChatCompletionChunk, _start_time: Date, _end_time: Date): unknown {
    return undefined;
  }
  log_success_event(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date): unknown {
    return undefined;
  }
  log_failure_event(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date): unknown {
    return undefined;
  }
  async async_log_pre_api_call(_model: string, _messages: unknown, _kwargs: CallbackKwargs): Promise<unknown> {
    return undefined;
  }
  async async_log_stream_event(_kwargs: CallbackKwargs, _chunk: ChatCompletionChunk, _start_time: Date, _end_time: Date): Promise<unknown> {
    return undefined;
  }
  async async_log_success_event(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date): Promise<unknown> {
    return undefined;
  }
  async async_log_failure_event(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date): Promise<unknown> {
    return undefined;
  }
  // Call hooks: awaited by the call (see CustomLoggerMethods for what each may return).
  async async_pre_call_hook(_user_api_key_dict: UserAPIKeyAuth, _cache: DualCache, _data: Record<string, unknown>, _call_type: HookCallType): Promise<PreCallHookResult> {
    return undefined;
  }
  async async_moderation_hook(_data: Record<string, unknown>, _user_api_key_dict: UserAPIKeyAuth, _call_type: HookCallType): Promise<unknown> {
    return undefined;
  }
  async async_post_call_success_hook(_data: Record<string, unknown>, _user_api_key_dict: UserAPIKeyAuth, _response: ModelResponse | EmbeddingResponse): Promise<unknown> {
    return undefined;
  }
  async async_post_call_failure_hook(_request_data: Record<string, unknown>, _original_exception: Error, _user_api_key_dict: UserAPIKeyAuth, _traceback_str: string | null): Promise<unknown> {
    return undefined;
  }
  async async_post_call_streaming_hook(_user_api_key_dict: UserAPIKeyAuth, _response: string): Promise<unknown> {
    return undefined;
  }
  async *async_post_call_streaming_iterator_hook(
    _user_api_key_dict: UserAPIKeyAuth,
    response: AsyncIterable<ChatCompletionChunk>,
    _request_data: Record<string, unknown>,
  ): AsyncIterable<ChatCompletionChunk> {
    yield* response;
  }
  async async_logging_hook(kwargs: CallbackKwargs, result: unknown, _call_type: CallType): Promise<[CallbackKwargs, unknown]> {
    return [kwargs, result];
  }
  logging_hook(kwargs: CallbackKwargs, result: unknown, _call_type: CallType): [CallbackKwargs, unknown] {
    return [kwargs, result];
  }
  // Router events.
  log_success_fallback_event(_original_model_group: string, _kwargs: CallbackKwargs, _original_exception: Error): unknown {
    return undefined;
  }
  log_failure_fallback_event(_original_model_group: string, _kwargs: CallbackKwargs, _original_exception: Error): unknown {
    return undefined;
  }
  log_model_group_rate_limit_error(_exception: Error, _original_model_group: string | null, _kwargs: CallbackKwargs): unknown {
    return undefined;
  }
}

/** The method names of a handler object, for telling one from any other object. */
export const LOGGER_METHODS = [
  "log_pre_api_call",
  "log_post_api_call",
  "log_stream_event",
  "log_success_event",
  "log_failure_event",
  "async_log_pre_api_call",
  "async_log_stream_event",
  "async_log_success_event",
  "async_log_failure_event",
  "async_pre_call_hook",
  "async_moderation_hook",
  "async_post_call_success_hook",
  "async_post_call_failure_hook",
  "async_post_call_streaming_hook",
  "async_post_call_streaming_iterator_hook",
  "async_logging_hook",
  "logging_hook",
  "log_success_fallback_event",
  "log_failure_fallback_event",
  "log_model_group_rate_limit_error",
] as const satisfies ReadonlyArray<keyof CustomLoggerMethods>;

export type LoggerMethod = (typeof LOGGER_METHODS)[number];

/**
 * Marks the base class's no-ops. A registry-wide symbol, not identity with this
 * module's prototype: a user module may import another copy of this class (its
 * own install, or a fresh import on reload), whose no-ops must still cost nothing.
 */
const BASE_NOOP = Symbol.for("litellm-runtime.CustomLogger.noop");
for (const name of LOGGER_METHODS) (CustomLogger.prototype[name] as unknown as Record<symbol, boolean>)[BASE_NOOP] = true;

/** The handler's own implementation of a method, or undefined where it keeps the base no-op. */
export function ownMethod(target: object, name: LoggerMethod): ((...args: any[]) => unknown) | undefined {
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn !== "function") return undefined;
  return (fn as unknown as Record<symbol, unknown>)[BASE_NOOP] === true ? undefined : (fn as (...args: any[]) => unknown);
}
