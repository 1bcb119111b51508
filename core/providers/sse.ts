/** An opened event stream read as a provider's chunks: one reader for every provider that streams server-sent events. */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { CallSignal } from "../call/signal.ts";
import { LiteLLMError, Timeout } from "../errors.ts";
import type { ChatCompletionChunk } from "../types.ts";
import { scrubbed, transportError, type Opened, type Where } from "./http.ts";
import type { ProviderStream } from "./types.ts";

export interface EventReader {
  /** The chunks one event makes (often none); a throw fails the stream after the chunks before it. */
  translate(event: EventSourceMessage): ChatCompletionChunk[];
  /** After the last event: throws when the stream is not a whole answer (no event at all, cut short). */
  finish(): void;
}

/**
 * The events of `opened` as chunks, yielded as they arrive. A consumer that stops
 * early, or `abort()`, frees the connection rather than read what nobody wants;
 * the caller's `signal` aborts through the request itself.
 *
 * Idle bound: undici's body timeout fails a stream that sends no byte for
 * `where.timeoutMs` (`stream_timeout`); an upstream that keeps the connection
 * alive with bytes but sends no event (comments, `ping`s, a trickle) fails here,
 * checked as bytes arrive. Time the consumer spends with a chunk is not counted.
 */
export function eventStream(opened: Opened, where: Where, signal: CallSignal | undefined, reader: EventReader): ProviderStream {
  const body = opened.body;
  let stopped = false;

  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    const ready: ChatCompletionChunk[] = [];
    let failure: unknown;
    let lastEvent = Date.now();
    const parser = createParser({
      onEvent: (ev) => {
        // Anthropic's keep-alive: a sign of a connection, not of progress.
        if (ev.event !== "ping") lastEvent = Date.now();
        if (failure !== undefined) return;
        try {
          for (const chunk of reader.translate(ev)) ready.push(chunk);
        } catch (err) {
          failure = err;
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const buf of body) {
        parser.feed(decoder.decode(buf, { stream: true }));
        // Chunks before a bad event in the same read still reach the caller, then the error.
        if (ready.length > 0) {
          while (ready.length > 0) yield ready.shift()!;
          lastEvent = Date.now();
        }
        if (failure !== undefined) throw failure;
        if (Date.now() - lastEvent > where.timeoutMs) throw idle(where);
      }
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      while (ready.length > 0) yield ready.shift()!;
      if (failure !== undefined) throw failure;
    } catch (err) {
      throw scrubbed(err instanceof LiteLLMError ? err : transportError(err, where, true, stopped || signal?.aborted === true), where);
    } finally {
      if (!body.ended) await body.return();
    }
    reader.finish();
  }

  const it = chunks();
  return {
    [Symbol.asyncIterator]: () => it,
    headers: opened.headers as Record<string, string>,
    abort: () => {
      stopped = true;
      void body.return();
    },
  };
}

/** A stream whose upstream stays connected but sends no event within the stream's timeout. */
function idle(where: Where): Timeout {
  return new Timeout(
    `${where.provider}: ${where.url} sent no stream event for ${where.timeoutMs / 1000} s (the connection stayed open). Raise "stream_timeout" (seconds; else "timeout") if the model pauses this long.`,
    { llm_provider: where.provider, model: where.model },
  );
}
