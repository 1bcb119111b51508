import { resolve } from "node:path";
import { registerBuiltin, type BuiltinContext } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import type { CallbackKwargs } from "../core/types.ts";
import { acquire, currentWriter, type Writer, type WriterOptions } from "./file-writer.ts";

export { openWriterCount } from "./file-writer.ts";

/**
 * The `file` built-in: the standard record of every success and failure as one
 * JSON line (JSON Lines), at `path` (relative to the config file's folder).
 * Writing, batching, rotation, retries and exit handling live in file-writer.ts.
 */

const DEFAULT_PATH = "./logs/litellm-events.jsonl";
const DEFAULT_MAX_FILES = 5;

/** The options as resolved once: defaults, then `callback_settings.file`, the path made absolute. */
export interface FileOptions extends WriterOptions {
  /** Absolute path of the file. @default "<context.dir>/logs/litellm-events.jsonl" */
  readonly path: string;
  /** Rotate before the file would grow past this many bytes; null: never. @default null */
  readonly maxBytes: number | null;
  /** Rotated files kept (path.1 ... path.N). @default 5 */
  readonly maxFiles: number;
}

export function resolveFileOptions(options: Record<string, unknown>, dir: string): FileOptions {
  const { path = DEFAULT_PATH, max_bytes, max_files = DEFAULT_MAX_FILES } = options;
  if (typeof path !== "string" || path === "") throw new TypeError(`callback_settings.file.path must be a non-empty string; found ${JSON.stringify(path)}.`);
  const count = (v: unknown, key: string) => {
    if (!Number.isInteger(v) || (v as number) < 1) throw new TypeError(`callback_settings.file.${key} must be a whole number of at least 1; found ${JSON.stringify(v)}.`);
    return v as number;
  };
  return Object.freeze({ path: resolve(dir, path), maxBytes: max_bytes === undefined ? null : count(max_bytes, "max_bytes"), maxFiles: count(max_files, "max_files") });
}

/** One JSON line; a value JSON cannot hold (a BigInt, a cycle in metadata) is written as a string rather than losing the line. */
function jsonLine(record: unknown): string {
  try {
    return `${JSON.stringify(record)}\n`;
  } catch {
    const seen = new WeakSet<object>();
    const replacer = (_key: string, v: unknown): unknown => {
      if (typeof v === "bigint") return v.toString();
      if (v === null || typeof v !== "object") return v;
      if (seen.has(v)) return "[Circular]";
      seen.add(v);
      return v;
    };
    return `${JSON.stringify(record, replacer)}\n`;
  }
}

/** Appends the standard record of each success and failure to one JSON Lines file. */
export class FileLogger extends CustomLogger {
  readonly settings: FileOptions;
  private writer: Writer | null;

  constructor(options: Record<string, unknown> = {}, context: BuiltinContext = { dir: process.cwd() }) {
    super(options);
    this.settings = resolveFileOptions(options, context.dir);
    this.writer = acquire(this.settings);
  }

  override log_success_event(kwargs: CallbackKwargs): void {
    this.write(kwargs);
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    this.write(kwargs);
  }

  private write(kwargs: CallbackKwargs): void {
    const record = kwargs.standard_logging_object;
    if (!record) return;
    const line = jsonLine(record);
    if (this.writer) return this.writer.push(line);
    // An event after close() (a straggler of a retired config): written through whoever holds the file now, not lost.
    const current = currentWriter(this.settings.path);
    if (current) return current.push(line);
    const once = acquire(this.settings);
    once.push(line);
    void once.release();
  }

  /** Writes everything pending and fsyncs the file. */
  async flush(): Promise<void> {
    await this.writer?.flush();
  }

  /** Flushes and gives up this logger's share of the file; the last one closes it. */
  async close(): Promise<void> {
    const w = this.writer;
    this.writer = null;
    await w?.release();
  }
}

registerBuiltin("file", (options, context) => new FileLogger(options, context));
