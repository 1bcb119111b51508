import { DEFAULT_TIMEOUT_S } from "../call/params.ts";
import type { ContextWindowExceededError, RateLimitError } from "../errors.ts";
import { errorClass, fallbackKind, isRetryable, isTimeout, isUnwell } from "./classify.ts";
import { contextWindowOf, estimatePromptTokens, tooLongError } from "./context-window.ts";
import { Fallbacks } from "./fallbacks.ts";
import { buildGroup, eligible, slotHealth, pickCheapest, pickLeastBusy, pickLeastTokens, pickLowestLatency, pickShuffle, soonestBack, type Filter, type Group, type Slot } from "./groups.ts";
import { backoffDelayMs, countFailure, failRules, retriesOf, retryTables, type FailRules, type RetryTables } from "./policies.ts";
import {
  ROUTER_DEFAULTS,
  ROUTER_TUNING,
  ROUTING_STRATEGIES,
  type RoutableDeployment,
  type RouterOptions,
  type RouterSettings,
  type RoutingStrategy,
} from "./types.ts";
import { costOf, limitError, minuteOf, roll, underLimit } from "./usage.ts";
import { parallelLimitOf, waitInLine, waitTimeout } from "./permits.ts";
import { connect, sharedId, type Connection } from "./shared.ts";
import { shareCooldown, shareInFlight, shareRequest, shareTokens, SHARED_MODE, syncGroup, type SharedMode } from "./shared-group.ts";

/**
 * Routing decisions for the deployments of a config, with LiteLLM's names and
 * semantics: which deployment an attempt goes to, the bookkeeping around it
 * (in flight, latency, failures and cool-downs), whether and how long to wait
 * before a retry, and which aliases to fall back to. Everything a config fixes
 * (weights, running sums, fallback lists) is computed here, once; `pick` walks
 * those arrays and allocates nothing.
 */

const SHUFFLE = 0;
const LEAST_BUSY = 1;
const LATENCY = 2;
const USAGE = 3;
const COST = 4;
const STRATEGY_IDS: Record<RoutingStrategy, number> = {
  "simple-shuffle": SHUFFLE,
  "least-busy": LEAST_BUSY,
  "latency-based-routing": LATENCY,
  // LiteLLM keeps v1 (per-process dicts, counted on success) apart; v2 is its rework of the same rule, counted before the call.
  "usage-based-routing": USAGE,
  "usage-based-routing-v2": USAGE,
  "cost-based-routing": COST,
};

const count = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback);
const seconds = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback);
const stderrWarn = (message: string): void => void process.stderr.write(`litellm-runtime: warning: ${message}\n`);
const stderrLine = (line: string): void => void process.stderr.write(`${line}\n`);

export class Router<D extends RoutableDeployment> {
  /** Retries after the first attempt of an alias (`router_settings.num_retries`). @default 0 */
  readonly numRetries: number;
  /** `router_settings.timeout` in seconds, or undefined when the config sets none. */
  readonly timeoutS: number | undefined;
  /** Fallback hops one call may take (LiteLLM's ROUTER_MAX_FALLBACKS). */
  readonly maxFallbacks: number;
  /** The strategy in effect (an unknown name becomes `simple-shuffle`). */
  readonly strategy: RoutingStrategy;

  private readonly kind: number;
  /** The Redis every instance shares its state through (`router_settings.redis_host` / `redis_url`); null: this process only. */
  private shared: Connection | null = null;
  /** Opens `shared` at the first pick (not when a config is only validated); null without a Redis in `router_settings`. */
  private readonly openShared: (() => Connection | null) | null;
  private readonly sharedMode: SharedMode;
  /** The strategy enforces `rpm` / `tpm` per minute (usage-based and cost-based, as in LiteLLM). */
  readonly limited: boolean;
  /** Some deployment has a `tpm` the prompt is counted against. */
  private readonly countPrompt: boolean;
  private readonly groups = new Map<string, Group<D>>();
  private readonly slots = new Map<D, Slot<D>>();
  private readonly fallbacks: Fallbacks;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fails: FailRules;
  private readonly retries: RetryTables;
  /** 0 when cool-downs are off (`cooldown_time: 0` or `disable_cooldowns: true`). */
  private readonly cooldownMs: number;
  private readonly retryFloorMs: number;
  /** `enable_pre_call_checks`, and some deployment has a context window to check against. */
  private readonly checkWindows: boolean;
  // One filter, reused: picks are synchronous, so a filtered pick allocates nothing.
  private readonly filter: Filter<D> = { exclude: undefined, cooling: false, now: 0, tokens: 0, limits: false, minute: 0, input: 0, free: false };
  /** Some deployment caps its requests in flight: a routed call takes a permit (`take`) before each attempt. */
  readonly capped: boolean;
  /** Seconds a call waits for a permit when neither it nor its deployment sets `timeout`. */
  private readonly waitS: number;

