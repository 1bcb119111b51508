/** An opened event stream read as a provider's chunks: one reader for every provider that streams server-sent events. */
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { CallSignal } from "../call/signal.ts";
import { LiteLLMError } from "../errors.ts";
import type { ChatCompletionChunk } from "../types.ts";
import { transportError, type Opened, type Where } from "./http.ts";
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
 */
export function eventStream(opened: Opened, where: Where, signal: CallSignal | undefined, reader: EventReader): ProviderStream {
  const body = opened.body;
  let stopped = false;

  async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
    const ready: ChatCompletionChunk[] = [];
    let failure: unknown;
    const parser = createParser({
      onEvent: (ev) => {
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
        while (ready.length > 0) yield ready.shift()!;
        if (failure !== undefined) throw failure;
      }
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      while (ready.length > 0) yield ready.shift()!;
      if (failure !== undefined) throw failure;
    } catch (err) {
      throw err instanceof LiteLLMError ? err : transportError(err, where, true, stopped || signal?.aborted === true);
    } finally {
      if (!body.ended) await body.return();
    }
    reader.finish();
  }

  const it = chunks();
  return {
    [Symbol.asyncIterator]: () => it,
    abort: () => {
      stopped = true;
      void body.return();
    },
  };
}
