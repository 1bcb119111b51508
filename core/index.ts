/**
 * litellm-runtime: LLM calls with LiteLLM's callback contract, in TypeScript.
 *
 * ```ts
 * import litellm, { acompletion, CustomLogger } from "litellm-runtime";
 * litellm.callbacks = [new MyHandler()];
 * const res = await acompletion({ model: "mock/demo", messages: [{ role: "user", content: "hi" }] });
 * await litellm.flush();
 * ```
 */
import "../builtin-callbacks/index.ts";
import { metrics as prometheusText } from "../builtin-callbacks/prometheus.ts";
import { runCompletion } from "./call/completion.ts";
import { runEmbedding } from "./call/embedding.ts";
import type { CompletionStream } from "./call/stream.ts";
import type { ResponseCache } from "./cache/types.ts";
import { CustomLogger } from "./callbacks/custom-logger.ts";
import { loadCostMap, type CostMap } from "./cost/index.ts";
import { completionCost, costPerToken, type CompletionCostArgs, type CostPerTokenArgs } from "./cost/completion-cost.ts";
import * as errors from "./errors.ts";
import { dispatcher, flushTargets, globalScope as scope } from "./globals.ts";
import type { Runtime } from "./config/runtime.ts";
import type { RunningServer, ServerOptions } from "./server/index.ts";
import type { CallbackInput, CompletionParams, DispatchStats, EmbeddingParams, EmbeddingResponse, ModelResponse } from "./types.ts";

type StreamParams = CompletionParams & { stream: true };

/**
 * One chat completion. Delivers the callbacks' `log_*` methods (LiteLLM's sync
 * entry point); in JavaScript it still returns a promise.
 */
export function completion(params: StreamParams): Promise<CompletionStream>;
export function completion(params: CompletionParams): Promise<ModelResponse>;
export function completion(params: CompletionParams): Promise<ModelResponse | CompletionStream> {
  return runCompletion(scope, params, "completion");
}

/** One chat completion, delivering the callbacks' `async_log_*` methods. */
export function acompletion(params: StreamParams): Promise<CompletionStream>;
export function acompletion(params: CompletionParams): Promise<ModelResponse>;
export function acompletion(params: CompletionParams): Promise<ModelResponse | CompletionStream> {
  return runCompletion(scope, params, "acompletion");
}

/** Embeddings, delivering the `log_*` methods. */
export function embedding(params: EmbeddingParams): Promise<EmbeddingResponse> {
  return runEmbedding(scope, params, "embedding");
}

/** Embeddings, delivering the `async_log_*` methods. */
export function aembedding(params: EmbeddingParams): Promise<EmbeddingResponse> {
  return runEmbedding(scope, params, "aembedding");
}

/** Resolves when all background logging is done and every callback's own `flush()` has finished. */
export async function flush(): Promise<void> {
  await flushTargets(scope.targets());
  await scope.cache?.flush();
}

/**
 * The end of a script: flushes, then calls every process-wide callback's own
 * `close()` (built-ins made from the lists included) and closes the cache's
 * connection. A `close()` that throws is reported like any callback failure.
 */
export function close(): Promise<void> {
  return scope.close();
}

/** Counts of the background logging: pending, dropped, errors, timeouts. */
export function stats(): DispatchStats {
  return dispatcher.stats();
}

/**
 * The `prometheus` built-in's metrics in Prometheus's text exposition format (what the
 * server's `GET /metrics` answers), for an app that serves them itself. One registry
 * per process: every runtime's and the process-wide lists' `prometheus` count into it.
 */
export function metrics(): Promise<string> {
  return prometheusText();
}

/**
 * LiteLLM's `completion_cost`: USD for a response (`completion_cost({ completion_response: response_obj })`
 * in a callback equals `kwargs.response_cost`), or for a model and its text. Prices from
 * `litellm.model_cost_map`, then the bundled table; throws, naming what to set, when there is none.
 */
export function completion_cost(args: CompletionCostArgs): number {
  return completionCost(args, scope.model_cost_map);
}

/** LiteLLM's `cost_per_token`: `[prompt cost, completion cost]` in USD for a model and its token counts. */
export function cost_per_token(args: CostPerTokenArgs): [number, number] {
  return costPerToken(args, scope.model_cost_map);
}

