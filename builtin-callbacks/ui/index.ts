/**
 * The `ui` built-in: feeds the live page (`GET /ui`). Each attempt's success or
 * failure is kept, in the background like every callback, in its runtime's ring
 * of calls (core/ui/ring.ts): the kwargs (redacted as every logger sees them;
 * written with the record serialiser, bounded and the config's secrets masked,
 * when the page asks for the call), the marks of the attempt's pre_api_call and
 * post_api_call, from which their kwargs are read back (core/callbacks/event-marks.ts),
 * the latest standard record, and the call's row, which is handed to the page's
 * open streams. It is queued for the end events only: a call pays one event for
 * the page, not three. `serve` adds it by itself; a config may name it too (it
 * is then one handler, not two).
 */
import { registerReadOnlyBuiltin, type BuiltinContext, type BuiltinHost } from "../../core/callbacks/builtins.ts";
import { CustomLogger } from "../../core/callbacks/custom-logger.ts";
import { WANTS_EVENT_MARKS, type EventMark } from "../../core/callbacks/event-marks.ts";
import { DEFAULT_RECORD_POLICY, type RecordPolicy } from "../../core/callbacks/safe-json.ts";
import type { CallbackKwargs } from "../../core/types.ts";
import { addUiHost } from "../../core/ui/hosts.ts";
import { ringOf, weigh, type CallRing } from "../../core/ui/ring.ts";
import { attemptEnded, attemptOf, newState, type CallState } from "./calls.ts";

/** Bytes one event's kwargs may take in the ring (the config's max_record_bytes, when lower, wins): a page shows them, it does not archive them. */
export const UI_RECORD_BYTES = 64 * 1024;

export class UiLogger extends CustomLogger {
  /** Where its calls go: its runtime's ring (or, made by hand or for the process-wide lists, one of its own scope's). */
  readonly ring: CallRing;
  private readonly records: RecordPolicy;
  private readonly host: BuiltinHost | undefined;
  private release: (() => void) | undefined;
  readonly [WANTS_EVENT_MARKS] = true;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    super(options);
    const policy = context?.records ?? DEFAULT_RECORD_POLICY;
    this.records = Object.freeze({ maxBytes: Math.min(policy.maxBytes, UI_RECORD_BYTES), scrub: policy.scrub });
    this.host = context?.host;
    this.ring = ringOf(this.host?.owner ?? this);
    this.release = this.host ? addUiHost(this.host) : undefined;
  }

  /** `marks`: the attempt's earlier events, which the runtime hands a handler that asked for them (`WANTS_EVENT_MARKS`). */
  override log_success_event(kwargs: CallbackKwargs, _response: unknown, _start: Date, end: Date, marks?: readonly EventMark[]): void {
    this.ended("success", kwargs, end, marks);
  }

  override log_failure_event(kwargs: CallbackKwargs, _response: unknown, _start: Date, end: Date, marks?: readonly EventMark[]): void {
    this.ended("failure", kwargs, end, marks);
  }

  close(): void {
    this.release?.();
    this.release = undefined;
  }

  private ended(status: "success" | "failure", kwargs: CallbackKwargs, end: Date | null | undefined, marks: readonly EventMark[] = []): void {
    const entry = this.ring.entry(String(kwargs.litellm_trace_id || kwargs.litellm_call_id || ""));
    entry.state ??= newState(kwargs);
    const attempt = attemptOf(kwargs);
    const at = kwargs.end_time instanceof Date ? kwargs.end_time : end instanceof Date ? end : new Date();
    this.ring.addEvent(entry, { event: status, attempt, at: at.getTime(), kwargs, marks, policy: this.records, weight: weigh(kwargs) });
    const record = kwargs.standard_logging_object;
    if (record) this.ring.setRecord(entry, record, this.records);
    const failed = status === "failure";
    const row = attemptEnded(entry.state as CallState, entry.id, kwargs, {
      attempt,
      status,
      end: at.getTime(),
      error_message: failed ? this.errorText(kwargs) : null,
      cooled_down: failed && this.cooledDown(kwargs),
    });
    this.ring.publish(entry, row);
  }

  private errorText(kwargs: CallbackKwargs): string | null {
    const text = kwargs.standard_logging_object?.error_str ?? (kwargs.exception as { message?: unknown } | undefined)?.message;
    return typeof text === "string" ? this.records.scrub(text) : null;
  }

  /** Whether the router has the failed deployment cooling down now (read on failures only: it walks every deployment). */
  private cooledDown(kwargs: CallbackKwargs): boolean {
    const id = (kwargs.litellm_params?.model_info as { id?: unknown } | null | undefined)?.id;
    if (typeof id !== "string") return false;
    try {
      return this.host?.routing()?.deployments().some((d) => d.model_id === id && d.state === 2) ?? false;
    } catch {
      return false;
    }
  }
}

registerReadOnlyBuiltin("ui", (options, context) => new UiLogger(options, context));
