import { ERROR_CLASS, ERROR_CLASS_COUNT, type ErrorClass } from "./classify.ts";
import type { AllowedFailsPolicy, RetryPolicy } from "./types.ts";

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
