import type { CallbackKwargs, StandardLoggingObject } from "../../core/types.ts";
import { operationOf, type Attrs } from "./attributes.ts";
import { plainText, type Content } from "./content.ts";
import type { AttributeStyle } from "./options.ts";

/**
 * The attribute names one tool reads, added beside the GenAI ones by
 * `attribute_style` (the presets set it): who and which session, tags,
 * metadata, usage, and (only when content is captured) input and output.
 * Names as Langfuse's OpenTelemetry mapping, OpenInference's conventions
 * (Arize Phoenix) and Traceloop's OpenLLMetry read them.
 */

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Who, which session, tags and the caller's metadata, read once for every style. */
interface Context {
  user?: string;
  session?: string;
  tags: string[];
  metadata: Record<string, string | number | boolean>;
}

function contextOf(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined): Context {
  const md = isObject(kwargs.litellm_params?.metadata) ? kwargs.litellm_params.metadata : {};
  const user = text(md.trace_user_id) ?? text(record?.end_user) ?? text(kwargs.user) ?? text(md.user_api_key_user_id);
  const session = text(kwargs.litellm_params?.litellm_session_id) ?? text(md.session_id) ?? text(md.litellm_session_id);
  const tags = (record?.request_tags ?? (Array.isArray(md.tags) ? md.tags : [])).filter((t): t is string => typeof t === "string");
  // Only the caller's own metadata (requester_metadata), and only its scalar values: never the runtime's keys, hashes or objects.
  const metadata: Context["metadata"] = {};
  const own = record?.metadata?.requester_metadata;
  if (isObject(own)) {
    for (const [k, v] of Object.entries(own)) if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") metadata[k] = v;
  }
  return { ...(user && { user }), ...(session && { session }), tags, metadata };
}

export function styleAttributes(style: AttributeStyle, kwargs: CallbackKwargs, record: StandardLoggingObject | undefined, content: Content, failed: boolean): Attrs {
  if (style === "genai") return {};
  const ctx = contextOf(kwargs, record);
  if (style === "langfuse") return langfuse(kwargs, record, ctx, content, failed);
  if (style === "openinference") return openinference(kwargs, record, ctx, content);
  return traceloop(kwargs, record, ctx, content);
}

function langfuse(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined, ctx: Context, content: Content, failed: boolean): Attrs {
  const a: Attrs = { "langfuse.observation.type": operationOf(kwargs.call_type) === "embeddings" ? "embedding" : "generation" };
  if (ctx.user) a["langfuse.user.id"] = ctx.user;
  if (ctx.session) a["langfuse.session.id"] = ctx.session;
  if (ctx.tags.length > 0) a["langfuse.trace.tags"] = ctx.tags;
  for (const [k, v] of Object.entries(ctx.metadata)) a[`langfuse.trace.metadata.${k}`] = v;
  if (kwargs.model) a["langfuse.observation.model.name"] = kwargs.model;
  if (record) {
    a["langfuse.observation.usage_details"] = JSON.stringify({ input: record.prompt_tokens, output: record.completion_tokens, total: record.total_tokens });
    if (!failed) a["langfuse.observation.cost_details"] = JSON.stringify({ total: record.response_cost });
  }
  if (failed) a["langfuse.observation.level"] = "ERROR";
  if (content.input) a["langfuse.observation.input"] = JSON.stringify(content.input);
  if (content.output) a["langfuse.observation.output"] = JSON.stringify(content.output);
  return a;
}

function openinference(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined, ctx: Context, content: Content): Attrs {
  const embeddings = operationOf(kwargs.call_type) === "embeddings";
  const a: Attrs = { "openinference.span.kind": embeddings ? "EMBEDDING" : "LLM" };
  if (kwargs.model) a[embeddings ? "embedding.model_name" : "llm.model_name"] = kwargs.model;
  const provider = text(kwargs.litellm_params?.custom_llm_provider);
  if (provider) a["llm.provider"] = provider;
  a["llm.system"] = provider === "anthropic" ? "anthropic" : provider === "mistral" ? "mistralai" : provider === "gemini" || provider === "vertex_ai" ? "vertexai" : "openai";
  if (record) {
    a["llm.token_count.prompt"] = record.prompt_tokens;
    a["llm.token_count.completion"] = record.completion_tokens;
    a["llm.token_count.total"] = record.total_tokens;
    if (Object.keys(record.model_parameters ?? {}).length > 0) a["llm.invocation_parameters"] = safeParams(record.model_parameters);
  }
  if (ctx.user) a["user.id"] = ctx.user;
  if (ctx.session) a["session.id"] = ctx.session;
  if (ctx.tags.length > 0) a["tag.tags"] = ctx.tags;
  if (Object.keys(ctx.metadata).length > 0) a.metadata = JSON.stringify(ctx.metadata);
  if (content.input) {
    a["input.value"] = JSON.stringify(content.input);
    a["input.mime_type"] = "application/json";
    content.input.forEach((m, i) => {
      a[`llm.input_messages.${i}.message.role`] = m.role;
      a[`llm.input_messages.${i}.message.content`] = plainText([m]);
    });
  }
  if (content.output) {
    a["output.value"] = JSON.stringify(content.output);
    a["output.mime_type"] = "application/json";
    content.output.forEach((m, i) => {
      a[`llm.output_messages.${i}.message.role`] = m.role;
      a[`llm.output_messages.${i}.message.content`] = plainText([m]);
    });
  }
  return a;
}

function traceloop(kwargs: CallbackKwargs, record: StandardLoggingObject | undefined, ctx: Context, content: Content): Attrs {
  const embeddings = operationOf(kwargs.call_type) === "embeddings";
  const a: Attrs = { "llm.request.type": embeddings ? "embedding" : "chat", "traceloop.span.kind": "llm", "llm.is_streaming": kwargs.stream === true };
  const provider = text(kwargs.litellm_params?.custom_llm_provider);
  if (provider) a["gen_ai.system"] = provider;
  if (record) a["llm.usage.total_tokens"] = record.total_tokens;
  if (ctx.user) {
    a["llm.user"] = ctx.user;
    a["traceloop.association.properties.user_id"] = ctx.user;
  }
  if (ctx.session) a["traceloop.association.properties.session_id"] = ctx.session;
  if (ctx.tags.length > 0) a["traceloop.association.properties.tags"] = ctx.tags;
  for (const [k, v] of Object.entries(ctx.metadata)) a[`traceloop.association.properties.${k}`] = v;
  content.input?.forEach((m, i) => {
    a[`gen_ai.prompt.${i}.role`] = m.role;
    a[`gen_ai.prompt.${i}.content`] = plainText([m]);
  });
  content.output?.forEach((m, i) => {
    a[`gen_ai.completion.${i}.role`] = m.role;
    a[`gen_ai.completion.${i}.content`] = plainText([m]);
    if (m.finish_reason) a[`gen_ai.completion.${i}.finish_reason`] = m.finish_reason;
  });
  return a;
}

const SECRET_PARAM = /api_key|secret|authorization|password|credential|^token$/i;

/** The OpenAI parameters as JSON, scalars and stop lists only (tools and response formats can be large; they are not the point here). */
function safeParams(params: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (SECRET_PARAM.test(k)) continue;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) out[k] = v;
  }
  return JSON.stringify(out);
}