/** A byte limit as set on `litellm`: a positive integer, or a TypeError naming the setting. */
function byteLimit(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new TypeError(`litellm.${name} must be a positive whole number of bytes; found ${JSON.stringify(v) ?? typeof v}.`);
  return v;
}

/**
 * The default export: LiteLLM's module-level style. Assign or push to the
 * lists; each change is compiled once, before the next call.
 */
const litellm = {
  /** `CustomLogger` instances (or objects with its methods), functions, built-in names: all events. */
  get callbacks(): CallbackInput[] {
    return scope.getList("callbacks");
  },
  set callbacks(v: CallbackInput[]) {
    scope.setList("callbacks", v);
  },
  /** `fn(kwargs)` before each provider request. */
  get input_callback(): CallbackInput[] {
    return scope.getList("input_callback");
  },
  set input_callback(v: CallbackInput[]) {
    scope.setList("input_callback", v);
  },
  /** `fn(kwargs, response_obj, start_time, end_time)` after each success. */
  get success_callback(): CallbackInput[] {
    return scope.getList("success_callback");
  },
  set success_callback(v: CallbackInput[]) {
    scope.setList("success_callback", v);
  },
  /** `fn(kwargs, response_obj, start_time, end_time)` after each failure. */
  get failure_callback(): CallbackInput[] {
    return scope.getList("failure_callback");
  },
  set failure_callback(v: CallbackInput[]) {
    scope.setList("failure_callback", v);
  },
  /** Put `"redacted-by-litellm"` in place of messages and responses in the standard logging object. @default false */
  get turn_off_message_logging(): boolean {
    return scope.turn_off_message_logging;
  },
  set turn_off_message_logging(v: boolean) {
    scope.turn_off_message_logging = v;
  },
  /** Mask API keys in kwargs. @default true */
  get redact_api_keys(): boolean {
    return scope.redact_api_keys;
  },
  set redact_api_keys(v: boolean) {
    scope.redact_api_keys = v;
  },
  /** Seconds before a hanging callback is abandoned and reported. @default 10 */
  get callback_timeout(): number {
    return scope.callback_timeout;
  },
  set callback_timeout(v: number) {
    scope.callback_timeout = v;
  },
  /** What an `async_pre_call_hook` or `async_moderation_hook` that runs past `callback_timeout` does to its call: `"reject"` it (CALLBACK_TIMEOUT) or `"allow"` it unchecked. @default "reject" */
  get hook_timeout_policy(): "reject" | "allow" {
    return scope.hook_timeout_policy;
  },
  set hook_timeout_policy(v: "reject" | "allow") {
    if (v !== "reject" && v !== "allow") throw new TypeError(`litellm.hook_timeout_policy must be "reject" or "allow"; found ${typeof v === "string" ? JSON.stringify(v) : typeof v}.`);
    scope.hook_timeout_policy = v;
  },
  /** A price map in LiteLLM's `model_prices_and_context_window.json` format (see `loadCostMap`). */
  get model_cost_map(): CostMap | null {
    return scope.model_cost_map;
  },
  set model_cost_map(v: CostMap | null) {
    scope.model_cost_map = v;
  },
  /** Largest JSON answer read from a provider, in bytes; past it the call fails with InvalidResponseError. @default 33554432 (32 MiB) */
  get max_response_bytes(): number {
    return scope.max_response_bytes;
  },
  set max_response_bytes(v: number) {
    scope.max_response_bytes = byteLimit("max_response_bytes", v);
  },
  /** Largest streamed answer read from a provider, in bytes; past it the stream fails with InvalidResponseError. @default 134217728 (128 MiB) */
  get max_stream_bytes(): number {
    return scope.max_stream_bytes;
  },
  set max_stream_bytes(v: number) {
    scope.max_stream_bytes = byteLimit("max_stream_bytes", v);
  },
  /** Bytes one serialised logging record may take; past it its largest fields become a marker with their size. @default 1048576 (1 MiB) */
  get max_record_bytes(): number {
    return scope.max_record_bytes;
  },
  set max_record_bytes(v: number) {
    scope.max_record_bytes = byteLimit("max_record_bytes", v);
  },
  /** Drop parameters a provider does not take (named once in a warning) instead of failing with UnsupportedParamsError; a call's own `drop_params` wins. @default false */
  get drop_params(): boolean {
    return scope.drop_params;
  },
  set drop_params(v: boolean) {
    if (typeof v !== "boolean") throw new TypeError(`litellm.drop_params must be true or false; found ${typeof v}.`);
    scope.drop_params = v;
  },
  /** Seconds a provider call may take when the call sets no `timeout` (nor `stream_timeout`, streaming); past it the call fails with Timeout. @default 600 */
  get request_timeout(): number {
    return scope.request_timeout;
  },
  set request_timeout(v: number) {
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new TypeError(`litellm.request_timeout must be a number of seconds above 0; found ${typeof v === "number" ? v : typeof v}.`);
    scope.request_timeout = v;
  },
  /** Send each provider request a W3C `traceparent`: the attempt span's when the otel built-in records the call, else none (the server forwards its caller's). @default false */
  get forward_traceparent_to_llm_provider(): boolean {
    return scope.forward_traceparent_to_llm_provider;
  },
  set forward_traceparent_to_llm_provider(v: boolean) {
    if (typeof v !== "boolean") throw new TypeError(`litellm.forward_traceparent_to_llm_provider must be true or false; found ${typeof v}.`);
    scope.forward_traceparent_to_llm_provider = v;
  },
  /** Most logging tasks waiting at once; past it the oldest is dropped and counted. @default 10000 */
  get max_queue(): number {
    return dispatcher.maxQueue;
  },
  set max_queue(v: number) {
    dispatcher.maxQueue = v;
  },
  /** Receives every callback failure, timeout and drop; by default each kind is printed once to stderr. */
  get on_callback_error(): ((err: errors.CallbackError) => void) | undefined {
    return dispatcher.onError;
  },
  set on_callback_error(fn: ((err: errors.CallbackError) => void) | undefined) {
    scope.setErrorHandler(fn);
  },
  /** The response cache: `litellm.cache = new Cache({ type: "redis", host, port, password })`, or null (the default) for none. */
  get cache(): ResponseCache | null {
    return scope.cache;
  },
  set cache(v: ResponseCache | null) {
    scope.cache = v ?? null;
  },
  completion,
  acompletion,
  embedding,
  aembedding,
  flush,
  close,
  stats,
  metrics,
  loadCostMap,
  completion_cost,
  cost_per_token,
  CustomLogger,
  ...errors.PROVIDER_ERRORS,
};

