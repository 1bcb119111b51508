/**
 * The HTTP half of the Anthropic provider, imported on the first request (see index.ts).
 *
 * No SDK: `@anthropic-ai/sdk` would bring its own retries, timeouts and error classes to
 * switch off and map back, and it shapes the request itself, while the body we send must be
 * exactly `complete_input_dict`. The Messages wire format is small and pinned by the
 * `anthropic-version` header, and undici (already a dependency) gives kept-alive pools.
 */
import { createParser } from "eventsource-parser";
import type { Dispatcher } from "undici";
import { APIConnectionError, InvalidResponseError, LiteLLMError } from "../../errors.ts";
import type { ChatCompletionChunk } from "../../types.ts";
import { header, post, postWhole, transportError, whereOf as whereOfRequest, type StatusError, type Where } from "../http.ts";
import type { ProviderAnswer, ProviderRequest, ProviderStream, RawChat } from "../types.ts";
import { anthropicError, parseErrorBody } from "./errors.ts";
import { isMessage, toChatCompletion } from "./response.ts";
import { StreamTranslator } from "./stream.ts";

const whereOf = (req: ProviderRequest): Where => whereOfRequest(req, '"api_base" (or ANTHROPIC_BASE_URL)');

/** Our error class for a non-2xx answer. */
const statusError = (where: Where): StatusError => (status, text, headers) => anthropicError(where, status, parseErrorBody(text), header(headers, "retry-after"));

/** POSTs the body for a stream; resolves on a 2xx, throws our error class for anything else (after `num_retries` retries). */
function send(req: ProviderRequest, where: Where, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
  return post(req, where, JSON.stringify(req.body), signal, statusError(where));
}

export async function chat(req: ProviderRequest): Promise<ProviderAnswer<RawChat>> {
  const where = whereOf(req);
  const res = await postWhole(req, where, JSON.stringify(req.body), req.signal, statusError(where));
  const raw = res.text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (isMessage(parsed)) return { response: toChatCompletion(parsed), raw };
  if ((parsed as { type?: unknown } | undefined)?.type === "error") throw anthropicError(where, undefined, parseErrorBody(raw));
  const preview = raw.length > 200 ? `${raw.slice(0, 200)}...` : raw;
  throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${res.status} with a body that is not a Messages response: ${JSON.stringify(preview)}`, {
    llm_provider: where.provider,
    model: where.model,
  });
}

export async function chatStream(req: ProviderRequest): Promise<ProviderStream> {
  const where = whereOf(req);
  // Ours, so abort() stops the upstream whether or not the caller passed a signal.
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  if (req.signal?.aborted) controller.abort();
  req.signal?.addEventListener("abort", onAbort, { once: true });
  let res: Dispatcher.ResponseData;
  try {
    res = await send(req, where, controller.signal);
  } catch (err) {
    req.signal?.removeEventListener("abort", onAbort);
    throw err;
  }
  const body = res.body;
  const translator = new StreamTranslator(where);

  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    const ready: ChatCompletionChunk[] = [];
    let failure: unknown;
    const parser = createParser({
      onEvent: (ev) => {
        if (failure === undefined) {
          try {
            ready.push(...translator.translate(ev.event, ev.data));
          } catch (err) {
            failure = err;
          }
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const buf of body) {
        parser.feed(decoder.decode(buf as Buffer, { stream: true }));
        // Chunks before an `error` event in the same read still reach the caller, then the error.
        while (ready.length > 0) yield ready.shift()!;
        if (failure !== undefined) throw failure;
      }
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      while (ready.length > 0) yield ready.shift()!;
      if (failure !== undefined) throw failure;
    } catch (err) {
      throw err instanceof LiteLLMError ? err : transportError(err, where, true, controller.signal.aborted);
    } finally {
      req.signal?.removeEventListener("abort", onAbort);
      // The consumer stopped early: free the connection rather than read an answer nobody wants.
      if (!body.readableEnded) body.destroy();
    }
    if (translator.done) return;
    // A 200 without a single event (a JSON body, a proxy's page) is no stream: fail rather than log an empty success.
    if (translator.events === 0)
      throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${res.statusCode} to a streaming request without a single event. Check that "api_base" speaks Anthropic's Messages API.`, {
        llm_provider: where.provider,
        model: where.model,
      });
    throw new APIConnectionError(`${where.provider}: ${where.url} ended the stream before "message_stop" (after ${translator.events} events).`, {
      llm_provider: where.provider,
      model: where.model,
    });
  }

  const it = chunks();
  return { [Symbol.asyncIterator]: () => it, abort: () => controller.abort() };
}
