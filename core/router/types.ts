import type { CostMap } from "../cost/index.ts";

/**
 * The router's public shapes and LiteLLM's defaults, each with where it comes from.
 * The settings are `router_settings` of a config, under LiteLLM's names.
 */

/** LiteLLM's `{alias: [aliases tried in order]}`; the key `"*"` applies to every alias without its own entry. */
export type FallbackMap = Readonly<Record<string, readonly string[]>>;

/** The strategies this runtime implements (LiteLLM's names); any other name falls back to `simple-shuffle` with a warning. */
export const ROUTING_STRATEGIES = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "usage-based-routing",
  "usage-based-routing-v2",
  "cost-based-routing",
] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export interface RouterSettings {
  /**
   * How a deployment of an alias is picked: `simple-shuffle` (random, weighted by `weight`, else `rpm`,
   * else `tpm`), `least-busy` (fewest attempts in flight), `latency-based-routing` (lowest recent latency),
   * `usage-based-routing-v2` and its alias `usage-based-routing` (fewest tokens this minute), `cost-based-routing`
   * (cheapest per token). The last three enforce each deployment's `rpm` / `tpm` per minute.
   * @default "simple-shuffle"
   */
  routing_strategy?: RoutingStrategy | (string & {});
  /** Retries after the first attempt, across the alias's deployments. @default 2 (LiteLLM's Router: openai.DEFAULT_MAX_RETRIES) */
  num_retries?: number;
  /** Seconds before an attempt fails with a Timeout; unset (or null) leaves it to the call and the provider. */
  timeout?: number | null;
  /** Least seconds to wait before a retry; a provider's Retry-After wins when longer. @default 0 */
  retry_after?: number;
  /** Aliases tried, in order, after every retry of an alias failed. */
  fallbacks?: readonly FallbackMap[];
  /** Aliases tried when the prompt is longer than the context window. Unset: `fallbacks`. */
  context_window_fallbacks?: readonly FallbackMap[];
  /** Aliases tried when the provider refused the content. Unset: `fallbacks`. */
  content_policy_fallbacks?: readonly FallbackMap[];
  /** Seconds a deployment is skipped once it has failed more than `allowed_fails` times in a minute; 0 turns cool-downs off. @default 5 */
  cooldown_time?: number;
  /** Failures in a minute a deployment may have; the next one cools it down. @default 3 */
  allowed_fails?: number;
  /** Retries by the class of the error, over `num_retries` for errors of that class (LiteLLM's `RetryPolicy`). */
  retry_policy?: RetryPolicy | null;
  /** Per alias, a `retry_policy` that replaces the global one for calls to that alias. */
  model_group_retry_policy?: Readonly<Record<string, RetryPolicy>> | null;
  /** Failures allowed by the class of the error before a cool-down, over `allowed_fails` (LiteLLM's `AllowedFailsPolicy`). */
  allowed_fails_policy?: AllowedFailsPolicy | null;
  /** No deployment is ever cooled down. @default false */
  disable_cooldowns?: boolean;
  /**
   * Before a pick, skip the deployments whose context window (`model_info.max_input_tokens`, else the
   * price table's) the prompt exceeds; when none fits, the call fails with ContextWindowExceededError
   * and `context_window_fallbacks` apply. @default false
   */
  enable_pre_call_checks?: boolean;
  /** LiteLLM's optional pre-call checks: `"enforce_model_rate_limits"` makes `rpm` / `tpm` limits under every strategy; others have no effect. */
  optional_pre_call_checks?: readonly string[] | null;
  /**
   * Requests in flight per deployment, per process, for a deployment with none of its own
   * (`max_parallel_requests`, `rpm` or `tpm`); unset or 0: no cap (LiteLLM's `default_max_parallel_requests`).
   */
  default_max_parallel_requests?: number | null;
  /** Redis host for state shared by every instance on it (usage per minute, in-flight counts, cool-downs); LiteLLM's name. */
  redis_host?: string | null;
  /** Redis port. @default 6379 */
  redis_port?: number | string | null;
  /** Redis password. */
  redis_password?: string | null;
  /** `redis://[:password@]host:port[/db]` (or `rediss://`), in place of host, port and password. */
  redis_url?: string | null;
  /** Redis database number. @default 0 */
  redis_db?: number | null;
}

/** LiteLLM's `RetryPolicy`: retries after an error of each class; a class left out retries `num_retries` times. */
export interface RetryPolicy {
  /** 400s (LiteLLM retries none unless this says so). */
  readonly BadRequestErrorRetries?: number;
  /** 401s (LiteLLM retries none unless this says so). */
  readonly AuthenticationErrorRetries?: number;
  /** Timeouts and 408s. */
  readonly TimeoutErrorRetries?: number;
  /** 429s. */
  readonly RateLimitErrorRetries?: number;
  /** The provider's content-policy refusals (none unless this says so). */
  readonly ContentPolicyViolationErrorRetries?: number;
  /** 5xx. */
  readonly InternalServerErrorRetries?: number;
}

