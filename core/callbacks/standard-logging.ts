/**
 * `kwargs.standard_logging_object`: LiteLLM's `StandardLoggingPayload`, built
 * from a success or failure event's kwargs and response as LiteLLM's
 * `get_standard_logging_object_payload` builds it, so that a record means the
 * same wherever it lands. It never holds an API key or a request header.
 */
import type { CostBreakdownParts, PriceEntry } from "../cost/index.ts";
import { maskUrl, Secrets } from "../secrets.ts";
import type {
  CallbackKwargs,
  CostBreakdown,
  HiddenParams,
  ProxyServerRequest,
  StandardLoggingModelInformation,
  StandardLoggingPayload,
  StandardLoggingPayloadErrorInformation,
} from "../types.ts";
import {
  asMessages,
  builtInTools,
  modelParameters,
  REDACTED,
  redactedMessages,
  redactedResponse,
  requestTags,
  standardHiddenParams,
  standardMetadata,
} from "./standard-logging-fields.ts";

export { REDACTED };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const seconds = (d: Date | undefined): number => (d ? d.getTime() / 1000 : 0);

/** How the runtime priced one response: the price-table entry and its key, and the cost's parts. */
export interface PricingNote {
  readonly model_map_key: string;
  readonly model_map_value: PriceEntry | null;
  readonly breakdown: CostBreakdownParts | null;
}

/**
 * Kept on the success kwargs under a symbol key: JSON, `Object.keys` and `for...in` never show it,
 * and the copy each event hands its handlers keeps it. A plain assignment: defining a hidden
 * property on each response's `_hidden_params` cost more than the rest of pricing.
 */
const PRICING: unique symbol = Symbol("litellm-runtime.pricing");

/** Records how the call's response was priced, for its record's `model_map_information` and `cost_breakdown`. */
export function notePricing(kwargs: CallbackKwargs, note: PricingNote): void {
  (kwargs as { [PRICING]?: PricingNote })[PRICING] = note;
}

function pricingOf(kwargs: CallbackKwargs): PricingNote | undefined {
  return (kwargs as { [PRICING]?: PricingNote })[PRICING];
}

/**
 * The record of one call's success or failure. `redactMessages` puts LiteLLM's
 * redacted shapes in place of `messages` and `response` (turn_off_message_logging,
 * or the redacted view a handler built with `message_logging: false` gets).
 */
