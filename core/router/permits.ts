import { MaxParallelRequestsTimeout } from "../errors.ts";
import type { Group } from "./groups.ts";
import type { RoutableDeployment } from "./types.ts";

/**
 * LiteLLM's per-deployment concurrency cap (its router's `max_parallel_requests`
 * semaphore), per process: where a deployment's cap comes from, the line of
 * calls waiting for a permit of an alias whose candidates are all saturated,
 * and the error of a call that waited its whole timeout.
 */

/** Where a cap was read: named in the wait-timeout error, so it says what to change. */
export type CapSource = "max_parallel_requests" | "rpm" | "tpm" | "default_max_parallel_requests";

/** A deployment's cap on requests in flight; `limit` Infinity: none. */
export interface Cap {
  readonly limit: number;
  readonly from: CapSource | null;
}

const NO_CAP: Cap = Object.freeze({ limit: Infinity, from: null });

function number(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** The key where usage.ts `limitOf` looks for rpm/tpm: the entry's top level, then `litellm_params`, then `model_info`. */
const read = (d: RoutableDeployment, key: "max_parallel_requests" | "rpm" | "tpm"): number | undefined =>
  number(d[key]) ?? number(d.params[key]) ?? number(d.model_info?.[key]);

/** A positive count of permits: at least 1 (LiteLLM's semaphore of 0.5 still lets one in). */
const permits = (n: number, from: CapSource): Cap => (n > 0 ? { limit: Math.max(1, Math.floor(n)), from } : NO_CAP);

/**
 * LiteLLM's `calculate_max_parallel_requests` (litellm/utils.py): the first key set decides,
 * `max_parallel_requests`, else `rpm`, else `tpm` as int(tpm / 1000 * 6) and at least 1, else
 * `router_settings.default_max_parallel_requests`. A cap of 0 is none (LiteLLM makes no
 * semaphore for it). Each key is read where `limitOf` reads rpm/tpm (LiteLLM: `litellm_params` only).
 */
export function parallelLimitOf(d: RoutableDeployment, fallback: unknown): Cap {
  const mpr = read(d, "max_parallel_requests");
  if (mpr !== undefined) return permits(mpr, "max_parallel_requests");
  const rpm = read(d, "rpm");
  if (rpm !== undefined) return permits(rpm, "rpm");
  const tpm = read(d, "tpm");
  if (tpm !== undefined) return { limit: Math.max(1, Math.floor((tpm / 1000) * 6)), from: "tpm" };
  const all = number(fallback);
  return all === undefined ? NO_CAP : permits(all, "default_max_parallel_requests");
}

/** A call waiting for a permit of its alias: what it may use (as `pick` filters), and how it is let in. */
export interface Waiter<D> {
  readonly exclude: ReadonlySet<D> | undefined;
  readonly promptTokens: number;
  /** `d`'s permit is now the call's. */
  grant(d: D): void;
}

/** Waits at the end of `line` until a permit is granted, or rejects with `timedOut()` after `ms`. */
export function waitInLine<D>(line: Waiter<D>[], exclude: ReadonlySet<D> | undefined, promptTokens: number, ms: number, timedOut: () => Error): Promise<D> {
  return new Promise<D>((resolve, reject) => {
    const waiter: Waiter<D> = {
      exclude,
      promptTokens,
      grant: (d) => {
        clearTimeout(timer);
        resolve(d);
      },
    };
    const timer = setTimeout(() => {
      const i = line.indexOf(waiter);
      if (i >= 0) line.splice(i, 1);
      reject(timedOut());
    }, ms);
    line.push(waiter);
  });
}

/** The error of a call to `alias` that waited `seconds` and got no permit: each deployment's requests in flight and its cap's source. */
export function waitTimeout<D extends RoutableDeployment>(alias: string, g: Group<D>, seconds: number): MaxParallelRequestsTimeout {
  const each = g.slots.map((s) => `${String(s.d.params.model)} (${s.cap === Infinity ? "no cap" : `${s.held}/${s.cap} in flight, cap from ${s.capFrom}`})`);
  return new MaxParallelRequestsTimeout(
    `Every deployment of "${alias}" this call could use had all its permits in flight for ${seconds}s (the call's timeout): ${each.join("; ")}. ` +
      `Nothing was sent. Raise litellm_params.max_parallel_requests (it wins over rpm and tpm), add deployments or fallbacks for "${alias}", ` +
      `or give the call a longer timeout.`,
    { model: alias },
  );
}
