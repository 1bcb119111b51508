import { eligible, pickCheapest, pickLeastBusy, pickLeastTokens, pickLowestLatency, pickShuffle, soonestBack, type Filter, type Group, type Slot } from "./groups.ts";
import { ROUTING_STRATEGIES, type RoutingStrategy } from "./types.ts";
import { minuteOf } from "./usage.ts";

/**
 * A `routing_strategy` name as the router keeps it: a small number, decided when
 * a config loads, that a pick compares instead of the name; and the chooser of
 * groups.ts each number stands for.
 */

export const SHUFFLE = 0;
export const LEAST_BUSY = 1;
export const LATENCY = 2;
export const USAGE = 3;
export const COST = 4;
export type StrategyId = typeof SHUFFLE | typeof LEAST_BUSY | typeof LATENCY | typeof USAGE | typeof COST;

export const STRATEGY_IDS: Record<RoutingStrategy, StrategyId> = {
  "simple-shuffle": SHUFFLE,
  "least-busy": LEAST_BUSY,
  "latency-based-routing": LATENCY,
  // LiteLLM keeps v1 (per-process dicts, counted on success) apart; v2 is its rework of the same rule, counted before the call.
  "usage-based-routing": USAGE,
  "usage-based-routing-v2": USAGE,
  "cost-based-routing": COST,
};

/** The strategy `requested` names; an unknown name is `simple-shuffle`, with a warning through `warn`. */
export function strategyOf(requested: string, warn: (message: string) => void): RoutingStrategy {
  if ((ROUTING_STRATEGIES as readonly string[]).includes(requested)) return requested as RoutingStrategy;
  warn(`router_settings.routing_strategy "${requested}" is not implemented in this runtime; using "simple-shuffle" (implemented: ${ROUTING_STRATEGIES.join(", ")})`);
  return "simple-shuffle";
}

/** The slot strategy `kind` chooses among those of `g` that pass `f` (undefined: all); null when none passes. */
export function choose<D>(kind: StrategyId, g: Group<D>, f: Filter<D> | undefined, now: number, random: () => number): Slot<D> | null {
  if (kind === LEAST_BUSY) return pickLeastBusy(g, f, random);
  if (kind === LATENCY) return pickLowestLatency(g, f, random, now);
  if (kind === USAGE) return pickLeastTokens(g, f!, random);
  if (kind === COST) return pickCheapest(g, f!);
  return pickShuffle(g, f, random());
}

/**
 * What a pick reads besides its group, in one object for the picks made outside router.ts (permits.ts):
 * the strategy, the random source and the clock, whether `rpm` / `tpm` limits apply and the prompt counts
 * against them, and the router's one reused filter.
 */
export interface Picker<D> {
  readonly kind: StrategyId;
  readonly random: () => number;
  readonly now: () => number;
  readonly limited: boolean;
  readonly countPrompt: boolean;
  readonly filter: Filter<D>;
}

/**
 * The pick through the filter, for `Router.pick` when a call brings something to filter by and for the
 * picks of a free permit (permits.ts): the strategy's choice among the deployments not cooling at `now`
 * (when `cooling`), not in `exclude`, taking the prompt, under their rpm/tpm and, when `free`, with a permit
 * free; then the same with the ones this call tried again. Failing that, the deployment back soonest,
 * except that a pick of a free permit finds none (the call waits for one) unless every candidate cools.
 */
export function filteredPick<D>(p: Picker<D>, g: Group<D>, exclude: ReadonlySet<D> | undefined, promptTokens: number, now: number, cooling: boolean, free: boolean): Slot<D> | null {
  const f = p.filter;
  f.exclude = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
  f.cooling = cooling;
  f.now = now;
  // Up to the smallest window every deployment takes the prompt: no filter for it.
  f.tokens = promptTokens > g.minWindow ? promptTokens : 0;
  f.limits = p.limited;
  f.minute = minuteOf(now);
  f.input = p.countPrompt ? promptTokens : 0;
  f.free = free;
  let s = choose(p.kind, g, f, now, p.random);
  if (s === null && f.exclude !== undefined) {
    // Every well deployment was tried already: try one of them again.
    f.exclude = undefined;
    s = choose(p.kind, g, f, now, p.random);
  }
  f.exclude = undefined; // hold no reference to the caller's set
  if (s === null && (!free || (cooling && !anyWell(g, f)))) s = soonestBack(g, f.tokens, f);
  f.free = false;
  f.tokens = 0;
  return s;
}

/** Some deployment passes `f` but for its permits: not every candidate cools, so a cooling one is no answer. */
function anyWell<D>(g: Group<D>, f: Filter<D>): boolean {
  f.free = false;
  let well = false;
  for (const s of g.slots) if (eligible(s, f)) well = true;
  f.free = true;
  return well;
}
