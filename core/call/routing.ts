import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ServiceUnavailableError } from "../errors.ts";
import type { AttemptInfo, Route, RoutingPlan } from "./env.ts";

/** What a call follows of its routing: an error nothing may retry, and the router's events for its callbacks. */
export interface RoutingWatch {
  /** An error no retry or fallback may answer (a moderation hook's verdict): the call fails with it at once. */
  stop?(err: unknown): boolean;
  /** A fallback alias answered after the alias asked for failed with `original_exception` (`log_success_fallback_event`). */
  fallbackSucceeded?(original_model_group: string, original_exception: unknown): void;
  /** A fallback alias failed too (`log_failure_fallback_event`). */
  fallbackFailed?(original_model_group: string, original_exception: unknown): void;
  /** An attempt failed on an alias with one deployment: nothing else of it could answer (`log_model_group_rate_limit_error`). */
  groupFailed?(model_group: string, exception: unknown): void;
}

/**
 * One routed call: pick a deployment, try it, retry on what is worth retrying
 * (with backoff that honours Retry-After), then fall back to other aliases.
 * Each attempt is a whole call of its own to the callbacks (pre, post, success
 * or failure), and all of them share one trace id.
 */
export async function routed<T>(
  plan: RoutingPlan,
  params: { api_base?: unknown; api_key?: unknown; mock_response?: unknown; litellm_trace_id?: unknown },
  attempt: (route: Route, info: AttemptInfo) => Promise<T>,
  watch: RoutingWatch = {},
  /** The call's own retries, over `router_settings.num_retries`. */
  numRetries?: number,
): Promise<T> {
  const { router } = plan;
  const retries = numRetries !== undefined && Number.isInteger(numRetries) && numRetries >= 0 ? numRetries : router.numRetries;
  const trace_id = typeof params.litellm_trace_id === "string" ? params.litellm_trace_id : randomUUID();
  const aliases = [plan.alias];
  const tried = new Set<unknown>();
  let n = 0;
  let last: unknown;
  // The error of the alias asked for: what the fallback events report, as LiteLLM's do.
  let original: unknown;
  for (let a = 0; a < aliases.length; a++) {
    const alias = aliases[a]!;
    let triedHere = false;
    for (let retry = 0; retry <= retries; retry++) {
      const d = router.pick(alias, tried);
      if (d === null) break;
      tried.add(d);
      triedHere = true;
      const info: AttemptInfo = { trace_id, attempt: ++n, model_group: alias, deployment: plan.nameOf(d) };
      router.started(d);
      const t0 = performance.now();
      try {
        const out = await attempt(plan.routeTo(d, params), info);
        router.succeeded(d, performance.now() - t0);
        if (a > 0) watch.fallbackSucceeded?.(plan.alias, original);
        return out;
      } catch (err) {
        router.failed(d, err);
        last = err;
        if (router.size?.(alias) === 1) watch.groupFailed?.(alias, err);
        if (watch.stop?.(err)) throw err;
        if (retry === retries || !router.retryable(err)) break;
        // No wait when another healthy deployment of the alias is left (LiteLLM's behaviour).
        await sleep(router.backoffMs(retry + 1, err, alias, tried));
      }
    }
    if (a === 0) original = last;
    else if (triedHere) watch.fallbackFailed?.(plan.alias, original);
    for (const next of router.fallbacksFor(alias, last)) if (!aliases.includes(next)) aliases.push(next);
  }
  throw last ?? new ServiceUnavailableError(`no deployment of "${plan.alias}" could be tried: all are cooling down or none is configured.`, { model: plan.alias });
}
