import { closeSync, fstatSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { callbackFailure } from "../core/callbacks/failure.ts";
import { CALLBACK_ERROR_CODES } from "../core/errors.ts";
import { plural } from "../core/callbacks/summary.ts";
import { notice, report } from "./report.ts";

/**
 * The file built-in's writers: one per file in the process, shared (counted
 * references) by every runtime, reload and list that names the file, so lines
 * never interleave. Each batch is one synchronous `write` of whole lines, made
 * after the calls of the current turn of the event loop: nothing is ever in
 * flight, so the exit and signal handlers can write what is left without
 * racing a write a worker thread has half done.
 *
 * Several processes may append to one file (`serve --num_workers N`): the
 * file is opened with O_APPEND and each batch of whole lines is one `write`,
 * which the kernel appends at the end in one piece, so lines of different
 * processes never tear or interleave. Rotation reads the file's size from
 * the file (others write to it too) and, when another process rotated first,
 * only reopens the path rather than rotating again.
 */

/** Where and how to write: the file built-in's resolved options. */
export interface WriterOptions {
  /** Absolute path of the file. */
  readonly path: string;
  /** Rotate before the file would grow past this many bytes; null: never. */
  readonly maxBytes: number | null;
  /** Rotated files kept (path.1 ... path.N). */
  readonly maxFiles: number;
}

/** Lines kept while the file cannot be written; beyond it the oldest are dropped and counted. */
const MAX_PENDING = 10_000;
/** A burst this big is written at once rather than at the next turn of the event loop. */
const BATCH_LINES = 1_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

const writers = new Map<string, Writer>();
let nextWriterId = 1;

/** How many files this process has open for the file built-in (a test hook). */
export function openWriterCount(): number {
  return writers.size;
}

/** One file's writer: pending lines, written in batches, rotated, retried after errors. */
export class Writer {
  readonly id = nextWriterId++;
  refs = 0;
  maxBytes: number | null = null;
  maxFiles = 5;
  private fd: number | null = null;
  private size = 0;
  private pending: string[] = [];
  /** The unwritten tail of a batch an error cut short: written first, so the torn line is completed. */
  private partial: Buffer | null = null;
  private scheduled = false;
  private closed = false;
  /** 0 while writes succeed; else the current retry delay of an outage. */
  private delay = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private outages = 0;
  private dropped = 0;
  private syncs = 0;
  /** fds closed by a rotation while an fsync ran on them: closed when it ends, so the number is not reused under it. */
  private retired: number[] = [];

  constructor(readonly path: string) {}

  push(line: string): void {
    if (this.pending.length >= MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    this.pending.push(line);
    if (this.delay > 0) return; // the retry timer writes
    if (this.pending.length >= BATCH_LINES) this.drain();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onTurn);
    }
  }

  private readonly onTurn = (): void => {
    this.scheduled = false;
    if (this.delay === 0) this.drain();
  };

  private readonly onRetry = (): void => {
    this.retryTimer = undefined;
    this.drain();
  };

  /** Writes everything pending now. Never throws: an error starts (or extends) an outage. */
  drain(): void {
    try {
      this.writePending();
    } catch (err) {
      this.failed(err as Error);
      return;
    }
    if (this.delay > 0) this.recovered();
  }

  private writePending(): void {
    if (this.partial) {
      this.writeBuffer(this.open(), this.partial, 0);
      this.partial = null;
    }
    while (this.pending.length > 0) {
      // With rotation on, another process (`serve --num_workers N`) may have rotated the file: write to the path's file, not the old one.
      if (this.maxBytes !== null && this.rotatedElsewhere()) this.closeFd();
      const fd = this.open();
      const n = this.fitting();
      if (n === 0) {
        this.rotate();
        continue;
      }
      const batch = n === this.pending.length ? this.pending.join("") : this.pending.slice(0, n).join("");
      this.writeBuffer(fd, Buffer.from(batch), n);
    }
  }

  /** Writes `buf` (the first `lines` pending lines) whole; on an error keeps what did not reach the file. */
  private writeBuffer(fd: number, buf: Buffer, lines: number): void {
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(fd, buf, off);
    } catch (err) {
      if (off > 0) {
        this.partial = buf.subarray(off);
        this.pending.splice(0, lines);
      }
      this.size += off;
      throw err;
    }
    this.size += buf.length;
    if (lines > 0) this.pending.splice(0, lines);
  }

  /** How many pending lines fit before the file must rotate; 0: rotate first. A line longer than max_bytes gets a file of its own. */
  private fitting(): number {
    if (this.maxBytes === null) return this.pending.length;
    // Other processes may append to the same file: its size is the file's, not what this one wrote.
    if (this.fd !== null) this.size = fstatSync(this.fd).size;
    let room = this.maxBytes - this.size;
    let n = 0;
    for (const line of this.pending) {
      const len = Buffer.byteLength(line);
      if (len > room && !(n === 0 && this.size === 0)) break;
      room -= len;
      n++;
    }
    return n;
  }

  /** path.(N-1) → path.N, ..., path → path.1, then a new file. Only ever between whole lines. */
  private rotate(): void {
    if (this.rotatedElsewhere()) return this.closeFd();
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      try {
        renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.closeFd();
  }

  /** Whether the path is no longer the file this process has open: another process rotated it (reopening is enough). */
  private rotatedElsewhere(): boolean {
    if (this.fd === null) return false;
    try {
      return statSync(this.path).ino !== fstatSync(this.fd).ino;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return true;
      throw err;
    }
  }

  private open(): number {
    if (this.fd !== null) return this.fd;
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, "a");
    try {
      this.size = fstatSync(fd).size;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return (this.fd = fd);
  }

  private closeFd(): void {
    if (this.fd === null) return;
    if (this.syncs > 0) this.retired.push(this.fd);
    else closeQuietly(this.fd);
    this.fd = null;
  }

  private failed(err: Error): void {
    this.closeFd(); // reopened on the retry: the path may have been fixed meanwhile
    if (this.delay === 0) {
      this.outages++;
      this.delay = RETRY_MIN_MS;
      const message =
        `file callback cannot write ${this.path}: ${err.message}. ` +
        `Its lines are kept (the newest ${MAX_PENDING}) and the write is retried; make sure the path is a file (not a folder) you may write, on a disk with free space.`;
      report(callbackFailure(CALLBACK_ERROR_CODES.fileWriteFailed, "file", "write", { text: message, cause: err }), `file\u0000${this.id}\u0000${this.outages}`);
    } else {
      this.delay = Math.min(this.delay * 2, RETRY_MAX_MS);
    }
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    // unref: a logger waiting on a broken disk must not keep the process alive; the exit handler tries once more.
    this.retryTimer = setTimeout(this.onRetry, this.delay).unref();
  }

  private recovered(): void {
    const lost = this.dropped ? `; ${this.dropped} oldest lines were dropped while it could not be written` : "";
    notice("file", `writing ${this.path} again${lost}.`);
    this.delay = 0;
    this.dropped = 0;
  }

  /** Writes what is pending and syncs it to disk. */
  async flush(): Promise<void> {
    this.drain();
    const fd = this.fd;
    if (fd === null) return;
    this.syncs++;
    // An fsync error (EIO) leaves nothing to retry: the lines are already with the kernel.
    await new Promise<void>((done) => fsync(fd, () => done()));
    if (--this.syncs === 0) for (const f of this.retired.splice(0)) closeQuietly(f);
  }

  /** For the exit and signal handlers: everything now, synchronously; `final` when the process is ending. */
  flushSync(final: boolean): void {
    this.drain();
    if (this.fd !== null) {
      try {
        fsyncSync(this.fd);
      } catch {
        // The lines are written; a failed fsync at exit has nobody left to retry it.
      }
    }
    if (final) this.reportLost();
  }

  /** Flushes and drops one reference; the last one also closes the file. */
  async release(): Promise<void> {
    if (--this.refs > 0) return this.flush();
    writers.delete(this.path);
    if (writers.size === 0) unhookProcess();
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.flush();
    this.closeFd();
    this.reportLost();
  }

  private reportLost(): void {
    const lost = this.pending.length + this.dropped + (this.partial ? 1 : 0);
    if (lost === 0) return;
    const message = `file callback: ${plural(lost, "line")} could not be written to ${this.path} before ${this.closed ? "it was closed" : "the process ended"} and ${lost === 1 ? "is" : "are"} lost.`;
    report(callbackFailure(CALLBACK_ERROR_CODES.fileWriteFailed, "file", "close", { text: message }), `file\u0000${this.id}\u0000lost`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed (EBADF): nothing to release.
  }
}

/** A share of the file's writer, opened (lazily, at the first line) if nobody holds it. */
export function acquire(o: WriterOptions): Writer {
  let w = writers.get(o.path);
  if (!w) {
    if (writers.size === 0) hookProcess();
    writers.set(o.path, (w = new Writer(o.path)));
  }
  // The latest config wins, so a reload that changes the rotation takes effect on the shared file.
  w.maxBytes = o.maxBytes;
  w.maxFiles = o.maxFiles;
  w.refs++;
  return w;
}

// Process hooks: installed with the first writer, removed with the last; never one per writer.
const flushAllSync = (final: boolean): void => {
  for (const w of writers.values()) w.flushSync(final);
};

const onExit = (): void => flushAllSync(true);

const onSignal = (signal: NodeJS.Signals): void => {
  // Alone on this signal: do what Node would have done without us. Otherwise the owner (a server's graceful shutdown) decides.
  const alone = process.listenerCount(signal) === 1;
  flushAllSync(alone);
  if (alone) {
    process.removeListener(signal, onSignal);
    process.kill(process.pid, signal);
  }
};

function hookProcess(): void {
  process.on("exit", onExit);
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

function unhookProcess(): void {
  process.removeListener("exit", onExit);
  process.removeListener("SIGTERM", onSignal);
  process.removeListener("SIGINT", onSignal);
}

/** The writer that holds `path` now, if any. */
export function currentWriter(path: string): Writer | undefined {
  return writers.get(path);
}
