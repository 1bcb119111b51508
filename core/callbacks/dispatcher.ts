import { CALLBACK_ERROR_CODES, type CallbackError } from "../errors.ts";
import type { DispatchStats } from "../types.ts";
import { callbackFailure } from "./failure.ts";
import { viewFor } from "./handler-copy.ts";
import type { EventPayload, Handler } from "./registry.ts";
import { plural } from "./summary.ts";

/**
 * Runs logging work in the background: the call never waits for it.
 *
 * Events of one call reach one handler in order and never overlap: a task
 * waits for that handler's previous task of the same call. Pending work is
 * bounded (the oldest queued task is dropped, and counted, when the queue is
 * full), a hanging callback is abandoned after its timeout, and every failure
 * becomes one `CallbackError` report. `flush()` resolves when all is done.
 */

/** The per-call state a dispatcher needs: per handler slot, the task of this call still running there, made on first need. */
export interface CallTrail {
  tails?: Array<Running | undefined>;
  /** Who counts this call's tasks: the config snapshot the call ran on, so that it can be retired once they are done. */
  readonly owner?: TaskCount;
}

/**
 * The logging tasks still queued or running for one owner (a config
 * snapshot). A replaced snapshot is released when its own tasks are done,
 * not when the whole queue is idle, which under steady traffic is never.
 */
export class TaskCount {
  pending = 0;
  private waiters: Array<() => void> = [];

  done(): void {
    if (--this.pending === 0 && this.waiters.length > 0) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when no task of this owner is queued or running, or after `graceMs`. */
  idle(graceMs: number): Promise<void> {
    if (this.pending <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, graceMs));
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

interface Task {
  handler: Handler;
  payload: EventPayload;
  trail: CallTrail;
  timeoutMs: number;
  /** When it is abandoned; its timeout counts from when it left the queue, any wait behind its handler included. */
  deadline: number;
  /** The next task of the same handler and call, waiting for this one to end. */
  next: Task | undefined;
}

/** A task whose handler returned a promise that has not settled yet; linked in the order they started. */
interface Running {
  task: Task;
  done: boolean;
  /** The last task of the chain waiting behind this one (the chain hangs off `task.next`). */
  last: Task;
  prev: Running | undefined;
  next: Running | undefined;
}

export interface DispatcherOptions {
  /** Most tasks waiting to start; past it the oldest is dropped. @default 10000 */
  maxQueue?: number;
  /** Most async tasks running, or waiting for an earlier event of their handler, at once. @default 10000 */
  maxRunning?: number;
  /** Where reports go. @default stderr, once per callback, event and code */
  onError?: (err: CallbackError) => void;
}

/** One callback's share of `Dispatcher.stats()`. */
export interface CallbackFaultCounts {
  errors: number;
  timeouts: number;
  dropped: number;
  /** The message of its latest error or timeout, null while it has none. */
  last_error: string | null;
}

export class Dispatcher {
  private queue: Array<Task | undefined> = [];
  private head = 0;
  // Running tasks as a linked list, not a Set: under steady traffic a Set's churn promoted ~3 KB a call to the old generation.
  private oldest: Running | undefined;
  private newest: Running | undefined;
  private runningCount = 0;
  /** Tasks held behind a running task of the same handler and call. */
  private waiting = 0;
  private scheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly stats_: { dropped: number; errors: number; timeouts: number } = { dropped: 0, errors: 0, timeouts: 0 };
  private droppedSinceReport = 0;
  /** `stats()` split by callback name, for metrics; a failure's path only, never a call's. */
  private readonly byCallback = new Map<string, CallbackFaultCounts>();
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
    const owner = trail.owner;
    for (let i = 0; i < handlers.length; i++) {
      if (this.queue.length - this.head >= this.maxQueue) this.dropOldest();
      this.queue.push({ handler: handlers[i]!, payload, trail, timeoutMs, deadline: 0, next: undefined });
      if (owner) owner.pending++;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.later);
    }
  }

