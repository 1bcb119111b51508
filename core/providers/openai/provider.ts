import { OPENAI_CHAT, OPENAI_EMBEDDING } from "../../call/param-registry.ts";
import { supportedOnly, withExtraBody, withExtraHeaders } from "../request-extras.ts";
import type { Provider, ProviderRequest, RawChat, RawEmbedding, RequestOptions, ResolvedModel } from "../types.ts";

/**
 * Every provider that speaks OpenAI's API (OpenAI, Azure OpenAI, Ollama, any
 * compatible server): one request/response path over undici, told by a small
 * spec where requests go and with which credentials.
 */

type Http = typeof import("./http.ts");
let httpModule: Promise<Http> | undefined;
let httpLoaded: Http | undefined;
/** The HTTP half, imported on first use: undici and the SSE parser cost load time a runtime serving only the mock should not pay. */
const http = (): Promise<Http> => (httpModule ??= import("./http.ts").then((m) => (httpLoaded = m)));
/** Runs `use` on the HTTP half: at once once it is loaded (no extra promise per call), else when the import settles. */
const withHttp = <T>(use: (h: Http) => Promise<T>): Promise<T> => (httpLoaded ? use(httpLoaded) : http().then(use));

export type ApiPath = "/chat/completions" | "/embeddings";

/** Where one request goes and what it carries, as the callbacks are shown it. */
export interface Endpoint {
  readonly url: string;
  /** Headers as sent, secrets included (masked before anyone logs them). */
  readonly headers: Record<string, string>;
  /** The key or token the request carries. */
  readonly apiKey: string | undefined;
}

export interface OpenAIStyle {
  readonly name: string;
  /** Where a request goes. Throws when the target cannot be reached at all (no endpoint, no key). */
  endpoint(target: ResolvedModel, path: ApiPath): Endpoint;
  /**
   * Whether the server behind `target` takes only OpenAI's own parameters (api.openai.com, Azure):
   * then any other is an UnsupportedParamsError, or dropped with `drop_params`. Absent or false: an
   * OpenAI-compatible server (vLLM and others accept extras), which gets every parameter as it is.
   */
  strict?(target: ResolvedModel): boolean;
}

/** OpenAI's own parameters of each API, for a strict server. */
const OPENAI_TAKES: Readonly<Record<ApiPath, (name: string) => boolean>> = {
  "/chat/completions": (name) => OPENAI_CHAT.has(name),
  "/embeddings": (name) => OPENAI_EMBEDDING.has(name),
};

/** A server reached at `base` with an optional bearer key: OpenAI and the local shortcuts; `more` adds a provider's own headers. */
export function bearerStyle(
  name: string,
  base: (t: ResolvedModel) => string,
  key: (t: ResolvedModel) => string | undefined,
  more?: (t: ResolvedModel, headers: Record<string, string>) => void,
): OpenAIStyle {
  // The last URL made, kept: calls to one deployment then share one string, which the HTTP layer's
  // lookups (its origin and path) read at the cost of a pointer comparison instead of hashing a new one.
  let last = { base: "", path: "", url: "" };
  return {
    name,
    endpoint(target, path) {
      const apiKey = key(target);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      more?.(target, headers);
      const b = base(target);
      if (b !== last.base || path !== last.path) last = { base: b, path, url: `${b}${path}` };
      return { url: last.url, headers, apiKey };
    },
  };
}

export function openaiStyleProvider(spec: OpenAIStyle): Provider {
  // One literal, no spread: on Node 20 `{ ...req, url }` costs ~4 µs (a spread followed by new keys leaves V8's fast path).
  function request(target: ResolvedModel, body: Record<string, unknown>, input: unknown, opts: RequestOptions, path: ApiPath): ProviderRequest {
    const { url, headers: own, apiKey } = spec.endpoint(target, path);
    const headers = withExtraHeaders(own, opts.extraHeaders, spec.name, target.model);
    return { target, body, input, url, headers, apiKey, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries, signal: opts.signal, maxResponseBytes: opts.maxResponseBytes, maxStreamBytes: opts.maxStreamBytes };
  }

  /** The parameters to send: all of them to a compatible server; OpenAI's own only to a strict one. */
  function sendable(target: ResolvedModel, optional: Record<string, unknown>, opts: RequestOptions, path: ApiPath): Record<string, unknown> {
    return spec.strict?.(target) ? supportedOnly(optional, OPENAI_TAKES[path], opts.dropParams, spec.name, target.model) : optional;
  }

  return {
    name: spec.name,

    chatRequest(target, messages, optional, opts) {
      const body = withExtraBody({ model: target.model, messages, ...sendable(target, optional, opts, "/chat/completions") }, spec.name, target.model);
      if (opts.stream) {
        body.stream = true;
        // Ask for usage so the streamed call can be priced; the caller sees it only if it asked too.
        body.stream_options = { ...(optional.stream_options as object | undefined), include_usage: true };
      }
      return request(target, body, messages, opts, "/chat/completions");
    },

    chat(req) {
      return withHttp((h) => h.json<RawChat>(req, "completion"));
    },

    chatStream(req) {
      return withHttp((h) => h.chatStream(req));
    },

    embeddingRequest(target, input, optional, opts) {
      // Floats, not base64: callbacks and caches see plain numbers.
      const body = withExtraBody({ model: target.model, input, encoding_format: "float", ...sendable(target, optional, opts, "/embeddings") }, spec.name, target.model);
      return request(target, body, input, opts, "/embeddings");
    },

    embed(req) {
      return withHttp((h) => h.json<RawEmbedding>(req, "embedding list"));
    },
  };
}
