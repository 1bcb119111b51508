/** OpenAI-shaped chat parameters → the body of Gemini's `generateContent` (and `streamGenerateContent`). */
import { InvalidParamsError } from "../../errors.ts";
import type { ChatMessage } from "../../types.ts";
import { supportedOnly, withExtraBody } from "../request-extras.ts";
import { translateMessages } from "./messages.ts";

type Obj = Record<string, unknown>;

/** OpenAI parameters with no Gemini equivalent: Gemini would answer 400 or ignore them, so the call fails here, naming them. */
const UNSUPPORTED = new Set([
  "logit_bias", "logprobs", "top_logprobs", "functions", "function_call", "modalities", "audio", "prediction",
  "reasoning_effort", "web_search_options", "store", "service_tier", "parallel_tool_calls",
]);
/** Translated below, or meaningless to Gemini (`user` only tags a caller for OpenAI; usage always streams). */
const TRANSLATED = new Set([
  "messages", "temperature", "top_p", "top_k", "max_tokens", "max_completion_tokens", "stop", "n", "response_format", "seed",
  "presence_penalty", "frequency_penalty", "tools", "tool_choice", "stream_options", "user", "safety_settings", "cached_content", "generationConfig", "extra_body",
]);
/** OpenAI's name → generationConfig's. */
const GENERATION: ReadonlyArray<[string, string]> = [
  ["temperature", "temperature"],
  ["top_p", "topP"],
  ["top_k", "topK"],
  ["n", "candidateCount"],
  ["seed", "seed"],
  ["presence_penalty", "presencePenalty"],
  ["frequency_penalty", "frequencyPenalty"],
];
/** JSON Schema keywords Gemini's OpenAPI-subset `Schema` refuses (LiteLLM strips the same). */
const SCHEMA_DROPPED = new Set(["$schema", "additionalProperties", "strict"]);

/**
 * The body for one call. Parameters this file does not know (`safetySettings`, `cachedContent`,
 * `toolConfig`, ...) are Gemini's own and go at the top level as they are. One Gemini cannot take
 * fails the call (UnsupportedParamsError) unless `drop_params`; `extra_body`'s keys are merged in last.
 */
export function generateContentBody(model: string, messages: ChatMessage[], given: Obj, dropParams = false): Obj {
  const optional = supportedOnly(given, (k) => !UNSUPPORTED.has(k) || isNoOp(k, given[k]), dropParams, "gemini", model);
  const { system, contents } = translateMessages(messages);
  const body: Obj = {};
  if (system) body.systemInstruction = system;
  body.contents = contents;
  const tools = toolList(optional.tools);
  if (tools.length > 0) body.tools = tools;
  const config = toolConfig(optional.tool_choice);
  if (config) body.toolConfig = config;
  const generation = generationConfig(optional, model);
  if (Object.keys(generation).length > 0) body.generationConfig = generation;
  if (optional.safety_settings !== undefined) body.safetySettings = optional.safety_settings;
  if (optional.cached_content !== undefined) body.cachedContent = optional.cached_content;
  for (const key of Object.keys(optional)) if (!TRANSLATED.has(key) && !UNSUPPORTED.has(key) && optional[key] !== undefined) body[key] = optional[key];
  if (optional.extra_body !== undefined) body.extra_body = optional.extra_body;
  return withExtraBody(body, "gemini", model);
}

/** A value that asks for nothing (clients often send the defaults): dropped rather than refused. */
function isNoOp(key: string, v: unknown): boolean {
  if (v === null || v === false) return key !== "parallel_tool_calls";
  // Gemini may call several functions in one turn: asking for that is asking for the default.
  return key === "parallel_tool_calls" && v === true;
}

