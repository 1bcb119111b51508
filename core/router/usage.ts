import { findPrice, type CostMap } from "../cost/index.ts";
import { RateLimitError } from "../errors.ts";
import type { Group, Slot } from "./groups.ts";
import type { RoutableDeployment } from "./types.ts";

/**
 * Per-minute usage and limits, for the strategies that enforce `rpm` / `tpm`
 * (usage-based-routing, usage-based-routing-v2 and cost-based-routing, as in
 * LiteLLM): where a deployment's limits come from, its requests and tokens in
 * the current minute, the cheapest and least-used choosers, and the error a
 * call fails with when every deployment of an alias is at its limit.
 *
 * LiteLLM counts by the calendar minute (its keys end in `%H-%M`, UTC), not a
 * sliding window: every count starts again at the top of the minute.
 */

export const MINUTE_MS = 60_000;

/** The minute `now` (ms since the epoch) falls in. */
export const minuteOf = (now: number): number => Math.floor(now / MINUTE_MS);

/** A number of zero or more, or a string of one (YAML may quote it); else undefined. */
function count(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * A deployment's count setting (`rpm`, `tpm`, `max_parallel_requests`), looked up where LiteLLM's
 * lowest_tpm_rpm_v2 looks for rpm/tpm: the entry's top level, then `litellm_params`, then `model_info`.
 */
export function countOf(d: RoutableDeployment, key: "rpm" | "tpm" | "max_parallel_requests"): number | undefined {
  return count(d[key]) ?? count(d.params[key]) ?? count(d.model_info?.[key]);
}

/** A deployment's `rpm` or `tpm` limit (`countOf`); Infinity when none sets it. */
export function limitOf(d: RoutableDeployment, key: "rpm" | "tpm"): number {
  return countOf(d, key) ?? Infinity;
}

/** LiteLLM's lowest_cost price of a model it cannot find: $5 a token in and out, so any priced deployment comes first. */
const UNKNOWN_PRICE = 5;

/**
 * Input plus output price per token (cost-based-routing), first found: `model_info`, `litellm_params`
 * (`input_cost_per_token` / `output_cost_per_token`), the user's cost map, the bundled table.
 */
export function costOf(d: RoutableDeployment, costMap: CostMap | null | undefined): number {
  const model = typeof d.params.model === "string" ? d.params.model : "";
  const slash = model.indexOf("/");
  const provider = slash > 0 ? model.slice(0, slash) : "openai";
  const base = d.model_info?.base_model ?? d.params.base_model;
  const price = findPrice({
    model: slash > 0 ? model.slice(slash + 1) : model,
    provider,
    modelInfo: d.model_info as Record<string, unknown> | null | undefined,
    callPrices: d.params as { input_cost_per_token?: number; output_cost_per_token?: number },
    costMap,
    baseModel: typeof base === "string" ? base : null,
  });
  const input = count(price?.input_cost_per_token) ?? UNKNOWN_PRICE;
  const output = count(price?.output_cost_per_token) ?? UNKNOWN_PRICE;
  return input + output;
}

/** Starts the slot's counts again when the minute has turned. */
export function roll(s: Slot<unknown>, minute: number): void {
  if (s.minute === minute) return;
  s.minute = minute;
  s.rpmUsed = 0;
  s.tpmUsed = 0;
}

/**
 * May take another request of about `input` tokens this minute: fewer requests than `rpm`,
 * and its tokens plus the prompt's within `tpm` (LiteLLM: `tpm_used + input_tokens > tpm` skips it).
 */
export function underLimit(s: Slot<unknown>, minute: number, input: number): boolean {
  roll(s, minute);
  return s.rpmUsed < s.rpmLimit && s.tpmUsed + input <= s.tpmLimit;
}

/** The shared counts (Redis) of a deployment this minute, taken over the local ones when higher. */
export function merge(s: Slot<unknown>, minute: number, rpm: number, tpm: number): void {
  roll(s, minute);
  if (rpm > s.rpmUsed) s.rpmUsed = rpm;
  if (tpm > s.tpmUsed) s.tpmUsed = tpm;
}

/**
 * The RateLimitError of a call to `alias` when every deployment is at its `rpm` or `tpm` this
 * minute: each deployment's counts and limits, and when the minute resets (`retry_after`, seconds).
 */
export function limitError<D extends RoutableDeployment>(alias: string, g: Group<D>, now: number, input: number): RateLimitError {
  const minute = minuteOf(now);
  const resetsAt = (minute + 1) * MINUTE_MS;
  const seconds = Math.max(1, Math.ceil((resetsAt - now) / 1000));
  const each = g.slots.map((s) => {
    roll(s as Slot<unknown>, minute);
    const parts: string[] = [];
    if (s.rpmLimit < Infinity) parts.push(`rpm ${s.rpmUsed}/${s.rpmLimit}`);
    if (s.tpmLimit < Infinity) parts.push(`tpm ${s.tpmUsed}/${s.tpmLimit}`);
    return `${String(s.d.params.model)} (${parts.join(", ") || "no limit"})`;
  });
  const prompt = input > 0 ? ` (this prompt: about ${input} tokens)` : "";
  return new RateLimitError(
    `Every deployment of "${alias}" is at its rpm/tpm limit this minute${prompt}: ${each.join("; ")}. ` +
      `The minute resets in ${seconds}s (at ${new Date(resetsAt).toISOString().slice(11, 19)} UTC). ` +
      `Retry after that, raise rpm/tpm in litellm_params, or add deployments or fallbacks for "${alias}".`,
    { model: alias, retry_after: seconds },
  );
}
