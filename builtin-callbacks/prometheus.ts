import type { Registry } from "prom-client";
import { registerReadOnlyBuiltin, type BuiltinContext, type BuiltinHost } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import type { CallbackKwargs } from "../core/types.ts";
import { CallOutcomes } from "./prometheus/calls.ts";
import { eventLabels, exceptionClass, statusOf } from "./prometheus/labels.ts";
import { resolvePrometheusOptions, type PrometheusOptions } from "./prometheus/options.ts";
import { addHost, EventLabels, metricSet, registry, type LabelValues, type MetricSet } from "./prometheus/registry.ts";

/**
 * The `prometheus` built-in (LiteLLM's `callbacks: ["prometheus"]`): LiteLLM's
 * metrics, counted from each call's success and failure events in the
 * background, plus the runtime's own health read at scrape time. The server
 * answers `GET /metrics` from its registry; a library user calls `metrics()`.
 *
 * Counting: the "proxy" metrics once per call, whatever its retries and
 * fallbacks (see prometheus/calls.ts); the deployment metrics once per attempt;
 * tokens, spend and latency once per success (a cache hit included; no
 * deployment metric for a hit: nothing was sent).
 */
export class PrometheusLogger extends CustomLogger {
  readonly settings: PrometheusOptions;
  private readonly metrics: MetricSet;
  private readonly outcomes: CallOutcomes;
  private readonly release: (() => void) | undefined;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    super(options);
    this.settings = resolvePrometheusOptions(options, context?.litellm_settings);
    this.metrics = metricSet(this.settings);
    const host: BuiltinHost | undefined = context?.host;
    this.outcomes = new CallOutcomes((labels) => this.callFailed(labels), () => host?.routing() ?? null, this.settings.failure_settle_seconds * 1000);
    this.release = host ? addHost(host) : undefined;
  }

  override log_success_event(kwargs: CallbackKwargs): void {
    const s = kwargs.standard_logging_object;
    if (!s) return;
    const m = this.metrics;
    const values = eventLabels(kwargs, s, this.settings.custom);
    values.status_code = "200";
    const v = new EventLabels(values);
    const asked = this.outcomes.succeeded(kwargs);
    // A fallback's answer counts the call under the alias asked for; the other metrics count the attempt, under the alias that answered.
    m.inc("litellm_proxy_total_requests_metric", asked === undefined ? v : new EventLabels({ ...values, requested_model: asked }));
    m.inc("litellm_input_tokens_metric", v, s.prompt_tokens);
    m.inc("litellm_output_tokens_metric", v, s.completion_tokens);
    m.inc("litellm_total_tokens_metric", v, s.total_tokens);
    m.inc("litellm_spend_metric", v, s.response_cost);
    const total = s.endTime - s.startTime;
    m.observe("litellm_request_total_latency_metric", v, total);
    if (s.cache_hit) return;
    m.inc("litellm_deployment_success_responses", v);
    m.inc("litellm_deployment_total_requests", v);
    const hidden = s.hidden_params;
    const overheadMs = hidden?.litellm_overhead_time_ms;
    if (typeof overheadMs === "number") m.observe("litellm_overhead_latency_metric", v, overheadMs / 1000);
    // The provider's share of the attempt: all of it but the runtime's own time.
    m.observe("litellm_llm_api_latency_metric", v, typeof overheadMs === "number" ? total - overheadMs / 1000 : total);
    if (kwargs.stream === true && kwargs.completion_start_time) m.observe("litellm_llm_api_time_to_first_token_metric", v, (kwargs.completion_start_time.getTime() - kwargs.start_time.getTime()) / 1000);
    const headers = hidden?.additional_headers;
    if (typeof headers?.x_ratelimit_remaining_requests === "number") m.set("litellm_remaining_requests_metric", v, headers.x_ratelimit_remaining_requests);
    if (typeof headers?.x_ratelimit_remaining_tokens === "number") m.set("litellm_remaining_tokens_metric", v, headers.x_ratelimit_remaining_tokens);
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    const s = kwargs.standard_logging_object;
    if (!s) return;
    const values = eventLabels(kwargs, s, this.settings.custom);
    // An attempt that reached a provider (its request was recorded); not a call refused before any.
    if (kwargs.additional_args !== undefined) {
      const v = new EventLabels(values);
      this.metrics.inc("litellm_deployment_failure_responses", v);
      this.metrics.inc("litellm_deployment_total_requests", v);
    }
    this.outcomes.attemptFailed(kwargs, values);
  }

  override log_success_fallback_event(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error): void {
    this.metrics.inc("litellm_deployment_successful_fallbacks", new EventLabels(fallbackLabels(original_model_group, kwargs, original_exception)));
  }

  override log_failure_fallback_event(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error): void {
    this.metrics.inc("litellm_deployment_failed_fallbacks", new EventLabels(fallbackLabels(original_model_group, kwargs, original_exception)));
  }

  /** Failures still waiting for a retry or fallback count as failed calls now: what is flushed is final. */
  flush(): void {
    this.outcomes.settleAll();
  }

  close(): void {
    this.outcomes.settleAll();
    this.release?.();
  }

  /** One call failed: its caller got an error. */
  private callFailed(values: LabelValues): void {
    values.status_code = values.exception_status ?? "None";
    const v = new EventLabels(values);
    this.metrics.inc("litellm_proxy_failed_requests_metric", v);
    this.metrics.inc("litellm_proxy_total_requests_metric", v);
  }
}

function fallbackLabels(original: string, kwargs: CallbackKwargs, err: Error): LabelValues {
  const meta = kwargs.litellm_params?.metadata as { model_group?: unknown } | undefined;
  const provider = (err as { llm_provider?: unknown }).llm_provider;
  return {
    requested_model: original,
    fallback_model: typeof meta?.model_group === "string" ? meta.model_group : kwargs.model,
    exception_status: statusOf(err),
    exception_class: exceptionClass(typeof provider === "string" ? provider : "", err.name || "Error"),
    model_id: typeof kwargs.litellm_params?.model_info?.id === "string" ? kwargs.litellm_params.model_info.id : "",
  };
}

/** The registry the `prometheus` built-in counts into: one per process, whatever the reloads. */
export function prometheusRegistry(): Registry {
  return registry();
}

/** The metrics in Prometheus's text exposition format (what `GET /metrics` answers). */
export function metrics(): Promise<string> {
  return registry().metrics();
}

registerReadOnlyBuiltin("prometheus", (options, context) => new PrometheusLogger(options, context));
