import type OpenAI from "openai";
import { APIConnectionError, InvalidResponseError } from "../../errors.ts";
import type { ChatCompletionChunk } from "../../types.ts";
import type { Provider, ProviderRequest, ProviderStream, RawChat, RawEmbedding, ResolvedModel } from "../types.ts";

/**
 * Every provider that speaks OpenAI's API through the official `openai` client
 * (OpenAI, Azure OpenAI, Ollama, any compatible server): one request/response
 * path, told by a small spec where requests go and which client sends them.
 */

let sdkModule: Promise<typeof import("./sdk.ts")> | undefined;
/** The SDK half of these providers, imported on first use (see sdk.ts). */
export const sdk = (): Promise<typeof import("./sdk.ts")> => (sdkModule ??= import("./sdk.ts"));

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
  /** Where a request goes; reads no SDK, so building a request stays cheap. Throws when the target cannot be reached at all (no endpoint, no key). */
  endpoint(target: ResolvedModel, path: ApiPath): Endpoint;
  /** The base URL error messages name ("could not reach ..."). */
  base(target: ResolvedModel): string;
  /** Imports the SDK half and gives the client for a target; called on the first request only. */
  load(): Promise<(target: ResolvedModel) => OpenAI>;
}

/** A server reached at `base` with an optional bearer key: OpenAI and the local shortcuts. */
export function bearerStyle(name: string, base: (t: ResolvedModel) => string, key: (t: ResolvedModel) => string | undefined): OpenAIStyle {
  return {
    name,
    base,
    endpoint(target, path) {
      const apiKey = key(target);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (apiKey) headers.authorization = `Bearer ${apiKey}`;
      return { url: `${base(target)}${path}`, headers, apiKey };
    },
    load: () => sdk().then(({ clientFor }) => (t: ResolvedModel) => clientFor(base(t), key(t))),
  };
}

function options(req: ProviderRequest, signal: AbortSignal | undefined = req.signal) {
  return { timeout: req.timeoutMs, maxRetries: req.maxRetries, signal };
}

function parse<T>(text: string, req: ProviderRequest): T {
  try {
    const out = JSON.parse(text) as T & { choices?: unknown; data?: unknown };
    if (out && typeof out === "object" && (Array.isArray(out.choices) || Array.isArray(out.data))) return out;
  } catch {
    // fall through to the error below
  }
  const preview = text.length > 200 ? `${text.slice(0, 200)}...` : text;
  throw new InvalidResponseError(`${req.target.provider}: ${req.url} answered 200 with a body that is not a completion: ${JSON.stringify(preview)}`, {
    llm_provider: req.target.provider,
    model: req.target.model,
  });
}

export function openaiStyleProvider(spec: OpenAIStyle): Provider {
  let loaded: Promise<[typeof import("./sdk.ts"), (t: ResolvedModel) => OpenAI]> | undefined;
  const ready = () => (loaded ??= Promise.all([sdk(), spec.load()]));

  function request(req: Omit<ProviderRequest, "headers" | "url">, path: ApiPath): ProviderRequest {
    const { url, headers, apiKey } = spec.endpoint(req.target, path);
    return { ...req, url, headers, apiKey };
  }

  return {
    name: spec.name,

    chatRequest(target, messages, optional, opts) {
      const body: Record<string, unknown> = { model: target.model, messages, ...optional };
      if (opts.stream) {
        body.stream = true;
        // Ask for usage so the streamed call can be priced; the caller sees it only if it asked too.
        body.stream_options = { ...(optional.stream_options as object | undefined), include_usage: true };
      }
      return request({ target, body, input: messages, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries, signal: opts.signal }, "/chat/completions");
    },

    async chat(req) {
      const [{ mapOpenAIError }, clientOf] = await ready();
      try {
        const res = await clientOf(req.target).chat.completions.create(req.body as never, options(req)).asResponse();
        const raw = await res.text();
        return { response: parse<RawChat>(raw, req), raw };
      } catch (err) {
        throw mapOpenAIError(err, req.target.provider, req.target.model, spec.base(req.target));
      }
    },

    async chatStream(req) {
      const [{ mapOpenAIError }, clientOf] = await ready();
      const controller = new AbortController();
      req.signal?.addEventListener("abort", () => controller.abort(), { once: true });
      const base = spec.base(req.target);
      let upstream: AsyncIterable<ChatCompletionChunk>;
      try {
        upstream = (await clientOf(req.target).chat.completions.create(req.body as never, options(req, controller.signal))) as unknown as AsyncIterable<ChatCompletionChunk>;
      } catch (err) {
        throw mapOpenAIError(err, req.target.provider, req.target.model, base);
      }
      async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
        let received = 0;
        try {
          for await (const chunk of upstream) {
            received++;
            // Azure opens with a content-filter report that has no choices and no usage: nothing for the caller.
            if (chunk.choices?.length === 0 && !chunk.usage) continue;
            yield chunk;
          }
        } catch (err) {
          throw mapOpenAIError(err, req.target.provider, req.target.model, base);
        }
        // The SDK ends an aborted stream quietly: a cut answer must not read as a whole one.
        if (req.signal?.aborted) throw new APIConnectionError(`${req.target.provider}: the request to ${base} was aborted.`, { llm_provider: req.target.provider, model: req.target.model });
        // A 200 without a single event (a JSON body, a proxy's page) is no stream: fail rather than log an empty success.
        if (received === 0)
          throw new InvalidResponseError(`${req.target.provider}: ${req.url} answered 200 to a streaming request without a single event. Check that "api_base" speaks OpenAI's streaming API.`, {
            llm_provider: req.target.provider,
            model: req.target.model,
          });
      }
      const it = chunks();
      const stream: ProviderStream = { [Symbol.asyncIterator]: () => it, abort: () => controller.abort() };
      return stream;
    },

    embeddingRequest(target, input, optional, opts) {
      // Floats, not the client's default base64: callbacks and caches see plain numbers.
      const body = { model: target.model, input, encoding_format: "float", ...optional };
      return request({ target, body, input, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries, signal: opts.signal }, "/embeddings");
    },

    async embed(req) {
      const [{ mapOpenAIError }, clientOf] = await ready();
      try {
        const res = await clientOf(req.target).embeddings.create(req.body as never, options(req)).asResponse();
        const raw = await res.text();
        return { response: parse<RawEmbedding>(raw, req), raw };
      } catch (err) {
        throw mapOpenAIError(err, req.target.provider, req.target.model, spec.base(req.target));
      }
    },
  };
}
