/**
 * The HTTP half of the Gemini provider, imported on the first request (see index.ts).
 *
 * No SDK: `@google/genai` would bring its own retries, timeouts and error classes to switch off
 * and map back, and it shapes the request itself, while the body we send must be exactly
 * `complete_input_dict`. The wire format is plain JSON over `generateContent`, and undici
 * (already a dependency) gives kept-alive pools.
 */
import { APIConnectionError, InvalidResponseError } from "../../errors.ts";
import { countTokens } from "../mock/index.ts";
import { postStream, postWhole, whereOf as whereOfRequest, type StatusError, type Where } from "../http.ts";
import { header } from "../http-failures.ts";
import { eventStream } from "../sse.ts";
import type { ProviderAnswer, ProviderRequest, ProviderStream, RawChat, RawEmbedding } from "../types.ts";
import { geminiError, parseErrorBody } from "./errors.ts";
import { isGenerateContentResponse, toChatCompletion } from "./response.ts";
import { StreamTranslator } from "./stream.ts";

const whereOf = (req: ProviderRequest): Where => whereOfRequest(req, '"api_base" (or GEMINI_API_BASE)');

/** Our error class for a non-2xx answer. */
const statusError = (where: Where): StatusError => (status, text, headers) => geminiError(where, status, parseErrorBody(text), header(headers, "retry-after"));

/** A 2xx body parsed, or an error naming what came instead. */
async function whole(req: ProviderRequest, what: string): Promise<{ parsed: unknown; raw: string; headers: Record<string, string>; where: Where }> {
  const where = whereOf(req);
  const res = await postWhole(req, where, JSON.stringify(req.body), req.signal, statusError(where));
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    parsed = undefined;
  }
  if ((parsed as { error?: unknown } | undefined)?.error) throw geminiError(where, undefined, parseErrorBody(res.text));
  if (parsed === undefined || typeof parsed !== "object") {
    const preview = res.text.length > 200 ? `${res.text.slice(0, 200)}...` : res.text;
    throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${res.status} with a body that is not ${what}: ${JSON.stringify(preview)}`, {
      llm_provider: where.provider,
      model: where.model,
    });
  }
  return { parsed, raw: res.text, headers: res.headers as Record<string, string>, where };
}

export async function chat(req: ProviderRequest): Promise<ProviderAnswer<RawChat>> {
  const { parsed, raw, headers, where } = await whole(req, "a GenerateContentResponse");
  if (!isGenerateContentResponse(parsed))
    throw new InvalidResponseError(`${where.provider}: ${where.url} answered with JSON that is not a GenerateContentResponse (no "candidates").`, {
      llm_provider: where.provider,
      model: where.model,
    });
  return { response: toChatCompletion(parsed, req.target.model), raw, headers };
}

export async function chatStream(req: ProviderRequest): Promise<ProviderStream> {
  const where = whereOf(req);
  const opened = await postStream(req, where, JSON.stringify(req.body), req.signal, statusError(where));
  const translator = new StreamTranslator(where);
  return eventStream(opened, where, req.signal, {
    translate: (ev) => translator.translate(ev.data),
    finish() {
      if (translator.done) return;
      // A 200 without a single event (a JSON array: alt=sse was dropped; a proxy's page) is no stream: fail rather than log an empty success.
      if (translator.events === 0)
        throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${opened.status} to a streaming request without a single event. Check that "api_base" speaks Gemini's API and keeps "alt=sse".`, {
          llm_provider: where.provider,
          model: where.model,
        });
      throw new APIConnectionError(`${where.provider}: ${where.url} ended the stream before a finishReason (after ${translator.events} event${translator.events === 1 ? "" : "s"}).`, {
        llm_provider: where.provider,
        model: where.model,
      });
    },
  });
}

/**
 * `batchEmbedContents` → OpenAI's embedding list. Gemini reports no token counts for
 * embeddings, so `prompt_tokens` is the runtime's estimate (about four characters a token).
 */
export async function embed(req: ProviderRequest): Promise<ProviderAnswer<RawEmbedding>> {
  const { parsed, raw, headers, where } = await whole(req, "a batchEmbedContents response");
  const embeddings = (parsed as { embeddings?: Array<{ values?: unknown }> }).embeddings;
  if (!Array.isArray(embeddings) || embeddings.some((e) => !Array.isArray(e?.values)))
    throw new InvalidResponseError(`${where.provider}: ${where.url} answered with JSON that has no "embeddings" list of "values".`, { llm_provider: where.provider, model: where.model });
  const input = req.input as string[];
  const tokens = input.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    response: {
      object: "list",
      data: embeddings.map((e, index) => ({ object: "embedding" as const, index, embedding: e.values as number[] })),
      model: req.target.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    raw,
    headers,
  };
}
