import { ROUTER_TUNING, type RoutableDeployment } from "./types.ts";
import type { Cap, CapSource, Waiter } from "./permits.ts";
import { limitOf, underLimit } from "./usage.ts";

/**
 * An alias's deployments as the router keeps them: one slot each with its
 * weight (fixed when the config loads) and its live state (in flight, latency,
 * failures, cool-down), and per alias the cumulative weights a pick searches.
 * The choosers walk these arrays without allocating.
 */

export interface Slot<D> {
  readonly d: D;
  readonly group: Group<D>;
  /** simple-shuffle weight: `weight`, else `rpm`, else `tpm`, else 1. */
  readonly weight: number;
  inFlight: number;
  /** Latency EWMA in ms; NaN until the first sample. */
  lat: number;
  latAt: number;
  /** Cooling down while `now < coolUntil`. */
  coolUntil: number;
  /** Cool-downs so far, by the HTTP status of the failure that caused each ("None" without one); read by metrics at scrape time. */
  cooldowns: Record<string, number> | undefined;
  /** Per counter (see policies.ts `FailRules`): failures that count, since `failStart` (a window of a minute from the first). */
  readonly failStart: Float64Array;
  readonly failN: Uint32Array;
  /** Its context window in tokens (`enable_pre_call_checks`); Infinity when unknown or the checks are off. */
  readonly window: number;
  /** Its `rpm` / `tpm` limits (usage.ts `limitOf`); Infinity when none is set. */
  readonly rpmLimit: number;
  readonly tpmLimit: number;
  /** The minute `rpmUsed` / `tpmUsed` count in (usage.ts `minuteOf`). */
  minute: number;
  rpmUsed: number;
  tpmUsed: number;
  /** Input plus output price per token (cost-based-routing); 0 when the strategy is another. */
  cost: number;
  /** Its id in the shared state's keys (shared.ts `sharedId`); "" without a shared Redis. */
  key: string;
  /** Its cap on requests in flight (permits.ts `parallelLimitOf`); Infinity: none. */
  readonly cap: number;
  readonly capFrom: CapSource | null;
  /** Permits held: attempts sent and not yet ended (a stream's, until it ends). */
  held: number;
}

export interface Group<D> {
  readonly slots: Slot<D>[];
  /** Running sums of the slots' weights; the last is `total`. */
  readonly cum: Float64Array;
  readonly total: number;
  /** The latest cool-down end among the slots: at or past it, none is cooling and a pick takes the fast path. */
  coolMax: number;
  /** The smallest and largest context window of the slots: a prompt up to `minWindow` fits every one, past `maxWindow` none. */
  readonly minWindow: number;
  readonly maxWindow: number;
  /** Some deployment has a cap on requests in flight: picks prefer a free permit, and calls may wait in `line`. */
  readonly capped: boolean;
  /** Calls waiting for a permit, first come first served. */
  readonly line: Waiter<D>[];
}

