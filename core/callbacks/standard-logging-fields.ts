/**
 * The parts of the standard logging record that follow a table of LiteLLM's:
 * its metadata keys, its hidden params, the OpenAI parameters it keeps, the
 * rate-limit headers it reads, and its redacted shapes.
 */
import { maskUrl } from "../secrets.ts";
import type {
  HiddenParams,
  ProxyServerRequest,
  StandardLoggingAdditionalHeaders,
  StandardLoggingHiddenParams,
  StandardLoggingMetadata,
} from "../types.ts";

export const REDACTED = "redacted-by-litellm";

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Every key of LiteLLM's `StandardLoggingMetadata`, in its order, all null. A
 * literal, made fresh per record: an object filled key by key past a dozen
 * keys falls into V8's slow dictionary mode, which cost ~3 µs a record.
 */
const emptyMetadata = (): Record<keyof StandardLoggingMetadata, unknown> => ({
  user_api_key_hash: null,
  user_api_key_alias: null,
  user_api_key_spend: null,
  user_api_key_max_budget: null,
  user_api_key_budget_reset_at: null,
  user_api_key_user_spend: null,
  user_api_key_user_max_budget: null,
  user_api_key_team_spend: null,
  user_api_key_team_max_budget: null,
  user_api_key_org_id: null,
  user_api_key_org_alias: null,
  user_api_key_team_id: null,
  user_api_key_project_id: null,
  user_api_key_project_alias: null,
  user_api_key_user_id: null,
  user_api_key_user_email: null,
  user_api_key_team_alias: null,
  user_api_key_end_user_id: null,
  user_api_key_request_route: null,
  user_api_key_auth_metadata: null,
  spend_logs_metadata: null,
  requester_ip_address: null,
  user_agent: null,
  requester_metadata: null,
  requester_custom_headers: null,
  prompt_management_metadata: null,
  mcp_tool_call_metadata: null,
  vector_store_request_metadata: null,
  applied_guardrails: null,
  usage_object: null,
  cold_storage_object_key: null,
  team_alias: null,
  team_id: null,
});

const METADATA_KEYS: ReadonlySet<string> = new Set(Object.keys(emptyMetadata()));

const SHA256 = /^[a-fA-F0-9]{64}$/;

/**
 * LiteLLM's `StandardLoggingMetadata`: every key, null unless the call's
 * metadata sets it; the caller's other keys stay out of the record.
 */
export function standardMetadata(metadata: Obj | null, usage: Obj | null, server: ProxyServerRequest | null): StandardLoggingMetadata {
  const out = emptyMetadata();
  out.usage_object = usage;
  if (metadata) {
    for (const key of Object.keys(metadata)) if (METADATA_KEYS.has(key)) out[key as keyof StandardLoggingMetadata] = metadata[key];
    // A virtual key's hash, never the key: only a value that is already a SHA-256 digest is kept.
    const key = metadata.user_api_key;
    if (typeof key === "string" && SHA256.test(key)) out.user_api_key_hash = key;
    if (out.requester_metadata === null && isObject(metadata.metadata)) out.requester_metadata = metadata.metadata;
  }
  // What LiteLLM's proxy puts in metadata from the request, taken from the request the server recorded.
  if (server) {
    if (out.requester_metadata === null && isObject(server.body.metadata)) out.requester_metadata = server.body.metadata;
    if (out.user_agent === null && typeof server.headers["user-agent"] === "string") out.user_agent = server.headers["user-agent"];
  }
  return out as unknown as StandardLoggingMetadata;
}

/** `metadata.tags`, then on the server LiteLLM's two User-Agent tags. */
export function requestTags(metadata: Obj | null, server: ProxyServerRequest | null): string[] {
  const tags = Array.isArray(metadata?.tags) ? (metadata.tags as unknown[]).filter((t): t is string => typeof t === "string") : [];
  const agent = server?.headers["user-agent"];
  if (typeof agent === "string" && agent !== "") {
    if (agent.includes("/")) tags.push(`User-Agent: ${agent.split("/")[0]}`);
    tags.push(`User-Agent: ${agent}`);
  }
  return tags;
}

/** The OpenAI API parameters LiteLLM keeps in `model_parameters`: every request parameter but the prompt. */
const MODEL_PARAMETERS = new Set([
  "audio", "best_of", "dimensions", "echo", "encoding_format", "frequency_penalty",
  "function_call", "functions", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "metadata", "modalities", "n",
  "parallel_tool_calls", "prediction", "presence_penalty", "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier",
  "seed", "service_tier", "stop", "store", "stream", "stream_options", "suffix", "temperature", "tool_choice", "tools",
  "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
]);

