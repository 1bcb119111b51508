import type { CallbackKwargs, CallType, StandardLoggingObject } from "../../core/types.ts";

/**
 * The attributes of an attempt's span, after the OpenTelemetry GenAI semantic
 * conventions, plus the runtime's own under `litellm.*`. Built from an
 * allow-list of fields, never by copying kwargs: no key, header or master key
 * can reach a span.
 */

export type AttributeValue = string | number | boolean | string[] | number[];
export type Attrs = Record<string, AttributeValue>;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** `gen_ai.operation.name` of a call type. */
export function operationOf(callType: CallType | string): "chat" | "embeddings" {
  return callType === "embedding" || callType === "aembedding" ? "embeddings" : "chat";
}

/** The conventions' well-known `gen_ai.provider.name` values, by the runtime's provider names; others pass as they are. */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: "openai",
  text_completion_openai: "openai",
  azure: "azure.ai.openai",
  azure_ai: "azure.ai.inference",
  anthropic: "anthropic",
  gemini: "gcp.gemini",
  vertex_ai: "gcp.vertex_ai",
  "vertex_ai-language-models": "gcp.vertex_ai",
  bedrock: "aws.bedrock",
  groq: "groq",
  mistral: "mistral_ai",
  cohere: "cohere",
  cohere_chat: "cohere",
  deepseek: "deepseek",
  perplexity: "perplexity",
  xai: "x_ai",
  watsonx: "ibm.watsonx.ai",
  mock: "litellm.mock",
};

export function providerName(provider: string | null | undefined): string {
  if (!provider) return "_OTHER";
  return PROVIDERS[provider] ?? provider;
}

/** The span's name: `{operation} {model}` (`chat gpt-4o-mini`), as the conventions name a client inference span. */
export function spanName(kwargs: Pick<CallbackKwargs, "call_type" | "model">): string {
  return kwargs.model ? `${operationOf(kwargs.call_type)} ${kwargs.model}` : operationOf(kwargs.call_type);
}

/** What the span knows when it starts (an eager span gets these at once, so a sampler sees them). */
export function startAttributes(kwargs: CallbackKwargs): Attrs {
  const a: Attrs = {
    "gen_ai.operation.name": operationOf(kwargs.call_type),
    "gen_ai.provider.name": providerName(kwargs.litellm_params?.custom_llm_provider),
  };
  if (kwargs.model) a["gen_ai.request.model"] = kwargs.model;
  return a;
}

/** Request parameters from `optional_params`, under their GenAI names. */
const REQUEST_PARAMS: ReadonlyArray<readonly [string, string]> = [
  ["temperature", "gen_ai.request.temperature"],
  ["max_tokens", "gen_ai.request.max_tokens"],
  ["max_completion_tokens", "gen_ai.request.max_tokens"],
  ["top_p", "gen_ai.request.top_p"],
  ["frequency_penalty", "gen_ai.request.frequency_penalty"],
  ["presence_penalty", "gen_ai.request.presence_penalty"],
  ["seed", "gen_ai.request.seed"],
  ["n", "gen_ai.request.choice.count"],
];

/** Everything the event tells: request, response, usage, server, error, and `litellm.*`. */
export function eventAttributes(kwargs: CallbackKwargs, response: unknown, record: StandardLoggingObject | undefined, failed: boolean): Attrs {
  const a = startAttributes(kwargs);
  const params = isObject(kwargs.optional_params) ? kwargs.optional_params : {};
  for (const [from, to] of REQUEST_PARAMS) {
    const v = num(params[from]);
    if (v !== undefined && a[to] === undefined) a[to] = v;
  }
  const stop = params.stop;
  if (typeof stop === "string") a["gen_ai.request.stop_sequences"] = [stop];
  else if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) a["gen_ai.request.stop_sequences"] = stop as string[];
  if (params.n === undefined && num(params.candidate_count) !== undefined) a["gen_ai.request.choice.count"] = params.candidate_count as number;

  const res = isObject(response) ? response : isObject(kwargs.complete_streaming_response) ? (kwargs.complete_streaming_response as unknown as Obj) : undefined;
  if (!failed && res) {
    const model = text(res.model);
    if (model) a["gen_ai.response.model"] = model;
    const id = text(res.id);
    if (id) a["gen_ai.response.id"] = id;
    if (Array.isArray(res.choices)) {
      const reasons = res.choices.map((c) => (isObject(c) ? text(c.finish_reason) : undefined)).filter((r): r is string => r !== undefined);
      if (reasons.length > 0) a["gen_ai.response.finish_reasons"] = reasons;
    }
  }
  if (record) {
    if (!failed || record.prompt_tokens > 0) a["gen_ai.usage.input_tokens"] = record.prompt_tokens;
    if (!failed && operationOf(kwargs.call_type) === "chat") a["gen_ai.usage.output_tokens"] = record.completion_tokens;
  }
  Object.assign(a, serverAttributes(record?.api_base || kwargs.litellm_params?.api_base));
  if (failed) a["error.type"] = errorType(kwargs, record);
  Object.assign(a, litellmAttributes(kwargs, record));
  return a;
}

/** `server.address` and `server.port` from the api_base (credentials are masked there, and never read). */
export function serverAttributes(apiBase: string | null | undefined): Attrs {
  if (!apiBase) return {};
  try {
    const url = new URL(apiBase);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : url.protocol === "http:" ? 80 : undefined;
    return port === undefined ? { "server.address": url.hostname } : { "server.address": url.hostname, "server.port": port };
  } catch {
    return {};
  }
}

/** The error's class (`RateLimitError`), else its HTTP status, else `_OTHER` (the conventions' fallback). */
function errorType(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined): string {
  const info = record?.error_information;
  if (info?.error_class) return info.error_class;
  if (info?.error_code) return info.error_code;
  const err = kwargs.exception;
  return err instanceof Error ? err.name || err.constructor.name || "_OTHER" : "_OTHER";
}

function litellmAttributes(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined): Attrs {
  const a: Attrs = {};
  const lp = kwargs.litellm_params;
  const md = isObject(lp?.metadata) ? lp.metadata : {};
  if (kwargs.litellm_call_id) a["litellm.call_id"] = kwargs.litellm_call_id;
  if (kwargs.litellm_trace_id) a["litellm.trace_id"] = kwargs.litellm_trace_id;
  const group = text(lp?.model_group) ?? text(md.model_group);
  if (group) a["litellm.model_group"] = group;
  const deployment = text(md.deployment) ?? text(lp?.litellm_model_name);
  if (deployment) a["litellm.deployment"] = deployment;
  a["litellm.attempt"] = num(md.attempt) ?? 1;
  const cost = num(kwargs.response_cost) ?? num(record?.response_cost);
  if (cost !== undefined) a["litellm.response_cost"] = cost;
  a["litellm.cache_hit"] = kwargs.cache_hit === true;
  a["litellm.stream"] = kwargs.stream === true;
  const first = ttftMs(kwargs);
  if (first !== undefined) {
    a["litellm.time_to_first_token_ms"] = first;
    a["gen_ai.response.time_to_first_chunk"] = first / 1000;
  }
  if (kwargs.stream_aborted === true) a["litellm.stream_aborted"] = true;
  return a;
}

/** Milliseconds from the attempt's start to its first chunk, for a stream. */
export function ttftMs(kwargs: CallbackKwargs): number | undefined {
  if (kwargs.stream !== true) return undefined;
  const first = kwargs.completion_start_time;
  if (!(first instanceof Date) || !(kwargs.start_time instanceof Date)) return undefined;
  return Math.max(0, first.getTime() - kwargs.start_time.getTime());
}
