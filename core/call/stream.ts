import type { ChatCompletionChunk, ChatMessage, ModelResponse } from "../types.ts";
import type { ProviderStream } from "../providers/types.ts";
import { StreamAssembler } from "./assemble.ts";
import type { CallContext } from "./context.ts";

export interface StreamEnd {
  /** Whether `success` reads the whole response (to store it, or to count its tokens for the router); absent: it does. */
  readonly wantsWhole?: boolean;
  /** The stream ran to its end, or the consumer stopped early (`aborted`). */
  success(complete: Omit<ModelResponse, "_hidden_params">, aborted: boolean, firstChunkAt: Date | undefined): void;
  /** The stream failed (the provider mid-stream, or a hook reading it); returns the error the consumer sees. */
  failure(err: unknown): Error;
}

/**
 * Where a stream's chunks come from, ended exactly once: by its last chunk,
 * `return()` (the reader stopped early) or `fail()` (a hook reading it threw).
 */
export interface ChunkSource extends AsyncIterator<ChatCompletionChunk> {
  return(): Promise<IteratorResult<ChatCompletionChunk>>;
  fail(err: unknown): void;
  /** Whether `forward()` can pass the upstream's events on as sent; absent: it cannot. */
  readonly forwards?: boolean;
  /** Reads the source to its end, its events to `sink` as sent; `observe` gets each chunk the caller gets. Only when `forwards`. */
  forward?(sink: FrameSink, observe?: (chunk: ChatCompletionChunk) => void): Promise<void>;
  /** As `ProviderStream.settled`: `fn` runs once the upstream's answer is over on the wire, read or not (never, where that cannot be told). */
  settled?(fn: () => void): void;
}

/** Where a passed-on stream's events go: server-sent event text, one write per read of the upstream. */
export interface FrameSink {
  /** `data: ...` events, each ending in a blank line. False: call `drained()` before writing more. */
  write(frames: string): boolean;
  /** The last events (maybe none), then the end of the answer, in one write: the stream is over and whole. Absent: the caller ends it. */
  end?(frames: string): void;
  /** Resolves when the sink takes more (or its reader is gone). */
  drained(): Promise<void>;
  /** The reader went away: the stream stops at its next read, and logs what arrived. */
  readonly gone: boolean;
}

const DONE: IteratorResult<ChatCompletionChunk> = Object.freeze({ done: true, value: undefined });

/**
 * A streamed completion: an async iterable of chunks in OpenAI's shape.
 *
 * One success event fires after the last chunk, with the whole response
 * assembled; a consumer that stops early still produces one, marked
 * `stream_aborted`; an error mid-stream produces one failure and is thrown.
 */
export class CompletionStream implements AsyncIterable<ChatCompletionChunk> {
  private used = false;
  private ended: Array<() => void> = [];

  /** @internal `source`: the chunks, with the events of the attempt that streams them (or, for the call, with its hooks). */
  constructor(readonly source: ChunkSource) {}

  /** @internal Runs once the stream has ended, whichever way (a runtime counts its calls in flight with it). */
  onEnd(fn: () => void): void {
    this.ended.push(fn);
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    this.use();
    return this.chunks();
  }

  /**
   * @internal Whether `forward()` passes the upstream's events on as sent: an OpenAI-format upstream,
   * read with no hook that can change a chunk (the call's hooks, compiled once, left the attempt's stream unwrapped).
   */
  get passthrough(): boolean {
    return this.source.forwards === true;
  }

  /**
   * @internal Reads the stream to its end, its events written to `sink` as the upstream sent them
   * (`data: <the event's data>`), each read's events in one write, before they are parsed for the callbacks.
   * The events are the ones iterating would give, with the same events logged. Only when `passthrough`.
   */
  async forward(sink: FrameSink): Promise<void> {
    this.use();
    try {
      await this.source.forward!(sink);
    } finally {
      for (const fn of this.ended) fn();
    }
  }

  private use(): void {
    if (this.used) throw new TypeError("this stream was already read: a completion stream can be iterated once.");
    this.used = true;
  }

  private async *chunks(): AsyncGenerator<ChatCompletionChunk> {
    let settled = false;
    try {
      for (;;) {
        const next = await this.source.next();
        if (next.done) break;
        yield next.value;
      }
      settled = true;
    } catch (err) {
      settled = true;
      throw err;
    } finally {
      // The consumer stopped early: the source stops its upstream and logs what arrived.
      if (!settled) await this.source.return();
      for (const fn of this.ended) fn();
    }
  }
}

/**
 * An attempt's stream: the provider's chunks (or a stored answer played back),
 * assembled as they pass, each one a stream_event (unless `emitChunks` is false,
 * for a cache hit), and one success or failure at the end.
 */
export class LoggedStream implements ChunkSource {
  private it: AsyncIterator<ChatCompletionChunk> | undefined;
  private done = false;
  private first: Date | undefined;
  private readonly assembler = new StreamAssembler();
  private readonly emitChunks: boolean;

  constructor(
    private readonly upstream: ProviderStream,
    private readonly ctx: CallContext,
    private readonly messages: ChatMessage[],
    /** Whether the caller asked for the usage chunk (we always ask the provider for it). */
    private readonly includeUsage: boolean,
    private readonly end: StreamEnd,
    emitChunks = true,
  ) {
    this.emitChunks = emitChunks && ctx.wants("stream_event");
    this.blind = ctx.quiet && !this.emitChunks && end.wantsWhole === false;
  }

  /**
   * A served stream that nothing reads: no callback, hook or tracer (`ctx.quiet`), no store, no token
   * count. Its plain events and its usage chunk are passed on unparsed (the usage chunk only when asked
   * for), and its end is neither assembled nor priced, since no one would read either. Any other event
   * (an error, Azure's filter report) is still parsed, to decide its write.
   */
  private readonly blind: boolean;
  /** Forwarding a blind stream: its end logs no success (no one would hear it). */
  private unheard = false;

