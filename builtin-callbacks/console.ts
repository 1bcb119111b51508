import { registerReadOnlyBuiltin } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import { eventLine, summaryLine } from "../core/callbacks/summary.ts";
import { boundedJson, DEFAULT_RECORD_POLICY, recordJson, type RecordPolicy } from "../core/callbacks/safe-json.ts";
import type { BuiltinContext } from "../core/callbacks/builtins.ts";
import { OWN_EVENTS, type EventName, type OwnEvents } from "../core/callbacks/registry.ts";
import type { CallbackKwargs } from "../core/types.ts";

/**
 * The `console` built-in: one line per event on stderr, readable
 * (`format: text`, the default: the summary line that `chat` and `demo` print too)
 * or the standard record as JSON (`format: json`).
 *
 *   12:04:05.123 · acompletion · fast → mock/x · success · 14 ms · in 12 / out 8 tokens · $0.00000225 · id 6f1c…
 *   12:04:05.456 · acompletion · gpt-4o → openai/gpt-4o · failure RateLimitError · 80 ms · in 0 / out 0 tokens · $0 · id 9b2e… · error [429]: slow down
 */

export type ConsoleFormat = "text" | "json";
export type ConsoleLevel = "debug" | "info" | "warn" | "error";

const LEVELS: readonly ConsoleLevel[] = ["debug", "info", "warn", "error"];
/** The events only level debug prints. */
const DEBUG_EVENTS: readonly EventName[] = Object.freeze(["pre_api_call", "post_api_call", "stream_event"]);

/** The ids of the last calls whose summary line went out, so `litellm-runtime chat` does not print the same line twice. */
const recent: string[] = [];
const RECENT_MAX = 16;

/** True when a `console` built-in of this process printed the summary line of call `id` (one of the last 16). */
export function summaryPrinted(id: string): boolean {
  return recent.includes(id);
}
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

/** Prints each event it gets; which events it gets follows `level`, decided once. */
export class ConsoleLogger extends CustomLogger implements OwnEvents {
  readonly settings: ConsoleOptions;
  /** At level debug, the debug events from any list it stands in: users put console in success_callback, which gives success alone. */
  readonly [OWN_EVENTS]?: readonly EventName[];
  private readonly records: RecordPolicy;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    super(options);
    this.settings = resolveConsoleOptions(options);
    this.records = context?.records ?? DEFAULT_RECORD_POLICY;
    // Debug events are own methods only at level debug: otherwise the base no-ops stay and cost nothing per call.
    if (this.settings.level === "debug") {
      this.log_pre_api_call = (_model, _messages, kwargs) => this.debug(kwargs, "pre_api_call");
      this.log_post_api_call = (kwargs) => this.debug(kwargs, "post_api_call");
      this.log_stream_event = (kwargs) => this.debug(kwargs, "stream_event");
      this[OWN_EVENTS] = DEBUG_EVENTS;
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
    if (this.settings.format === "json") return write(recordJson(r, this.records));
    write(summaryLine(r, { color: this.settings.color }, kwargs.user));
    if (recent.push(r.id) > RECENT_MAX) recent.shift();
  }

  private debug(kwargs: CallbackKwargs, event: string): void {
    const lp = kwargs.litellm_params;
    if (this.settings.format === "json") {
      write(this.records.scrub(boundedJson({ log_event_type: event, id: kwargs.litellm_call_id, model: kwargs.model, model_group: lp.model_group ?? null, time: Date.now() / 1000 })));
      return;
    }
    write(eventLine(kwargs, event, new Date(), { color: this.settings.color }));
  }
}

function write(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // A closed stderr must not turn a log line into a failed callback report loop.
  }
}

registerReadOnlyBuiltin("console", (options, context) => new ConsoleLogger(options, context));
