import { registerBuiltin } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import type { CallbackKwargs, StandardLoggingObject } from "../core/types.ts";

/**
 * The `console` built-in: one line per event on stderr, readable
 * (`format: text`, the default) or the standard record as JSON (`format: json`).
 *
 *   2025-01-31T12:00:00.123Z success mock/x (alias: fast) 12ms tokens 9/3 $0.000021 cache miss
 *   2025-01-31T12:00:00.456Z failure openai/gpt-4o 80ms tokens 0/0 $0 cache miss RateLimitError: slow down
 */

export type ConsoleFormat = "text" | "json";
export type ConsoleLevel = "debug" | "info" | "warn" | "error";

const LEVELS: readonly ConsoleLevel[] = ["debug", "info", "warn", "error"];
const RANK: Record<ConsoleLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** The options as resolved once: defaults, then `callback_settings.console`. */
export interface ConsoleOptions {
  /** @default "text" */
  readonly format: ConsoleFormat;
  /** Lowest level printed: failures are error, successes info, pre/post API calls and stream chunks debug. @default "info" */
  readonly level: ConsoleLevel;
  /** ANSI colour: only when stderr is a terminal and `NO_COLOR` is unset. */
  readonly color: boolean;
}

export function resolveConsoleOptions(options: Record<string, unknown>): ConsoleOptions {
  const format = options.format ?? "text";
  const level = options.level ?? "info";
  if (format !== "text" && format !== "json") throw new TypeError(`callback_settings.console.format: "${String(format)}" is not allowed; use "text" or "json".`);
  if (!LEVELS.includes(level as ConsoleLevel)) throw new TypeError(`callback_settings.console.level: "${String(level)}" is not allowed; use one of ${LEVELS.join(", ")}.`);
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return Object.freeze({ format, level: level as ConsoleLevel, color: process.stderr.isTTY === true && !noColor });
}

const paint = (on: boolean, code: string, s: string): string => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** `$0.000021`, `$0`, or `cost ?` when the model's price is unknown. */
export function formatCost(cost: number | null): string {
  if (cost === null || !Number.isFinite(cost)) return "cost ?";
  if (cost === 0) return "$0";
  const fixed = cost.toFixed(8).replace(/\.?0+$/, "");
  return fixed === "0" ? "<$0.00000001" : `$${fixed}`;
}

/** One message on one line, and not a screenful. */
function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s*\n\s*/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The readable line of a success or failure record. */
export function formatRecord(r: StandardLoggingObject, color: boolean): string {
  const failed = r.status === "failure";
  const parts = [
    paint(color, "2", new Date((r.endTime || r.startTime) * 1000).toISOString()),
    paint(color, failed ? "31" : "32", r.status),
    r.model_group && r.model_group !== r.model ? `${r.model} (alias: ${r.model_group})` : r.model,
    `${Math.round(r.response_time * 1000)}ms`,
    `tokens ${r.prompt_tokens}/${r.completion_tokens}`,
    formatCost(r.response_cost),
    r.cache_hit ? paint(color, "36", "cache hit") : "cache miss",
  ];
  if (failed) {
    const info = r.error_information;
    parts.push(paint(color, "31", `${info?.error_class || "Error"}: ${oneLine(info?.error_message ?? r.error_str ?? "")}`));
  }
  return parts.join(" ");
}

/** Prints each event it gets; which events it gets follows `level`, decided once. */
export class ConsoleLogger extends CustomLogger {
  readonly settings: ConsoleOptions;

  constructor(options: Record<string, unknown> = {}) {
    super(options);
    this.settings = resolveConsoleOptions(options);
    // Debug events are own methods only at level debug: otherwise the base no-ops stay and cost nothing per call.
    if (this.settings.level === "debug") {
      this.log_pre_api_call = (_model, _messages, kwargs) => this.debug(kwargs, "pre_api_call");
      this.log_post_api_call = (kwargs) => this.debug(kwargs, "post_api_call");
      this.log_stream_event = (kwargs) => this.debug(kwargs, "stream_event");
    }
  }

  override log_success_event(kwargs: CallbackKwargs): void {
    if (RANK[this.settings.level] <= RANK.info) this.record(kwargs);
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    this.record(kwargs); // error is the highest level: always printed.
  }

  private record(kwargs: CallbackKwargs): void {
    const r = kwargs.standard_logging_object;
    if (!r) return;
    write(this.settings.format === "json" ? safeJson(r) : formatRecord(r, this.settings.color));
  }

  private debug(kwargs: CallbackKwargs, event: string): void {
    const lp = kwargs.litellm_params;
    if (this.settings.format === "json") {
      write(safeJson({ log_event_type: event, id: kwargs.litellm_call_id, model: kwargs.model, model_group: lp.model_group ?? null, time: Date.now() / 1000 }));
      return;
    }
    const model = lp.model_group && lp.model_group !== kwargs.model ? `${kwargs.model} (alias: ${lp.model_group})` : kwargs.model;
    write(`${paint(this.settings.color, "2", new Date().toISOString())} ${paint(this.settings.color, "90", event)} ${model} ${kwargs.litellm_call_id}`);
  }
}

/** The record as one JSON line; a value JSON cannot hold (a BigInt in metadata) becomes a string, not a lost line. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }
}

function write(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // A closed stderr must not turn a log line into a failed callback report loop.
  }
}

registerBuiltin("console", (options) => new ConsoleLogger(options));