/** LiteLLM's `AllowedFailsPolicy`: failures of each class a deployment may have in a minute; the next one cools it down. */
export interface AllowedFailsPolicy {
  readonly BadRequestErrorAllowedFails?: number;
  readonly AuthenticationErrorAllowedFails?: number;
  readonly TimeoutErrorAllowedFails?: number;
  readonly RateLimitErrorAllowedFails?: number;
  readonly ContentPolicyViolationErrorAllowedFails?: number;
  readonly InternalServerErrorAllowedFails?: number;
}

export interface RouterOptions {
  /** Milliseconds since some epoch; injected by tests. @default Date.now */
  now?: () => number;
  /** A number in [0, 1); injected by tests. @default Math.random */
  random?: () => number;
  /** Where construction-time warnings go. @default one line on stderr */
  warn?: (message: string) => void;
  /** A user price map, looked up before the bundled table for a context window (`enable_pre_call_checks`) and a price (`cost-based-routing`). */
  costMap?: CostMap | null;
  /** Where a Redis outage (and its end) is reported, once each. @default one line on stderr */
  report?: (line: string) => void;
  /**
   * Seconds a call waits for a permit of a capped deployment when neither it nor its deployment sets
   * `timeout` and `router_settings` sets none (`litellm_settings.request_timeout`). @default 600
   */
  requestTimeoutS?: number;
}

/** What the router needs of a deployment (`core/config/snapshot.ts`'s `Deployment` has it). */
export interface RoutableDeployment {
  readonly alias: string;
  readonly index: number;
  readonly params: Readonly<Record<string, unknown>>;
  /** Its `model_info`: `max_input_tokens` and `base_model` are read for `enable_pre_call_checks`. */
  readonly model_info?: Readonly<Record<string, unknown>> | null;
  /** The entry's top-level `rpm` / `tpm`, which LiteLLM reads before `litellm_params`' (usage.ts `limitOf`). */
  readonly rpm?: unknown;
  readonly tpm?: unknown;
  /** The entry's top-level `max_parallel_requests`, read before `litellm_params`' (permits.ts `parallelLimitOf`). */
  readonly max_parallel_requests?: unknown;
}

/** LiteLLM's defaults, where this runtime keeps them, with the LiteLLM source of each. */
export const ROUTER_DEFAULTS = Object.freeze({
  /**
   * 0: a failing call is not repeated unless the config says so (`router_settings.num_retries`,
   * or `litellm_settings.num_retries`). LiteLLM's router falls back to openai.DEFAULT_MAX_RETRIES (2);
   * we would rather not multiply a failing provider's load, or a caller's wait, unasked.
   */
  num_retries: 0,
  /** litellm/constants.py DEFAULT_COOLDOWN_TIME_SECONDS. */
  cooldown_time: 5,
  /** litellm/constants.py DEFAULT_ALLOWED_FAILS (litellm.allowed_fails). */
  allowed_fails: 3,
  /** litellm/router.py `retry_after: int = 0`. */
  retry_after: 0,
  /** litellm/constants.py ROUTER_MAX_FALLBACKS: fallback hops one call may take. */
  max_fallbacks: 5,
});

/** Backoff and bookkeeping constants (LiteLLM's where it has one). */
export const ROUTER_TUNING = Object.freeze({
  /** litellm/constants.py INITIAL_RETRY_DELAY (0.5 s), doubled per retry. */
  initialRetryDelayMs: 500,
  /** litellm/constants.py MAX_RETRY_DELAY (8 s). */
  maxRetryDelayMs: 8_000,
  /** litellm/constants.py JITTER: up to 0.75 s added to every wait. */
  jitterMs: 750,
  /** litellm `_calculate_retry_after`: a Retry-After above 60 s is not obeyed; backoff applies. */
  maxRetryAfterMs: 60_000,
  /** The window `allowed_fails` counts in (LiteLLM: "failures per minute"). */
  failWindowMs: 60_000,
  /** EWMA weight of a new latency sample: 2/(N+1) for LiteLLM's average of the last N = 10. */
  latencyAlpha: 2 / 11,
  /** LiteLLM lowest_latency `ttl` (1 h): older samples are forgotten, so a slow deployment is tried again. */
  latencyTtlMs: 3_600_000,
  /** LiteLLM lowest_latency: a timed-out attempt counts as a 1000 s sample. */
  timeoutPenaltyMs: 1_000_000,
});
