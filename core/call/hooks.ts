import { CALLBACK_ERROR_CODES, type CallbackError } from "../errors.ts";
import type { Dispatcher } from "../callbacks/dispatcher.ts";
import type { Hook } from "../callbacks/call-hooks.ts";
import { callbackFailure, isReadableError } from "../callbacks/failure.ts";
import type { DualCache, HookCallType, UserAPIKeyAuth } from "../types.ts";

/** What a hook is allowed to do when it runs past `callback_timeout`: reject the call (fail closed), or let it go on unchecked. */
export type HookTimeoutPolicy = "reject" | "allow";

/** What the hook runners need of the call's scope. */
export interface HookEnv {
  readonly timeoutMs: number;
  readonly dispatcher: Dispatcher;
  readonly policy: HookTimeoutPolicy;
}

export type Outcome = { value: unknown } | { thrown: unknown } | { timedOut: true };

/** Runs one hook for at most `timeoutMs`: what it returned, what it threw, or that it did not finish (it runs on, unwaited). */
export function settle(hook: Hook, args: readonly unknown[], timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs);
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    try {
      Promise.resolve(hook.call(...args)).then(
        (value) => done({ value }),
        (thrown: unknown) => done({ thrown }),
      );
    } catch (thrown) {
      done({ thrown });
    }
  });
}

/**
 * A guard (a pre-call or moderation hook) that did not answer in time: reported,
 * and under the `reject` policy the error that fails the call. Undefined under `allow`.
 */
export function overran(hook: Hook, env: HookEnv): CallbackError | undefined {
  const allow = env.policy === "allow";
  const err = callbackFailure(
    CALLBACK_ERROR_CODES.timeout,
    hook.name,
    hook.method,
    { timeoutMs: env.timeoutMs },
    allow
      ? "The call went on unchecked (litellm_settings.hook_timeout_policy: allow)."
      : "The call was rejected, as a guard that cannot answer must not let it through; raise litellm_settings.callback_timeout if the hook is only slow.",
  );
  env.dispatcher.fault(err);
  return allow ? undefined : err;
}

/**
 * What a guard threw, as the error its call fails with. An Error, or a message
 * (`throw "team ads may not use this model"`), is a verdict: the call is rejected
 * with it. Anything else is a bug in the hook, not a verdict: reported like any
 * callback failure, and the call still fails closed.
 */
export function verdict(hook: Hook, thrown: unknown, env: HookEnv): Error {
  if (isReadableError(thrown)) return thrown;
  if (typeof thrown === "string") return new Error(thrown);
  const err = callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown }, "The call was rejected; to reject a call on purpose, throw an Error.");
  env.dispatcher.fault(err);
  return err;
}

/**
 * The pre-call chain, LiteLLM's `(user_api_key_dict, cache, data, call_type)`:
 * each hook gets what the previous returned. A returned string ends the chain
 * (the call is answered with it); a returned or thrown Error rejects the call.
 */
export async function runPreCallHooks(
  hooks: readonly Hook[],
  caller: UserAPIKeyAuth,
  cache: DualCache,
  data: Record<string, unknown>,
  callType: HookCallType,
  env: HookEnv,
): Promise<Record<string, unknown> | string> {
  for (const hook of hooks) {
    const out = await settle(hook, [caller, cache, data, callType], env.timeoutMs);
    if ("timedOut" in out) {
      const err = overran(hook, env);
      if (err) throw err;
      continue;
    }
    if ("thrown" in out) throw verdict(hook, out.thrown, env);
    const value = out.value;
    if (typeof value === "string") return value;
    if (isReadableError(value)) throw value;
    if (value && typeof value === "object") data = value as Record<string, unknown>;
  }
  return data;
}

/** The success chain, `(data, user_api_key_dict, response)`: each hook may replace the response. One that fails or runs past its time is reported, and the response kept. */
export async function runSuccessHooks<R>(hooks: readonly Hook[], data: Record<string, unknown>, caller: UserAPIKeyAuth, response: R, env: HookEnv): Promise<R> {
  const kept = "The response was returned as it was before this hook.";
  for (const hook of hooks) {
    const out = await settle(hook, [data, caller, response], env.timeoutMs);
    if ("timedOut" in out) env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.timeout, hook.name, hook.method, { timeoutMs: env.timeoutMs }, kept));
    else if ("thrown" in out) env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown: out.thrown }, kept));
    else if (out.value !== undefined && out.value !== null) response = out.value as R;
  }
  return response;
}

/**
 * The failure hooks, `(request_data, original_exception, user_api_key_dict, traceback_str)`,
 * each with the call's own error, as LiteLLM runs them. The first Error one throws
 * or returns (or a thrown message) is what the caller gets instead; anything else
 * thrown, or a hook past its time, is reported and changes nothing.
 */
export async function runFailureHooks(hooks: readonly Hook[], data: Record<string, unknown>, err: Error, caller: UserAPIKeyAuth, env: HookEnv): Promise<Error> {
  let replaced: Error | undefined;
  const kept = "The call's own error was kept.";
  for (const hook of hooks) {
    const out = await settle(hook, [data, err, caller, err.stack ?? null], env.timeoutMs);
    if ("timedOut" in out) env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.timeout, hook.name, hook.method, { timeoutMs: env.timeoutMs }, kept));
    else if ("thrown" in out) {
      if (isReadableError(out.thrown)) replaced ??= out.thrown;
      else if (typeof out.thrown === "string") replaced ??= new Error(out.thrown);
      else env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown: out.thrown }, kept));
    } else if (isReadableError(out.value)) replaced ??= out.value;
  }
  return replaced ?? err;
}
