import { CALLBACK_ERROR_CODES, CallbackError } from "../errors.ts";
import type { Dispatcher } from "../callbacks/dispatcher.ts";
import type { Hook } from "../callbacks/registry.ts";
import type { CallType } from "../types.ts";

/** Runs one hook, giving up on it (and reporting it) after `timeoutMs` so a call never hangs on it. */
function withTimeout<T>(hook: Hook, work: Promise<T>, timeoutMs: number, dispatcher: Dispatcher): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      dispatcher.report(
        new CallbackError(
          `hook "${hook.name}.${hook.method}" did not finish within ${timeoutMs} ms; the call went on without its result.`,
          CALLBACK_ERROR_CODES.timeout,
          hook.name,
          hook.method,
        ),
      );
      resolve(undefined);
    }, timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The pre-call chain: each hook receives what the previous returned. A hook
 * that throws rejects the call (that is what the hook is for), with its own error.
 */
export async function runPreCallHooks(
  hooks: readonly Hook[],
  data: Record<string, unknown>,
  callType: CallType,
  timeoutMs: number,
  dispatcher: Dispatcher,
): Promise<Record<string, unknown>> {
  for (const hook of hooks) {
    const out = await withTimeout(hook, hook.run(data, callType), timeoutMs, dispatcher);
    if (out && typeof out === "object") data = out as Record<string, unknown>;
  }
  return data;
}

/** The post-call chain: each hook may replace the response. One that fails is reported, and the response kept. */
export async function runPostCallHooks<R>(hooks: readonly Hook[], data: Record<string, unknown>, response: R, timeoutMs: number, dispatcher: Dispatcher): Promise<R> {
  for (const hook of hooks) {
    try {
      const out = await withTimeout(hook, hook.run(data, response), timeoutMs, dispatcher);
      if (out !== undefined && out !== null) response = out as R;
    } catch (err) {
      dispatcher.report(
        new CallbackError(
          `hook "${hook.name}.${hook.method}" failed: ${err instanceof Error ? err.message : String(err)}. The response was returned as it was before this hook.`,
          CALLBACK_ERROR_CODES.threw,
          hook.name,
          hook.method,
          err,
        ),
      );
    }
  }
  return response;
}