function generationConfig(optional: Obj, model: string): Obj {
  const out: Obj = {};
  for (const [from, to] of GENERATION) if (optional[from] != null) out[to] = optional[from];
  const max = optional.max_completion_tokens ?? optional.max_tokens;
  if (max != null) out.maxOutputTokens = max;
  if (optional.stop != null) out.stopSequences = typeof optional.stop === "string" ? [optional.stop] : optional.stop;
  Object.assign(out, responseFormat(optional.response_format, model));
  // A caller's own generationConfig (Gemini's name) fills in what OpenAI's parameters have no name for.
  const own = optional.generationConfig;
  return own && typeof own === "object" ? { ...(own as Obj), ...out } : out;
}

/** `json_object` → JSON out; `json_schema` → JSON out shaped by `responseSchema`; `text` is the default. */
function responseFormat(format: unknown, model: string): Obj {
  if (format == null) return {};
  const f = format as { type?: unknown; json_schema?: { schema?: unknown } };
  if (f.type === "text") return {};
  if (f.type === "json_object") return { responseMimeType: "application/json" };
  if (f.type === "json_schema") {
    const schema = f.json_schema?.schema;
    return schema && typeof schema === "object" ? { responseMimeType: "application/json", responseSchema: cleanSchema(schema) } : { responseMimeType: "application/json" };
  }
  throw new InvalidParamsError(`gemini: response_format ${JSON.stringify(format)} is not {type: "text"}, {type: "json_object"} or {type: "json_schema", json_schema: {schema}}.`, {
    llm_provider: "gemini",
    model,
  });
}

/** A JSON Schema without the keywords Gemini refuses, at every depth; a new object, the caller's untouched. */
export function cleanSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Obj = {};
  for (const [k, v] of Object.entries(schema)) if (!SCHEMA_DROPPED.has(k)) out[k] = k === "properties" ? mapValues(v, cleanSchema) : cleanSchema(v);
  return out;
}

const mapValues = (v: unknown, f: (x: unknown) => unknown): unknown =>
  v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, f(x)])) : v;

/** OpenAI's function tools → one `functionDeclarations` tool; Gemini's own tools (`googleSearch`, ...) go as they are. */
function toolList(tools: unknown): unknown[] {
  if (!Array.isArray(tools)) return [];
  const declarations: Obj[] = [];
  const own: unknown[] = [];
  for (const t of tools) {
    const fn = (t as { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } } | null)?.function;
    if ((t as { type?: unknown } | null)?.type !== "function" || !fn) {
      own.push(t);
      continue;
    }
    const d: Obj = { name: fn.name };
    if (typeof fn.description === "string") d.description = fn.description;
    // A function without parameters has none in Gemini either: an empty object schema is a 400 there.
    const params = fn.parameters as { properties?: object } | undefined;
    if (params && Object.keys(params.properties ?? {}).length > 0) d.parameters = cleanSchema(params);
    declarations.push(d);
  }
  return declarations.length > 0 ? [{ functionDeclarations: declarations }, ...own] : own;
}

/** auto / none / required → AUTO / NONE / ANY; a named function → ANY limited to it. */
function toolConfig(choice: unknown): Obj | undefined {
  if (choice == null) return undefined;
  const mode = choice === "auto" ? "AUTO" : choice === "none" ? "NONE" : choice === "required" ? "ANY" : undefined;
  if (mode) return { functionCallingConfig: { mode } };
  const name = (choice as { type?: unknown; function?: { name?: unknown } }).function?.name;
  if (typeof choice === "object" && (choice as { type?: unknown }).type === "function" && typeof name === "string")
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } };
  throw new InvalidParamsError(`gemini: tool_choice ${JSON.stringify(choice)} is not one of "auto", "none", "required" or {type: "function", function: {name}}.`, { llm_provider: "gemini" });
}

/** The `batchEmbedContents` body: one request per input text; `dimensions` is Gemini's `outputDimensionality`. */
export function batchEmbedBody(model: string, input: string | string[], optional: Obj): Obj {
  const texts = typeof input === "string" ? [input] : input;
  const extra: Obj = {};
  if (optional.dimensions != null) extra.outputDimensionality = optional.dimensions;
  if (optional.task_type != null) extra.taskType = optional.task_type;
  return { requests: texts.map((text) => ({ model: `models/${model}`, content: { parts: [{ text }] }, ...extra })) };
}