  /**
   * The queue is drained one loop turn after the event, not in the turn's own check phase:
   * there undici writes the request a call just made (it waits a turn before reusing a
   * kept-alive socket), and logging work ahead of it would hold the request back.
   * Drained a turn later, it overlaps the wait for the provider instead.
   */
  private readonly later = (): void => void setImmediate(this.drain);

  stats(): DispatchStats {
    return { pending: this.queue.length - this.head + this.runningCount + this.waiting, ...this.stats_ };
  }

  /** Resolves when every queued and running task has finished or been abandoned. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === this.head && this.runningCount === 0 && this.waiting === 0;
  }

  private dropOldest(): void {
    const task = this.queue[this.head];
    this.queue[this.head++] = undefined;
    this.stats_.dropped++;
    if (task) this.faultsOf(task.handler.name).dropped++;
    task?.trail.owner?.done();
    if (this.droppedSinceReport++ === 0 && task) {
      const text = `logging queue full (${plural(this.maxQueue, "task")}): dropped the oldest task (${task.handler.name}.${task.handler.method}).`;
      this.report(
        callbackFailure(
          CALLBACK_ERROR_CODES.dropped,
          task.handler.name,
          task.handler.method,
          { text },
          "Callbacks are slower than calls; see litellm.stats().dropped for the count, or raise max_queue.",
        ),
      );
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const now = Date.now();
    while (this.head < this.queue.length && this.runningCount + this.waiting < this.maxRunning) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      task.deadline = now + task.timeoutMs;
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
    const before = task.trail.tails?.[task.handler.slot];
    if (before) {
      // The previous event of this call is still running in this handler: wait behind it, in order.
      before.last.next = task;
      before.last = task;
      this.waiting++;
      return;
    }
    this.run(task, task);
  }

  /** Runs a handler's tasks of one call in turn (`last` ends the chain), until one is still working: that one holds the rest. */
  private run(task: Task | undefined, last: Task): void {
    while (task) {
      const work = this.invoke(task);
      if (work) return this.track(task, work, last);
      task.trail.owner?.done();
      const next = task.next;
      task.next = undefined;
      if (next) this.waiting--;
      task = next;
    }
  }

  /** Runs the handler; returns its promise only when it is still working. */
  private invoke(task: Task): PromiseLike<unknown> | undefined {
    try {
      const prepare = task.payload.prepare;
      if (prepare) {
        task.payload.prepare = undefined;
        prepare();
      }
      // A user's handler gets its own copy, made here in the background: what it changes reaches no other handler and not the caller.
      // Redaction happens in that copy (or in the view the built-ins share), so the caller's objects keep their content.
      // A handler that neither copies nor redacts, in a call that hides nothing, is handed the payload itself: the common case costs three reads.
      const { handler, payload } = task;
      const out = handler.invoke(handler.copies || handler.redacts || payload.mask ? viewFor(handler, payload) : payload);
      if (out && typeof (out as PromiseLike<unknown>).then === "function") return out as PromiseLike<unknown>;
    } catch (err) {
      this.failed(task, err);
    }
    return undefined;
  }

  // No promise of our own per task: the settled handler's reaction starts the next waiting one directly.
  private track(task: Task, work: PromiseLike<unknown>, last: Task): void {
    const entry: Running = { task, done: false, last, prev: this.newest, next: undefined };
    if (this.newest) this.newest.next = entry;
    else this.oldest = entry;
    this.newest = entry;
    this.runningCount++;
    (task.trail.tails ??= [])[task.handler.slot] = entry;
    work.then(
      () => this.end(entry),
      (err) => {
        this.failed(task, err);
        this.end(entry);
      },
    );
    this.armSweeper(task.timeoutMs);
  }

