/**
 * The metrics of the `prometheus` built-in that come from calls, with
 * LiteLLM's names, types, buckets and label names. Each lists the labels
 * LiteLLM gives it (what `include_labels` may pick from) and the few it gets
 * here by default: low cardinality, no per-user or per-key label unless asked for.
 */

export type MetricKind = "counter" | "histogram" | "gauge";

export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  /** LiteLLM's labels for this metric, in its order: what `include_labels` may name. */
  readonly labels: readonly string[];
  /** The labels it carries when `prometheus_metrics_config` says nothing of it. */
  readonly defaults: readonly string[];
  /** Whether `custom_prometheus_metadata_labels` are added (metrics about calls; not the router's view of deployments). */
  readonly custom: boolean;
}

/** LiteLLM's LATENCY_BUCKETS, in seconds (+Inf is implicit in prom-client). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 15.0, 20.0,
  25.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0,
];

// LiteLLM's label sets, shared by several metrics.
const KEY = ["hashed_api_key", "api_key_alias", "team", "team_alias"] as const;
const PROXY_TOTAL = ["end_user", "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "status_code", "user_email", "route", "client_ip", "user_agent", "model_id"];
const PROXY_FAILED = ["end_user", "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "user_email", "exception_status", "exception_class", "route", "client_ip", "user_agent", "model_id"];
const DEPLOYMENT = ["requested_model", "litellm_model_name", "model_id", "api_base", "api_provider", ...KEY, "client_ip", "user_agent"];
const DEPLOYMENT_FAILURE = ["requested_model", "litellm_model_name", "model_id", "api_base", "api_provider", "exception_status", "exception_class", ...KEY, "client_ip", "user_agent"];
const TOKENS = ["end_user", "hashed_api_key", "api_key_alias", "model", "team", "team_alias", "user", "user_email", "requested_model", "model_id"];
const SPEND = ["end_user", "hashed_api_key", "api_key_alias", "model", "team", "team_alias", "user", "user_email", "client_ip", "user_agent", "model_id"];
const API_LATENCY = ["model", ...KEY, "requested_model", "end_user", "user", "model_id"];
const TOTAL_LATENCY = ["end_user", "hashed_api_key", "api_key_alias", "requested_model", "team", "team_alias", "user", "model", "model_id"];
const UPSTREAM = ["model_group", "api_provider", "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias", "model_id"];
const DEPLOYMENT_STATE = ["litellm_model_name", "model_id", "api_base", "api_provider"];
const FALLBACK = ["requested_model", "fallback_model", ...KEY, "exception_status", "exception_class", "model_id"];

const DEPLOYMENT_DEFAULTS = ["requested_model", "litellm_model_name", "model_id", "api_base", "api_provider"];
const UPSTREAM_DEFAULTS = ["model_group", "api_provider", "api_base", "litellm_model_name", "model_id"];

const spec = (name: string, kind: MetricKind, help: string, labels: readonly string[], defaults: readonly string[], custom = true): MetricSpec =>
  Object.freeze({ name, kind, help, labels: Object.freeze([...labels]), defaults: Object.freeze([...defaults]), custom });

export const CALL_METRICS: readonly MetricSpec[] = Object.freeze([
  spec("litellm_proxy_total_requests_metric", "counter", "Calls made to the runtime (server requests and library calls), one per call whatever its retries and fallbacks.", PROXY_TOTAL, ["requested_model", "status_code"]),
  spec("litellm_proxy_failed_requests_metric", "counter", "Calls whose caller got an error, once every retry and fallback had failed.", PROXY_FAILED, ["requested_model", "exception_status", "exception_class"]),
  spec("litellm_deployment_success_responses", "counter", "Attempts a deployment answered (one per attempt; cache hits are not attempts).", DEPLOYMENT, DEPLOYMENT_DEFAULTS),
  spec("litellm_deployment_failure_responses", "counter", "Attempts that failed at a deployment; exception_status is the HTTP status of the error.", DEPLOYMENT_FAILURE, [...DEPLOYMENT_DEFAULTS, "exception_status", "exception_class"]),
  spec("litellm_deployment_total_requests", "counter", "Attempts sent to a deployment, successes and failures.", DEPLOYMENT, DEPLOYMENT_DEFAULTS),
  spec("litellm_input_tokens_metric", "counter", "Input (prompt) tokens of successful calls.", TOKENS, ["model", "requested_model"]),
  spec("litellm_output_tokens_metric", "counter", "Output (completion) tokens of successful calls.", TOKENS, ["model", "requested_model"]),
  spec("litellm_total_tokens_metric", "counter", "Input and output tokens of successful calls.", TOKENS, ["model", "requested_model"]),
  spec("litellm_spend_metric", "counter", "Spend on successful calls, in USD (response_cost).", SPEND, ["model"]),
  spec("litellm_request_total_latency_metric", "histogram", "Seconds from the start of a call's attempt to its answer, cache hits included.", TOTAL_LATENCY, ["model", "requested_model"]),
  spec("litellm_llm_api_latency_metric", "histogram", "Seconds a deployment took to answer an attempt.", API_LATENCY, ["model", "requested_model"]),
  spec("litellm_llm_api_time_to_first_token_metric", "histogram", "Seconds to the first token of a streamed answer.", API_LATENCY, ["model", "requested_model"]),
  spec("litellm_overhead_latency_metric", "histogram", "Seconds the runtime added to an attempt, beyond the wait for the provider.", UPSTREAM, UPSTREAM_DEFAULTS),
  spec("litellm_remaining_requests_metric", "gauge", "Requests the provider says remain (its x-ratelimit-remaining-requests header).", UPSTREAM, UPSTREAM_DEFAULTS),
  spec("litellm_remaining_tokens_metric", "gauge", "Tokens the provider says remain (its x-ratelimit-remaining-tokens header).", UPSTREAM, UPSTREAM_DEFAULTS),
  spec("litellm_deployment_successful_fallbacks", "counter", "Calls a fallback alias answered after the alias asked for failed.", FALLBACK, ["requested_model", "fallback_model", "exception_status", "exception_class"]),
  spec("litellm_deployment_failed_fallbacks", "counter", "Fallback aliases that failed too.", FALLBACK, ["requested_model", "fallback_model", "exception_status", "exception_class"]),
  spec("litellm_deployment_state", "gauge", "The router's view of a deployment at scrape time: 0 healthy, 1 failing within the last minute (partial outage), 2 cooling down (complete outage).", DEPLOYMENT_STATE, DEPLOYMENT_STATE, false),
  spec("litellm_deployment_cooled_down", "counter", "Times the router cooled a deployment down; exception_status is the HTTP status of the failure that caused it.", [...DEPLOYMENT_STATE, "exception_status"], [...DEPLOYMENT_STATE, "exception_status"], false),
]);

export const CALL_METRIC_NAMES: ReadonlySet<string> = new Set(CALL_METRICS.map((m) => m.name));

/** A custom metadata key as a label name, LiteLLM's way: `metadata.foo` is `metadata_foo`, any other invalid character `_`. */
export function labelName(key: string): string {
  const name = key.replace(/[^a-zA-Z0-9_]/g, "_");
  return name === "" ? "_" : /^[a-zA-Z_]/.test(name) ? name : `_${name}`;
}
