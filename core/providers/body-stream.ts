/**
 * A response body read as it arrives, fed by an undici dispatch handler: an async
 * iterator over its chunks with backpressure (the connection is paused while 16
 * chunks wait unread), where `request()` would build a Readable for every call.
 */
const HIGH_WATER = 16;

export class BodyStream implements AsyncIterableIterator<Buffer> {
  private readonly queue: Buffer[] = [];
  private paused = false;
  private finished = false;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;
  private onSettled: (() => void) | undefined;
  private settledYet = false;

  /**
   * @param resume restarts a paused connection (undici's `resume` from onHeaders)
   * @param abort stops the request: a consumer that leaves early frees the connection
   */
  constructor(
    private readonly resume: () => void,
    private readonly abort: (err: Error) => void,
  ) {}

  /** Whether the whole body arrived. */
  get ended(): boolean {
    return this.finished;
  }

  /** Whether every chunk that arrived has been read. */
  get empty(): boolean {
    return this.queue.length === 0;
  }

  /** A chunk from the connection; false asks undici to pause it. */
  push(chunk: Buffer): boolean {
    this.queue.push(chunk);
    this.wake();
    if (this.queue.length < HIGH_WATER) return true;
    this.paused = true;
    return false;
  }

  end(): void {
    this.finished = true;
    this.wake();
    this.settle();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
    this.settle();
  }

  /** Runs `fn` once the body is over on the wire: all of it arrived, it failed, or it was stopped; read or not. */
  settled(fn: () => void): void {
    if (this.settledYet) return fn();
    const before = this.onSettled;
    this.onSettled = before === undefined ? fn : () => (before(), fn());
  }

  private settle(): void {
    if (this.settledYet) return;
    this.settledYet = true;
    const fn = this.onSettled;
    this.onSettled = undefined;
    fn?.();
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const value = this.take();
      if (value !== undefined) return { value, done: false };
      if (this.failure) throw this.failure;
      if (this.finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  /**
   * A chunk that has already arrived, without waiting: undici hands over one socket read as
   * several chunks (one per piece of a chunked body), and a reader that takes them all at once
   * can pass them on in one write.
   */
  take(): Buffer | undefined {
    const value = this.queue.shift();
    if (value !== undefined && this.paused && this.queue.length === 0) {
      this.paused = false;
      this.resume();
    }
    return value;
  }

  /** The consumer stopped (`break`, a throw, `return()`): abort what is still coming. */
  async return(): Promise<IteratorResult<Buffer>> {
    if (!this.finished && !this.failure) {
      this.failure = new Error("aborted");
      this.abort(this.failure);
    }
    this.queue.length = 0;
    // A reader waiting for the next chunk learns of the abort now, not never.
    this.wake();
    this.settle();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
