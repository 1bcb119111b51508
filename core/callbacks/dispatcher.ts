import { CALLBACK_ERROR_CODES, CallbackError } from "../errors.ts";
import type { DispatchStats } from "../types.ts";
import type { EventPayload, Handler } from "./registry.ts";

/**
 * Runs logging work in the background: the call never waits for it.
 *
 * Events of one call reach one handler in order and never overlap: a task
 * waits for that handler's previous task of the same call. Pending work is
 * bounded (the oldest queued task is dropped, and counted, when the queue is
 * full), a hanging callback is abandoned after its timeout, and every failure
 * becomes one `CallbackError` report. `flush()` resolves when all is done.
 */

/** The per-call state a dispatcher needs: one tail per handler slot, made on first need. */
export interface CallTrail {
  tails?: Array<Promise<void> | undefined>;
}

interface Task {
  handler: Handler;
  payload: EventPayload;
  trail: CallTrail;
  timeoutMs: number;
}

interface Running {
  task: Task;
  deadline: number;
  done: boolean;
  finish: () => void;
}

export interface DispatcherOptions {
  /** Most tasks waiting to start; past it the oldest is dropped. @default 10000 */
  maxQueue?: number;
  /** Most async tasks running at once. @default 10000 */
  maxRunning?: number;
  /** Where reports go. @default stderr, once per callback, event and code */
  onError?: (err: CallbackError) => void;
}

export class Dispatcher {
  private queue: Array<Task | undefined> = [];
  private head = 0;
  private running = new Set<Running>();
  private scheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly stats_: { dropped: number; errors: number; timeouts: number } = { dropped: 0, errors: 0, timeouts: 0 };
  private droppedSinceReport = 0;
  maxQueue: number;
  maxRunning: number;
  onError: ((err: CallbackError) => void) | undefined;

  constructor(options: DispatcherOptions = {}) {
    this.maxQueue = options.maxQueue ?? 10_000;
    this.maxRunning = options.maxRunning ?? 10_000;
    this.onError = options.onError;
  }

  /** Queues one event for its handlers. Nothing runs before the current call returns. */
  emit(handlers: readonly Handler[], payload: EventPayload, trail: CallTrail, timeoutMs: number): void {
    for (let i = 0; i < handlers.length; i++) {
      if (this.queue.length - this.head >= this.maxQueue) this.dropOldest();
      this.queue.push({ handler: handlers[i]!, payload, trail, timeoutMs });
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  stats(): DispatchStats {
    return { pending: this.queue.length - this.head + this.running.size, ...this.stats_ };
  }

  /** Resolves when every queued and running task has finished or been abandoned. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === this.head && this.running.size === 0;
  }

  private dropOldest(): void {
    const task = this.queue[this.head];
    this.queue[this.head++] = undefined;
    this.stats_.dropped++;
    if (this.droppedSinceReport++ === 0 && task) {
      this.report(
        new CallbackError(
          `logging queue full (${this.maxQueue} tasks): dropped the oldest task (${task.handler.name}.${task.handler.method}). ` +
            `Callbacks are slower than calls; see litellm.stats().dropped for the count, or raise max_queue.`,
          CALLBACK_ERROR_CODES.dropped,
          task.handler.name,
          task.handler.method,
        ),
      );
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    while (this.head < this.queue.length && this.running.size < this.maxRunning) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.start(task);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.droppedSinceReport = 0;
    } else if (this.head > 1024) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.settleIdle();
  };

  private start(task: Task): void {
    const tails = task.trail.tails;
    const before = tails?.[task.handler.slot];
    if (before) {
      // The previous event of this call is still running in this handler: wait for it.
      this.track(task, before.then(() => this.invoke(task)));
      return;
    }
    const result = this.invoke(task);
    if (result) this.track(task, result);
  }

  /** Runs the handler; returns a promise only when it is still working. */
  private invoke(task: Task): Promise<unknown> | undefined {
    try {
      const out = task.handler.invoke(task.payload);
      if (out && typeof (out as Promise<unknown>).then === "function") {
        return (out as Promise<unknown>).then(undefined, (err) => this.failed(task, err));
      }
    } catch (err) {
      this.failed(task, err);
    }
    return undefined;
  }

  private track(task: Task, work: Promise<unknown>): void {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const entry: Running = { task, deadline: Date.now() + task.timeoutMs, done: false, finish };
    this.running.add(entry);
    const tails = (task.trail.tails ??= []);
    tails[task.handler.slot] = done;
    const end = () => {
      if (entry.done) return;
      entry.done = true;
      this.running.delete(entry);
      if (tails[task.handler.slot] === done) tails[task.handler.slot] = undefined;
      finish();
      if (this.running.size === 0) this.stopSweeper();
      if (this.head < this.queue.length && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drain);
      }
      this.settleIdle();
    };
    entry.finish = end;
    work.then(end, end);
    this.armSweeper(task.timeoutMs);
  }

  private sweepEvery = Infinity;

  /** One timer for all running tasks, ticking at a quarter of the shortest timeout. */
  private armSweeper(timeoutMs: number): void {
    const every = Math.max(5, Math.min(1000, Math.floor(timeoutMs / 4)));
    if (this.sweeper && every >= this.sweepEvery) return;
    this.stopSweeper();
    this.sweepEvery = every;
    this.sweeper = setInterval(this.sweep, every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.sweepEvery = Infinity;
  }

  private readonly sweep = (): void => {
    const now = Date.now();
    for (const entry of this.running) {
      if (entry.deadline > now) continue;
      const { handler } = entry.task;
      this.stats_.timeouts++;
      this.report(
        new CallbackError(
          `callback "${handler.name}" did not finish ${handler.method} within ${entry.task.timeoutMs} ms and was abandoned. ` +
            `It may be waiting on a network call with no timeout of its own; raise litellm_settings.callback_timeout if it is only slow.`,
          CALLBACK_ERROR_CODES.timeout,
          handler.name,
          handler.method,
        ),
      );
      entry.finish();
    }
  };

  private failed(task: Task, err: unknown): void {
    this.stats_.errors++;
    const { handler } = task;
    const reason = err instanceof Error ? err.message : String(err);
    this.report(
      new CallbackError(
        `callback "${handler.name}" failed in ${handler.method}: ${reason}. The call was not affected; other callbacks still ran.`,
        CALLBACK_ERROR_CODES.threw,
        handler.name,
        handler.method,
        err,
      ),
    );
  }

  private settleIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private readonly reported = new Map<string, number>();

  /** One line per callback, method and code; repeats are counted, not printed. */
  report(err: CallbackError): void {
    if (this.onError) {
      try {
        this.onError(err);
      } catch {
        // A failing error handler must not turn into a failing call.
      }
      return;
    }
    const key = `${err.callback}\u0000${err.event}\u0000${err.code}`;
    const seen = this.reported.get(key) ?? 0;
    this.reported.set(key, seen + 1);
    if (seen === 0) process.stderr.write(`litellm-runtime [${err.code}] ${err.message} (further ones are counted in litellm.stats())\n`);
  }
}
