import { baseKwargs } from "../callbacks/kwargs.ts";
import type { CallTrail, Dispatcher, TaskCount } from "../callbacks/dispatcher.ts";
import type { EventName, EventPayload, EventTable } from "../callbacks/registry.ts";
import { standardLoggingObject } from "../callbacks/standard-logging.ts";
import { callMask, type Mask } from "../callbacks/redact.ts";
import type { EventMark } from "../callbacks/event-marks.ts";
import type { CallbackKwargs, LogEventType } from "../types.ts";
import type { BaseKwargsInput } from "../callbacks/kwargs.ts";
import type { CallSettings } from "./env.ts";

/** When the provider's answer came (epoch ms), how long it was awaited (ms), and its rate-limit headers. */
export interface ProviderAnswerTiming {
  readonly at: number;
  readonly waitMs: number;
  readonly headers: Readonly<Record<string, string>> | undefined;
}

// A chunk is logged from LiteLLM's success handler, which marks it a successful call.
const LOG_TYPE: Record<EventName, LogEventType> = {
  pre_api_call: "pre_api_call",
  post_api_call: "post_api_call",
  stream_event: "successful_api_call",
  success: "successful_api_call",
  failure: "failed_api_call",
};

/**
 * The state of one call: its kwargs (which grow as the call goes on) and the
 * handler table it reports to. Each event hands its handlers a copy, so a
 * handler running later in the background still sees the kwargs of its event.
 */
export class CallContext {
  readonly kwargs: CallbackKwargs;
  readonly trail: CallTrail;
  private streamKwargs: CallbackKwargs | undefined;
  /** What this call hides from its loggers, read at its first event (after the pre-call hooks). */
  private mask: Mask | undefined;
  /** When the provider's answer came, how long it was awaited, and its rate-limit headers (events.ts `noteAnswer`). */
  answer: ProviderAnswerTiming | undefined = undefined;
  /** The call's pre_api_call and post_api_call, noted when a handler of its end events asked (`EventTable.marks`). */
  private marks: EventMark[] | undefined;

  constructor(
    input: BaseKwargsInput,
    readonly table: EventTable,
    private readonly dispatcher: Dispatcher,
    readonly settings: CallSettings,
    owner?: TaskCount,
    /** A call from the server that no callback, hook or tracer sees: what only they read of its kwargs need not be made. */
    readonly quiet = false,
  ) {
    this.trail = owner ? { owner } : {};
    this.kwargs = baseKwargs(input);
  }

  get start(): Date {
    return this.kwargs.start_time;
  }

  /** Whether anyone listens to an event; lets the caller skip building what nobody reads. */
  wants(event: EventName): boolean {
    return this.table[event].length > 0;
  }

  /**
   * Queues an event for its handlers. At post_api_call the handlers get `end_time` null, as LiteLLM passes it,
   * so that event is emitted without an `end` (every other one with it): no Date is made for a call nobody listens to.
   */
  emit(event: EventName, response: unknown, end?: Date): void {
    if (this.table.marks && (event === "pre_api_call" || event === "post_api_call")) {
      (this.marks ??= []).push({ event, at: end ? end.getTime() : Date.now(), keys: Object.keys(this.kwargs) });
    }
    const handlers = this.table[event];
    if (handlers.length === 0) return;
    const end_ = end ?? null;
    if (!this.table.seen[event]) {
      // No handler of this event can see what it is handed: no copy, no record, nothing to redact.
      this.dispatcher.emit(handlers, { kwargs: this.kwargs, response, start: this.kwargs.start_time, end: end_, prepare: undefined, mask: 0, marks: undefined }, this.trail, this.settings.callback_timeout * 1000);
      return;
    }
    const mask = (this.mask ??= callMask(this.settings.turn_off_message_logging, this.kwargs.litellm_params.metadata));
    // Chunks of one stream share one kwargs copy: nothing in it changes between them.
    const kwargs = event === "stream_event" ? (this.streamKwargs ??= this.snapshot(event)) : this.snapshot(event);
    const ends = event === "success" || event === "failure";
    const payload: EventPayload = { kwargs, response, start: this.kwargs.start_time, end: end_, prepare: ends ? this.record(kwargs, event, response) : undefined, mask, marks: ends ? this.marks : undefined };
    this.dispatcher.emit(handlers, payload, this.trail, this.settings.callback_timeout * 1000);
  }

  private snapshot(event: EventName): CallbackKwargs {
    return { ...this.kwargs, log_event_type: LOG_TYPE[event] };
  }

  /**
   * Builds the event's record in the background, before its first handler runs: the call need not wait for it.
   * Under turn_off_message_logging it is built redacted; a view that hides more redacts its own copy of it.
   */
  private record(kwargs: CallbackKwargs, status: "success" | "failure", response: unknown): () => void {
    const { turn_off_message_logging: redactAll, secrets } = this.settings;
    return () => void (kwargs.standard_logging_object = standardLoggingObject(kwargs, status, response, redactAll, secrets));
  }
}
