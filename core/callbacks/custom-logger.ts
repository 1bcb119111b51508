import type { CallType, CallbackKwargs, ChatCompletionChunk, CustomLoggerMethods } from "../types.ts";

/**
 * The base class of a callback handler, as LiteLLM's `CustomLogger`.
 *
 * Override only the methods you need. `completion()` delivers the `log_*`
 * methods and `acompletion()` the `async_log_*` ones; where a handler defines
 * only one of the pair, that one runs for both, so every handler sees every
 * event once. Methods left as they are here are never called, and cost nothing.
 */
export class CustomLogger implements CustomLoggerMethods {
  /** The options given in the config's object form (`{ callback, options }`), or to the constructor. */
  readonly options: Readonly<Record<string, unknown>>;

  constructor(options: Record<string, unknown> = {}) {
    this.options = options;
  }

  log_pre_api_call(_model: string, _messages: unknown, _kwargs: CallbackKwargs): unknown {
    return undefined;
  }
  log_post_api_call(_kwargs: CallbackKwargs, _response_obj: unknown, _start_time: Date, _end_time: Date): unknown {
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
  async async_pre_call_hook(_data: Record<string, unknown>, _call_type: CallType): Promise<Record<string, unknown> | undefined | void> {
    return undefined;
  }
  async async_post_call_success_hook(_data: Record<string, unknown>, _response: unknown): Promise<unknown> {
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
  "async_post_call_success_hook",
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
