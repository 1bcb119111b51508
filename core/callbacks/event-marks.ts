/**
 * Event marks: how a read-only built-in that handles only a call's end (the
 * live page's `ui`) still knows what the call's pre_api_call and post_api_call
 * handed their handlers, without being queued for those events.
 *
 * A call's kwargs only grow: each step adds keys (the request at pre_api_call,
 * `original_response` at post_api_call, the price and the record at the end)
 * and none replaces a top-level value set before an earlier event. So the
 * kwargs an earlier event handed out are the end event's, narrowed to the keys
 * there were then. A mark is those keys, with the event and its time; the call
 * notes one per earlier event only when a handler of its table asked for them
 * (decided when the lists compile), and hands them to that handler's
 * `log_success_event` / `log_failure_event` after their four arguments. A
 * logging hook that rewrites the end event's kwargs (masking, say) shows in the
 * earlier events too: they show what the loggers were handed last.
 */
import type { CallbackKwargs, LogEventType } from "../types.ts";

/** Set to true on a handler object that wants the marks of the events before its end events. */
export const WANTS_EVENT_MARKS = Symbol.for("litellm-runtime.wantsEventMarks");

export type MarkedEvent = "pre_api_call" | "post_api_call";

export interface EventMark {
  readonly event: MarkedEvent;
  /** Epoch ms of the event. */
  readonly at: number;
  /** The keys the call's kwargs had at the event. */
  readonly keys: readonly string[];
}

/** Whether a handler object asked for marks. */
export function wantsMarks(target: object): boolean {
  return (target as { [WANTS_EVENT_MARKS]?: unknown })[WANTS_EVENT_MARKS] === true;
}

/** The kwargs as `mark`'s event handed them: a later event's, narrowed to the mark's keys, with the mark's `log_event_type`. */
export function kwargsAt(kwargs: CallbackKwargs, mark: EventMark): CallbackKwargs {
  const from = kwargs as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of mark.keys) if (Object.hasOwn(from, key)) out[key] = from[key];
  out.log_event_type = mark.event satisfies LogEventType;
  return out as unknown as CallbackKwargs;
}
