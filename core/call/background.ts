import type { Hook } from "../callbacks/call-hooks.ts";
import type { Dispatcher, TaskCount } from "../callbacks/dispatcher.ts";
import { ownCopy } from "../callbacks/handler-copy.ts";
import { callbackFailure } from "../callbacks/failure.ts";
import type { EventPayload, Handler } from "../callbacks/registry.ts";
import { CALLBACK_ERROR_CODES } from "../errors.ts";
import type { CallbackKwargs } from "../types.ts";
import type { CallContext } from "./context.ts";
import { settle } from "./hooks.ts";

/**
 * Hook work that must not hold up the call but must be done before `flush()`
 * returns: the logging hooks that run before the success and failure loggers,
 * and the router's fallback events. Each runs as one task of the dispatcher,
 * so it is waited for, bounded and reported like any logging.
 */

/** The dispatcher needs a payload per task; these tasks read none. */
const NO_PAYLOAD: EventPayload = Object.freeze({ kwargs: {} as CallbackKwargs, response: null, start: new Date(0), end: null }) as EventPayload;

function background(dispatcher: Dispatcher, hook: Hook, timeoutMs: number, owner: TaskCount | undefined, work: () => unknown): void {
  const task: Handler = { name: hook.name, method: hook.method, slot: 0, copies: false, redacts: false, blind: true, marks: false, invoke: work };
  dispatcher.emit([task], NO_PAYLOAD, owner ? { owner } : {}, timeoutMs);
}

/**
 * Puts a call's logging hooks (`async_logging_hook` / `logging_hook`) in front
 * of its success and failure events, as LiteLLM runs them before its success
 * handlers: each gets `(kwargs, result, call_type)` and returns the
 * `[kwargs, result]` every logger then receives (masking, say). They work on a
 * copy, so the caller's messages and response are never touched. A hook that
 * fails or runs past its time is reported and skipped: the next one, and the
 * loggers, get what it was given.
 */
export function withLoggingHooks(ctx: CallContext, hooks: readonly Hook[], dispatcher: Dispatcher): void {
  if (hooks.length === 0) return;
  const emit = ctx.emit.bind(ctx);
  const timeoutMs = ctx.settings.callback_timeout * 1000;
  ctx.emit = (event, response, end) => {
    if (event !== "success" && event !== "failure") return emit(event, response, end);
    // The kwargs as of this event; the loggers' event is emitted once the hooks are done.
    const kwargs = { ...ctx.kwargs };
    background(dispatcher, hooks[0]!, timeoutMs * (hooks.length + 1), ctx.trail.owner, async () => {
      let result = response;
      try {
        const copy = ownCopy({ kwargs, response, start: ctx.start, end: end ?? null });
        let k = copy.kwargs;
        result = copy.response;
        for (const hook of hooks) {
          const out = await settle(hook, [k, result, k.call_type], timeoutMs);
          const skipped = "Its change was not applied; the loggers got what it was given.";
          if ("timedOut" in out) dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.timeout, hook.name, hook.method, { timeoutMs }, skipped));
          else if ("thrown" in out) dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown: out.thrown }, skipped));
          else {
            const pair = loggable(out.value);
            if (pair) [k, result] = pair;
            else dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { text: "it returned something other than [kwargs, result], with kwargs an object as it was given." }, skipped));
          }
        }
        replaceKwargs(ctx.kwargs, k);
      } finally {
        // Whatever the hooks did, the loggers get their event: every call is logged once.
        emit(event, result, end);
      }
    });
  };
}

/** `[kwargs, result]` as a logging hook returns it, when kwargs is still a kwargs object (its `litellm_params` with it); else undefined. */
function loggable(value: unknown): [CallbackKwargs, unknown] | undefined {
  try {
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [k, result] = value as [unknown, unknown];
    if (!k || typeof k !== "object" || Array.isArray(k) || Object.getPrototypeOf(k) !== Object.prototype) return undefined;
    const params = (k as CallbackKwargs).litellm_params;
    return params && typeof params === "object" ? [k as CallbackKwargs, result] : undefined;
  } catch {
    return undefined;
  }
}

/** `target` becomes `source` key for key: the context's kwargs object stays the one its events copy. */
function replaceKwargs(target: CallbackKwargs, source: CallbackKwargs): void {
  if (target === source) return;
  for (const key of Object.keys(target)) if (!(key in source)) delete target[key];
  Object.assign(target, source);
}

/** Delivers one router event to its hooks (`log_success_fallback_event`, ...), each in the background with the same arguments. */
export function routerEvent(hooks: readonly Hook[], args: readonly unknown[], dispatcher: Dispatcher, timeoutMs: number, owner: TaskCount | undefined): void {
  for (const hook of hooks) background(dispatcher, hook, timeoutMs, owner, () => hook.call(...args));
}
