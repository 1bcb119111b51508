import type { ChatCompletionChunk, ChatMessage, ModelResponse } from "../types.ts";
import type { ProviderStream } from "../providers/types.ts";
import { StreamAssembler } from "./assemble.ts";
import type { CallContext } from "./context.ts";

export interface StreamEnd {
  /** The stream ran to its end, or the consumer stopped early (`aborted`). */
  success(complete: Omit<ModelResponse, "_hidden_params">, aborted: boolean, firstChunkAt: Date | undefined): void;
  /** The provider failed mid-stream; returns the error the consumer sees. */
  failure(err: unknown): Error;
}

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

  constructor(
    private readonly upstream: ProviderStream,
    private readonly ctx: CallContext,
    private readonly messages: ChatMessage[],
    /** Whether the caller asked for the usage chunk (we always ask the provider for it). */
    private readonly includeUsage: boolean,
    private readonly end: StreamEnd,
    /** False for a cache hit: a hit delivers only its success event. */
    private readonly emitChunks = true,
  ) {}

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
    const { upstream, ctx, includeUsage } = this;
    const assembler = new StreamAssembler();
    const emitChunks = this.emitChunks && ctx.wants("stream_event");
    let first: Date | undefined;
    let settled = false;
    try {
      for await (const chunk of upstream) {
        first ??= new Date();
        assembler.add(chunk);
        if (emitChunks) ctx.emit("stream_event", chunk, new Date());
        if (chunk.choices.length === 0 && chunk.usage && !includeUsage) continue;
        yield chunk;
      }
      settled = true;
      this.end.success(assembler.build(this.messages), false, first);
    } catch (err) {
      settled = true;
      throw this.end.failure(err);
    } finally {
      if (!settled) {
        // The consumer stopped early: stop the upstream, and log what arrived.
        upstream.abort();
        this.end.success(assembler.build(this.messages), true, first);
      }
      for (const fn of this.ended) fn();
    }
  }
}
