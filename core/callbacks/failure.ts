/**
 * The one failure boundary around callbacks: whatever a callback throws is
 * described without trusting it, every `CallbackError` is made here, and a
 * callback's own `flush()` / `close()` is given a bounded time.
 */
import { CALLBACK_ERROR_CODES, CallbackError } from "../errors.ts";
import { callbackName } from "./registry.ts";

/** Longest description kept of a thrown value: a thrown megabyte string must not become a megabyte log line. */
const MAX_DESCRIPTION = 500;

/**
 * Words for any thrown value, without calling anything the value controls
 * that may throw: a null-prototype object, a revoked Proxy, a `toString` or a
 * `message` getter that throws, a Symbol, `undefined`. Never throws.
 */
export function describeThrown(value: unknown): string {
  let text: string;
  try {
    text = describe(value);
  } catch {
    text = "a value that cannot be read";
  }
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION)}…` : text;
}

function describe(value: unknown): string {
  switch (typeof value) {
    case "undefined":
      return "undefined (it threw or rejected with no value)";
    case "string":
      return value === "" ? "an empty string" : value;
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "symbol":
      return `a Symbol(${value.description ?? ""})`;
    case "function":
      return `a function ${readName(value) || "(anonymous)"}`;
  }
  if (value === null) return "null";
  const obj = value as object;
  let proto: object | null;
  try {
    proto = Object.getPrototypeOf(obj);
  } catch {
    return "an object that cannot be inspected (a revoked Proxy?)";
  }
  if (isError(obj)) {
    const message = readString(obj, "message");
    const name = readString(obj, "name") ?? "Error";
    if (message === undefined) return `${name} whose message cannot be read`;
    return message || name;
  }
  const message = readString(obj, "message");
  if (message) return message;
  const keys = ownKeys(obj);
  const kind = proto === null ? "an object with a null prototype" : `${article(readName((proto as { constructor?: unknown }).constructor) || "object")} (not an Error)`;
  return keys ? `${kind} {${keys}}` : kind;
}

const article = (noun: string): string => `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;

function isError(value: object): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** An own or inherited string property, read once; undefined when it is not a string or reading it throws. */
function readString(obj: object, key: string): string | undefined {
  try {
    const v = (obj as Record<string, unknown>)[key];
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

function readName(fn: unknown): string {
  if (typeof fn !== "function") return "";
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === "string" ? name : "";
  } catch {
    return "";
  }
}

/** The first few own keys, to tell one thrown object from another. */
function ownKeys(obj: object): string {
  try {
    const keys = Object.keys(obj);
    return keys.slice(0, 5).join(", ") + (keys.length > 5 ? ", …" : "");
  } catch {
    return "";
  }
}

/** Whether a thrown value is an Error whose message can be read: one that can travel on as the call's own error. */
export function isReadableError(value: unknown): value is Error {
  try {
    return value instanceof Error && typeof value.message === "string" && (value.stack === undefined || typeof value.stack === "string");
  } catch {
    return false;
  }
}

/**
 * What may sit in an error's `cause`: an Error that can be read, or a primitive.
 * Any other object stays out, as code that walks the cause chain (retry rules,
 * the server's mapping) would trip on a revoked Proxy there; the message describes it.
 */
export function safeCause(thrown: unknown): unknown {
  return thrown === null || (typeof thrown !== "object" && typeof thrown !== "function") || isReadableError(thrown) ? thrown : undefined;
}

/** What a callback did: threw or rejected with `thrown`, did not settle within `timeoutMs`, or something its site puts in words. */
export type Fault = { thrown: unknown } | { timeoutMs: number } | { text: string; cause?: unknown };

/**
 * The one way a `CallbackError` is made: a code, the callback's name, the
 * event or method, what happened (a thrown value described safely), and
 * `outcome`, what it means for the call and how to fix it.
 */
export function callbackFailure(code: string, callback: string, event: string, fault: Fault, outcome = ""): CallbackError {
  const tail = outcome ? ` ${outcome}` : "";
  if ("thrown" in fault) {
    const reason = describeThrown(fault.thrown).replace(/\.$/, "");
    return new CallbackError(`callback "${callback}" failed in ${event}: ${reason}.${tail}`, code, callback, event, safeCause(fault.thrown));
  }
  if ("timeoutMs" in fault) return new CallbackError(`callback "${callback}" did not finish ${event} within ${fault.timeoutMs} ms.${tail}`, code, callback, event);
  return new CallbackError(`${fault.text}${tail}`, code, callback, event, fault.cause);
}

/** Where failures go, and how they are counted (a dispatcher's `fault`). */
export type FaultSink = (err: CallbackError) => void;

/**
 * Calls a callback's own `flush()` or `close()` and waits at most `timeoutMs`
 * for it: a failure (whatever it throws) or an overrun is reported, never
 * thrown, and one that never settles is left behind.
 */
export function callOwnMethod(target: object, method: "flush" | "close", timeoutMs: number, sink: FaultSink): Promise<void> {
  const name = nameOf(target);
  let work: Promise<unknown>;
  try {
    const fn = (target as Record<string, unknown>)[method];
    if (typeof fn !== "function") return Promise.resolve();
    // Promise.resolve adopts any thenable; one whose `then` throws becomes a rejection, not a throw.
    work = Promise.resolve(fn.call(target));
  } catch (thrown) {
    sink(callbackFailure(CALLBACK_ERROR_CODES.threw, name, method, { thrown }, OWN_METHOD_OUTCOME[method]));
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      sink(
        callbackFailure(
          CALLBACK_ERROR_CODES.timeout,
          name,
          method,
          { timeoutMs },
          "It was left running so shutdown and flush go on; raise litellm_settings.callback_timeout if it is only slow.",
        ),
      );
      resolve();
    }, timeoutMs);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (thrown: unknown) => {
        clearTimeout(timer);
        sink(callbackFailure(CALLBACK_ERROR_CODES.threw, name, method, { thrown }, OWN_METHOD_OUTCOME[method]));
        resolve();
      },
    );
  });
}

const OWN_METHOD_OUTCOME = {
  flush: "Its undelivered events may be lost; the other callbacks were flushed.",
  close: "The other callbacks were closed.",
} as const;

/** The callback's name for a report; a name getter that throws gets a stand-in. */
function nameOf(target: object): string {
  try {
    return callbackName(target);
  } catch {
    return "callback";
  }
}
