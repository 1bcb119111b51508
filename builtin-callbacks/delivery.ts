import type { Pool } from "undici";
import { plural } from "../core/callbacks/summary.ts";
import { callbackFailure, describeThrown } from "../core/callbacks/failure.ts";
import { CALLBACK_ERROR_CODES } from "../core/errors.ts";
import { atExit } from "./at-exit.ts";
import { report } from "./report.ts";

/**
 * The delivery engine of the sending built-ins (mixpanel, webhook): events
 * wait in a bounded buffer and leave in batches, through one kept-alive undici
 * pool per origin, with retries (exponential backoff with jitter, Retry-After
 * honoured) on 429, 408, 5xx and network errors. Every event ends counted:
 * sent, lost (reported with the count) or dropped (buffer full, reported).
 * Nothing here ever throws into a call; pushing an event is O(1).
 */

export interface DeliveryOptions<T> {
  /** The built-in's name, for reports ("mixpanel"). */
  name: string;
  /** Where batches are POSTed. */
  url: string;
  /** Extra request headers. Their values are never written in a report. */
  headers?: Readonly<Record<string, string>>;
  /** Events per request. */
  batchSize: number;
  /** Milliseconds a partly filled batch waits before it is sent. */
  flushIntervalMs: number;
  /** Retries of a failed request before its events are reported lost. */
  maxRetries: number;
  /** The request body of a batch (called once per batch: a retry resends the same bytes). */
  encode: (batch: readonly T[]) => string;
  /** Reads a 2xx answer: a receiver that says "rejected" in its body (Mixpanel's `0`) returns the reason. */
  rejects?: (body: string) => string | undefined;
  /** Most events buffered; past it new events are dropped and counted. @default 10000 */
  maxQueue?: number;
  /** Delay before the first retry; doubles each time, with jitter, up to 30 s. @default 500 */
  retryBaseMs?: number;
  /** How long flush() waits for deliveries (retries included) before it reports what is still pending. @default 30000 */
  flushTimeoutMs?: number;
  /** Milliseconds a request may take for its headers, and between body chunks. @default 10000 */
  requestTimeoutMs?: number;
}

/** `queued`: buffered; `inflight`: in requests or waiting to retry; `failed`: refused or out of retries; `dropped`: buffer full or closed; `timer`: a flush_interval timer is armed. */
export interface DeliveryStats {
  queued: number;
  inflight: number;
  sent: number;
  failed: number;
  dropped: number;
  retries: number;
  timer: boolean;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; waitMs?: number };

const MAX_BATCHES_IN_FLIGHT = 4;
const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;
/** Mixpanel's advice for a 429 that names no wait: start backing off at 2 s. */
const MIN_RATE_LIMIT_WAIT_MS = 2_000;
let instances = 0;

