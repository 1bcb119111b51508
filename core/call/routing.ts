import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { ServiceUnavailableError } from "../errors.ts";
import type { AttemptInfo, Route, RoutingPlan } from "./env.ts";

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
): Promise<T> {
  const { router } = plan;
  const trace_id = typeof params.litellm_trace_id === "string" ? params.litellm_trace_id : randomUUID();
  const aliases = [plan.alias];
  const tried = new Set<unknown>();
  let n = 0;
  let last: unknown;
  for (let a = 0; a < aliases.length; a++) {
    const alias = aliases[a]!;
    for (let retry = 0; retry <= router.numRetries; retry++) {
      const d = router.pick(alias, tried);
      if (d === null) break;
      tried.add(d);
      const info: AttemptInfo = { trace_id, attempt: ++n, model_group: alias, deployment: plan.nameOf(d) };
      router.started(d);
      const t0 = performance.now();
      try {
        const out = await attempt(plan.routeTo(d, params), info);
        router.succeeded(d, performance.now() - t0);
        return out;
      } catch (err) {
        router.failed(d, err);
        last = err;
        if (retry === router.numRetries || !router.retryable(err)) break;
        // No wait when another healthy deployment of the alias is left (LiteLLM's behaviour).
        await sleep(router.backoffMs(retry + 1, err, alias, tried));
      }
    }
    for (const next of router.fallbacksFor(alias, last)) if (!aliases.includes(next)) aliases.push(next);
  }
  throw last ?? new ServiceUnavailableError(`no deployment of "${plan.alias}" could be tried: all are cooling down or none is configured.`, { model: plan.alias });
}
