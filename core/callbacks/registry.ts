import { InvalidCallbackError } from "../errors.ts";
import type { CallbackInput, CallbackKwargs, CallType, CustomLoggerMethods } from "../types.ts";
import { HookCollector, NO_HOOKS, type CallHooks } from "./call-hooks.ts";
import { LOGGER_METHODS, ownMethod, type LoggerMethod } from "./custom-logger.ts";
import { wantsMarks, type EventMark } from "./event-marks.ts";
import { isBlind, needsCopy, redactsFor } from "./handler-copy.ts";
import type { Mask } from "./redact.ts";
import { tracerOf, type CallTracer } from "../tracing/seam.ts";

/** The logging events, in the order one call delivers them. */
export const EVENTS = ["pre_api_call", "post_api_call", "stream_event", "success", "failure"] as const;
export type EventName = (typeof EVENTS)[number];

/** The lists a callback can be registered in, as LiteLLM names them. */
export type ListKind = "callbacks" | "input_callback" | "success_callback" | "failure_callback";

/** Which events an entry of each list may receive (a logger gets those of them it defines). */
const LIST_EVENTS: Record<ListKind, readonly EventName[]> = {
  callbacks: EVENTS,
  input_callback: ["pre_api_call"],
  success_callback: ["success"],
  failure_callback: ["failure"],
};

/**
 * The events a built-in takes from whichever list names it, beyond what the
 * list gives (console's debug lines from `success_callback` too): set on the
 * instance when it is made, read when the lists compile, never per call.
 */
export const OWN_EVENTS: unique symbol = Symbol("litellm-runtime.ownEvents");

/** What a built-in declares under `OWN_EVENTS`. */
export interface OwnEvents {
  readonly [OWN_EVENTS]?: readonly EventName[];
}

/**
 * Which method each entry point calls for an event: the form LiteLLM calls
 * first, then the one a handler that defines only that form gets instead (so
 * no event is lost). LiteLLM calls `log_pre_api_call` and `log_post_api_call`
 * from both entry points (it has no async post form); success, failure and
 * chunks in the entry point's own form.
 */
export const EVENT_METHODS: Readonly<Record<EventName, { readonly sync: readonly LoggerMethod[]; readonly async: readonly LoggerMethod[] }>> = {
  pre_api_call: { sync: ["log_pre_api_call", "async_log_pre_api_call"], async: ["log_pre_api_call", "async_log_pre_api_call"] },
  post_api_call: { sync: ["log_post_api_call"], async: ["log_post_api_call"] },
  stream_event: { sync: ["log_stream_event", "async_log_stream_event"], async: ["async_log_stream_event", "log_stream_event"] },
  success: { sync: ["log_success_event", "async_log_success_event"], async: ["async_log_success_event", "log_success_event"] },
  failure: { sync: ["log_failure_event", "async_log_failure_event"], async: ["async_log_failure_event", "log_failure_event"] },
};

/** The first of `methods` the handler implements itself, with its name. */
function firstOwn(target: object, methods: readonly LoggerMethod[]): { name: LoggerMethod; fn: (...args: any[]) => unknown } | undefined {
  for (const name of methods) {
    const fn = ownMethod(target, name);
    if (fn) return { name, fn };
  }
  return undefined;
}

/** What every event hands its handlers. For stream_event, `response` is the chunk. */
export interface EventPayload {
  kwargs: CallbackKwargs;
  response: unknown;
  start: Date;
  /** `null` at post_api_call, as LiteLLM passes it. */
  end: Date | null;
  /**
   * Work that completes `kwargs` (the standard logging object) and may wait for the
   * background: the dispatcher runs it once, before the event's first handler.
   */
  prepare?: (() => void) | undefined;
  /** What the call hides from every logger (`turn_off_message_logging`, `metadata.mask_input` / `mask_output`); 0 or absent: nothing. */
  mask?: Mask | undefined;
  /** The redacted views the handlers without a copy of their own share, by mask: made on first need. */
  redactedViews?: Array<EventPayload | undefined>;
  /** At a success or failure, the call's earlier events, when a handler asked for them (core/callbacks/event-marks.ts). */
  marks?: readonly EventMark[] | undefined;
}

