import type { Provider, ProviderRequest, RequestOptions, ResolvedModel } from "../types.ts";
import { withExtraHeaders } from "../request-extras.ts";
import { headersFor, keyFor, methodUrl, type GeminiMethod } from "./endpoint.ts";
import { batchEmbedBody, generateContentBody } from "./request.ts";

let httpModule: Promise<typeof import("./http.ts")> | undefined;
/**
 * The HTTP half, imported on first use: undici and the SSE parser cost load time that a
 * runtime which never calls Gemini should not pay (the other providers load theirs the same way).
 */
const http = (): Promise<typeof import("./http.ts")> => (httpModule ??= import("./http.ts"));

/** A request to `models/{model}:{method}`, the key in `x-goog-api-key`. */
function request(target: ResolvedModel, method: GeminiMethod, body: Record<string, unknown>, input: unknown, opts: RequestOptions): ProviderRequest {
  const key = keyFor(target);
  return {
    target,
    body,
    input,
    url: methodUrl(target, method),
    headers: withExtraHeaders(headersFor(key), opts.extraHeaders, "gemini", target.model),
    apiKey: key,
    timeoutMs: opts.timeoutMs,
    maxRetries: opts.maxRetries,
    signal: opts.signal,
    maxResponseBytes: opts.maxResponseBytes,
    maxStreamBytes: opts.maxStreamBytes,
  };
}

/** `gemini/<model>`: Google AI Studio's Gemini API (`generateContent`), OpenAI-shaped in and out. */
export const geminiProvider: Provider = {
  name: "gemini",

  chatRequest(target, messages, optional, opts) {
    // Streaming is a method of its own (streamGenerateContent?alt=sse), not a body field.
    return request(target, opts.stream ? "streamGenerateContent" : "generateContent", generateContentBody(target.model, messages, optional, opts.dropParams), messages, opts);
  },

  async chat(req) {
    return (await http()).chat(req);
  },

  async chatStream(req) {
    return (await http()).chatStream(req);
  },

  embeddingRequest(target, input, optional, opts) {
    const texts = typeof input === "string" ? [input] : input;
    return request(target, "batchEmbedContents", batchEmbedBody(target.model, texts, optional), texts, opts);
  },

  async embed(req) {
    return (await http()).embed(req);
  },
};
