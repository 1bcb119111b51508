import { maskUrl, Secrets } from "../secrets.ts";
import type { CallbackKwargs, ModelResponse, StandardLoggingObject, Usage } from "../types.ts";

export const REDACTED = "redacted-by-litellm";

const seconds = (d: Date | undefined): number => (d ? d.getTime() / 1000 : 0);

/**
 * The flat record every built-in writes, so a log line means the same wherever it lands.
 * It holds no API key and no header: only what the call was, what it cost, how it ended.
 */
export function standardLoggingObject(
  kwargs: CallbackKwargs,
  status: "success" | "failure",
  response: unknown,
  redactMessages: boolean,
  secrets: Secrets = Secrets.none,
): StandardLoggingObject {
  const usage = (response as ModelResponse | null)?.usage as Partial<Usage> | undefined;
  const lp = kwargs.litellm_params;
  const end = kwargs.end_time;
  const err = kwargs.exception as (Error & { code?: string; llm_provider?: string }) | undefined;
  return {
    id: kwargs.litellm_call_id,
    trace_id: kwargs.litellm_trace_id,
    call_type: kwargs.call_type,
    stream: kwargs.stream,
    stream_aborted: kwargs.stream_aborted === true,
    status,
    model: kwargs.model,
    model_group: lp.model_group,
    custom_llm_provider: lp.custom_llm_provider,
    api_base: maskUrl(lp.api_base),
    prompt_tokens: usage?.prompt_tokens ?? 0,
    completion_tokens: usage?.completion_tokens ?? 0,
    total_tokens: usage?.total_tokens ?? 0,
    response_cost: kwargs.response_cost ?? (status === "failure" ? 0 : null),
    saved_cache_cost: kwargs.saved_cache_cost ?? 0,
    cache_hit: kwargs.cache_hit ?? false,
    cache_key: kwargs.cache_key ?? null,
    startTime: seconds(kwargs.start_time),
    endTime: seconds(end),
    completionStartTime: seconds(kwargs.completion_start_time ?? end),
    response_time: end ? (end.getTime() - kwargs.start_time.getTime()) / 1000 : 0,
    metadata: lp.metadata,
    user: kwargs.user ?? null,
    messages: redactMessages ? REDACTED : kwargs.messages,
    // The runtime's `_hidden_params` are not enumerable: the record serialises as the provider shaped it, with no copy.
    response: redactMessages ? REDACTED : (response ?? null),
    model_parameters: kwargs.optional_params,
    error_str: err ? secrets.scrub(err.message) : null,
    error_information: err
      ? {
          error_code: String(err.code ?? ""),
          error_class: err.name,
          llm_provider: err.llm_provider ?? lp.custom_llm_provider,
          error_message: secrets.scrub(err.message),
          traceback: secrets.scrub(kwargs.traceback_exception ?? ""),
        }
      : null,
    hidden_params: {
      model_id: typeof lp.model_info?.id === "string" ? lp.model_info.id : null,
      cache_key: kwargs.cache_key ?? null,
      api_base: maskUrl(lp.api_base),
      response_cost: kwargs.response_cost ?? null,
      litellm_model_name: lp.litellm_model_name ?? kwargs.model,
    },
    cache_enabled: lp.cache_enabled === true,
  };
}
