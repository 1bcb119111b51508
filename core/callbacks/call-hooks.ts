import { ownMethod, type LoggerMethod } from "./custom-logger.ts";

/**
 * The call hooks of a callback list, sorted once when the list compiles (as the
 * logging events are): a call walks these arrays, and a hook nobody defines
 * costs a call nothing. Only handlers in a `callbacks` list have hooks, as in
 * LiteLLM, where they are read from `litellm.callbacks`.
 */

/** One handler's implementation of one hook, bound to its handler. */
export interface Hook {
  /** The callback's name, for error reports. */
  readonly name: string;
  /** The hook it implements (`async_pre_call_hook`, ...). */
  readonly method: string;
  /** Calls the hook with its positional arguments; what it returns (a promise, a value, an async iterable) is the caller's to read. */
  readonly call: (...args: any[]) => unknown;
}

/** Every hook a call may run, by when it runs. */
export interface CallHooks {
  /** `async_pre_call_hook`: before routing, in order. */
  readonly pre: readonly Hook[];
  /** `async_moderation_hook`: beside the provider request, all at once. */
  readonly moderation: readonly Hook[];
  /** `async_post_call_success_hook`: after a success, in order. */
  readonly success: readonly Hook[];
  /** `async_post_call_failure_hook`: after a failed call, in order. */
  readonly failure: readonly Hook[];
  /** `async_post_call_streaming_hook`: per chunk, in order. */
  readonly chunk: readonly Hook[];
  /** `async_post_call_streaming_iterator_hook`: each wraps the stream the previous returned. */
  readonly iterator: readonly Hook[];
  /** The masking hooks before the success and failure loggers: `logging_hook` for the sync entry points, `async_logging_hook` for the async ones, each falling back to the other. */
  readonly logging: { readonly sync: readonly Hook[]; readonly async: readonly Hook[] };
  readonly successFallback: readonly Hook[];
  readonly failureFallback: readonly Hook[];
  readonly rateLimit: readonly Hook[];
  /** Whether a hook that holds up the call exists (pre, moderation, success, failure, streaming): a call without any skips that work altogether. */
  readonly awaited: boolean;
}

type Slot = Exclude<keyof CallHooks, "logging" | "awaited">;

/** Which array each single-form hook method goes to. */
const SLOTS: ReadonlyArray<readonly [LoggerMethod, Slot]> = [
  ["async_pre_call_hook", "pre"],
  ["async_moderation_hook", "moderation"],
  ["async_post_call_success_hook", "success"],
  ["async_post_call_failure_hook", "failure"],
  ["async_post_call_streaming_hook", "chunk"],
  ["async_post_call_streaming_iterator_hook", "iterator"],
  ["log_success_fallback_event", "successFallback"],
  ["log_failure_fallback_event", "failureFallback"],
  ["log_model_group_rate_limit_error", "rateLimit"],
];

/** Gathers the hooks of handlers in registration order; each handler once, however often it is listed. */
export class HookCollector {
  private readonly lists: Record<Slot, Hook[]> = {
    pre: [],
    moderation: [],
    success: [],
    failure: [],
    chunk: [],
    iterator: [],
    successFallback: [],
    failureFallback: [],
    rateLimit: [],
  };
  private readonly logging = { sync: [] as Hook[], async: [] as Hook[] };
  private readonly seen = new Set<object>();

  add(target: object, name: string): void {
    if (this.seen.has(target)) return;
    this.seen.add(target);
    for (const [method, slot] of SLOTS) {
      const fn = ownMethod(target, method);
      if (fn) this.lists[slot].push(bind(target, name, method, fn));
    }
    // LiteLLM calls logging_hook from its sync success handler and async_logging_hook from its async one.
    const sync = ownMethod(target, "logging_hook");
    const async = ownMethod(target, "async_logging_hook");
    if (sync || async) {
      this.logging.sync.push(sync ? bind(target, name, "logging_hook", sync) : bind(target, name, "async_logging_hook", async!));
      this.logging.async.push(async ? bind(target, name, "async_logging_hook", async) : bind(target, name, "logging_hook", sync!));
    }
  }

  done(): CallHooks {
    const l = this.lists;
    if (Object.values(l).every((a) => a.length === 0) && this.logging.sync.length === 0) return NO_HOOKS;
    const awaited = [l.pre, l.moderation, l.success, l.failure, l.chunk, l.iterator].some((a) => a.length > 0);
    const frozen = Object.fromEntries(Object.entries(l).map(([k, v]) => [k, Object.freeze(v)])) as Record<Slot, readonly Hook[]>;
    return Object.freeze({ ...frozen, logging: Object.freeze({ sync: Object.freeze(this.logging.sync), async: Object.freeze(this.logging.async) }), awaited });
  }
}

function bind(target: object, name: string, method: string, fn: (...args: any[]) => unknown): Hook {
  return { name, method, call: (...args: any[]) => fn.apply(target, args) };
}

const NONE: readonly Hook[] = Object.freeze([]);

/** A list without hooks. */
export const NO_HOOKS: CallHooks = Object.freeze({
  pre: NONE,
  moderation: NONE,
  success: NONE,
  failure: NONE,
  chunk: NONE,
  iterator: NONE,
  logging: Object.freeze({ sync: NONE, async: NONE }),
  successFallback: NONE,
  failureFallback: NONE,
  rateLimit: NONE,
  awaited: false,
});