  constructor(deployments: ReadonlyMap<string, readonly D[]>, settings: RouterSettings = {}, options: RouterOptions = {}) {
    // Read at each use, so a test clock installed after construction (vi.setSystemTime) applies.
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    const requested = settings.routing_strategy ?? "simple-shuffle";
    if ((ROUTING_STRATEGIES as readonly string[]).includes(requested)) this.strategy = requested as RoutingStrategy;
    else {
      this.strategy = "simple-shuffle";
      (options.warn ?? stderrWarn)(
        `router_settings.routing_strategy "${requested}" is not implemented in this runtime; using "simple-shuffle" (implemented: ${ROUTING_STRATEGIES.join(", ")})`,
      );
    }
    this.kind = STRATEGY_IDS[this.strategy];
    // LiteLLM's optional pre-call check `enforce_model_rate_limits` makes rpm/tpm limits under every strategy.
    const enforce = Array.isArray(settings.optional_pre_call_checks) && settings.optional_pre_call_checks.includes("enforce_model_rate_limits");
    this.limited = this.kind === USAGE || this.kind === COST || enforce;
    this.numRetries = count(settings.num_retries, ROUTER_DEFAULTS.num_retries);
    this.timeoutS = typeof settings.timeout === "number" && Number.isFinite(settings.timeout) && settings.timeout > 0 ? settings.timeout : undefined;
    this.maxFallbacks = ROUTER_DEFAULTS.max_fallbacks;
    // Per-class tables, decided here once: a failure reads one slot of each.
    this.fails = failRules(count(settings.allowed_fails, ROUTER_DEFAULTS.allowed_fails), settings.allowed_fails_policy);
    this.retries = retryTables(settings.retry_policy, settings.model_group_retry_policy);
    this.cooldownMs = settings.disable_cooldowns === true ? 0 : seconds(settings.cooldown_time, ROUTER_DEFAULTS.cooldown_time) * 1000;
    this.retryFloorMs = seconds(settings.retry_after, ROUTER_DEFAULTS.retry_after) * 1000;

    const checks = settings.enable_pre_call_checks === true;
    let known = false;
    let tpm = false;
    let capped = false;
    for (const [alias, list] of deployments) {
      if (list.length === 0) continue;
      const windows = list.map((d) => (checks ? contextWindowOf(d, options.costMap) : Infinity));
      const costs = list.map((d) => (this.kind === COST ? costOf(d, options.costMap) : 0));
      const caps = list.map((d) => parallelLimitOf(d, settings.default_max_parallel_requests));
      const group = buildGroup(list, this.fails.counters, windows, costs, caps);
      known ||= group.minWindow < Infinity;
      capped ||= group.capped;
      tpm ||= group.slots.some((s) => s.tpmLimit < Infinity);
      this.groups.set(alias, group);
      for (const slot of group.slots) this.slots.set(slot.d, slot);
    }
    this.checkWindows = known;
    this.capped = capped;
    const requestS = options.requestTimeoutS;
    this.waitS = this.timeoutS ?? (typeof requestS === "number" && Number.isFinite(requestS) && requestS > 0 ? requestS : DEFAULT_TIMEOUT_S);
    const report = options.report ?? stderrLine;
    this.openShared = settings.redis_url || settings.redis_host ? () => connect(settings, report) : null;
    this.sharedMode = this.kind === USAGE ? SHARED_MODE.tokens : this.kind === COST ? SHARED_MODE.cost : SHARED_MODE.read;
    if (this.openShared !== null) for (const s of this.slots.values()) s.key = sharedId(s.d);
    this.countPrompt = this.limited && tpm;
    this.fallbacks = new Fallbacks(settings, this.groups.keys());
  }

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
      const free = this.pickFree(g, exclude, promptTokens);
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
    if (!cooling && excl === undefined && tokens === 0 && !limits) return this.choose(g, undefined, now)!.d;

    const f = this.filter;
    f.exclude = excl;
    f.cooling = cooling;
    f.now = now;
    f.tokens = tokens;
    f.limits = limits;
    f.minute = minuteOf(now);
    f.input = this.countPrompt ? promptTokens : 0;
    let s = this.choose(g, f, now);
    if (s === null && excl !== undefined) {
      // Every well deployment was tried already: try one of them again.
      f.exclude = undefined;
      s = this.choose(g, f, now);
    }
    f.exclude = undefined; // hold no reference to the caller's set
    s ??= soonestBack(g, tokens, f);
    f.tokens = 0;
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
   * `pick` among the deployments with a permit free (under their `max_parallel_requests`), by the same
   * filters and strategy; a cooling one only when every candidate cools. null when none has a permit free.
   */
  private pickFree(g: Group<D>, exclude: ReadonlySet<D> | undefined, promptTokens: number): Slot<D> | null {
    const now = this.now();
    const f = this.filter;
    f.exclude = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
    f.cooling = g.coolMax > 0 && now < g.coolMax;
    f.now = now;
    f.tokens = promptTokens > g.minWindow ? promptTokens : 0;
    f.limits = this.limited;
    f.minute = minuteOf(now);
    f.input = this.countPrompt ? promptTokens : 0;
    f.free = true;
    let s = this.choose(g, f, now);
    if (s === null && f.exclude !== undefined) {
      f.exclude = undefined;
      s = this.choose(g, f, now);
    }
    f.exclude = undefined;
    if (s === null && f.cooling && !this.anyWell(g, f)) s = soonestBack(g, f.tokens, f);
    f.free = false;
    f.tokens = 0;
    return s;
  }