/** One handler of one event, ready to run: the signature is adapted once, here. */
export interface Handler {
  /** The callback's name, for error reports. */
  readonly name: string;
  /** The method or list it runs as (`async_log_success_event`, `success_callback`). */
  readonly method: string;
  /** Index of its target in `CompiledCallbacks.targets`: events of one call reach one target in order. */
  readonly slot: number;
  /** Whether it gets its own copy of the payload (a user's handler that can see it), decided when the lists are compiled. */
  readonly copies: boolean;
  /** Whether it is always handed redacted content (built with `message_logging: false`), decided when the lists are compiled. */
  readonly redacts: boolean;
  /** Whether it cannot see what it is handed (a user's function that declares no parameter): it needs no copy and no record. */
  readonly blind: boolean;
  /** Whether its object asked for the marks of a call's earlier events (core/callbacks/event-marks.ts). */
  readonly marks: boolean;
  readonly invoke: (p: EventPayload) => unknown;
}

export type { Hook, CallHooks } from "./call-hooks.ts";

/**
 * Per event, its handlers in order; `seen` says whether any of them can see the payload, `marks` whether a call
 * notes its earlier events for a handler that asked (core/callbacks/event-marks.ts). Decided when the lists compile.
 */
export type EventTable = Readonly<Record<EventName, readonly Handler[]>> & { readonly seen: Readonly<Record<EventName, boolean>>; readonly marks: boolean };

/** The callback lists of one scope, sorted per event once, so a call only walks arrays. */
export interface CompiledCallbacks {
  /** For `completion()`: the `log_*` methods, falling back to the `async_log_*` ones. */
  readonly sync: EventTable;
  /** For `acompletion()`: the `async_log_*` methods, falling back to the `log_*` ones. */
  readonly async: EventTable;
  /** The call hooks of the handlers in `callbacks` lists (core/callbacks/call-hooks.ts). */
  readonly hooks: CallHooks;
  /** Distinct callback objects and functions, in registration order (for flush and close). */
  readonly targets: readonly object[];
  /** The targets that trace calls (the otel built-in and its presets; core/tracing/seam.ts), in registration order. */
  readonly tracers: readonly CallTracer[];
}

/** One list of entries, as registered. `events` narrows what the entries receive (the config's object form). */
export interface CallbackSource {
  readonly list: ListKind;
  readonly entries: readonly CallbackInput[];
  readonly events?: readonly EventName[];
}

/** Turns a built-in name (`"console"`), with the object form's options if any, into its handler object. */
export type BuiltinResolver = (name: string, list: ListKind, options?: Record<string, unknown>) => object;

/** The object form `{ callback, events, options }`, checked: one reading for config files and the process-wide lists. */
export interface ObjectForm {
  readonly spec: string;
  readonly events?: EventName[];
  readonly options: Record<string, unknown>;
}

/** Whether an entry is written in the object form (`{ callback: "webhook", options: {...} }`), checked or not. */
export function isObjectForm(entry: unknown): entry is { callback: unknown } {
  return !!entry && typeof entry === "object" && !Array.isArray(entry) && "callback" in entry;
}

/** Reads `{ callback, events, options }`; throws InvalidCallbackError saying which field is wrong and what is allowed. */
export function readObjectForm(ref: { callback: unknown }): ObjectForm {
  const { callback, events, options } = ref as Record<string, unknown>;
  if (typeof callback !== "string" || !callback.trim()) {
    throw new InvalidCallbackError(`the object form needs "callback": a built-in name, a module path or module.attribute; found ${describeValue(callback)}.`);
  }
  if (events !== undefined && (!Array.isArray(events) || events.some((e) => !(EVENTS as readonly unknown[]).includes(e)))) {
    throw new InvalidCallbackError(`"events" must be a list of ${EVENTS.join(", ")}; found ${JSON.stringify(events)}.`);
  }
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw new InvalidCallbackError(`"options" must be a mapping; found ${describeValue(options)}.`);
  }
  return { spec: callback.trim(), ...(events ? { events: [...(events as EventName[])] } : {}), options: { ...(options as Record<string, unknown> | undefined) } };
}