  /** A task settled or was abandoned: the next event of its handler and call may start. */
  private end(entry: Running): void {
    if (entry.done) return;
    entry.done = true;
    this.unlink(entry);
    const { task } = entry;
    task.trail.owner?.done();
    const tails = task.trail.tails!;
    if (tails[task.handler.slot] === entry) tails[task.handler.slot] = undefined;
    const next = task.next;
    task.next = undefined;
    if (next) {
      this.waiting--;
      this.run(next, entry.last);
    }
    if (this.head < this.queue.length && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
    this.settleIdle();
  }

  private unlink(entry: Running): void {
    const { prev, next } = entry;
    if (prev) prev.next = next;
    else this.oldest = next;
    if (next) next.prev = prev;
    else this.newest = prev;
    entry.prev = entry.next = undefined;
    this.runningCount--;
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
    // Oldest first; a task that an abandoned one lets start joins the end of the list and is checked in this pass too.
    for (let entry = this.oldest; entry; ) {
      if (entry.task.deadline > now) {
        entry = entry.next;
        continue;
      }
      const before = entry.prev;
      const { handler } = entry.task;
      this.fault(
        callbackFailure(
          CALLBACK_ERROR_CODES.timeout,
          handler.name,
          handler.method,
          { timeoutMs: entry.task.timeoutMs },
          "It was abandoned; it may be waiting on a network call with no timeout of its own. Raise litellm_settings.callback_timeout if it is only slow.",
        ),
      );
      this.end(entry);
      entry = before ? before.next : this.oldest;
    }
    // Stopped here rather than when the last task ends: calls that keep coming would set and clear a timer each.
    if (this.runningCount === 0) this.stopSweeper();
  };

  private failed(task: Task, thrown: unknown): void {
    const { handler } = task;
    this.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, handler.name, handler.method, { thrown }, "The call was not affected; other callbacks still ran."));
  }

  /** A callback failure, from the queue or from outside it (a hook, a flush, a close): counted in stats(), then reported. */
  fault(err: CallbackError): void {
    if (err.code === CALLBACK_ERROR_CODES.timeout) this.stats_.timeouts++, this.faultsOf(err.callback).timeouts++;
    else if (err.code === CALLBACK_ERROR_CODES.threw) this.stats_.errors++, this.faultsOf(err.callback).errors++;
    if (err.code === CALLBACK_ERROR_CODES.timeout || err.code === CALLBACK_ERROR_CODES.threw) this.faultsOf(err.callback).last_error = err.message;
    this.report(err);
  }

  /** The failures, timeouts and drops of `stats()` by callback name (the `metrics()` of the prometheus built-in read them). */
  callbackFaults(): ReadonlyMap<string, Readonly<CallbackFaultCounts>> {
    return this.byCallback;
  }

  private faultsOf(name: string): CallbackFaultCounts {
    let counts = this.byCallback.get(name);
    if (!counts) this.byCallback.set(name, (counts = { errors: 0, timeouts: 0, dropped: 0, last_error: null }));
    return counts;
  }

  private settleIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private readonly reported = new Map<string, number>();

  /** To `onError` when set, else `printOnce`. */
  report(err: CallbackError): void {
    if (this.onError) {
      // A failing error handler, sync or async, must not turn into a failing call or an unhandled rejection.
      try {
        const out: unknown = this.onError(err);
        if (out && typeof (out as PromiseLike<unknown>).then === "function") (out as PromiseLike<unknown>).then(undefined, () => undefined);
      } catch {}
      return;
    }
    this.printOnce(err);
  }

  /** One stderr line per callback, method and code until `resetReports()`; repeats are counted, not printed. */
  printOnce(err: CallbackError): void {
    const key = `${err.callback}\u0000${err.event}\u0000${err.code}`;
    const seen = this.reported.get(key) ?? 0;
    this.reported.set(key, seen + 1);
    if (seen === 0) process.stderr.write(`litellm-runtime [${err.code}] ${err.message} (further ones are counted in litellm.stats())\n`);
  }

  /** Forgets what `printOnce` printed: a runtime calls it when a new snapshot serves, whose callbacks' failures are news. */
  resetReports(): void {
    this.reported.clear();
  }
}