export function modelParameters(optional: Obj): Obj {
  const out: Obj = {};
  for (const key of Object.keys(optional)) if (MODEL_PARAMETERS.has(key)) out[key] = optional[key];
  return out;
}

/** `web_search_options` and a `file_search` tool, which LiteLLM prices apart. */
export function builtInTools(optional: Obj): { web_search_options: unknown; file_search: unknown } {
  const tools = Array.isArray(optional.tools) ? optional.tools : [];
  const fileSearch = tools.find((t) => isObject(t) && t.type === "file_search") ?? null;
  return { web_search_options: optional.web_search_options ?? null, file_search: fileSearch };
}

const HEADER_KEYS = [
  "x_ratelimit_limit_requests",
  "x_ratelimit_limit_tokens",
  "x_ratelimit_remaining_requests",
  "x_ratelimit_remaining_tokens",
  "x_ratelimit_reset_requests",
  "x_ratelimit_reset_tokens",
] as const satisfies ReadonlyArray<keyof StandardLoggingAdditionalHeaders>;

/** LiteLLM's reading of the rate-limit headers: those holding a whole number, under snake_case names; null when there were no headers. */
export function additionalHeaders(headers: Readonly<Record<string, string>> | null | undefined): StandardLoggingAdditionalHeaders | null {
  if (!headers) return null;
  const out: StandardLoggingAdditionalHeaders = {};
  for (const key of HEADER_KEYS) {
    const value = headers[key.replaceAll("_", "-")];
    if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** LiteLLM's `StandardLoggingHiddenParams` from a response's `_hidden_params` (or an error's headers); every key present. */
export function standardHiddenParams(hidden: Partial<HiddenParams> | undefined, headers: Readonly<Record<string, string>> | null | undefined): StandardLoggingHiddenParams {
  return {
    model_id: hidden?.model_id ?? null,
    cache_key: hidden?.cache_key ?? null,
    api_base: maskUrl(hidden?.api_base ?? null),
    response_cost: hidden?.response_cost ?? null,
    litellm_overhead_time_ms: hidden?.litellm_overhead_time_ms ?? null,
    additional_headers: additionalHeaders(hidden ? hidden.additional_headers : headers),
    batch_models: null,
    litellm_model_name: hidden?.litellm_model_name ?? null,
    usage_object: null,
  };
}

/** An embedding's input as LiteLLM logs it: each text a user message. */
export function asMessages(messages: unknown): unknown[] | Obj | string | null {
  if (messages === undefined || messages === null) return null;
  if (typeof messages === "string") return [{ role: "user", content: messages }];
  if (Array.isArray(messages)) return messages.map((m) => (typeof m === "string" ? { role: "user", content: m } : m));
  return messages as Obj;
}

/** LiteLLM's redacted messages: one user message saying so. */
export function redactedMessages(): Obj[] {
  return [{ role: "user", content: REDACTED }];
}

/**
 * LiteLLM's redacted response: a chat completion keeps its shape, with message
 * text, reasoning and tool-call arguments redacted (a new object: the caller's
 * response is untouched); a string becomes the marker; anything else `{ text }`.
 */
export function redactedResponse(response: unknown): unknown {
  if (response === null || response === undefined) return response;
  if (typeof response === "string") return REDACTED;
  if (isObject(response) && Array.isArray(response.choices)) return { ...response, choices: response.choices.map(redactChoice) };
  return { text: REDACTED };
}

function redactChoice(choice: unknown): unknown {
  if (!isObject(choice)) return choice;
  if (isObject(choice.message)) return { ...choice, message: redactMessage(choice.message) };
  if (isObject(choice.delta)) return { ...choice, delta: redactMessage(choice.delta) };
  return choice.text != null ? { ...choice, text: REDACTED } : choice;
}

function redactMessage(message: Obj): Obj {
  const out: Obj = { ...message };
  if (out.content != null) out.content = REDACTED;
  if (out.reasoning_content != null) out.reasoning_content = REDACTED;
  if ("thinking_blocks" in out) out.thinking_blocks = null;
  if ("audio" in out) out.audio = null;
  if (Array.isArray(out.tool_calls)) {
    out.tool_calls = out.tool_calls.map((call) => (isObject(call) && isObject(call.function) ? { ...call, function: { ...call.function, arguments: REDACTED } } : call));
  }
  if (isObject(out.function_call) && "arguments" in out.function_call) out.function_call = { ...out.function_call, arguments: REDACTED };
  return out;
}
