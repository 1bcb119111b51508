import { baseKwargs } from "../callbacks/kwargs.ts";
import type { CallTrail, Dispatcher, TaskCount } from "../callbacks/dispatcher.ts";
import type { EventName, EventTable } from "../callbacks/registry.ts";
import { standardLoggingObject } from "../callbacks/standard-logging.ts";
import type { CallbackKwargs, LogEventType } from "../types.ts";
import type { BaseKwargsInput } from "../callbacks/kwargs.ts";
import type { CallSettings } from "./env.ts";

const LOG_TYPE: Record<EventName, LogEventType> = {
  pre_api_call: "pre_api_call",
  post_api_call: "post_api_call",
  stream_event: "post_api_call",
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

  constructor(
    input: BaseKwargsInput,
    readonly table: EventTable,
    private readonly dispatcher: Dispatcher,
    readonly settings: CallSettings,
    owner?: TaskCount,
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

  emit(event: EventName, response: unknown, end: Date): void {
    const handlers = this.table[event];
    if (handlers.length === 0) return;
    let kwargs: CallbackKwargs;
    let prepare: (() => void) | undefined;
    if (event === "stream_event") {
      // Chunks of one stream share one kwargs copy: nothing in it changes between them.
      kwargs = this.streamKwargs ??= { ...this.kwargs, log_event_type: LOG_TYPE[event] };
    } else {
      const copy = (kwargs = { ...this.kwargs, log_event_type: LOG_TYPE[event] });
      if (event === "success" || event === "failure") {
        // Built in the background, before the first handler runs: the call need not wait for it.
        const redact = this.settings.turn_off_message_logging;
        prepare = () => void (copy.standard_logging_object = standardLoggingObject(copy, event, response, redact, this.settings.secrets));
      }
    }
    this.dispatcher.emit(handlers, { kwargs, response, start: this.kwargs.start_time, end, prepare }, this.trail, this.settings.callback_timeout * 1000);
  }
}
