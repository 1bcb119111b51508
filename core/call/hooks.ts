import { CALLBACK_ERROR_CODES } from "../errors.ts";
import type { Dispatcher } from "../callbacks/dispatcher.ts";
import { callbackFailure, isReadableError } from "../callbacks/failure.ts";
import type { Hook } from "../callbacks/registry.ts";
import type { CallType } from "../types.ts";

/** What a hook is allowed to do when it runs past `callback_timeout`: reject the call (fail closed), or let it go on unchecked. */
export type HookTimeoutPolicy = "reject" | "allow";

type Outcome = { value: unknown } | { thrown: unknown } | { timedOut: true };

/** Runs one hook for at most `timeoutMs`: what it returned, what it threw, or that it did not finish (it runs on, unwaited). */
function settle(hook: Hook, args: readonly unknown[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    try {
      hook.run(...args).then(
        (value) => done({ value }),
        (thrown: unknown) => done({ thrown }),
      );
    } catch (thrown) {
      done({ thrown });
    }
  });
}

/**
 * The pre-call chain: each hook receives what the previous returned. A hook
 * that throws an Error or a message rejects the call with it (that is what
 * the hook is for); one that throws anything else rejects it with a reported
 * `CallbackError`. A hook that does not answer in time rejects the call too
 * (a guard fails closed), unless the policy is `allow`.
 */
export async function runPreCallHooks(
  hooks: readonly Hook[],
  data: Record<string, unknown>,
  callType: CallType,
  timeoutMs: number,
  dispatcher: Dispatcher,
  policy: HookTimeoutPolicy = "reject",
): Promise<Record<string, unknown>> {
  for (const hook of hooks) {
    const out = await settle(hook, [data, callType], timeoutMs);
    if ("timedOut" in out) {
      const err = callbackFailure(
        CALLBACK_ERROR_CODES.timeout,
        hook.name,
        hook.method,
        { timeoutMs },
        policy === "allow"
          ? "The call went on unchecked (litellm_settings.hook_timeout_policy: allow)."
          : "The call was rejected, as a guard that cannot answer must not let it through; raise litellm_settings.callback_timeout if the hook is only slow.",
      );
      dispatcher.fault(err);
      if (policy === "allow") continue;
      throw err;
    }
    if ("thrown" in out) {
      if (isReadableError(out.thrown)) throw out.thrown;
      // A thrown message is a verdict too (`throw "team ads may not use this model"`): rejected with it, as an Error.
      if (typeof out.thrown === "string") throw new Error(out.thrown);
      // Anything else is a bug in the hook, not a verdict: reported like any callback failure, and the call still fails closed.
      const err = callbackFailure(
        CALLBACK_ERROR_CODES.threw,
        hook.name,
        hook.method,
        { thrown: out.thrown },
        "The call was rejected; to reject a call on purpose, throw an Error.",
      );
      dispatcher.fault(err);
      throw err;
    }
    if (out.value && typeof out.value === "object") data = out.value as Record<string, unknown>;
  }
  return data;
}

/** The post-call chain: each hook may replace the response. One that fails or runs past its time is reported, and the response kept. */
export async function runPostCallHooks<R>(hooks: readonly Hook[], data: Record<string, unknown>, response: R, timeoutMs: number, dispatcher: Dispatcher): Promise<R> {
  const kept = "The response was returned as it was before this hook.";
  for (const hook of hooks) {
    const out = await settle(hook, [data, response], timeoutMs);
    if ("timedOut" in out) dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.timeout, hook.name, hook.method, { timeoutMs }, kept));
    else if ("thrown" in out) dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown: out.thrown }, kept));
    else if (out.value !== undefined && out.value !== null) response = out.value as R;
  }
  return response;
}