export class Delivery<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflightEvents = 0;
  private batches = 0;
  private draining = 0;
  private closed = false;
  private aborted = false;
  private closing: Promise<void> | undefined;
  private readonly sleepers = new Set<() => void>();
  private idleWaiters: Array<() => void> = [];
  private readonly counts = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  /** Drops since the buffer was last empty: one report per episode of a full buffer. */
  private dropsInEpisode = 0;
  /** Bumped when a request succeeds: losses print once per instance and outage, and are counted every time. */
  private outage = 0;
  private readonly serial = ++instances;
  private readonly target: URL;
  private readonly label: string;
  private readonly requestHeaders: Record<string, string>;
  private readonly secrets: string[];
  private readonly pool: Promise<Pool>;
  private readonly forgetAtExit: () => void;
  private readonly maxQueue: number;
  private readonly retryBaseMs: number;
  private readonly flushTimeoutMs: number;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: DeliveryOptions<T>) {
    this.target = new URL(options.url);
    this.label = `${this.target.origin}${this.target.pathname}`;
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "litellm-runtime" };
    if (this.target.username) headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(this.target.username)}:${decodeURIComponent(this.target.password)}`).toString("base64")}`;
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    this.requestHeaders = headers;
    this.secrets = Object.entries(headers).flatMap(([k, v]) => (k !== "content-type" && k !== "user-agent" && v.length >= 4 ? [v] : []));
    this.maxQueue = options.maxQueue ?? 10_000;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.flushTimeoutMs = options.flushTimeoutMs ?? 30_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.pool = acquirePool(this.target.origin);
    // A script that ends without flush() or close() still delivers: when the event loop runs dry, a pending instance closes (once).
    this.forgetAtExit = atExit(() => void (this.pending && this.close()));
  }

  /** Whether events wait in the buffer or in requests. */
  get pending(): boolean {
    return !this.isIdle();
  }

  /** Buffers one event; a full batch leaves at once, a partial one after flush_interval. */
  push(item: T): void {
    if (this.closed || this.queue.length >= this.maxQueue) return this.drop();
    this.queue.push(item);
    if (this.queue.length >= this.options.batchSize) this.pump();
    else this.arm();
  }

  /** Sends everything buffered and waits for every request, retries included, up to the flush deadline. */
  async flush(): Promise<void> {
    this.draining++;
    try {
      this.pump();
      if (await this.idle(this.flushTimeoutMs)) return;
      const pending = this.queue.length + this.inflightEvents;
      const why = `${this.options.name}: flush() gave up after ${this.flushTimeoutMs} ms: ${plural(pending, "event")} for ${this.label} ${pending === 1 ? "is" : "are"} still pending (their delivery goes on).`;
      report(callbackFailure(CALLBACK_ERROR_CODES.timeout, this.options.name, "flush", { text: why }), `${this.serial}\u0000flush`);
    } finally {
      this.draining--;
    }
  }

  /** Flushes, then stops: timers cleared, waits for retries cut short, whatever is left counted and reported lost. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      this.closed = true;
      this.disarm();
      if (this.queue.length > 0) {
        const n = this.queue.length;
        this.queue = [];
        this.lose(n, `${plural(n, "event")} ${n === 1 ? "was" : "were"} still buffered for ${this.label} when the callback closed`);
      }
      this.aborted = true;
      for (const wake of [...this.sleepers]) wake();
      // Requests still under way end within their timeout; their events are counted before close() resolves.
      await this.idle(this.requestTimeoutMs);
      releasePool(this.target.origin);
      this.forgetAtExit();
    })();
    return this.closing;
  }

  stats(): DeliveryStats {
    return { queued: this.queue.length, inflight: this.inflightEvents, ...this.counts, timer: this.timer !== undefined };
  }

  /** Starts requests while there is a full batch (any batch while flushing) and room for one more in flight. */
  private pump(): void {
    const size = this.options.batchSize;
    while (this.queue.length > 0 && this.batches < MAX_BATCHES_IN_FLIGHT && (this.draining > 0 || this.queue.length >= size)) {
      void this.deliver(this.queue.splice(0, size));
    }
    if (this.queue.length > 0) this.arm();
    else {
      this.disarm();
      this.dropsInEpisode = 0;
    }
    this.settle();
  }

  private arm(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(this.onTimer, this.options.flushIntervalMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.draining++; // a partial batch may leave now
    this.pump();
    this.draining--;
  };

  private async deliver(batch: T[]): Promise<void> {
    const n = batch.length;
    this.batches++;
    this.inflightEvents += n;
    try {
      const body = this.options.encode(batch);
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.send(body);
        if (outcome.ok) {
          this.counts.sent += n;
          this.outage++;
          return;
        }
        if (!outcome.retry) return this.lose(n, `${this.label} refused ${plural(n, "event")} (not retried): ${outcome.reason}`);
        if (attempt >= this.options.maxRetries || this.aborted) {
          return this.lose(n, `${plural(n, "event")} lost: ${this.label} still failed after ${plural(attempt + 1, "attempt")} (${outcome.reason})`);
        }
        this.counts.retries++;
        await this.sleep(outcome.waitMs ?? this.backoff(attempt));
        if (this.aborted) return this.lose(n, `${plural(n, "event")} lost: the callback closed while ${n === 1 ? "it" : "they"} waited to be retried (${outcome.reason})`);
      }
    } catch (err) {
      this.lose(n, `${plural(n, "event")} lost: ${describeThrown(err)}`);
    } finally {
      this.batches--;
      this.inflightEvents -= n;
      this.pump();
    }
  }

  private async send(body: string): Promise<Outcome> {
    try {
      const timeout = this.requestTimeoutMs;
      const path = `${this.target.pathname}${this.target.search}`;
      const res = await (await this.pool).request({ path, method: "POST", headers: this.requestHeaders, body, headersTimeout: timeout, bodyTimeout: timeout });
      const text = await res.body.text();
      const status = res.statusCode;
      if (status >= 200 && status < 300) {
        const refused = this.options.rejects?.(text);
        return refused === undefined ? { ok: true } : { ok: false, retry: false, reason: this.scrub(refused) };
      }
      const reason = `HTTP ${status}${text.trim() ? `: ${this.scrub(text.trim())}` : ""}`;
      const retry = status === 429 || status === 408 || status >= 500;
      const waitMs = retryAfterMs(res.headers["retry-after"]);
      if (status === 429 && waitMs === undefined) return { ok: false, retry, reason, waitMs: MIN_RATE_LIMIT_WAIT_MS };
      return { ok: false, retry, reason, ...(waitMs !== undefined ? { waitMs } : {}) };
    } catch (err) {
      const e = err as Error & { code?: string };
      return { ok: false, retry: true, reason: `${e.code ?? e.name}: ${this.scrub(e.message)}` };
    }
  }

  /** Exponential with "equal jitter": half the step fixed, half random, so clients that failed together spread out. */
  private backoff(attempt: number): number {
    const step = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** attempt);
    return step / 2 + Math.random() * (step / 2);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      // Unref'd: a retry never keeps the process alive by itself; flush() holds it open while it waits.
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }

  /** Resolves true when nothing is buffered or in flight, false when `ms` passed first. */
  private idle(ms: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      // Not unref'd: an awaited flush() must keep the process alive until it is done or gives up.
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.batches === 0;
  }

  private settle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private drop(): void {
    this.counts.dropped++;
    if (this.dropsInEpisode++ > 0) return;
    const why = this.closed ? "the callback is closed" : `its buffer holds ${plural(this.maxQueue, "event")} and ${this.label} is not keeping up`;
    const err = callbackFailure(CALLBACK_ERROR_CODES.dropped, this.options.name, "delivery", { text: `${this.options.name}: dropping events because ${why}; ${this.counts.dropped} dropped so far.` });
    report(err, `${this.serial}\u0000${err.code}\u0000${this.counts.dropped}`);
  }

  private lose(n: number, message: string): void {
    this.counts.failed += n;
    const err = callbackFailure(CALLBACK_ERROR_CODES.deliveryFailed, this.options.name, "delivery", { text: `${this.options.name}: ${message}. ${plural(this.counts.failed, "event")} lost so far.` });
    report(err, `${this.serial}\u0000${err.code}\u0000${this.outage}`);
  }

  /** Removes header values (tokens) from text a receiver sent back, and keeps it short. */
  private scrub(text: string): string {
    let out = text.length > 300 ? `${text.slice(0, 300)}...` : text;
    for (const secret of this.secrets) out = out.split(secret).join("[redacted]");
    return out;
  }
}

/** Retry-After in seconds or as an HTTP date, capped at a minute. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === "") return undefined;
  const seconds = Number(raw);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - Date.now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

// One kept-alive pool per origin, shared by every instance sending there; closed when the last one closes.
// undici is imported with the first pool: a runtime that never sends anywhere does not load it.
const pools = new Map<string, { pool: Promise<Pool>; users: number }>();

function acquirePool(origin: string): Promise<Pool> {
  let entry = pools.get(origin);
  if (!entry) pools.set(origin, (entry = { pool: import("undici").then(({ Pool }) => new Pool(origin, { connections: 8, keepAliveTimeout: 30_000 })), users: 0 }));
  entry.users++;
  return entry.pool;
}

function releasePool(origin: string): void {
  const entry = pools.get(origin);
  if (!entry || --entry.users > 0) return;
  pools.delete(origin);
  void entry.pool.then((pool) => pool.close()).catch(() => undefined);
}

