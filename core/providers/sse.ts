/** An opened event stream read as a provider's chunks: one reader for every provider that streams server-sent events. */
import { TextDecoder } from "node:util";
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";
import type { CallSignal } from "../call/signal.ts";
import { LiteLLMError, Timeout } from "../errors.ts";
import type { ChatCompletionChunk } from "../types.ts";
import type { BodyStream } from "./body-stream.ts";
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
  /** An event's data to pass on, or null for one no caller gets (`[DONE]`, anything after it). */
  data(data: string): string | null;
  parse(data: string): ChatCompletionChunk | null;
  /** As `EventBatches.plain`; never true for `[DONE]`, which a read's framed events cannot hold. */
  plain(data: string): boolean;
  /** As `EventBatches.usage`. */
  usage(data: string): boolean;
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

  /** What a failure of the transport becomes, as `chunks()` throws it. */
  const failed = (err: unknown): Error => scrubbed(err instanceof LiteLLMError ? err : transportError(err, where, true, stopped || signal?.aborted === true), where);

  let it: AsyncGenerator<ChatCompletionChunk> | undefined;
  let events: EventBatches | undefined;
  const raw = reader.raw;
  return {
    [Symbol.asyncIterator]: () => (it ??= chunks()),
    headers: opened.headers as Record<string, string>,
    events: raw ? () => (events ??= new RawBatches(body, raw, reader, where, failed)) : undefined,
    abort: () => {
      stopped = true;
      void body.return();
    },
    settled: (fn) => body.settled(fn),
  };
}

/**
 * The same reading as `chunks()`, one batch per read of the upstream. Events framed as they are passed
 * on (`data: <one line>`, a blank line, line feeds only), as OpenAI and every compatible server send
 * them, are read by hand: the read's first ones, when plain, are its `framed` text, to be written as it
 * came; the ones after are read by their framing too. Only a read framed otherwise (CR line ends, other fields,
 * comments, an event cut by the read) goes to the SSE parser, which is made on the first such read.
 */
class RawBatches implements EventBatches {
  private ready: string[] = [];
  private lastEvent = Date.now();
  /** The body ended with events still to hand out: the next call finishes the stream. */
  private ended = false;
  private over = false;
  /** The parser holds nothing: all it was fed ended in a blank line, so the next read starts an event. */
  private clean = true;
  private parser: EventSourceParser | undefined;
  private readonly decoder = new Utf8Reader();
  readonly plain: (data: string) => boolean;
  readonly usage: (data: string) => boolean;

  constructor(
    private readonly body: BodyStream,
    private readonly raw: RawReader,
    private readonly reader: EventReader,
    private readonly where: Where,
    private readonly failed: (err: unknown) => Error,
  ) {
    this.plain = raw.plain;
    this.usage = raw.usage;
  }

  now(): EventBatch | undefined {
    if (this.over || this.ended) return undefined;
    const buf = this.body.take();
    return buf === undefined ? undefined : this.batchOf(this.textOf(buf));
  }

  async next(): Promise<EventBatch | null> {
    if (this.over) return null;
    if (this.ended) {
      this.over = true;
      this.reader.finish();
      return null;
    }
    try {
      for (;;) {
        const read = await this.body.next();
        if (read.done) return this.end();
        const batch = this.batchOf(this.textOf(read.value));
        if (batch !== undefined) return batch;
        if (Date.now() - this.lastEvent > this.where.timeoutMs) throw idle(this.where);
      }
    } catch (err) {
      this.over = true;
      return this.fail(err);
    }
  }

  ending(): boolean {
    if (this.over) return true;
    // Only when the end holds nothing more: no read unread, no event half-fed to the parser, no character half-decoded.
    if (this.ended || !this.body.ended || !this.body.empty || !this.clean || this.ready.length > 0 || this.decoder.holding) return false;
    this.over = true;
    try {
      this.reader.finish();
    } catch (err) {
      return this.fail(err);
    }
    return true;
  }

  parse(data: string): ChatCompletionChunk | null {
    try {
      return this.raw.parse(data);
    } catch (err) {
      return this.fail(err);
    }
  }

  private fail(err: unknown): never {
    if (!this.body.ended) void this.body.return();
    throw this.failed(err);
  }

  /** The body ended: what the parser still held, then (at the next call, if there was some) the end. */
  private end(): EventBatch | null {
    const tail = this.decoder.end();
    if (this.parser !== undefined || tail !== "") {
      const parser = this.eventParser();
      parser.feed(tail);
      parser.reset({ consume: true });
    }
    this.ended = true;
    if (this.ready.length > 0) return this.take("");
    this.over = true;
    this.reader.finish();
    return null;
  }

  /** The text of one read: `buf` and what came with it (one socket read handed over in pieces), to pass on in one write. */
  private textOf(buf: Buffer): string {
    let text = this.decoder.decode(buf);
    for (let more = this.body.take(); more !== undefined; more = this.body.take()) text += this.decoder.decode(more);
    return text;
  }

  /** The events of one read's text; undefined when it held none. */
  private batchOf(text: string): EventBatch | undefined {
    const raw = this.raw;
    let framed = "";
    let at = 0;
    if (this.clean && text.indexOf("\r") === -1) {
      let n = 0;
      for (let line = framedEvent(text, at); line !== -1 && raw.plain(text.slice(at + 6, line)); line = framedEvent(text, at)) {
        at = line + 2;
        n++;
      }
      // After [DONE] nothing counts: `data()` would drop these events too.
      if (n > 0 && raw.framed(n)) framed = at === text.length ? text : text.slice(0, at);
      for (let line = framedEvent(text, at); line !== -1; line = framedEvent(text, at)) {
        const data = raw.data(text.slice(at + 6, line));
        if (data !== null) this.ready.push(data);
        at = line + 2;
      }
      if (at > 0) this.lastEvent = Date.now();
    }
    if (at < text.length) {
      const rest = at === 0 ? text : text.slice(at);
      this.eventParser().feed(rest);
      this.clean = rest.endsWith("\n\n");
    }
    if (framed === "" && this.ready.length === 0) return undefined;
    return this.take(framed);
  }

  private take(framed: string): EventBatch {
    const data = this.ready;
    this.ready = [];
    return { framed, data };
  }

  /** The SSE parser, made on first use. */
  private eventParser(): EventSourceParser {
    return (this.parser ??= createParser({
      onEvent: (ev) => {
        if (ev.event !== "ping") this.lastEvent = Date.now();
        const data = this.raw.data(ev.data);
        if (data !== null) this.ready.push(data);
      },
    }));
  }
}

/** Where the event at `at` ends its one `data: ` line (the blank line follows), or -1 when it is not framed so, or empty. */
function framedEvent(text: string, at: number): number {
  if (!text.startsWith("data: ", at)) return -1;
  const line = text.indexOf("\n", at + 6);
  return line > at + 6 && text.charCodeAt(line + 1) === 0x0a ? line : -1;
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

  /** Whether a decoder is in use, which may hold the start of a character: told only at `end()`. */
  get holding(): boolean {
    return this.decoder !== undefined;
  }

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
