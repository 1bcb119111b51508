/** A call's client, watched for leaving; and a completion stream written to it as server-sent events. */
import type { ServerResponse } from "node:http";
import type { CallSignal } from "../call/signal.ts";
import type { CompletionStream, FrameSink } from "../call/stream.ts";
import type { ChatCompletionChunk } from "../types.ts";
import { errorBody, toWire } from "./errors.ts";
import { writeHead } from "./reply.ts";

/**
 * How long a stream whose client left may wait for its next chunk before the
 * upstream request is aborted. Stopping at a chunk logs one success marked
 * `stream_aborted` with what arrived (so it is priced); the abort logs a failure.
 */
export const ABORT_FALLBACK_MS = 5_000;

/** The event that ends every stream we write, as OpenAI ends its own. */
const DONE_EVENT = "data: [DONE]\n\n";

/**
 * Watches one response for its client going away, and is the call's signal.
 * Before a stream exists the call is aborted at once (one failure event);
 * once it streams, the reader stops at the next chunk instead (see ABORT_FALLBACK_MS).
 * Plain fields and a listener array, not an AbortController: nothing is
 * allocated for the common case of a client that stays.
 */
export class ClientWatch implements CallSignal {
  aborted = false;
  reason: Error | undefined;
  gone = false;
  // Private for real (#): a pre-call hook sees the call's `signal`, and may log or serialise it.
  #listeners: (() => void)[] | undefined;
  #streaming = false;
  #fallback: NodeJS.Timeout | undefined;
  #done = false;
  readonly #res: ServerResponse;
  readonly #onClose = (): void => {
    if (this.#done || this.#res.writableFinished) return;
    this.gone = true;
    if (!this.#streaming) return this.abort();
    this.#fallback = setTimeout(() => this.abort(), ABORT_FALLBACK_MS);
  };

  constructor(res: ServerResponse) {
    this.#res = res;
    // `on`: 'close' comes once; after done() the listener returns at once (taking it off would cost more).
    res.on("close", this.#onClose);
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new Error("the client closed the connection");
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of listeners) listener();
  }

  addEventListener(_type: "abort", listener: () => void): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    const list = this.#listeners;
    if (list === undefined) return;
    // The common case, one request's listener taken off when it ends: no splice.
    if (list.length === 1) {
      if (list[0] === listener) this.#listeners = undefined;
      return;
    }
    const i = list.indexOf(listener);
    if (i !== -1) list.splice(i, 1);
  }

  /** From now on a departure stops the reader rather than aborting the call. */
  startStreaming(): void {
    this.#streaming = true;
  }

  /** The call is over: a departure from now on changes nothing. */
  done(): void {
    this.#done = true;
    if (this.#fallback !== undefined) clearTimeout(this.#fallback);
  }
}

const SSE_HEADERS = ["content-type", "text/event-stream", "cache-control", "no-cache", "connection", "keep-alive", "x-accel-buffering", "no"];
const SSE_HEADERS_LAST = ["content-type", "text/event-stream", "cache-control", "no-cache", "connection", "close", "x-accel-buffering", "no"];

/** A stream's status and headers; the connection closes after it when the server is shutting down (its `connection: close`). */
function streamHead(res: ServerResponse): void {
  writeHead(res, 200, res.getHeader("connection") === "close" ? SSE_HEADERS_LAST : SSE_HEADERS);
}

/** Resolves when the socket takes more, or the client is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/**
 * Chunks that arrive together (one read of the upstream holds several events)
 * leave in one write: the socket is corked until the current tick's work is
 * done, which delays nothing, where a write per chunk costs a syscall each.
 */
function batch(res: ServerResponse): void {
  if (res.writableCorked > 0) return;
  res.cork();
  process.nextTick(() => res.uncork());
}

/** The response as a passed-on stream's sink: headers at the first write, each write sent at once (not at the end of the tick). */
class ResponseSink implements FrameSink {
  constructor(
    private readonly res: ServerResponse,
    private readonly watch: ClientWatch,
  ) {}

  get gone(): boolean {
    return this.watch.gone || this.res.destroyed;
  }

  write(frames: string): boolean {
    const res = this.res;
    if (!res.headersSent) streamHead(res);
    // Corked around the one write so it leaves now, before the events are parsed for the callbacks.
    res.cork();
    const more = res.write(frames);
    res.uncork();
    return more;
  }

  end(frames: string): void {
    const res = this.res;
    if (!res.headersSent) streamHead(res);
    res.end(frames + DONE_EVENT);
  }

  drained(): Promise<void> {
    return drained(this.res);
  }
}

/**
 * `writeStream` for a stream that passes its upstream's events on as sent (`stream.passthrough`):
 * the same answer on the wire (headers at the first event, `data: [DONE]` at the end, one error
 * event on a failure after the headers, a failure before them thrown), with no chunk serialised again.
 */
export async function forwardStream(res: ServerResponse, stream: CompletionStream, watch: ClientWatch, where: string, scrub?: (text: string) => string): Promise<void> {
  try {
    await stream.forward(new ResponseSink(res, watch));
  } catch (err) {
    if (!res.headersSent) throw err;
    if (!watch.gone && !res.destroyed) res.end(`data: ${errorBody(toWire(err, where, scrub))}\n\n`);
    return;
  }
  // Ended already when the last read came with the end of the upstream's answer (ResponseSink.end).
  if (watch.gone || res.destroyed || res.writableEnded) return;
  if (!res.headersSent) streamHead(res);
  res.end(DONE_EVENT);
}

/**
 * Writes each chunk as it arrives (`data: {json}\n\n`), then `data: [DONE]`.
 * The first chunk is awaited before the headers, so a stream that fails at once
 * is thrown to the caller and answered with a proper status. A failure later is
 * sent as one `data: {"error": ...}` event and the stream ends. A client that
 * leaves stops the reading (`return()`), which aborts the upstream.
 */
export async function writeStream(res: ServerResponse, stream: AsyncIterable<ChatCompletionChunk>, watch: ClientWatch, where: string, scrub?: (text: string) => string): Promise<void> {
  const it = stream[Symbol.asyncIterator]();
  // Always start the iterator: only a started stream logs its event and ends its call.
  let next = await it.next();
  try {
    if (!watch.gone) streamHead(res);
    while (!next.done && !watch.gone) {
      batch(res);
      // A string a per-chunk hook put in place of a chunk is sent as it is, as LiteLLM's proxy sends it.
      const data = typeof next.value === "string" ? next.value : JSON.stringify(next.value);
      if (!res.write(`data: ${data}\n\n`)) await drained(res);
      if (watch.gone) break;
      next = await it.next();
    }
  } catch (err) {
    if (!watch.gone && !res.destroyed) res.end(`data: ${errorBody(toWire(err, where, scrub))}\n\n`);
    return;
  }
  if (watch.gone || res.destroyed) {
    await it.return?.();
    return;
  }
  res.end(DONE_EVENT);
}
