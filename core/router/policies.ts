import { ERROR_CLASS, ERROR_CLASS_COUNT, errorClass, FALLBACK_KIND, fallbackKind, isRetryable, retryAfterSeconds, statusOf, type ErrorClass } from "./classify.ts";
import type { Group, Slot } from "./groups.ts";
import { ROUTER_TUNING, type AllowedFailsPolicy, type RetryPolicy } from "./types.ts";

/**
 * `retry_policy`, `model_group_retry_policy` and `allowed_fails_policy` turned, when a
 * config loads, into small arrays indexed by error class: after a failure the router
 * reads one slot, and never looks at the policy's keys again.
 */

/** LiteLLM's RetryPolicy keys and the class each one counts. */
export const RETRY_POLICY_KEYS: Readonly<Record<keyof RetryPolicy, ErrorClass>> = Object.freeze({
  BadRequestErrorRetries: ERROR_CLASS.badRequest,
  AuthenticationErrorRetries: ERROR_CLASS.authentication,
  TimeoutErrorRetries: ERROR_CLASS.timeout,
  RateLimitErrorRetries: ERROR_CLASS.rateLimit,
  ContentPolicyViolationErrorRetries: ERROR_CLASS.contentPolicy,
  InternalServerErrorRetries: ERROR_CLASS.internalServer,
});

/** LiteLLM's AllowedFailsPolicy keys and the class each one counts. */
export const ALLOWED_FAILS_POLICY_KEYS: Readonly<Record<keyof AllowedFailsPolicy, ErrorClass>> = Object.freeze({
  BadRequestErrorAllowedFails: ERROR_CLASS.badRequest,
  AuthenticationErrorAllowedFails: ERROR_CLASS.authentication,
  TimeoutErrorAllowedFails: ERROR_CLASS.timeout,
  RateLimitErrorAllowedFails: ERROR_CLASS.rateLimit,
  ContentPolicyViolationErrorAllowedFails: ERROR_CLASS.contentPolicy,
  InternalServerErrorAllowedFails: ERROR_CLASS.internalServer,
});

/** A count per error class; -1 where the policy sets none. */
export type ClassTable = Readonly<Int32Array>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The counts a policy sets, by class; undefined when there is no policy (not an object). */
export function classTable(policy: unknown, keys: Readonly<Record<string, ErrorClass>>): ClassTable | undefined {
  if (!isObject(policy)) return undefined;
  const table = new Int32Array(ERROR_CLASS_COUNT).fill(-1);
  for (const [key, cls] of Object.entries(keys)) {
    const v = policy[key];
    if (typeof v === "number" && Number.isInteger(v) && v >= 0) table[cls] = v;
  }
  return table;
}

/** Retry tables: the global one, and per alias the one that replaces it (LiteLLM's model_group_retry_policy, not merged). */
export interface RetryTables {
  readonly global: ClassTable | undefined;
  readonly byAlias: ReadonlyMap<string, ClassTable>;
}

export function retryTables(retryPolicy: unknown, modelGroupRetryPolicy: unknown): RetryTables {
  const byAlias = new Map<string, ClassTable>();
  if (isObject(modelGroupRetryPolicy)) {
    for (const [alias, policy] of Object.entries(modelGroupRetryPolicy)) {
      const table = classTable(policy, RETRY_POLICY_KEYS);
      if (table) byAlias.set(alias, table);
    }
  }
  return { global: classTable(retryPolicy, RETRY_POLICY_KEYS), byAlias };
}

/**
 * How failures count toward a cool-down, by class. Without a policy every class adds to one
 * counter and may fail `allowed_fails` times. A class the policy names keeps a counter of its
 * own with the policy's limit, so 100 allowed rate limits do not hide a timeout allowed once;
 * and it counts even where the error alone would not (a 400), since the config asked for it.
 */
export interface FailRules {
  /** Failures allowed in a minute, by class. */
  readonly limit: ClassTable;
  /** Which of a deployment's counters a class adds to (0: the shared one). */
  readonly counter: Readonly<Uint8Array>;
  /** 1 where the policy names the class. */
  readonly named: Readonly<Uint8Array>;
  /** How many counters a deployment keeps. */
  readonly counters: number;
}

