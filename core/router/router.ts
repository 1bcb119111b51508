import type { CallSignal } from "../call/signal.ts";
import type { ContextWindowExceededError, RateLimitError } from "../errors.ts";
import { errorClass, fallbackKind, isRetryable, isTimeout, isUnwell } from "./classify.ts";
import { estimatePromptTokens, tooLongError } from "./context-window.ts";
import { sampleLatency, slotHealth, type Slot } from "./groups.ts";
import { pickFree, releasePermit, takePermit, waitForFree } from "./permits.ts";
import { backoffDelayMs, canRetryElsewhere, countFailure, retriesOf } from "./policies.ts";
import { RouterSetup } from "./setup.ts";
import { shareCooldown, shareInFlight, shareRequest, shareTokens, SHARED_MODE, syncGroup } from "./shared-group.ts";
import { choose, filteredPick, LATENCY, LEAST_BUSY } from "./strategy.ts";
import { ROUTER_TUNING, type RoutableDeployment } from "./types.ts";
import { limitError, minuteOf, roll, underLimit } from "./usage.ts";

/**
 * Routing decisions for the deployments of a config, with LiteLLM's names and
 * semantics: which deployment an attempt goes to, the bookkeeping around it
 * (in flight, latency, failures and cool-downs), whether and how long to wait
 * before a retry, and which aliases to fall back to. Everything a config fixes
 * (weights, running sums, fallback lists) is computed once, in setup.ts; `pick`
 * walks those arrays and allocates nothing.
 */

export class Router<D extends RoutableDeployment> extends RouterSetup<D> {
  /**
   * The deployment for the next attempt of `alias`, by the strategy, among those
   * not cooling down and not in `exclude` (the ones this call already tried); then
   * among those not cooling; and when every one is cooling, the one back soonest.
   * With `promptTokens` (from `promptTokens()`), only deployments whose context
   * window takes the prompt are candidates; under a strategy with limits, only those
   * under their rpm/tpm this minute. null for an alias with no deployments, or none
   * that takes the prompt or is under its limits (`limitError` says which).
   */
  pick(alias: string, exclude?: ReadonlySet<D>, promptTokens = 0): D | null {
    const g = this.groups.get(alias);
    if (g === undefined) return null;
    // Up to the smallest window every deployment takes the prompt: no filter for it.
    const tokens = promptTokens > g.minWindow ? promptTokens : 0;
    const limits = this.limited;
    if (g.capped) {
      const free = pickFree(this.picker, g, exclude, promptTokens);
      if (free !== null) return free.d;
      // Every candidate is saturated: the strategy's pick, whose permit `take` finds taken; the call waits for one.
    }
    if (g.slots.length === 1 && tokens === 0 && !limits) return g.slots[0]!.d;
    const excl = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
    let now = this.kind === LATENCY || limits ? this.now() : 0;
    let cooling = false;
    if (g.coolMax > 0) {
      if (now === 0) now = this.now();
      if (now < g.coolMax) cooling = true;
      else g.coolMax = 0;
    }
    if (!cooling && excl === undefined && tokens === 0 && !limits) return choose(this.kind, g, undefined, now, this.random)!.d;

    const s = filteredPick(this.picker, g, excl, promptTokens, now, cooling, false);
    return s === null ? null : s.d;
  }

  /** State is shared through Redis: a pick is `pickShared`, one awaited round trip. */
  get sharing(): boolean {
    return this.openShared !== null;
  }

  /**
   * `pick` with every instance's state: one Redis round trip reads the alias's usage, in-flight
   * counts and cool-downs into the slots (and under a strategy with limits, picks and counts the
   * request atomically there, so instances never pass a joint rpm). When Redis fails or does not
   * answer in time, `pick` on this process's own state: no call fails for it.
   */
  async pickShared(alias: string, exclude?: ReadonlySet<D>, promptTokens = 0): Promise<D | null> {
    const g = this.groups.get(alias);
    this.shared ??= this.openShared?.() ?? null;
    if (this.shared === null || g === undefined) return this.pick(alias, exclude, promptTokens);
    const input = this.countPrompt ? promptTokens : 0;
    const tokens = promptTokens > g.minWindow ? promptTokens : 0;
    const picked = await syncGroup(this.shared, g, this.sharedMode, this.now(), input, (s) => tokens <= s.window, exclude, this.random());
    if (picked === null || this.sharedMode === SHARED_MODE.read) return this.pick(alias, exclude, promptTokens);
    return picked >= 0 ? g.slots[picked]!.d : null;
  }