/** A positive finite number, from a number or a numeric string (env references arrive as strings). */
function num(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * LiteLLM's simple_shuffle: by `weight` if any deployment has one, else `rpm`, else
 * `tpm`, else uniform. A deployment without the key gets the schema's weight default (1),
 * or no share of an rpm/tpm split (LiteLLM's 0); all-zero weights mean uniform.
 */
export function weightsOf(params: readonly Readonly<Record<string, unknown>>[]): number[] {
  for (const key of ["weight", "rpm", "tpm"] as const) {
    if (!params.some((p) => num(p[key]) !== undefined)) continue;
    const missing = key === "weight" ? 1 : 0;
    const w = params.map((p) => num(p[key]) ?? missing);
    return w.some((x) => x > 0) ? w : w.map(() => 1);
  }
  return params.map(() => 1);
}

/** `counters`: failure counters a slot keeps; `windows`: each deployment's context window (Infinity: unknown). */
export function buildGroup<D extends RoutableDeployment>(
  deployments: readonly D[],
  counters = 1,
  windows: readonly number[] = deployments.map(() => Infinity),
  costs: readonly number[] = deployments.map(() => 0),
  caps: readonly Cap[] = [],
): Group<D> {
  const weights = weightsOf(deployments.map((d) => d.params));
  const cum = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => (cum[i] = total += w));
  const capped = caps.some((c) => c.limit < Infinity);
  const group: Group<D> = { slots: [], cum, total, coolMax: 0, minWindow: Math.min(...windows), maxWindow: Math.max(...windows), capped, line: [] };
  deployments.forEach((d, i) =>
    group.slots.push({
      d,
      group,
      weight: weights[i]!,
      inFlight: 0,
      lat: NaN,
      latAt: 0,
      coolUntil: 0,
      cooldowns: undefined,
      failStart: new Float64Array(counters),
      failN: new Uint32Array(counters),
      window: windows[i]!,
      rpmLimit: limitOf(d, "rpm"),
      tpmLimit: limitOf(d, "tpm"),
      minute: -1,
      rpmUsed: 0,
      tpmUsed: 0,
      cost: costs[i]!,
      key: "",
      cap: caps[i]?.limit ?? Infinity,
      capFrom: caps[i]?.from ?? null,
      held: 0,
    }),
  );
  return group;
}

/**
 * What a pick may choose from: not in `exclude`, not cooling when `cooling` (the group has a
 * cool-down running at `now`), with a context window of at least `tokens` (0: any), and when
 * `limits`, under its rpm/tpm in `minute` for a prompt of `input` tokens; when `free`, with a permit free.
 */
export interface Filter<D> {
  exclude: ReadonlySet<D> | undefined;
  cooling: boolean;
  now: number;
  tokens: number;
  limits: boolean;
  minute: number;
  input: number;
  free: boolean;
}

export const eligible = <D>(s: Slot<D>, f: Filter<D> | undefined): boolean =>
  f === undefined ||
  ((f.exclude === undefined || !f.exclude.has(s.d)) &&
    (!f.cooling || s.coolUntil <= f.now) &&
    f.tokens <= s.window &&
    (!f.free || s.held < s.cap) &&
    (!f.limits || underLimit(s as Slot<unknown>, f.minute, f.input)));

/** Weighted random: a binary search of the running sums when all are eligible, a walk of the eligible ones otherwise. */
export function pickShuffle<D>(g: Group<D>, f: Filter<D> | undefined, r: number): Slot<D> | null {
  const { slots, cum } = g;
  if (f === undefined) {
    const x = r * g.total;
    let lo = 0;
    let hi = slots.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    // r * total can round up to total: step back over trailing zero weights.
    while (lo > 0 && slots[lo]!.weight === 0) lo--;
    return slots[lo]!;
  }
  let total = 0;
  let count = 0;
  for (const s of slots) if (eligible(s, f)) (total += s.weight), count++;
  if (count === 0) return null;
  if (total === 0) {
    // Only zero-weight deployments are left: uniform among them rather than none.
    let k = Math.floor(r * count);
    for (const s of slots) if (eligible(s, f) && k-- === 0) return s;
  }
  let x = r * total;
  let last: Slot<D> | null = null;
  for (const s of slots) {
    if (s.weight === 0 || !eligible(s, f)) continue;
    last = s;
    if ((x -= s.weight) < 0) return s;
  }
  return last;
}

type Key = (s: Slot<unknown>, now: number) => number;

/** The lowest `key`, ties broken by one random draw (a second pass finds the chosen tie: no array of ties). */
function lowest<D>(g: Group<D>, f: Filter<D> | undefined, random: () => number, key: Key, now: number): Slot<D> | null {
  let best: Slot<D> | null = null;
  let bestKey = Infinity;
  let ties = 0;
  for (const s of g.slots) {
    if (!eligible(s, f)) continue;
    const k = key(s as Slot<unknown>, now);
    if (best === null || k < bestKey) (best = s), (bestKey = k), (ties = 1);
    else if (k === bestKey) ties++;
  }
  if (ties < 2) return best;
  let nth = Math.floor(random() * ties);
  for (const s of g.slots) if (eligible(s, f) && key(s as Slot<unknown>, now) === bestKey && nth-- === 0) return s;
  return best;
}

const inFlight: Key = (s) => s.inFlight;
// Tokens this minute; `now` is the minute here, and a slot last counted in another minute has used none.
const tokensUsed: Key = (s, minute) => (s.minute === minute ? s.tpmUsed : 0);
// No sample yet, or the last one is over an hour old: -1 sorts it first, so it is (re)measured.
const latency: Key = (s, now) => (s.lat !== s.lat || now - s.latAt > ROUTER_TUNING.latencyTtlMs ? -1 : s.lat);

/** Feeds an answer's `ms` at `now` to the slot's latency EWMA; a first sample, or one after an hour without, starts it again. */
export function sampleLatency<D>(s: Slot<D>, ms: number, now: number): void {
  const fresh = s.lat === s.lat && now - s.latAt <= ROUTER_TUNING.latencyTtlMs;
  s.lat = fresh ? s.lat + ROUTER_TUNING.latencyAlpha * (ms - s.lat) : ms;
  s.latAt = now;
}

/** least-busy: fewest attempts in flight. */
export const pickLeastBusy = <D>(g: Group<D>, f: Filter<D> | undefined, random: () => number): Slot<D> | null => lowest(g, f, random, inFlight, 0);

/** latency-based-routing: lowest EWMA latency; unmeasured deployments first. */
export const pickLowestLatency = <D>(g: Group<D>, f: Filter<D> | undefined, random: () => number, now: number): Slot<D> | null =>
  lowest(g, f, random, latency, now);

/** usage-based-routing(-v2): fewest tokens this minute (`f.minute`), ties broken at random (LiteLLM's `random.choice`). */
export const pickLeastTokens = <D>(g: Group<D>, f: Filter<D>, random: () => number): Slot<D> | null => lowest(g, f, random, tokensUsed, f.minute);

/**
 * Every deployment is cooling: the one back soonest among those whose window takes `tokens`
 * (and, with `f.limits`, under its limits; with `f.free`, with a permit free), rather than no answer; null when none is.
 */
export function soonestBack<D>(g: Group<D>, tokens = 0, f?: Filter<D>): Slot<D> | null {
  let best: Slot<D> | null = null;
  for (const s of g.slots) {
    if (tokens > s.window || (f !== undefined && ((f.free && s.held >= s.cap) || (f.limits && !underLimit(s as Slot<unknown>, f.minute, f.input))))) continue;
    if (best === null || s.coolUntil < best.coolUntil) best = s;
  }
  return best;
}

/** cost-based-routing: the cheapest eligible deployment; the first of equals in file order (LiteLLM sorts by price, stably). */
export function pickCheapest<D>(g: Group<D>, f: Filter<D>): Slot<D> | null {
  let best: Slot<D> | null = null;
  for (const s of g.slots) if (eligible(s, f) && (best === null || s.cost < best.cost)) best = s;
  return best;
}

/** A slot's health at `now`, for a metrics scrape: cooling, a failure that counts within the last minute, its cool-downs by status. */
export function slotHealth<D>(s: Slot<D>, now: number): { cooling: boolean; failing: boolean; cooldowns: Readonly<Record<string, number>> } {
  let failing = false;
  for (let c = 0; c < s.failN.length; c++) if (s.failN[c]! > 0 && now - s.failStart[c]! < ROUTER_TUNING.failWindowMs) failing = true;
  return { cooling: s.coolUntil > now, failing, cooldowns: { ...s.cooldowns } };
}
