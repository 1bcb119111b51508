/**
 * Routing for names a wildcard entry covers. The snapshot's router knows the
 * entries by their `model_name` (`"anthropic/*"`); a call asks for
 * `anthropic/claude-3-5-haiku`. This view of the router takes requested names,
 * picks among the covering entry's deployments, and hands out each one made
 * for that name (its model filled in, `alias` the requested name, as LiteLLM's
 * `model_group`); the bookkeeping goes to the entry it was made from.
 */
import type { RouterLike } from "../call/env.ts";
import type { Router } from "../router/index.ts";
import type { Deployment } from "./snapshot.ts";
import { expandModel, type ModelNames, type NameMatch } from "./wildcards.ts";

const originOf = (d: Deployment): Deployment => d.origin ?? d;

/** `d`, a deployment of a wildcard entry, made for the requested name `name`. */
export function forName(d: Deployment, name: string, match: NameMatch): Deployment {
  if (match.segments === null) return d;
  const model = expandModel(String(d.params.model), match.segments, name);
  return Object.freeze({ ...d, alias: name, params: Object.freeze({ ...d.params, model }), origin: d });
}

/** The entries `tried` were made from: what the router knows. */
function origins(tried: ReadonlySet<Deployment> | undefined): ReadonlySet<Deployment> | undefined {
  if (tried === undefined || tried.size === 0) return tried;
  const out = new Set<Deployment>();
  for (const d of tried) out.add(originOf(d));
  return out;
}

/** The snapshot's router, taking requested names: aliases as they are, names a wildcard covers through their entry. */
export function wildcardRouter(router: Router<Deployment>, names: ModelNames): RouterLike<Deployment> {
  const keyOf = (alias: string): string => names.match(alias)?.key ?? alias;
  return {
    numRetries: router.numRetries,
    pick(alias, exclude, promptTokens) {
      const match = names.match(alias);
      if (match === undefined) return null;
      const d = router.pick(match.key, origins(exclude), promptTokens);
      return d === null ? null : forName(d, alias, match);
    },
    sharing: router.sharing,
    async pickShared(alias, exclude, promptTokens) {
      const match = names.match(alias);
      if (match === undefined) return null;
      const d = await router.pickShared(match.key, origins(exclude), promptTokens);
      return d === null ? null : forName(d, alias, match);
    },
    limitError: (alias, promptTokens) => router.limitError(keyOf(alias), promptTokens),
    started: (d) => router.started(originOf(d)),
    succeeded: (d, latencyMs, tokens) => router.succeeded(originOf(d), latencyMs, tokens),
    limited: router.limited,
    used: (d, tokens) => router.used(originOf(d), tokens),
    failed: (d, err) => router.failed(originOf(d), err),
    retryable: (err) => router.retryable(err),
    // model_group_retry_policy is keyed by the name asked for, as fallbacks are.
    retriesFor: (alias, err, numRetries) => router.retriesFor(alias, err, numRetries),
    promptTokens: (params) => router.promptTokens(params),
    contextWindowError: (alias, promptTokens) => router.contextWindowError(keyOf(alias), promptTokens),
    backoffMs: (attempt, err, alias, tried) => router.backoffMs(attempt, err, alias === undefined ? undefined : keyOf(alias), origins(tried)),
    // Fallbacks are keyed by the name asked for, as LiteLLM keys them by model_group.
    fallbacksFor: (alias, err) => router.fallbacksFor(alias, err),
    size: (alias) => router.size(keyOf(alias)),
    capped: router.capped,
    take: (d) => router.take(originOf(d)),
    release: (d) => router.release(originOf(d)),
    async waitForPermit(alias, exclude, promptTokens, timeoutS, signal) {
      const match = names.match(alias)!;
      return forName(await router.waitForPermit(match.key, origins(exclude), promptTokens, timeoutS, signal), alias, match);
    },
  };
}
