import type { EventPayload, Handler } from "./registry.ts";
import { MASK_ALL, redactView, type Mask } from "./redact.ts";

/**
 * A handler's own copy of what an event gives it, so that what one handler
 * changes in kwargs, the response or the chunk reaches no other handler and
 * not the caller. LiteLLM callbacks write into kwargs freely, so the copy
 * stays writable: nothing is frozen.
 *
 * Copied: plain objects and arrays (at any depth up to `MAX_DEPTH`) and Dates.
 * Shared: class instances (the caller's Error in `kwargs.exception`, a Buffer,
 * a user's class), which cannot be copied faithfully.
 * Aliases stay aliases within one copy (`standard_logging_object.messages`
 * is the copy's `messages`), and cycles are kept as cycles.
 */

/** Handler objects that only read what they are given (the project's own built-ins): they share each event's payload. */
const readOnly = new WeakSet<object>();

export function markReadOnly(target: object): void {
  readOnly.add(target);
}

/**
 * Whether a handler needs its own copy: decided once, when the callback lists
 * are compiled. Not for the project's read-only built-ins, nor for a function
 * that cannot see what it is given (no declared parameter, no `arguments`):
 * the five counting callbacks of the dispatch benchmark are such functions.
 */
export function needsCopy(target: object, fn: Function): boolean {
  return !readOnly.has(target) && seesArguments(fn);
}

/** Whether a handler cannot see what it is given: a user's function with no declared parameter (never a built-in, which reads what it gets). */
export function isBlind(target: object, fn: Function): boolean {
  return !readOnly.has(target) && !seesArguments(fn);
}

/** A declared parameter, a default or rest one, `arguments` or `eval`; native and bound functions are assumed to see them. */
function seesArguments(fn: Function): boolean {
  if (fn.length > 0) return true;
  const source = Function.prototype.toString.call(fn);
  // `name() {`, `async name() {`, `function () {`, `() =>`, `async () =>`: an empty list before the body.
  if (!/^[^(]*\(\s*\)\s*(\{|=>)/.test(source)) return true;
  return /\barguments\b|\beval\b|\[native code\]/.test(source);
}

/** Whether a handler is always handed redacted content: one built with `message_logging: false` (read when the lists are compiled). */
export function redactsFor(target: object): boolean {
  return (target as { message_logging?: unknown }).message_logging === false;
}

/**
 * What one handler is handed for one event: its own copy, or the payload the
 * built-ins share; redacted when the handler or the call asks for it. The
 * redacted view the built-ins share is made once per event and mask.
 */
export function viewFor(handler: Handler, payload: EventPayload): EventPayload {
  const mask: Mask = handler.redacts ? MASK_ALL : (payload.mask ?? 0);
  if (handler.copies) return ownCopy(payload, mask);
  if (mask === 0) return payload;
  const views = (payload.redactedViews ??= []);
  return (views[mask] ??= ownCopy(payload, mask));
}

/** Past this depth values are shared, not copied: the copy must not overflow the stack on pathologically nested metadata. */
const MAX_DEPTH = 64;

/**
 * Copies one event's payload for one handler, redacting what `mask` hides.
 * Runs in the background, where the dispatcher invokes the handler.
 */
export function ownCopy(payload: EventPayload, mask: Mask = 0): EventPayload {
  const seen = new Map<object, unknown>();
  // The response first, so kwargs.complete_streaming_response and standard_logging_object.response alias its copy.
  const response = copyResponse(payload.response, seen);
  const kwargs = copyValue(payload.kwargs, seen, 0) as EventPayload["kwargs"];
  const view: EventPayload = { kwargs, response, start: copyValue(payload.start, seen, 0) as Date, end: copyValue(payload.end, seen, 0) as Date | null, marks: payload.marks };
  if (mask !== 0) redactView(view, mask);
  return view;
}

/** A response keeps its non-enumerable `_hidden_params`, which handlers read (LiteLLM's `response_obj._hidden_params`). */
function copyResponse(response: unknown, seen: Map<object, unknown>): unknown {
  const out = copyValue(response, seen, 0);
  if (out !== response && response !== null && typeof response === "object") {
    const hidden = Object.getOwnPropertyDescriptor(response, "_hidden_params");
    if (hidden && !hidden.enumerable && "value" in hidden) {
      Object.defineProperty(out, "_hidden_params", { ...hidden, value: copyValue(hidden.value, seen, 1) });
    }
  }
  return out;
}

function copyValue(value: unknown, seen: Map<object, unknown>, depth: number): unknown {
  if (value === null || typeof value !== "object") return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    seen.set(value, out);
    for (let i = 0; i < value.length; i++) out[i] = copyValue(value[i], seen, depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    // A spread clones the object's shape in one step; only the values that are objects are then replaced.
    const out: Record<string, unknown> = proto === null ? Object.assign(Object.create(null), value) : { ...value };
    seen.set(value, out);
    for (const key in out) {
      const v = out[key];
      if (v !== null && typeof v === "object") out[key] = copyValue(v, seen, depth + 1);
    }
    return out;
  }
  if (value instanceof Date) {
    const out = new Date(value.getTime());
    seen.set(value, out);
    return out;
  }
  // Errors are shared like other class instances: `kwargs.exception` is the error the caller got, as in LiteLLM.
  return value;
}
