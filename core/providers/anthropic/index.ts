import type { Provider } from "../types.ts";
import { headersFor, keyFor, messagesUrl } from "./endpoint.ts";
import { withExtraHeaders } from "../request-extras.ts";
import { messagesBody } from "./request.ts";

let httpModule: Promise<typeof import("./http.ts")> | undefined;
/**
 * The HTTP half, imported on first use: undici and the SSE parser cost load time that a
 * runtime which never calls Anthropic should not pay (the OpenAI-style providers load theirs the same way).
 */
const http = (): Promise<typeof import("./http.ts")> => (httpModule ??= import("./http.ts"));

/** `anthropic/<model>`: Anthropic's native Messages API, OpenAI-shaped in and out; chat only. */
export const anthropicProvider: Provider = {
  name: "anthropic",

  chatRequest(target, messages, optional, opts) {
    const key = keyFor(target);
    return {
      target,
      body: messagesBody(target.model, messages, optional, opts.stream, opts.dropParams),
      input: messages,
      url: messagesUrl(target),
      headers: withExtraHeaders(headersFor(key), opts.extraHeaders, "anthropic", target.model),
      apiKey: key,
      timeoutMs: opts.timeoutMs,
      maxRetries: opts.maxRetries,
      signal: opts.signal,
      maxResponseBytes: opts.maxResponseBytes,
      maxStreamBytes: opts.maxStreamBytes,
    };
  },

  async chat(req) {
    return (await http()).chat(req);
  },

  async chatStream(req) {
    return (await http()).chatStream(req);
  },

  // No embeddings: Anthropic has no embeddings API (an embedding call says so, core/call/embedding.ts).
};
