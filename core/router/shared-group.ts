import type { Group, Slot } from "./groups.ts";
import { INFLIGHT_TTL_MS, keysOf, MINUTE_TTL_MS, readShared, writeShared, type Connection } from "./shared.ts";
import { minuteOf, roll } from "./usage.ts";

/**
 * An alias's deployments against the shared state (shared.ts): one read (and,
 * for a strategy with limits, the pick) before an attempt, merged into the
 * slots so the local choosers and the limit error see what every instance
 * did; and the writes after it, which no call waits for.
 */

/** The script's mode: 0 read only (the router picks), 1 fewest tokens, 2 cheapest. */
export const SHARED_MODE = { read: 0, tokens: 1, cost: 2 } as const;
export type SharedMode = (typeof SHARED_MODE)[keyof typeof SHARED_MODE];

const limit = (n: number): number => (n === Infinity ? -1 : n);

/**
 * Reads every deployment of `g` this minute (and, with a mode, picks one under its limits and counts
 * its request, atomically) and takes the counts, cool-downs and in-flight counts into the slots.
 * `fits` / `tried`: whether a slot's window takes the prompt, and whether this call tried it.
 * The index of the pick (-1: none, or mode 0); null when Redis did not answer.
 */
export async function syncGroup<D>(
  c: Connection,
  g: Group<D>,
  mode: SharedMode,
  now: number,
  input: number,
  fits: (s: Slot<D>) => boolean,
  tried: ReadonlySet<D> | undefined,
  random: number,
): Promise<number | null> {
  const minute = minuteOf(now);
  const keys: string[] = [];
  const args: Array<string | number> = [mode, g.slots.length, input, random, now];
  for (const s of g.slots) {
    keys.push(...keysOf(s.key, minute));
    args.push(limit(s.rpmLimit), limit(s.tpmLimit), s.cost, (fits(s) ? 1 : 0) + (tried?.has(s.d) ? 2 : 0));
  }
  args.push(MINUTE_TTL_MS);
  const counts = await readShared(c, keys, args);
  if (counts === null) return null;
  const v = counts.values;
  g.slots.forEach((s, i) => {
    roll(s as Slot<unknown>, minute);
    s.rpmUsed = v[i * 4]!;
    s.tpmUsed = v[i * 4 + 1]!;
    const cool = v[i * 4 + 2]!;
    if (cool > s.coolUntil) s.coolUntil = cool;
    if (s.coolUntil > g.coolMax) g.coolMax = s.coolUntil;
    s.inFlight = Math.max(0, v[i * 4 + 3]!);
  });
  return counts.picked;
}

/** One request more this minute (`enforce_model_rate_limits` under a strategy whose pick does not count in Redis). */
export function shareRequest(c: Connection, s: Slot<unknown>, now: number): void {
  const key = keysOf(s.key, minuteOf(now))[0];
  writeShared(c, (r) => r.multi().incr(key).pexpire(key, MINUTE_TTL_MS).exec());
}

/** `tokens` of an answer, against the deployment's tpm this minute on every instance. */
export function shareTokens(c: Connection, s: Slot<unknown>, now: number, tokens: number): void {
  const key = keysOf(s.key, minuteOf(now))[1];
  writeShared(c, (r) => r.multi().incrby(key, tokens).pexpire(key, MINUTE_TTL_MS).exec());
}

/** One attempt more (+1) or less (-1) in flight on the deployment, for least-busy on every instance. */
export function shareInFlight(c: Connection, s: Slot<unknown>, delta: 1 | -1): void {
  const key = keysOf(s.key, 0)[3];
  writeShared(c, (r) => r.multi().incrby(key, delta).pexpire(key, INFLIGHT_TTL_MS).exec());
}

/** The deployment cools down until `until` on every instance (the key lives as long as the cool-down). */
export function shareCooldown(c: Connection, s: Slot<unknown>, now: number, until: number): void {
  const key = keysOf(s.key, 0)[2];
  writeShared(c, (r) => r.set(key, String(until), "PX", Math.max(1, Math.ceil(until - now))));
}