  /**
   * The estimated tokens of a call's prompt (see context-window.ts), for `pick`, `contextWindowError`
   * and `limitError`: when `enable_pre_call_checks` has windows to check, or a deployment's `tpm` is
   * enforced (LiteLLM counts the prompt against it); else 0.
   */
  promptTokens(params: { messages?: unknown }): number {
    return this.checkWindows || this.countPrompt ? estimatePromptTokens(params.messages) : 0;
  }

  /**
   * Under a strategy that enforces `rpm` / `tpm`: the RateLimitError (429, `retry_after` the seconds
   * to the next minute) a call to `alias` fails with when every deployment is at its limit for a
   * prompt of `promptTokens`; else null.
   */
  limitError(alias: string, promptTokens = 0): RateLimitError | null {
    const g = this.groups.get(alias);
    if (!this.limited || g === undefined) return null;
    const now = this.now();
    const minute = minuteOf(now);
    const input = this.countPrompt ? promptTokens : 0;
    for (const s of g.slots) if (underLimit(s as Slot<unknown>, minute, input)) return null;
    return limitError(alias, g, now, input);
  }

  /**
   * `enable_pre_call_checks`: the error a call to `alias` fails with, before any attempt, when no
   * deployment's context window takes `promptTokens`, so `context_window_fallbacks` apply; else null.
   */
  contextWindowError(alias: string, promptTokens: number): ContextWindowExceededError | null {
    const g = this.groups.get(alias);
    if (g === undefined || promptTokens <= g.maxWindow) return null;
    return tooLongError(alias, promptTokens, g.slots.map((s) => `${String(s.d.params.model)}: ${s.window}`));
  }

  /**
   * Takes a permit of `d` for an attempt about to be sent: "uncapped" (nothing to give back), "taken"
   * (give it back with `release` when the attempt, or its stream, ends), or "full": every permit is
   * in flight, and the call waits for one with `waitForPermit`.
   */
  take(d: D): "uncapped" | "taken" | "full" {
    return takePermit(this.slots.get(d));
  }

  /** Gives back a permit of `d` taken by `take` or `waitForPermit`: to the first waiting call that can use a permit free now. */
  release(d: D): void {
    const s = this.slots.get(d);
    if (s !== undefined) releasePermit(this.picker, s);
  }

  /**
   * Every candidate of `alias` has all its permits in flight: waits, first come first served, for the
   * first permit freed among them, and resolves with the deployment whose permit the call now holds.
   * Rejects with MaxParallelRequestsTimeout after `timeoutS` (the call's or its deployment's `timeout`),
   * else `router_settings.timeout`, else `litellm_settings.request_timeout`; with APIConnectionError at once
   * when the call's `signal` aborts.
   */
  waitForPermit(alias: string, exclude: ReadonlySet<D> | undefined, promptTokens: number, timeoutS?: number, signal?: CallSignal): Promise<D> {
    const g = this.groups.get(alias);
    if (g === undefined) return Promise.reject(new Error(`unknown alias "${alias}"`));
    const seconds = timeoutS !== undefined && Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : this.waitS;
    return waitForFree(this.picker, alias, g, exclude, promptTokens, seconds, signal);
  }

  /** An attempt on `d` begins: least-busy counts it in flight; a strategy with limits counts a request this minute (LiteLLM v2 counts before the call). */
  started(d: D): void {
    const s = this.slots.get(d);
    if (!s) return;
    s.inFlight++;
    if (this.shared !== null && this.kind === LEAST_BUSY) shareInFlight(this.shared, s as Slot<unknown>, 1);
    if (this.limited) {
      const now = this.now();
      roll(s as Slot<unknown>, minuteOf(now));
      s.rpmUsed++;
      // The usage-based and cost-based picks count in Redis as they pick; the others count here, without waiting.
      if (this.shared !== null && this.sharedMode === SHARED_MODE.read) shareRequest(this.shared, s as Slot<unknown>, now);
    }
  }

  /**
   * An attempt on `d` answered after `latencyMs` (fed to the latency EWMA), having used `tokens`
   * (the answer's `usage.total_tokens`), which count against its `tpm` this minute.
   */
  succeeded(d: D, latencyMs: number, tokens = 0): void {
    const s = this.slots.get(d);
    if (!s) return;
    this.ended(s);
    if (Number.isFinite(latencyMs) && latencyMs >= 0) sampleLatency(s, latencyMs, this.now());
    if (tokens > 0) this.used(d, tokens);
  }