/** "a number (42)", "null", "an array" ... for messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "function") return `a function ${value.name}`;
  return `a ${typeof value} (${typeof value === "symbol" || typeof value === "bigint" ? String(value) : JSON.stringify(value)})`;
}

/** The name a report uses for a callback. */
export function callbackName(target: unknown): string {
  if (typeof target === "function") return target.name || "anonymous function";
  if (target && typeof target === "object") {
    const own = (target as { callback_name?: unknown }).callback_name;
    if (typeof own === "string") return own;
    const ctor = (target as object).constructor;
    if (ctor && ctor !== Object && ctor.name) return ctor.name;
    return "callback object";
  }
  return String(target);
}

/** Whether a value can stand in a callback list; a string must then be a built-in name. */
export function assertCallback(entry: unknown, where: string): asserts entry is CallbackInput {
  if (typeof entry === "function" || typeof entry === "string") return;
  if (isObjectForm(entry)) {
    try {
      readObjectForm(entry);
    } catch (err) {
      throw new InvalidCallbackError(`${where}: ${(err as Error).message}`);
    }
    return;
  }
  if (entry && typeof entry === "object" && LOGGER_METHODS.some((m) => typeof (entry as Record<string, unknown>)[m] === "function")) return;
  const found = entry === null ? "null" : Array.isArray(entry) ? "an array" : typeof entry === "object" ? "an object with none of the CustomLogger methods" : `${typeof entry} ${JSON.stringify(entry)}`;
  throw new InvalidCallbackError(
    `${where}: expected a CustomLogger (or an object with its methods), a function, a built-in name or { callback, options }, but found ${found}.`,
  );
}

const NOT_SEEN: Readonly<Record<EventName, boolean>> = Object.freeze({ pre_api_call: false, post_api_call: false, stream_event: false, success: false, failure: false });
const EMPTY: EventTable = Object.freeze({ pre_api_call: [], post_api_call: [], stream_event: [], success: [], failure: [], seen: NOT_SEEN, marks: false });

/** A table as a call reads it: frozen, with whether each event's payload can be seen by any of its handlers. */
function sealTable(handlers: Record<EventName, Handler[]>): EventTable {
  const seen = { ...NOT_SEEN };
  for (const event of EVENTS) seen[event] = handlers[event].some((h) => !h.blind);
  const marks = handlers.success.some((h) => h.marks) || handlers.failure.some((h) => h.marks);
  return Object.freeze({ ...handlers, seen: Object.freeze(seen), marks });
}