  /** Some deployment passes `f` but for its permits: not every candidate cools, so a cooling one is no answer. */
  private anyWell(g: Group<D>, f: Filter<D>): boolean {
    f.free = false;
    let well = false;
    for (const s of g.slots) if (eligible(s, f)) well = true;
    f.free = true;
    return well;
  }

  /**
   * Takes a permit of `d` for an attempt about to be sent: "uncapped" (nothing to give back), "taken"
   * (give it back with `release` when the attempt, or its stream, ends), or "full": every permit is
   * in flight, and the call waits for one with `waitForPermit`.
   */
  take(d: D): "uncapped" | "taken" | "full" {
    const s = this.slots.get(d);
    if (s === undefined || s.cap === Infinity) return "uncapped";
    if (s.held >= s.cap) return "full";
    s.held++;
    return "taken";
  }

  /** Gives back a permit of `d` taken by `take` or `waitForPermit`: to the first waiting call that can use a permit free now. */
  release(d: D): void {
    const s = this.slots.get(d);
    if (s === undefined || s.held === 0) return;
    s.held--;
    const line = s.group.line;
    for (let i = 0; i < line.length; i++) {
      const w = line[i]!;
      const next = this.pickFree(s.group, w.exclude, w.promptTokens);
      if (next === null) continue;
      next.held++;
      line.splice(i, 1);
      w.grant(next.d);
      return;
    }
  }

  /**
   * Every candidate of `alias` has all its permits in flight: waits, first come first served, for the
   * first permit freed among them, and resolves with the deployment whose permit the call now holds.
   * Rejects with MaxParallelRequestsTimeout after `timeoutS` (the call's or its deployment's `timeout`),
   * else `router_settings.timeout`, else `litellm_settings.request_timeout`.
   */
  waitForPermit(alias: string, exclude: ReadonlySet<D> | undefined, promptTokens: number, timeoutS?: number): Promise<D> {
    const g = this.groups.get(alias);
    if (g === undefined) return Promise.reject(new Error(`unknown alias "${alias}"`));
    // A shared pick may have chosen a saturated deployment while another had a permit free.
    const free = this.pickFree(g, exclude, promptTokens);
    if (free !== null) {
      free.held++;
      return Promise.resolve(free.d);
    }
    const seconds = timeoutS !== undefined && Number.isFinite(timeoutS) && timeoutS > 0 ? timeoutS : this.waitS;
    return waitInLine(g.line, exclude, promptTokens, seconds * 1000, () => waitTimeout(alias, g, seconds));
  }

  private choose(g: Group<D>, f: Filter<D> | undefined, now: number): Slot<D> | null {
    if (this.kind === LEAST_BUSY) return pickLeastBusy(g, f, this.random);
    if (this.kind === LATENCY) return pickLowestLatency(g, f, this.random, now);
    if (this.kind === USAGE) return pickLeastTokens(g, f!, this.random);
    if (this.kind === COST) return pickCheapest(g, f!);
    return pickShuffle(g, f, this.random());
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
    if (Number.isFinite(latencyMs) && latencyMs >= 0) this.sample(s, latencyMs, this.now());
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
    if (isTimeout(err)) this.sample(s, ROUTER_TUNING.timeoutPenaltyMs, now);
    if (this.cooldownMs === 0 || !countFailure(s, err, cls, this.fails, now, this.cooldownMs)) return;
    // Every instance on the Redis skips it from its next pick.
    if (this.shared !== null) shareCooldown(this.shared, s as Slot<unknown>, now, s.coolUntil);
  }

  private sample(s: Slot<D>, ms: number, now: number): void {
    const fresh = s.lat === s.lat && now - s.latAt <= ROUTER_TUNING.latencyTtlMs;
    s.lat = fresh ? s.lat + ROUTER_TUNING.latencyAlpha * (ms - s.lat) : ms;
    s.latAt = now;
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
    if (alias !== undefined && this.canRetryElsewhere(alias, tried)) return 0;
    return backoffDelayMs(attempt, err, this.retryFloorMs, this.random());
  }

  private canRetryElsewhere(alias: string, tried: ReadonlySet<D> | undefined): boolean {
    const g = this.groups.get(alias);
    if (g === undefined) return false;
    const now = g.coolMax > 0 ? this.now() : 0;
    let well = 0;
    for (const s of g.slots) if (s.coolUntil <= now && (tried === undefined || !tried.has(s.d))) well++;
    return tried === undefined ? well > 1 : well > 0;
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