  /** `tokens` more used by `d` this minute (a streamed answer's usage arrives after the attempt). */
  used(d: D, tokens: number): void {
    const s = this.slots.get(d);
    if (!s || !this.limited || !(tokens > 0)) return;
    const now = this.now();
    roll(s as Slot<unknown>, minuteOf(now));
    s.tpmUsed += tokens;
    if (this.shared !== null) shareTokens(this.shared, s as Slot<unknown>, now, tokens);
  }

  private ended(s: Slot<D>): void {
    if (s.inFlight > 0) s.inFlight--;
    if (this.shared !== null && this.kind === LEAST_BUSY) shareInFlight(this.shared, s as Slot<unknown>, -1);
  }

  /**
   * An attempt on `d` failed. Errors that say the deployment is unwell (429, 5xx,
   * 401, 404, timeouts, connection failures) count, and those of a class
   * `allowed_fails_policy` names; more than `allowed_fails` of them within a minute
   * (the policy's number for its class, counted apart) cool it down for `cooldown_time`,
   * or for the provider's Retry-After when it gave one (LiteLLM: the header wins over
   * the router default). Never with `disable_cooldowns`.
   */
  failed(d: D, err: unknown): void {
    const s = this.slots.get(d);
    if (!s) return;
    this.ended(s);
    const cls = errorClass(err);
    if (this.fails.named[cls] === 0 && !isUnwell(err)) return;
    const now = this.now();
    if (isTimeout(err)) sampleLatency(s, ROUTER_TUNING.timeoutPenaltyMs, now);
    if (this.cooldownMs === 0 || !countFailure(s, err, cls, this.fails, now, this.cooldownMs)) return;
    // Every instance on the Redis skips it from its next pick.
    if (this.shared !== null) shareCooldown(this.shared, s as Slot<unknown>, now, s.coolUntil);
  }

  /** Worth another attempt: a connection failure, a timeout, 408, 409, 429 or 5xx; not other 4xx, nor a context-window or content-policy error. */
  retryable(err: unknown): boolean {
    return isRetryable(err);
  }

  /**
   * How many retries of `alias` a call may have made when an attempt fails with `err`
   * (the call stops retrying once it has made that many): the `retry_policy` count for the
   * error's class (`model_group_retry_policy[alias]` in place of `retry_policy` when it has
   * the alias) when the policy sets one, else `numRetries` for what is worth retrying and 0
   * for the rest. A context-window error is never retried: the same prompt cannot fit.
   */
  retriesFor(alias: string, err: unknown, numRetries: number): number {
    return retriesOf(this.retries, alias, err, numRetries);
  }

  /**
   * Milliseconds to wait before retry number `attempt` (1-based), LiteLLM's way:
   * - none when `alias` has a well deployment this call has not tried (`tried`), or without
   *   `tried`, when it has more than one well deployment: the retry goes elsewhere;
   * - the provider's Retry-After when it gives one up to 60 s;
   * - else 0.5 s doubling per retry, capped at 8 s;
   * never less than `retry_after`, plus up to 0.75 s of jitter.
   */
  backoffMs(attempt: number, err: unknown, alias?: string, tried?: ReadonlySet<D>): number {
    const g = alias === undefined ? undefined : this.groups.get(alias);
    if (g !== undefined && canRetryElsewhere(g, tried, this.now)) return 0;
    return backoffDelayMs(attempt, err, this.retryFloorMs, this.random());
  }

  /**
   * The aliases to try after `alias` failed with `err`: `context_window_fallbacks` for a
   * context-window error, `content_policy_fallbacks` for a content-policy one (each
   * `fallbacks` when not configured), else `fallbacks`; a `"*"` entry for aliases without their own.
   */
  fallbacksFor(alias: string, err: unknown): readonly string[] {
    return this.fallbacks.for(alias, fallbackKind(err));
  }

  /** How many deployments `alias` has (LiteLLM's `model_group_size`); 0 for an unknown alias. */
  size(alias: string): number {
    return this.groups.get(alias)?.slots.length ?? 0;
  }

  /**
   * Each deployment's health now, for a metrics scrape (read-only, off the call path):
   * whether it cools down, whether a failure that counts towards a cool-down came within
   * the last minute, and its cool-downs so far by the status that caused them.
   */
  health(): Array<{ d: D; cooling: boolean; failing: boolean; cooldowns: Readonly<Record<string, number>> }> {
    const now = this.now();
    return [...this.slots.values()].map((s) => ({ d: s.d, ...slotHealth(s, now) }));
  }

  /** Whether `d` is cooling down now. */
  coolingDown(d: D): boolean {
    const s = this.slots.get(d);
    return s !== undefined && s.coolUntil > this.now();
  }
}
