import { maskKey } from "../secrets.ts";
import { uuid4 } from "../uuid.ts";
import type { CallbackKwargs, CallType, ChatMessage, ProxyServerRequest } from "../types.ts";

// The masked form of a key is the scrubber's (core/secrets.ts): one format for kwargs, records and error text.
export { maskKey };

const SECRET_HEADER = /^(authorization|api-key|x-api-key|proxy-authorization|cookie|x-goog-api-key)$/i;

/** Headers as callbacks may see them: secrets masked, the rest as sent. */
export function safeHeaders(headers: Record<string, string>, redact: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    if (!SECRET_HEADER.test(name)) out[name] = value;
    else if (!redact) out[name] = value;
    else out[name] = value.startsWith("Bearer ") ? `Bearer ${maskKey(value.slice(7))}` : maskKey(value)!;
  }
  return out;
}

export interface BaseKwargsInput {
  /** The deployment's model, without the provider prefix (LiteLLM's `kwargs["model"]`). */
  model: string;
  messages: ChatMessage[] | string | string[];
  optional_params: Record<string, unknown>;
  /** The caller's metadata (with a routed attempt's keys); undefined when none was passed. */
  metadata: Record<string, unknown> | undefined;
  model_info: Record<string, unknown> | null;
  api_base: string | null;
  custom_llm_provider: string;
  model_group: string | null;
  /** The deployment, provider-prefixed (`mock/x`). */
  litellm_model_name: string;
  cache_enabled: boolean;
  stream: boolean;
  call_type: CallType;
  user: string | undefined;
  /** The caller's `litellm_call_id` (the server gives each request's, as LiteLLM's proxy does); else a new UUID per attempt. */
  call_id?: string;
  /** `kwargs.litellm_trace_id`: a routed call's shared trace id, or the caller's `litellm_trace_id`; else the call's id. */
  trace_id?: string;
  /** The caller's own `litellm_trace_id` and `litellm_session_id`. */
  caller_trace_id?: string;
  session_id?: string;
  base_model?: string | null;
  proxy_server_request?: ProxyServerRequest | null;
  input_cost_per_token?: number | null;
  output_cost_per_token?: number | null;
  start_time: Date;
}

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The kwargs present from the start of a call; later events add to a copy of it. */
export function baseKwargs(input: BaseKwargsInput): CallbackKwargs {
  const id = input.call_id ?? uuid4();
  const metadata = input.metadata ?? null;
  const call = input.call_type;
  return {
    model: input.model,
    messages: input.messages,
    optional_params: input.optional_params,
    litellm_params: {
      acompletion: call === "acompletion" ? true : call === "completion" ? false : null,
      aembedding: call === "aembedding" ? true : null,
      metadata,
      model_info: input.model_info,
      api_base: input.api_base ?? "",
      custom_llm_provider: input.custom_llm_provider,
      litellm_call_id: id,
      model_group: input.model_group,
      litellm_session_id: input.session_id ?? null,
      litellm_trace_id: input.caller_trace_id ?? null,
      base_model: input.base_model ?? text(input.model_info?.base_model) ?? null,
      proxy_server_request: input.proxy_server_request ?? null,
      preset_cache_key: null,
      stream_response: {},
      input_cost_per_token: input.input_cost_per_token ?? null,
      output_cost_per_token: input.output_cost_per_token ?? null,
      litellm_model_name: input.litellm_model_name,
      cache_enabled: input.cache_enabled,
    },
    start_time: input.start_time,
    stream: input.stream,
    call_type: input.call_type,
    litellm_call_id: id,
    litellm_trace_id: input.trace_id ?? id,
    user: input.user,
    log_event_type: "pre_api_call",
  };
}