export function failRules(allowedFails: number, policy: unknown): FailRules {
  const set = classTable(policy, ALLOWED_FAILS_POLICY_KEYS);
  const limit = new Int32Array(ERROR_CLASS_COUNT).fill(allowedFails);
  const counter = new Uint8Array(ERROR_CLASS_COUNT);
  const named = new Uint8Array(ERROR_CLASS_COUNT);
  let counters = 1;
  if (set) {
    for (let cls = 0; cls < ERROR_CLASS_COUNT; cls++) {
      if (set[cls]! < 0) continue;
      limit[cls] = set[cls]!;
      counter[cls] = counters++;
      named[cls] = 1;
    }
  }
  return { limit, counter, named, counters };
}

/**
 * Retries of `alias` a call may make after `err` (see `Router.retriesFor`): the policy's count for the
 * error's class when it sets one, else `numRetries` for what is worth retrying and 0 for the rest; never
 * for a context-window error.
 */
export function retriesOf(tables: RetryTables, alias: string, err: unknown, numRetries: number): number {
  if (fallbackKind(err) === FALLBACK_KIND.contextWindow) return 0;
  const policy = tables.byAlias.get(alias) ?? tables.global;
  if (policy !== undefined) {
    const n = policy[errorClass(err)]!;
    if (n >= 0) return n;
  }
  return isRetryable(err) ? numRetries : 0;
}

/**
 * LiteLLM's wait before retry number `attempt` (1-based) on the same deployment: the provider's
 * Retry-After up to 60 s, else 0.5 s doubling to 8 s; never under `floorMs`; plus jitter from `r` in [0, 1).
 */
export function backoffDelayMs(attempt: number, err: unknown, floorMs: number, r: number): number {
  const jitter = r * ROUTER_TUNING.jitterMs;
  const asked = retryAfterSeconds(err) * 1000;
  if (asked > 0 && asked <= ROUTER_TUNING.maxRetryAfterMs) return Math.max(asked, floorMs) + jitter;
  const n = Math.max(1, Math.floor(attempt)) - 1;
  const backoff = Math.min(ROUTER_TUNING.initialRetryDelayMs * 2 ** n, ROUTER_TUNING.maxRetryDelayMs);
  return Math.max(backoff, floorMs) + jitter;
}

/**
 * A retry of the group need not wait: it has a well deployment the call has not `tried`, or without
 * `tried`, more than one well deployment. `now` is read only while a cool-down may run.
 */
export function canRetryElsewhere<D>(g: Group<D>, tried: ReadonlySet<D> | undefined, clock: () => number): boolean {
  const now = g.coolMax > 0 ? clock() : 0;
  let well = 0;
  for (const s of g.slots) if (s.coolUntil <= now && (tried === undefined || !tried.has(s.d))) well++;
  return tried === undefined ? well > 1 : well > 0;
}

/**
 * One failure of class `cls` that counts, on slot `s` at `now`: more than the rules allow within a minute
 * cools it down for the provider's Retry-After, else `cooldownMs` (LiteLLM: the header wins). True when it did.
 */
export function countFailure<D>(s: Slot<D>, err: unknown, cls: ErrorClass, rules: FailRules, now: number, cooldownMs: number): boolean {
  const c = rules.counter[cls]!;
  if (s.failN[c] === 0 || now - s.failStart[c]! >= ROUTER_TUNING.failWindowMs) (s.failStart[c] = now), (s.failN[c] = 0);
  if (++s.failN[c]! <= rules.limit[cls]!) return false;
  const retryAfterMs = retryAfterSeconds(err) * 1000;
  s.coolUntil = now + (retryAfterMs > 0 ? retryAfterMs : cooldownMs);
  s.failN[c] = 0;
  const status = String(statusOf(err) ?? "None");
  (s.cooldowns ??= {})[status] = (s.cooldowns[status] ?? 0) + 1;
  if (s.coolUntil > s.group.coolMax) s.group.coolMax = s.coolUntil;
  return true;
}
