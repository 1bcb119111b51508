/**
 * The HTTP half of the Anthropic provider, imported on the first request (see index.ts).
 *
 * No SDK: `@anthropic-ai/sdk` would bring its own retries, timeouts and error classes to
 * switch off and map back, and it shapes the request itself, while the body we send must be
 * exactly `complete_input_dict`. The Messages wire format is small and pinned by the
 * `anthropic-version` header, and undici (already a dependency) gives kept-alive pools.
 */
import { APIConnectionError, InvalidResponseError } from "../../errors.ts";
import { postStream, postWhole, whereOf as whereOfRequest, type StatusError, type Where } from "../http.ts";
import { header } from "../http-failures.ts";
import { eventStream } from "../sse.ts";
import type { ProviderAnswer, ProviderRequest, ProviderStream, RawChat } from "../types.ts";
import { anthropicError, parseErrorBody } from "./errors.ts";
import { isMessage, toChatCompletion } from "./response.ts";
import { StreamTranslator } from "./stream.ts";

const whereOf = (req: ProviderRequest): Where => whereOfRequest(req, '"api_base" (or ANTHROPIC_BASE_URL)');

/** Our error class for a non-2xx answer. */
const statusError = (where: Where): StatusError => (status, text, headers) => anthropicError(where, status, parseErrorBody(text), header(headers, "retry-after"));


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
  if (isMessage(parsed)) return { response: toChatCompletion(parsed), raw, headers: res.headers as Record<string, string> };
  if ((parsed as { type?: unknown } | undefined)?.type === "error") throw anthropicError(where, undefined, parseErrorBody(raw));
  const preview = raw.length > 200 ? `${raw.slice(0, 200)}...` : raw;
  throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${res.status} with a body that is not a Messages response: ${JSON.stringify(preview)}`, {
    llm_provider: where.provider,
    model: where.model,
  });
}

export async function chatStream(req: ProviderRequest): Promise<ProviderStream> {
  const where = whereOf(req);
  const opened = await postStream(req, where, JSON.stringify(req.body), req.signal, statusError(where));
  const translator = new StreamTranslator(where);
  return eventStream(opened, where, req.signal, {
    translate: (ev) => translator.translate(ev.event, ev.data),
    finish() {
      if (translator.done) return;
      // A 200 without a single event (a JSON body, a proxy's page) is no stream: fail rather than log an empty success.
      if (translator.events === 0)
        throw new InvalidResponseError(`${where.provider}: ${where.url} answered ${opened.status} to a streaming request without a single event. Check that "api_base" speaks Anthropic's Messages API.`, {
          llm_provider: where.provider,
          model: where.model,
        });
      throw new APIConnectionError(`${where.provider}: ${where.url} ended the stream before "message_stop" (after ${translator.events} event${translator.events === 1 ? "" : "s"}).`, {
        llm_provider: where.provider,
        model: where.model,
      });
    },
  });
}
