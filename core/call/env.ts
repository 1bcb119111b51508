import type { CallSignal } from "./signal.ts";
import type { CostMap } from "../cost/index.ts";
import type { Dispatcher, TaskCount } from "../callbacks/dispatcher.ts";
import type { BuiltinResolver, CallbackSource, CompiledCallbacks } from "../callbacks/registry.ts";
import type { ResolvedModel } from "../providers/types.ts";
import type { ResponseCache } from "../cache/types.ts";
import type { Secrets } from "../secrets.ts";
import type { DualCache } from "../types.ts";

/** Settings a call reads, resolved once per scope (the globals, or a config snapshot). */
export interface CallSettings {
  /** Put `"redacted-by-litellm"` in place of messages and responses in the standard record. @default false */
  readonly turn_off_message_logging: boolean;
  /** Mask API keys in kwargs and headers. @default true */
  readonly redact_api_keys: boolean;
  /** Seconds a callback may run before it is abandoned and reported. @default 10 */
  readonly callback_timeout: number;
  /** What a pre-call or moderation hook that runs past `callback_timeout` does to its call: `reject` it (fail closed), or `allow` it unchecked. @default "reject" */
  readonly hook_timeout_policy: "reject" | "allow";
  /** A user price map in LiteLLM's format, consulted before the bundled table. */
  readonly model_cost_map: CostMap | null;
  /** Largest JSON answer read from a provider, in bytes; past it the call fails and the request is stopped. @default 33554432 */
  readonly max_response_bytes: number;
  /** Largest streamed answer read from a provider, in bytes; past it the stream fails and the request is stopped. @default 134217728 */
  readonly max_stream_bytes: number;
  /** Bytes one serialised logging record may take; past it its largest fields are replaced by a marker. @default 1048576 */
  readonly max_record_bytes: number;
  /** Drop parameters a provider does not take (named once in a warning) instead of failing with UnsupportedParamsError; a call's or a deployment's own `drop_params` wins. @default false */
  readonly drop_params: boolean;
  /** Seconds a provider call may take when neither the call nor its deployment sets `timeout` (or `stream_timeout` for a stream). @default 600 */
  readonly request_timeout: number;
  /** Send each provider request a W3C `traceparent`: the attempt span's when a tracing built-in records, else the caller's (`litellm_settings.forward_traceparent_to_llm_provider`). @default false */
  readonly forward_traceparent: boolean;
  /** The scope's secrets (configured keys, master key, api_base credentials), masked in error text and records. */
  readonly secrets: Secrets;
}

