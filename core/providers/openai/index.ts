import { InvalidResponseError } from "../../errors.ts";
import type { ChatCompletionChunk } from "../../types.ts";
import type { Provider, ProviderRequest, ProviderStream, RawChat, RawEmbedding } from "../types.ts";
import { baseUrlOf, keyFor } from "./endpoint.ts";

let sdkModule: Promise<typeof import("./sdk.ts")> | undefined;
/** The SDK half of this provider, imported on first use (see sdk.ts). */
export const sdk = (): Promise<typeof import("./sdk.ts")> => (sdkModule ??= import("./sdk.ts"));

/** OpenAI, and any server that speaks its API (`api_base`), through the official `openai` client. */

function request(req: Omit<ProviderRequest, "headers" | "url">, path: string): ProviderRequest {
  const base = baseUrlOf(req.target.api_base);
  const key = keyFor(req.target.api_key);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  return { ...req, url: `${base}${path}`, headers, apiKey: key };
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

export const openaiProvider: Provider = {
  name: "openai",

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
    const { clientFor, mapOpenAIError } = await sdk();
    const client = clientFor(req.target.api_base, req.target.api_key);
    try {
      const res = await client.chat.completions.create(req.body as never, options(req)).asResponse();
      const raw = await res.text();
      return { response: parse<RawChat>(raw, req), raw };
    } catch (err) {
      throw mapOpenAIError(err, req.target.provider, req.target.model, baseUrlOf(req.target.api_base));
    }
  },

  async chatStream(req) {
    const { clientFor, mapOpenAIError } = await sdk();
    const client = clientFor(req.target.api_base, req.target.api_key);
    const controller = new AbortController();
    req.signal?.addEventListener("abort", () => controller.abort(), { once: true });
    const base = baseUrlOf(req.target.api_base);
    let upstream: AsyncIterable<ChatCompletionChunk>;
    try {
      upstream = (await client.chat.completions.create(req.body as never, options(req, controller.signal))) as unknown as AsyncIterable<ChatCompletionChunk>;
    } catch (err) {
      throw mapOpenAIError(err, req.target.provider, req.target.model, base);
    }
    async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
      let received = 0;
      try {
        for await (const chunk of upstream) {
          received++;
          yield chunk;
        }
      } catch (err) {
        throw mapOpenAIError(err, req.target.provider, req.target.model, base);
      }
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
    const { clientFor, mapOpenAIError } = await sdk();
    const client = clientFor(req.target.api_base, req.target.api_key);
    try {
      const res = await client.embeddings.create(req.body as never, options(req)).asResponse();
      const raw = await res.text();
      return { response: parse<RawEmbedding>(raw, req), raw };
    } catch (err) {
      throw mapOpenAIError(err, req.target.provider, req.target.model, baseUrlOf(req.target.api_base));
    }
  },
};