export default litellm;
export { CustomLogger, loadCostMap };
export type { CustomLoggerOptions } from "./callbacks/custom-logger.ts";
export { CompletionStream } from "./call/stream.ts";
export { Cache, type CacheOptions, type CacheHooks } from "./cache/index.ts";
export type { ResponseCache, CacheStats } from "./cache/types.ts";
export { computeCost, findPrice } from "./cost/index.ts";
export type { CostMap, PriceEntry } from "./cost/index.ts";
export type { CompletionCostArgs, CostPerTokenArgs } from "./cost/completion-cost.ts";
export {
  LiteLLMError,
  CallbackError,
  InvalidCallbackError,
  BadRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  RateLimitError,
  Timeout,
  MaxParallelRequestsTimeout,
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
  RejectedRequestError,
  ERROR_CODES,
  CALLBACK_ERROR_CODES,
} from "./errors.ts";
export { registerBuiltin, builtinNames } from "./callbacks/builtins.ts";
export { prometheusRegistry, PrometheusLogger } from "../builtin-callbacks/prometheus.ts";
export type * from "./types.ts";
export { createRuntime, Runtime, type RuntimeOptions, type ReloadInfo, type RuntimeHealth } from "./config/runtime.ts";
export type { ResolvedSettings, ResolvedGeneralSettings, ResolvedLiteLLMSettings, ResolvedRouterSettings } from "./config/settings.ts";
export { SERVER_ERROR_CODES } from "./errors.ts";
export type { ServerOptions, RunningServer } from "./server/index.ts";

/** Serves a runtime over the OpenAI HTTP API (see core/server). Loaded on first use: a library user never pays for the server. */
export async function startServer(runtime: Runtime, options?: ServerOptions): Promise<RunningServer> {
  return (await import("./server/index.ts")).startServer(runtime, options);
}
export { loadConfig, type LoadedConfig } from "./config/load.ts";
export { validateConfig, type ValidationResult } from "./config/validate.ts";
export { ConfigError, CONFIG_ERROR_CODES, formatIssue, type ConfigIssue, CacheError, CACHE_ERROR_CODES } from "./errors.ts";
export type { LiteLLMConfig } from "./config/types.generated.ts";
export { defineConfig } from "./config/define.ts";
