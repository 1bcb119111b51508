import { resolve } from "node:path";
import { registerReadOnlyBuiltin, type BuiltinContext } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import { DEFAULT_RECORD_POLICY, recordJson, type RecordPolicy } from "../core/callbacks/safe-json.ts";
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


/** Appends the standard record of each success and failure to one JSON Lines file. */
export class FileLogger extends CustomLogger {
  readonly settings: FileOptions;
  private writer: Writer | null;
  private readonly records: RecordPolicy;

  constructor(options: Record<string, unknown> = {}, context: BuiltinContext = { dir: process.cwd() }) {
    super(options);
    this.settings = resolveFileOptions(options, context.dir);
    this.writer = acquire(this.settings);
    this.records = context.records ?? DEFAULT_RECORD_POLICY;
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
    // Bounded, scrubbed, never throws: whatever the record carries, the call gets its line.
    const line = `${recordJson(record, this.records)}\n`;
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

registerReadOnlyBuiltin("file", (options, context) => new FileLogger(options, context));
