/**
 * A snapshot leaving service, after a reload or at close: its calls in flight finish on it, then the
 * callbacks and the cache that the next snapshot does not keep are flushed and closed.
 */
import { callOwnMethod } from "../callbacks/failure.ts";
import type { CallbackError } from "../errors.ts";
import type { Live } from "./live.ts";
import type { Snapshot } from "./snapshot.ts";

/**
 * Waits for `previous`'s own calls, then their logging (not the whole queue, which under steady traffic is
 * never idle), both within `graceMs`; then flushes and closes what `next` (none at close) does not keep.
 */
export async function releaseSnapshot(previous: Live, next: Snapshot | undefined, graceMs: number, fault: (err: CallbackError) => void): Promise<void> {
  const until = Date.now() + graceMs;
  await previous.idle(until - Date.now());
  await previous.tasks.idle(until - Date.now());
  const kept = new Set(next?.targets ?? []);
  const leaving = previous.snapshot.targets.filter((t) => !kept.has(t));
  // Side by side, each call within callback_timeout: one hanging callback cannot hold up the others or the shutdown.
  await Promise.all(
    leaving.map(async (t) => {
      await callTargetMethod(t, "flush", previous, fault);
      await callTargetMethod(t, "close", previous, fault);
    }),
  );
  const cache = previous.snapshot.cache;
  if (cache && cache !== next?.cache) {
    await cache.flush();
    await cache.close();
  }
}

/** A callback's own flush() or close(), within the snapshot's callback_timeout; a failure or an overrun goes to `fault`. */
export function callTargetMethod(target: object, method: "flush" | "close", live: Live, fault: (err: CallbackError) => void): Promise<void> {
  return callOwnMethod(target, method, live.settings.callback_timeout * 1000, fault);
}