/** Sorts callback lists into per-event handler arrays. Runs when lists change, never per call. */
export function compileCallbacks(sources: readonly CallbackSource[], resolveBuiltin: BuiltinResolver): CompiledCallbacks {
  const targets: object[] = [];
  const slotOf = new Map<object, number>();
  const seen = new Set<string>();
  const sync: Record<EventName, Handler[]> = { pre_api_call: [], post_api_call: [], stream_event: [], success: [], failure: [] };
  const async: Record<EventName, Handler[]> = { pre_api_call: [], post_api_call: [], stream_event: [], success: [], failure: [] };
  const hooks = new HookCollector();

  const slot = (target: object): number => {
    let s = slotOf.get(target);
    if (s === undefined) {
      s = targets.push(target) - 1;
      slotOf.set(target, s);
    }
    return s;
  };
  // Dedup is per target and event: the same function or instance runs once per event.
  const claim = (target: object, event: EventName): boolean => {
    const key = `${slot(target)}:${event}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };

  for (const source of sources) {
    const listAllowed = source.events ? LIST_EVENTS[source.list].filter((e) => source.events!.includes(e)) : LIST_EVENTS[source.list];
    source.entries.forEach((raw, i) => {
      assertCallback(raw, `${source.list}[${i}]`);
      const form = isObjectForm(raw) ? readObjectForm(raw) : undefined;
      const target = typeof raw === "string" ? resolveBuiltin(raw, source.list) : form ? resolveBuiltin(form.spec, source.list, form.options) : raw;
      const name = typeof raw === "string" ? raw : form ? form.spec : callbackName(raw);
      const allowed = form?.events ? listAllowed.filter((e) => form.events!.includes(e)) : listAllowed;
      if (typeof target === "function") {
        const fn = target as (...args: unknown[]) => unknown;
        const events: readonly EventName[] = source.list === "callbacks" ? ["success", "failure"] : allowed;
        for (const event of events) {
          if (!allowed.includes(event) || !claim(fn, event)) continue;
          const invoke = event === "pre_api_call" ? (p: EventPayload) => fn(p.kwargs) : (p: EventPayload) => fn(p.kwargs, p.response, p.start, p.end);
          const blind = isBlind(fn, fn);
          const handler: Handler = { name, method: source.list, slot: slot(fn), copies: needsCopy(fn, fn), redacts: !blind && redactsFor(fn), blind, marks: false, invoke };
          sync[event].push(handler);
          async[event].push(handler);
        }
        return;
      }
      // A built-in's own events too; a name in two lists is one instance, and `claim` runs each of its events once.
      for (const event of ownEvents(target, allowed, source.events, form?.events) ?? allowed) {
        const forSync = firstOwn(target, EVENT_METHODS[event].sync);
        const forAsync = firstOwn(target, EVENT_METHODS[event].async);
        if (!forSync || !forAsync) continue;
        if (!claim(target, event)) continue;
        const s = slot(target);
        const syncHandler = methodHandler(target, name, forSync.name, forSync.fn, event, s);
        sync[event].push(syncHandler);
        async[event].push(forAsync.name === forSync.name ? syncHandler : methodHandler(target, name, forAsync.name, forAsync.fn, event, s));
      }
      if (source.list === "callbacks") {
        hooks.add(target, name);
        // A handler with hooks only is still one to flush and close.
        slot(target);
      }
    });
  }
  return Object.freeze({
    sync: sealTable(sync),
    async: sealTable(async),
    hooks: hooks.done(),
    targets: Object.freeze(targets),
    tracers: tracersOf(targets),
  });
}

/** `allowed` plus the target's own events, narrowed as the list's and the entry's `events` narrow any other; undefined when it has none to add. */
function ownEvents(target: object, allowed: readonly EventName[], ...narrowing: Array<readonly EventName[] | undefined>): readonly EventName[] | undefined {
  const own = (target as OwnEvents)[OWN_EVENTS];
  if (!own) return undefined;
  return EVENTS.filter((e) => allowed.includes(e) || (own.includes(e) && narrowing.every((n) => !n || n.includes(e))));
}

const NO_MARKS: readonly EventMark[] = Object.freeze([]);

function methodHandler(target: object, name: string, method: string, fn: (...args: any[]) => unknown, event: EventName, slot: number): Handler {
  const marks = (event === "success" || event === "failure") && wantsMarks(target);
  // A handler that asked for the call's earlier events gets them after the four arguments every end event has.
  const invoke =
    event === "pre_api_call"
      ? (p: EventPayload) => fn.call(target, p.kwargs.model, p.kwargs.messages, p.kwargs)
      : marks
        ? (p: EventPayload) => fn.call(target, p.kwargs, p.response, p.start, p.end, p.marks ?? NO_MARKS)
        : (p: EventPayload) => fn.call(target, p.kwargs, p.response, p.start, p.end);
  const blind = isBlind(target, fn);
  return { name, method, slot, copies: needsCopy(target, fn), redacts: !blind && redactsFor(target), blind, marks, invoke };
}

export const NO_CALLBACKS: CompiledCallbacks = Object.freeze({
  sync: EMPTY,
  async: EMPTY,
  hooks: NO_HOOKS,
  targets: [],
  tracers: [],
});

function tracersOf(targets: readonly object[]): readonly CallTracer[] {
  const out: CallTracer[] = [];
  for (const t of targets) {
    const tracer = tracerOf(t);
    if (tracer && !out.includes(tracer)) out.push(tracer);
  }
  return Object.freeze(out);
}

/** Whether a compiled set has anything at all to run. */
export function isEmpty(c: CompiledCallbacks): boolean {
  return c.targets.length === 0;
}

export type { CustomLoggerMethods, CallType };
