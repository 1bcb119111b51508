// OpenAI response bodies, byte-for-byte in the shapes api.openai.com sends, for the fake upstream.
import { createHash } from "node:crypto";
import type { FakeBehaviour } from "./fake-openai.ts";

type Json = Record<string, unknown>;

const FINGERPRINT = "fp_fake0000";
const MODELS = ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"];

/** Deterministic stand-in for a tokenizer: OpenAI's rule of thumb, ceil(chars / 4). */
export const countTokens = (text: string): number => Math.ceil(text.length / 4);

/** Text of a message content: a string, or the text parts of a content array. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (typeof p?.text === "string" ? p.text : "")).join("");
}

/** Default error texts per status, as OpenAI words them. */
const ERRORS: Record<number, [type: string, code: string | null, message: string]> = {
  400: ["invalid_request_error", null, "Invalid request."],
  401: ["invalid_request_error", "invalid_api_key", "Incorrect API key provided."],
  403: ["invalid_request_error", "unsupported_country_region_territory", "Country, region, or territory not supported"],
  404: ["invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."],
  429: ["requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 1s."],
  500: ["server_error", null, "The server had an error while processing your request. Sorry about that!"],
  503: ["server_error", null, "The server is overloaded or not ready yet."],
};

export function errorPayload(status: number, message?: string, param: string | null = null, code?: string | null) {
  const [type, defaultCode, defaultMessage] =
    ERRORS[status] ?? [status >= 500 ? "server_error" : "invalid_request_error", null, `Upstream error ${status}.`];
  return { error: { message: message ?? defaultMessage, type, param, code: code === undefined ? defaultCode : code } };
}

function usageBody(u: NonNullable<FakeBehaviour["usage"]>): Json {
  return {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    total_tokens: u.prompt_tokens + u.completion_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Everything one chat answer needs, shared by the JSON and the streamed form. */
export interface Answer {
  id: string;
  created: number;
  model: string;
  content: string | null;
  toolCall?: { id: string; name: string; arguments: string };
  usage: Json;
}

export function makeAnswer(body: any, b: FakeBehaviour, seq: number): Answer {
  const messages: any[] = body.messages;
  const lastUser = messages.findLast((m) => m?.role === "user");
  const toolCall = b.toolCall && { id: `call_fake${seq}`, ...b.toolCall };
  const content = toolCall ? null : (b.content ?? "Echo: " + textOf(lastUser?.content));
  const usage = b.usage ?? {
    prompt_tokens: countTokens(messages.map((m) => textOf(m?.content)).join("")),
    completion_tokens: countTokens(content ?? toolCall!.name + toolCall!.arguments),
  };
  const created = Math.floor(Date.now() / 1000);
  return { id: `chatcmpl-fake${seq}`, created, model: String(body.model), content, toolCall, usage: usageBody(usage) };
}

export function chatCompletion(a: Answer): Json {
  const message = a.toolCall
    ? {
        role: "assistant",
        content: null,
        tool_calls: [{ id: a.toolCall.id, type: "function", function: { name: a.toolCall.name, arguments: a.toolCall.arguments } }],
        refusal: null,
        annotations: [],
      }
    : { role: "assistant", content: a.content, refusal: null, annotations: [] };
  return {
    id: a.id,
    object: "chat.completion",
    created: a.created,
    model: a.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: a.toolCall ? "tool_calls" : "stop" }],
    usage: a.usage,
    service_tier: "default",
    system_fingerprint: FINGERPRINT,
  };
}

/** One SSE payload; `content` marks the chunks that dropAfterChunks counts. */
export interface Frame {
  data: Json;
  content: boolean;
}

/** Word pieces that keep their trailing spaces, so joined deltas give back the exact text. */
const words = (text: string): string[] => text.split(/(?<=\s)(?=\S)/).filter(Boolean);
const slices = (text: string, size: number): string[] => text.match(new RegExp(`[^]{1,${size}}`, "g")) ?? [];

export function chatChunks(a: Answer, includeUsage: boolean): Frame[] {
  const head = { id: a.id, object: "chat.completion.chunk", created: a.created, model: a.model, service_tier: "default", system_fingerprint: FINGERPRINT };
  // OpenAI puts "usage": null on every chunk only when include_usage asked for the final usage chunk.
  const chunk = (delta: Json, finish: string | null = null, content = false): Frame => ({
    content,
    data: { ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) },
  });
  const frames: Frame[] = [];
  if (a.toolCall) {
    const call = { index: 0, id: a.toolCall.id, type: "function", function: { name: a.toolCall.name, arguments: "" } };
    frames.push(chunk({ role: "assistant", content: null, tool_calls: [call], refusal: null }));
    for (const piece of slices(a.toolCall.arguments, 8)) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null, true));
  } else {
    frames.push(chunk({ role: "assistant", content: "", refusal: null }));
    for (const word of words(a.content ?? "")) frames.push(chunk({ content: word }, null, true));
  }
  frames.push(chunk({}, a.toolCall ? "tool_calls" : "stop"));
  if (includeUsage) frames.push({ content: false, data: { ...head, choices: [], usage: a.usage } });
  return frames;
}

/** 8 dims from a sha256 of the text; multiples of 2^-15 so float32 (base64) round-trips exactly. */
export function embeddingVector(text: string): number[] {
  const hash = createHash("sha256").update(text).digest();
  return Array.from({ length: 8 }, (_, i) => (hash.readUInt16LE(i * 2) - 32768) / 32768);
}

export function embeddingList(body: any, b: FakeBehaviour): Json {
  const input = body.input;
  // A flat number array is one tokenized input, not many.
  const inputs: unknown[] = Array.isArray(input) && !input.every((x) => typeof x === "number") ? input : [input];
  const texts = inputs.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  const data = texts.map((text, index) => {
    const vector = embeddingVector(text);
    const embedding = body.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
    return { object: "embedding", index, embedding };
  });
  const tokens = b.usage?.prompt_tokens ?? texts.reduce((n, t) => n + countTokens(t), 0);
  return { object: "list", data, model: String(body.model), usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

export const modelList = (): Json => ({
  object: "list",
  data: MODELS.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "system" })),
});