export function standardLoggingObject(
  kwargs: CallbackKwargs,
  status: "success" | "failure",
  response: unknown,
  redactMessages: boolean,
  secrets: Secrets = Secrets.none,
): StandardLoggingPayload {
  const lp = kwargs.litellm_params;
  const metadata = isObject(lp.metadata) ? lp.metadata : null;
  const server = isObject(lp.proxy_server_request) ? (lp.proxy_server_request as ProxyServerRequest) : null;
  const answer = status === "success" && isObject(response) ? response : null;
  const hidden = answer ? ((answer as { _hidden_params?: HiddenParams })._hidden_params ?? undefined) : undefined;
  const note = answer ? pricingOf(kwargs) : undefined;
  const usage = isObject(answer?.usage) ? (answer.usage as Obj) : null;
  const err = status === "failure" ? (kwargs.exception as (Error & { litellm_response_headers?: Record<string, string> }) | undefined) : undefined;

  const start = seconds(kwargs.start_time);
  const end = seconds(kwargs.end_time);
  const firstToken = kwargs.completion_start_time ? seconds(kwargs.completion_start_time) : end;
  // LiteLLM writes `stream: true` only for a stream that assembled a response, and never false.
  const stream = kwargs.stream === true && kwargs.complete_streaming_response != null ? true : null;
  const cacheHit = kwargs.cache_hit === true;
  const responseId = text(answer?.id) ?? kwargs.litellm_call_id;
  const metadataModel = text(metadata?.deployment);
  const modelInfo = isObject(metadata?.model_info) ? metadata.model_info : lp.model_info;

  const hiddenParams = standardHiddenParams(hidden, err?.litellm_response_headers);
  if (hidden) {
    // A cache hit's hidden params come from the cache step; the deployment is known all the same.
    hiddenParams.model_id ??= text(modelInfo?.id) ?? null;
    hiddenParams.litellm_model_name ??= text(lp.litellm_model_name) ?? null;
  }

  const record: StandardLoggingPayload = {
    // A hit gets its own id, so the cached response's id is never logged twice (as LiteLLM does).
    id: cacheHit ? `${responseId}_cache_hit${end}` : responseId,
    trace_id: text(lp.litellm_session_id) ?? text(lp.litellm_trace_id) ?? text(metadata?.session_id) ?? text(metadata?.trace_id) ?? kwargs.litellm_trace_id,
    litellm_call_id: kwargs.litellm_call_id,
    call_type: kwargs.call_type,
    stream,
    response_cost: typeof kwargs.response_cost === "number" ? kwargs.response_cost : 0,
    cost_breakdown: status === "success" && !cacheHit ? costBreakdown(note?.breakdown ?? null) : null,
    response_cost_failure_debug_info: kwargs.response_cost_failure_debug_information ?? null,
    status,
    status_fields: { llm_api_status: status, guardrail_status: "not_run" },
    custom_llm_provider: lp.custom_llm_provider ?? null,
    total_tokens: count(usage?.total_tokens),
    prompt_tokens: count(usage?.prompt_tokens),
    completion_tokens: count(usage?.completion_tokens),
    startTime: start,
    endTime: end,
    completionStartTime: firstToken,
    response_time: stream ? firstToken - start : end - start,
    model_map_information: modelMap(status, note),
    // As LiteLLM: the router's provider-prefixed deployment when there is one, else kwargs.model.
    model: metadataModel?.includes("/") ? metadataModel : kwargs.model,
    model_id: text(modelInfo?.id) ?? "",
    model_group: text(metadata?.model_group) ?? lp.model_group ?? "",
    api_base: stripSlash(maskUrl(lp.api_base) ?? ""),
    metadata: standardMetadata(metadata, usage, server),
    cache_hit: cacheHit,
    cache_key: hiddenParams.cache_key ?? kwargs.cache_key ?? null,
    saved_cache_cost: cacheHit ? (kwargs.saved_cache_cost ?? 0) : 0,
    request_tags: requestTags(metadata, server),
    end_user: text(metadata?.user_api_key_end_user_id) ?? text(server?.body.user) ?? "",
    requester_ip_address: null,
    user_agent: null,
    messages: null,
    response: null,
    error_str: err ? secrets.scrub(err.message) : null,
    error_information: errorInformation(err, kwargs.traceback_exception, secrets),
    model_parameters: modelParameters(kwargs.optional_params ?? {}),
    hidden_params: hiddenParams,
    guardrail_information: Array.isArray(metadata?.standard_logging_guardrail_information) ? (metadata.standard_logging_guardrail_information as unknown[]) : null,
    standard_built_in_tools_params: builtInTools(kwargs.optional_params ?? {}),
    stream_aborted: kwargs.stream_aborted === true,
    cache_enabled: lp.cache_enabled === true,
  };
  record.requester_ip_address = record.metadata.requester_ip_address;
  record.user_agent = record.metadata.user_agent;
  const messages = asMessages(kwargs.messages);
  record.messages = redactMessages && messages !== null ? redactedMessages() : messages;
  // A failure has no response: LiteLLM logs `{}`. A success's response is shared, not copied (its _hidden_params are not enumerable).
  const logged = answer ?? {};
  record.response = (redactMessages ? redactedResponse(logged) : logged) as StandardLoggingPayload["response"];
  return record;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function stripSlash(url: string): string {
  return url.endsWith("/") ? url.replace(/\/+$/, "") : url;
}

function modelMap(status: "success" | "failure", note: PricingNote | undefined): StandardLoggingModelInformation {
  if (status === "failure" || !note) return { model_map_key: "", model_map_value: null };
  return { model_map_key: note.model_map_key, model_map_value: note.model_map_value ? { ...note.model_map_value } : null };
}

/** LiteLLM's `CostBreakdown`: the two parts and their total, the cache parts only when they cost something. */
function costBreakdown(parts: CostBreakdownParts | null): CostBreakdown | null {
  if (!parts) return null;
  const out: CostBreakdown = { input_cost: parts.input_cost, output_cost: parts.output_cost, total_cost: parts.input_cost + parts.output_cost, tool_usage_cost: 0 };
  if (parts.cache_read_cost > 0) out.cache_read_cost = parts.cache_read_cost;
  if (parts.cache_creation_cost > 0) out.cache_creation_cost = parts.cache_creation_cost;
  return out;
}

/** LiteLLM's HTTP status names for the errors that carry none here. */
const STATUS_OF_CLASS: Readonly<Record<string, number>> = { APIConnectionError: 500 };

/**
 * LiteLLM's `error_information`, present on a success too (every field "").
 * `error_code` is the HTTP status as text: this runtime's `code` is a stable
 * name (`LLM_RATE_LIMIT`), so the status comes from `status` (or `status_code`).
 */
function errorInformation(err: (Error & { status?: unknown; status_code?: unknown; llm_provider?: unknown }) | undefined, traceback: string | undefined, secrets: Secrets): StandardLoggingPayloadErrorInformation {
  if (!err) return { error_code: "", error_class: "", llm_provider: "", traceback: "", error_message: "" };
  const status = typeof err.status === "number" ? err.status : typeof err.status_code === "number" ? err.status_code : STATUS_OF_CLASS[err.name];
  return {
    error_code: status === undefined ? "" : String(status),
    error_class: err.name || err.constructor?.name || "Error",
    llm_provider: typeof err.llm_provider === "string" ? err.llm_provider : "",
    traceback: secrets.scrub(traceback ?? err.stack ?? ""),
    error_message: secrets.scrub(err.message),
  };
}