  /** Whether `forward()` can pass the upstream's events on as sent (an OpenAI-format upstream). */
  get forwards(): boolean {
    return this.upstream.events !== undefined;
  }

  settled(fn: () => void): void {
    this.upstream.settled?.(fn);
  }

  /** One chunk as the callbacks get it: timed, assembled, a stream_event. False when the caller does not get it (the usage chunk it did not ask for). */
  private take(chunk: ChatCompletionChunk): boolean {
    this.first ??= new Date();
    this.assembler.add(chunk);
    if (this.emitChunks) this.ctx.emit("stream_event", chunk, new Date());
    return !(chunk.choices.length === 0 && chunk.usage && !this.includeUsage);
  }

  /**
   * The upstream's events passed on as sent: each read's plain chunks are written before they are
   * parsed; an event that may not be one (an error, no choices) is parsed first and passed on only
   * if the caller would get its chunk. Then each chunk goes to the callbacks as `next()` gives it.
   */
  async forward(sink: FrameSink, observe?: (chunk: ChatCompletionChunk) => void): Promise<void> {
    const events = this.upstream.events!();
    // Chunks parsed before the write (they decided it), and plain events parsed after it, in order.
    const pending: (string | ChatCompletionChunk)[] = [];
    const blind = (this.unheard = this.blind && observe === undefined);
    try {
      for (;;) {
        // A read that already arrived (the first one, with the headers) is taken without a promise step.
        const batch = events.now() ?? (await events.next());
        if (this.done) return;
        if (batch === null) {
          this.done = true;
          if (!blind) this.end.success(this.assembler.build(this.messages), false, this.first);
          return;
        }
        // The read's first events, framed as they are passed on: written as the upstream sent them.
        let frames = batch.framed;
        if (!blind && frames !== "") framedData(frames, pending);
        let failure: unknown;
        for (const data of batch.data) {
          if (events.plain(data)) {
            frames += `data: ${data}\n\n`;
            if (!blind) pending.push(data);
            continue;
          }
          if (blind && events.usage(data)) {
            if (this.includeUsage) frames += `data: ${data}\n\n`;
            continue;
          }
          let chunk: ChatCompletionChunk | null;
          try {
            chunk = events.parse(data);
          } catch (err) {
            // The events before it still reach the caller, then the error.
            failure = err;
            break;
          }
          if (chunk === null) continue;
          if (!blind) pending.push(chunk);
          if (chunk.choices.length !== 0 || !chunk.usage || this.includeUsage) frames += `data: ${data}\n\n`;
        }
        // A read that ends a whole stream leaves with the end of the answer, in one write instead of two
        // (a reader gone by now is left to the stop below, as before).
        let last = false;
        if (failure === undefined && events.ending !== undefined && !sink.gone) {
          try {
            last = events.ending();
          } catch (err) {
            failure = err;
          }
        }
        let more = true;
        if (!sink.gone) {
          if (last && sink.end !== undefined) sink.end(frames);
          else if (frames !== "") more = sink.write(frames);
        }
        for (const item of pending) {
          const chunk = typeof item === "string" ? events.parse(item) : item;
          if (chunk && this.take(chunk)) observe?.(chunk);
        }
        pending.length = 0;
        if (failure !== undefined) throw failure;
        if (last) {
          this.done = true;
          if (!blind) this.end.success(this.assembler.build(this.messages), false, this.first);
          return;
        }
        if (!more) await sink.drained();
        if (sink.gone) {
          await this.return();
          return;
        }
      }
    } catch (err) {
      if (this.done) throw err;
      this.done = true;
      throw this.end.failure(err);
    }
  }

  async next(): Promise<IteratorResult<ChatCompletionChunk>> {
    if (this.done) return DONE;
    try {
      for (;;) {
        const next = await (this.it ??= this.upstream[Symbol.asyncIterator]()).next();
        if (this.done) return DONE;
        if (next.done) {
          this.done = true;
          this.end.success(this.assembler.build(this.messages), false, this.first);
          return DONE;
        }
        const chunk = next.value;
        if (!this.take(chunk)) continue;
        return { done: false, value: chunk };
      }
    } catch (err) {
      if (this.done) throw err;
      this.done = true;
      throw this.end.failure(err);
    }
  }

  /** The reader stopped early: stop the upstream, and log what arrived. */
  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    if (!this.done) {
      this.done = true;
      this.upstream.abort();
      if (!this.unheard) this.end.success(this.assembler.build(this.messages), true, this.first);
    }
    return DONE;
  }

  /** A hook reading the stream threw: stop the upstream, and log the failure. */
  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.upstream.abort();
    this.end.failure(err);
  }
}

/** The data of each event of `framed` (`data: <data>\n\n` each, one line), onto `into`. */
function framedData(framed: string, into: (string | ChatCompletionChunk)[]): void {
  for (let at = 0; at < framed.length; ) {
    const end = framed.indexOf("\n\n", at);
    into.push(framed.slice(at + 6, end));
    at = end + 2;
  }
}

/** Chunks with no events of their own (an answer a pre-call hook gave). */
export class PlainStream implements ChunkSource {
  private readonly it: AsyncIterator<ChatCompletionChunk>;
  constructor(private readonly upstream: ProviderStream) {
    this.it = upstream[Symbol.asyncIterator]();
  }
  next(): Promise<IteratorResult<ChatCompletionChunk>> {
    return this.it.next();
  }
  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.upstream.abort();
    return DONE;
  }
  fail(): void {
    this.upstream.abort();
  }
}
