import type { ChatCompletionChunk, ChatMessage, ModelResponse } from "../types.ts";
import type { ProviderStream } from "../providers/types.ts";
import { StreamAssembler } from "./assemble.ts";
import type { CallContext } from "./context.ts";

export interface StreamEnd {
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
    if (this.used) throw new TypeError("this stream was already read: a completion stream can be iterated once.");
    this.used = true;
    return this.chunks();
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
        this.first ??= new Date();
        this.assembler.add(chunk);
        if (this.emitChunks) this.ctx.emit("stream_event", chunk, new Date());
        if (chunk.choices.length === 0 && chunk.usage && !this.includeUsage) continue;
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
      this.end.success(this.assembler.build(this.messages), true, this.first);
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
