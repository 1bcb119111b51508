/** An opened event stream read as a provider's chunks: one reader for every provider that streams server-sent events. */
import { TextDecoder } from "node:util";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import type { CallSignal } from "../call/signal.ts";
import { LiteLLMError, Timeout } from "../errors.ts";
import type { ChatCompletionChunk } from "../types.ts";
import type { Opened, Where } from "./http.ts";
import { scrubbed, transportError } from "./http-failures.ts";
import type { EventBatch, EventBatches, ProviderStream } from "./types.ts";

export interface EventReader {
  /** The chunks one event makes (often none); a throw fails the stream after the chunks before it. */
  translate(event: EventSourceMessage): ChatCompletionChunk[];
  /** After the last event: throws when the stream is not a whole answer (no event at all, cut short). */
  finish(): void;
  /** OpenAI-format streams, whose events can be passed on as they are: see `ProviderStream.events`. */
  raw?: RawReader;
}

/** How an OpenAI-format stream's events are read when they are passed on as sent. */
export interface RawReader {
  /** The event's data to pass on, or null for one no caller gets (`[DONE]`, anything after it). */
  data(event: EventSourceMessage): string | null;
  parse(data: string): ChatCompletionChunk | null;
  /** As `EventBatches.plain`; never true for `[DONE]`, which a read's framed events cannot hold. */
  plain(data: string): boolean;
  /** `n` events read from their framing, which `data()` did not see; false, and none counts, when the stream already ended (`[DONE]`). */
  framed(n: number): boolean;
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
    const decoder = new Utf8Reader();
    try {
      for await (const buf of body) {
        parser.feed(decoder.decode(buf));
        // Chunks before a bad event in the same read still reach the caller, then the error.
        if (ready.length > 0) {
          while (ready.length > 0) yield ready.shift()!;
          lastEvent = Date.now();
        }
        if (failure !== undefined) throw failure;
        if (Date.now() - lastEvent > where.timeoutMs) throw idle(where);
      }
      parser.feed(decoder.end());
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

  /**
   * The same reading as `chunks()`, one batch per read. A read whose first events are framed as they are
   * passed on is not parsed there: its text is the batch's `framed`; the parser reads the rest.
   */
  function batches(raw: RawReader): EventBatches {
    let ready: string[] = [];
    let lastEvent = Date.now();
    // The body ended with events still to hand out: the next call finishes the stream.
    let ended = false;
    let over = false;
    // The parser holds nothing: all it was fed ended in a blank line, so the next read starts an event.
    let clean = true;
    const parser = createParser({
      onEvent: (ev) => {
        if (ev.event !== "ping") lastEvent = Date.now();
        const data = raw.data(ev);
        if (data !== null) ready.push(data);
      },
    });
    const decoder = new Utf8Reader();
    const fail = (err: unknown): never => {
      if (!body.ended) void body.return();
      throw scrubbed(err instanceof LiteLLMError ? err : transportError(err, where, true, stopped || signal?.aborted === true), where);
    };
    /** The events of one read's text; undefined when it held none. */
    const batchOf = (text: string): EventBatch | undefined => {
      let framed = "";
      if (clean && text.indexOf("\r") === -1) {
        let end = 0;
        let n = 0;
        for (;;) {
          if (!text.startsWith("data: ", end)) break;
          const line = text.indexOf("\n", end + 6);
          if (line === -1 || text.charCodeAt(line + 1) !== 0x0a || !raw.plain(text.slice(end + 6, line))) break;
          end = line + 2;
          n++;
        }
        // After [DONE] nothing counts: the parser would drop these events too.
        if (n > 0 && raw.framed(n)) framed = end === text.length ? text : text.slice(0, end);
        if (n > 0) text = text.slice(end);
      }
      if (text !== "") {
        parser.feed(text);
        clean = text.endsWith("\n\n");
      }
      if (framed === "" && ready.length === 0) return undefined;
      lastEvent = Date.now();
      const data = ready;
      ready = [];
      return { framed, data };
    };
    return {
      async next() {
        if (over) return null;
        if (ended) {
          over = true;
          reader.finish();
          return null;
        }
        try {
          for (;;) {
            const read = await body.next();
            if (read.done) {
              parser.feed(decoder.end());
              parser.reset({ consume: true });
              ended = true;
              if (ready.length > 0) {
                const data = ready;
                ready = [];
                return { framed: "", data };
              }
              over = true;
              reader.finish();
              return null;
            }
            let text = decoder.decode(read.value);
            // What came in the same read of the socket joins this batch: one write passes it on.
            for (let more = body.take(); more !== undefined; more = body.take()) text += decoder.decode(more);
            const batch = batchOf(text);
            if (batch !== undefined) return batch;
            if (Date.now() - lastEvent > where.timeoutMs) throw idle(where);
          }
        } catch (err) {
          over = true;
          return fail(err);
        }
      },
      parse(data) {
        try {
          return raw.parse(data);
        } catch (err) {
          return fail(err);
        }
      },
      plain: raw.plain,
    };
  }

  let it: AsyncGenerator<ChatCompletionChunk> | undefined;
  let events: EventBatches | undefined;
  const raw = reader.raw;
  return {
    [Symbol.asyncIterator]: () => (it ??= chunks()),
    headers: opened.headers as Record<string, string>,
    events: raw ? () => (events ??= batches(raw)) : undefined,
    abort: () => {
      stopped = true;
      void body.return();
    },
  };
}

/**
 * UTF-8 text of a body read piece by piece. A piece that ends on a whole character (an event
 * ends in a line break, so nearly every one does) is read with `toString`; a TextDecoder, which
 * costs more to make than a whole event to read, is made only once a piece ends inside a character
 * (or the body opens with a byte-order mark), and reads the rest.
 */
class Utf8Reader {
  private decoder: TextDecoder | undefined;
  private started = false;

  decode(buf: Buffer): string {
    if (this.decoder === undefined) {
      const last = buf.length === 0 ? 0 : buf[buf.length - 1]!;
      // A byte-order mark at the start is dropped by the TextDecoder, as before.
      const bom = !this.started && buf[0] === 0xef;
      this.started ||= buf.length > 0;
      if (last < 0x80 && !bom) return buf.toString("utf8");
      this.decoder = new TextDecoder();
    }
    return this.decoder.decode(buf, { stream: true });
  }

  end(): string {
    return this.decoder ? this.decoder.decode() : "";
  }
}

/** A stream whose upstream stays connected but sends no event within the stream's timeout. */
function idle(where: Where): Timeout {
  return new Timeout(
    `${where.provider}: ${where.url} sent no stream event for ${where.timeoutMs / 1000} s (the connection stayed open). Raise "stream_timeout" (seconds; else "timeout") if the model pauses this long.`,
    { llm_provider: where.provider, model: where.model },
  );
}
