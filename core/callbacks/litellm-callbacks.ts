/**
 * Callback names LiteLLM knows and this runtime does not build in, so an
 * unknown-name error can say so and name the way there instead of only
 * "not a built-in". Taken from LiteLLM's `_custom_logger_compatible_callbacks_literal`
 * (litellm/__init__.py) and the string callbacks of its logging module.
 */

/** Where LiteLLM sends call records: reachable through `otel` (if the tool ingests OTLP) or `webhook`. */
const LITELLM_LOGGERS = new Set([
  "agentops", "argilla", "arize", "athina", "aws_sqs", "azure_sentinel", "azure_storage", "braintrust", "clickhouse",
  "cloudzero", "custom_callback_api", "datadog", "datadog_llm_observability", "datadog_metrics", "deepeval", "dynamodb",
  "focus", "galileo", "gcs_bucket", "gcs_pubsub", "generic", "greenscale", "helicone", "humanloop", "lago", "langsmith",
  "langtrace", "levo", "literalai", "llmonitor", "logfire", "lunary", "mavvrik", "mlflow", "newrelic", "openmeter", "opik",
  "pagerduty", "posthog", "promptlayer", "resend_email", "s3", "s3_v2", "sendgrid_email", "sentry", "slack",
  "smtp_email", "supabase", "vantage", "wandb", "weave_otel", "weights_biases",
]);

/** LiteLLM hooks and prompt-management integrations rather than loggers: a CustomLogger module is the way. */
const LITELLM_HOOKS = new Set([
  "anthropic_cache_control_hook", "bedrock_vector_store", "bitbucket", "compression_interception", "dotprompt",
  "dynamic_rate_limiter", "dynamic_rate_limiter_v3", "gitlab", "litellm_agent", "vector_store_pre_call_hook",
]);

/** Tools among them known to take OTLP traces over HTTP: `otel` pointed at their endpoint reaches them. */
const OTLP_INGEST = new Set(["arize", "braintrust", "datadog", "datadog_llm_observability", "langsmith", "langtrace", "logfire", "mlflow", "newrelic", "opik", "weave_otel"]);

/**
 * For a name LiteLLM has and this runtime lacks, the sentences that say so
 * and how to get there; undefined for any other name.
 */
export function litellmOnlyHint(name: string): string | undefined {
  if (LITELLM_HOOKS.has(name)) {
    return `LiteLLM has "${name}" (a hook, not a logger); this runtime does not. Write it as a CustomLogger module with the hook it needs (async_pre_call_hook, ...).`;
  }
  if (!LITELLM_LOGGERS.has(name)) return undefined;
  const otel = OTLP_INGEST.has(name)
    ? `it takes OpenTelemetry traces, so the otel built-in with callback_settings.otel.endpoint and headers set to its OTLP endpoint reaches it`
    : `if it takes OpenTelemetry traces, point the otel built-in at its OTLP endpoint`;
  return `LiteLLM has "${name}"; this runtime does not. To reach it: ${otel}; or send each call's record with the webhook built-in (callback_settings.webhook.url) to an endpoint that forwards it; or write a CustomLogger module.`;
}