/** Where one call goes and which callbacks see it. */
export interface Route {
  readonly target: ResolvedModel;
  /** The lists the callbacks were compiled from, for adding a call's own lists. */
  readonly sources: readonly CallbackSource[];
  readonly callbacks: CompiledCallbacks;
  /** Parameters the config gives this model (`litellm_params` beyond where it goes); the call's own win. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

/** Who an attempt of a routed call is: every attempt of one call shares `trace_id`. */
export interface AttemptInfo {
  readonly trace_id: string;
  /** 1-based, counting retries and fallbacks together. */
  readonly attempt: number;
  /** The alias this attempt serves (a fallback's own alias after a fallback). */
  readonly model_group: string;
  /** Which deployment of the alias: its `litellm_params.model` (LiteLLM's `metadata.deployment`). */
  readonly deployment: string;
  /** Counts a streamed answer's tokens against the deployment's `tpm` once the stream ends; undefined when no limit counts them. */
  readonly used: ((tokens: number) => void) | undefined;
}

/** How a config runtime spreads a call over deployments, retries and fallbacks (`core/router`). */
export interface RouterLike<D = unknown> {
  readonly numRetries: number;
  /** `promptTokens`: only deployments whose context window takes the prompt (`enable_pre_call_checks`). */
  pick(alias: string, exclude?: ReadonlySet<D>, promptTokens?: number): D | null;
  /** State is shared through Redis (`router_settings.redis_host` / `redis_url`): picks go through `pickShared`. */
  readonly sharing?: boolean;
  /** `pick` with every instance's state, one Redis round trip; falls back to `pick` when Redis does not answer. */
  pickShared?(alias: string, exclude?: ReadonlySet<D>, promptTokens?: number): Promise<D | null>;
  started(d: D): void;
  /** `tokens`: the answer's `usage.total_tokens`, counted against the deployment's `tpm` this minute. */
  succeeded(d: D, latencyMs: number, tokens?: number): void;
  /** Whether a deployment's `tpm` counts tokens (a usage-based strategy, or enforced rate limits). */
  readonly limited?: boolean;
  /** `tokens` more used by `d` this minute: a streamed answer's, known when the stream ends. */
  used?(d: D, tokens: number): void;
  /** Under a strategy that enforces `rpm` / `tpm`: the RateLimitError a call to `alias` fails with when every deployment is at its limit; else null. */
  limitError?(alias: string, promptTokens: number): Error | null;
  failed(d: D, err: unknown): void;
  retryable(err: unknown): boolean;
  /** Retries of `alias` a call may make when an attempt failed with `err`: `retry_policy` by error class, else `numRetries` or 0. */
  retriesFor(alias: string, err: unknown, numRetries: number): number;
  /** The estimated tokens of the call's prompt when `enable_pre_call_checks` has windows to check; else 0. */
  promptTokens(params: { messages?: unknown }): number;
  /** The ContextWindowExceededError a call to `alias` fails with before any attempt when no deployment takes `promptTokens`; else null. */
  contextWindowError(alias: string, promptTokens: number): Error | null;
  backoffMs(attempt: number, err: unknown, alias?: string, tried?: ReadonlySet<D>): number;
  fallbacksFor(alias: string, err: unknown): readonly string[];
  /** How many deployments `alias` has (LiteLLM's `model_group_size`). */
  size?(alias: string): number;
  /** Some deployment caps its requests in flight (`max_parallel_requests`, else `rpm`, ...): attempts take a permit. */
  readonly capped?: boolean;
  /** Takes a permit of `d` before an attempt: "uncapped" (nothing held), "taken", or "full" (wait with `waitForPermit`). */
  take?(d: D): "uncapped" | "taken" | "full";
  /** Gives back a permit of `d` when its attempt (or its stream) ends: to the first waiting call that can use it. */
  release?(d: D): void;
  /** Waits, first come first served, for the first permit freed among the alias's candidates; rejects after `timeoutS` (else the router's default). */
  waitForPermit?(alias: string, exclude: ReadonlySet<D> | undefined, promptTokens: number, timeoutS?: number, signal?: CallSignal): Promise<D>;
}

/** A call to a config alias: the router, and the route of one deployment. */
export interface RoutingPlan<D = unknown> {
  readonly alias: string;
  readonly router: RouterLike<D>;
  /** The route of one attempt, with the call's own api_base / api_key / mock_response over the deployment's. */
  routeTo(deployment: D, params: { api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route;
  /** The deployment's name in kwargs metadata. */
  nameOf(deployment: D): string;
}

/** The callbacks of a call before a deployment is picked: where its call hooks come from. */
export interface CallScope {
  readonly sources: readonly CallbackSource[];
  readonly callbacks: CompiledCallbacks;
}

/** What a scope (the global `litellm` object, or a config runtime) gives each call. */
export interface CallEnv {
  route(params: { model: string; api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route;
  /**
   * The callbacks a call to `model` runs its hooks from, whichever deployment answers:
   * the global and config lists, and for a config alias every deployment's own lists.
   */
  scope(model: string): CallScope;
  /** The `cache` pre-call hooks get (LiteLLM's DualCache calls). */
  readonly hookCache: DualCache;
  /** For a config alias: how to spread the call over its deployments; null for anything else. */
  plan?(params: { model: string }): RoutingPlan | null;
  readonly settings: CallSettings;
  readonly dispatcher: Dispatcher;
  readonly resolveBuiltin: BuiltinResolver;
  /** The response cache, or null when caching is off. */
  readonly cache: ResponseCache | null;
  /** Counts the logging tasks of calls made here (a config snapshot's), so the snapshot can be retired when they are done. */
  readonly tasks?: TaskCount;
}
