import type { CallSignal } from "../call/signal.ts";
import { APIConnectionError, MaxParallelRequestsTimeout } from "../errors.ts";
import type { Group, Slot } from "./groups.ts";
import { filteredPick, type Picker } from "./strategy.ts";
import type { RoutableDeployment } from "./types.ts";
import { countOf } from "./usage.ts";

/**
 * LiteLLM's per-deployment concurrency cap (its router's `max_parallel_requests`
 * semaphore), per process: where a deployment's cap comes from, the pick among
 * deployments with a permit free, taking and giving back permits, the line of
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

/** A positive count of permits: at least 1 (LiteLLM's semaphore of 0.5 still lets one in). */
const permits = (n: number, from: CapSource): Cap => (n > 0 ? { limit: Math.max(1, Math.floor(n)), from } : NO_CAP);

/**
 * LiteLLM's `calculate_max_parallel_requests` (litellm/utils.py): the first key set decides,
 * `max_parallel_requests`, else `rpm`, else `tpm` as int(tpm / 1000 * 6) and at least 1, else
 * `router_settings.default_max_parallel_requests`. A cap of 0 is none (LiteLLM makes no
 * semaphore for it). Each key is read by usage.ts `countOf`, where rpm/tpm are (LiteLLM: `litellm_params` only).
 */
export function parallelLimitOf(d: RoutableDeployment, fallback: unknown): Cap {
  const mpr = countOf(d, "max_parallel_requests");
  if (mpr !== undefined) return permits(mpr, "max_parallel_requests");
  const rpm = countOf(d, "rpm");
  if (rpm !== undefined) return permits(rpm, "rpm");
  const tpm = countOf(d, "tpm");
  if (tpm !== undefined) return { limit: Math.max(1, Math.floor((tpm / 1000) * 6)), from: "tpm" };
  const all = typeof fallback === "number" && Number.isFinite(fallback) && fallback >= 0 ? fallback : undefined;
  return all === undefined ? NO_CAP : permits(all, "default_max_parallel_requests");
}

/** `pick` among the deployments with a permit free (under their `max_parallel_requests`); null when none has one. */
export function pickFree<D>(p: Picker<D>, g: Group<D>, exclude: ReadonlySet<D> | undefined, promptTokens: number): Slot<D> | null {
  const now = p.now();
  return filteredPick(p, g, exclude, promptTokens, now, g.coolMax > 0 && now < g.coolMax, true);
}

/** Takes a permit of slot `s` (see `Router.take`); undefined: a deployment the router does not know. */
export function takePermit(s: Slot<unknown> | undefined): "uncapped" | "taken" | "full" {
  if (s === undefined || s.cap === Infinity) return "uncapped";
  if (s.held >= s.cap) return "full";
  s.held++;
  return "taken";
}

/** Gives back a permit of slot `s`: to the first waiting call that can use a permit free now. */
export function releasePermit<D>(p: Picker<D>, s: Slot<D>): void {
  if (s.held === 0) return;
  s.held--;
  const line = s.group.line;
  for (let i = 0; i < line.length; i++) {
    const w = line[i]!;
    const next = pickFree(p, s.group, w.exclude, w.promptTokens);
    if (next === null) continue;
    next.held++;
    line.splice(i, 1);
    w.grant(next.d);
    return;
  }
}

/** A permit of a deployment of `alias` (see `Router.waitForPermit`): one free now, else the first freed within `seconds`. */
export function waitForFree<D extends RoutableDeployment>(
  p: Picker<D>,
  alias: string,
  g: Group<D>,
  exclude: ReadonlySet<D> | undefined,
  promptTokens: number,
  seconds: number,
  signal?: CallSignal,
): Promise<D> {
  // A shared pick may have chosen a saturated deployment while another had a permit free.
  const free = pickFree(p, g, exclude, promptTokens);
  if (free !== null) {
    free.held++;
    return Promise.resolve(free.d);
  }
  return waitInLine(g.line, exclude, promptTokens, seconds * 1000, () => waitTimeout(alias, g, seconds), signal, () => waitAborted(alias));
}

/** A call waiting for a permit of its alias: what it may use (as `pick` filters), and how it is let in. */
export interface Waiter<D> {
  readonly exclude: ReadonlySet<D> | undefined;
  readonly promptTokens: number;
  /** `d`'s permit is now the call's. */
  grant(d: D): void;
}

/**
 * Waits at the end of `line` until a permit is granted; rejects with `timedOut()` after `ms`, or with
 * `aborted()` as soon as the call's `signal` aborts (its caller left: the place in line goes to the next).
 */
export function waitInLine<D>(
  line: Waiter<D>[],
  exclude: ReadonlySet<D> | undefined,
  promptTokens: number,
  ms: number,
  timedOut: () => Error,
  signal?: CallSignal,
  aborted?: () => Error,
): Promise<D> {
  return new Promise<D>((resolve, reject) => {
    if (signal?.aborted && aborted) return reject(aborted());
    const leave = (err: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      const i = line.indexOf(waiter);
      if (i >= 0) line.splice(i, 1);
      reject(err);
    };
    const onAbort = () => leave(aborted ? aborted() : timedOut());
    const waiter: Waiter<D> = {
      exclude,
      promptTokens,
      grant: (d) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(d);
      },
    };
    const timer = setTimeout(() => leave(timedOut()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
    line.push(waiter);
  });
}

/** A call whose caller left (its `signal` aborted) while it waited for a permit of `alias`: nothing was sent. */
function waitAborted(alias: string): APIConnectionError {
  return new APIConnectionError(`the call to "${alias}" was aborted while it waited for a permit (max_parallel_requests); nothing was sent.`, { model: alias });
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
