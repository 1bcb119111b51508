import type { Hook } from "../callbacks/call-hooks.ts";
import type { HookCallType, UserAPIKeyAuth } from "../types.ts";
import { overran, settle, verdict, type HookEnv } from "./hooks.ts";
import type { CallSignal } from "./signal.ts";

/**
 * The moderation hooks of one call (`async_moderation_hook(data, user_api_key_dict,
 * call_type)`), all started at once beside the provider request, as LiteLLM's
 * `during_call_hook` gathers them. The call's answer waits for their verdict:
 * nothing is logged as a success, cached or returned before every hook has let
 * it through. The first rejection fails the call at once and stops the provider
 * request; its answer, if one comes, is discarded.
 */
export class Moderation {
  /** Settles when every hook let the call through; rejects with the first verdict against it. */
  private readonly verdict: Promise<void>;
  private readonly controller = new AbortController();
  /** The error the call failed with, once a hook rejected it. */
  rejected: Error | undefined;

  constructor(hooks: readonly Hook[], data: Record<string, unknown>, caller: UserAPIKeyAuth, callType: HookCallType, env: HookEnv) {
    this.verdict = Promise.all(hooks.map((hook) => judge(hook, data, caller, callType, env))).then(() => undefined);
    this.verdict.catch((err: Error) => {
      this.rejected = err;
      this.controller.abort(err);
    });
  }

  /**
   * The provider requests' signal: aborted by a rejection, or by the caller's own
   * signal. A listener is added to both and removed from both, so nothing stays
   * attached to a caller's signal that outlives the call.
   */
  signal(caller: CallSignal | undefined): CallSignal {
    const own = this.controller.signal;
    if (!caller) return own;
    return {
      get aborted() {
        return own.aborted || caller.aborted;
      },
      get reason() {
        return own.aborted ? own.reason : caller.reason;
      },
      addEventListener(type, listener, options) {
        own.addEventListener(type, listener, options);
        caller.addEventListener(type, listener, options);
      },
      removeEventListener(type, listener) {
        own.removeEventListener(type, listener);
        caller.removeEventListener(type, listener);
      },
    };
  }

  /** Throws the rejection, if there was one: an attempt starting after it sends nothing. */
  check(): void {
    if (this.rejected) throw this.rejected;
  }

  /** Resolves when the call may be answered (a cache hit waits for it too). */
  passed(): Promise<void> {
    return this.verdict;
  }

  /**
   * The provider's answer once the hooks let it through; the first rejection
   * instead, at once. A rejected answer that arrives is handed to `discard`
   * (a stream is stopped there).
   */
  guard<T>(work: Promise<T>, discard?: (value: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.verdict.catch(reject);
      work.then(
        (value) =>
          this.verdict.then(
            () => resolve(value),
            (err: unknown) => {
              discard?.(value);
              reject(err);
            },
          ),
        reject,
      );
    });
  }
}

/** One hook's verdict: resolves to let the call through, rejects with the call's error. */
async function judge(hook: Hook, data: Record<string, unknown>, caller: UserAPIKeyAuth, callType: HookCallType, env: HookEnv): Promise<void> {
  const out = await settle(hook, [data, caller, callType], env.timeoutMs);
  if ("timedOut" in out) {
    const err = overran(hook, env);
    if (err) throw err;
    return;
  }
  if ("thrown" in out) throw verdict(hook, out.thrown, env);
}
