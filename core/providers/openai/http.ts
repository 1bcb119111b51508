/**
 * The HTTP half of every OpenAI-style provider (OpenAI, Azure OpenAI, Ollama, any
 * compatible server), imported on the first request (see provider.ts): the body as
 * built is the body sent, over the shared undici pool, and the answer is read as
 * OpenAI's chat completions and embeddings APIs define it.
 */
import type { CallSignal } from "../../call/signal.ts";
import { InvalidResponseError, LiteLLMError } from "../../errors.ts";
import type { ChatCompletionChunk } from "../../types.ts";
import { postStream, postWhole, whereOf, type Opened, type StatusError, type Where } from "../http.ts";
import { eventStream } from "../sse.ts";
import type { ProviderAnswer, ProviderRequest, ProviderStream } from "../types.ts";
import { openaiError } from "./errors.ts";

/** Where the base URL of each provider comes from, for "could not reach": the variable it reads besides `api_base`. */
const BASE_HINT: Readonly<Record<string, string>> = {
  openai: '"api_base" (or OPENAI_BASE_URL)',
  azure: '"api_base" (or AZURE_API_BASE)',
  ollama: '"api_base" (or OLLAMA_API_BASE)',
};

const where = (req: ProviderRequest): Where => whereOf(req, BASE_HINT[req.target.provider] ?? '"api_base"');

const statusError = (w: Where): StatusError => (status, text, headers) => openaiError(w, status, text, headers);

/** A chat completion or an embedding list: JSON with `choices` or `data`. */
export function json<T>(req: ProviderRequest, kind: "completion" | "embedding list"): Promise<ProviderAnswer<T>> {
  const w = where(req);
  let body: string;
  try {
    body = JSON.stringify(req.body);
  } catch (err) {
    return Promise.reject(err);
  }
  return postWhole(req, w, body, req.signal, statusError(w), (res) => {
    const raw = res.text;
    let out: (T & { choices?: unknown; data?: unknown }) | undefined;
    try {
      out = JSON.parse(raw) as T & { choices?: unknown; data?: unknown };
    } catch {
      // not JSON: the error below
    }
    if (out && typeof out === "object" && (Array.isArray(out.choices) || Array.isArray(out.data))) return { response: out, raw, headers: res.headers as Record<string, string>, verbatim: true };
    const preview = raw.length > 200 ? `${raw.slice(0, 200)}...` : raw;
    throw new InvalidResponseError(`${w.provider}: ${w.url} answered ${res.status} with a body that is not a ${kind}: ${JSON.stringify(preview)}`, {
      llm_provider: w.provider,
      model: w.model,
    });
  });
}

/** A streamed chat completion: resolves at the upstream's headers, its events read as they arrive. One promise step, no async frame. */
export function chatStream(req: ProviderRequest): Promise<ProviderStream> {
  try {
    const w = where(req);
    return postStream(req, w, JSON.stringify(req.body), req.signal, statusError(w)).then((opened) => chunksOf(opened, w, req.signal));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** An opened OpenAI stream's events: as chunks, or passed on as sent (`events`). */
function chunksOf(opened: Opened, w: Where, signal: CallSignal | undefined): ProviderStream {
  let events = 0;
  let done = false;
  const parse = (data: string): ChatCompletionChunk | null => {
    const chunk = parseChunk(data, w);
    if (chunk instanceof LiteLLMError) throw chunk;
    // Azure opens with a content-filter report that has no choices and no usage: nothing for the caller.
    return chunk.choices?.length !== 0 || chunk.usage ? chunk : null;
  };
  return eventStream(opened, w, signal, {
    translate(ev) {
      if (done) return [];
      events++;
      if (ev.data === "[DONE]") return void (done = true), [];
      const chunk = parse(ev.data);
      return chunk ? [chunk] : [];
    },
    raw: {
      data(data) {
        if (done) return null;
        events++;
        if (data === "[DONE]") return void (done = true), null;
        return data;
      },
      parse,
      plain,
      usage,
      framed(n) {
        if (done) return false;
        events += n;
        return true;
      },
    },
    finish() {
      // A 200 without a single event (a JSON body, a proxy's page) is no stream: fail rather than log an empty success.
      if (events === 0)
        throw new InvalidResponseError(`${w.provider}: ${w.url} answered ${opened.status} to a streaming request without a single event. Check that "api_base" speaks OpenAI's streaming API.`, {
          llm_provider: w.provider,
          model: w.model,
        });
      // OpenAI ends with [DONE]; servers that just close after the last chunk are common, and their answer is whole.
    },
  });
}

/** A list of choices with something in it. */
const SOME_CHOICES = /"choices"\s*:\s*\[\s*[^\]\s]/;
/** A list of no choices; anything called `"error"`. */
const NO_CHOICES = /"choices"\s*:\s*\[\s*\]/;
const ERROR = /"error"/;
/** Either of the two, in one pass over the text. */
const ODD = new RegExp(`${ERROR.source}|${NO_CHOICES.source}`);

/**
 * Whether an event is surely a chunk with choices, from its text alone: an object with a list of
 * choices that is not empty, and no empty one nor anything called `"error"`. Inside a JSON string
 * every quote is escaped, so these names with their quotes can only be keys (or bare values) of
 * the event itself. Anything else is parsed before it is passed on. Two regular expressions, not
 * `includes`: V8 runs them about three times faster over a chunk's text.
 */
function plain(data: string): boolean {
  return data.charCodeAt(0) === 0x7b /* { */ && data.charCodeAt(data.length - 1) === 0x7d /* } */ && SOME_CHOICES.test(data) && !ODD.test(data);
}

const USAGE = /"usage"\s*:\s*\{/;

/**
 * Whether an event is surely the usage chunk, from its text alone: an object with an empty list of
 * choices and no list that holds any, a usage object, and nothing called `"error"`.
 */
function usage(data: string): boolean {
  return (
    data.charCodeAt(0) === 0x7b /* { */ &&
    data.charCodeAt(data.length - 1) === 0x7d /* } */ &&
    NO_CHOICES.test(data) &&
    !SOME_CHOICES.test(data) &&
    USAGE.test(data) &&
    !ERROR.test(data)
  );
}

/** One `data:` line as a chunk, or the error it carries (`{"error": {...}}` mid-stream) or is (not JSON). */
function parseChunk(data: string, w: Where): ChatCompletionChunk | LiteLLMError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    const preview = data.length > 200 ? `${data.slice(0, 200)}...` : data;
    return new InvalidResponseError(`${w.provider}: ${w.url} sent a stream event that is not JSON: ${JSON.stringify(preview)}`, { llm_provider: w.provider, model: w.model });
  }
  if (parsed === null || typeof parsed !== "object")
    return new InvalidResponseError(`${w.provider}: ${w.url} sent a stream event that is not a chunk: ${JSON.stringify(data.slice(0, 200))}`, { llm_provider: w.provider, model: w.model });
  if ("error" in parsed && parsed.error) return openaiError(w, undefined, data, {});
  return parsed as ChatCompletionChunk;
}
