import { ContextWindowExceededError } from "../errors.ts";
import { errorClass, fallbackKind, FALLBACK_KIND, isRetryable, isTimeout, isUnwell, retryAfterSeconds, statusOf } from "./classify.ts";
import { CHARS_PER_TOKEN, contextWindowOf, estimatePromptTokens } from "./context-window.ts";
import { Fallbacks } from "./fallbacks.ts";
import { buildGroup, pickLeastBusy, pickLowestLatency, pickShuffle, soonestBack, type Filter, type Group, type Slot } from "./groups.ts";
import { failRules, retryTables, type FailRules, type RetryTables } from "./policies.ts";
import {
  ROUTER_DEFAULTS,
  ROUTER_TUNING,
  ROUTING_STRATEGIES,
  type RoutableDeployment,
  type RouterOptions,
  type RouterSettings,
  type RoutingStrategy,
} from "./types.ts";

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
const STRATEGY_IDS: Record<RoutingStrategy, number> = { "simple-shuffle": SHUFFLE, "least-busy": LEAST_BUSY, "latency-based-routing": LATENCY };

const count = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback);
const seconds = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback);
const stderrWarn = (message: string): void => void process.stderr.write(`litellm-runtime: warning: ${message}\n`);

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
  private readonly filter: Filter<D> = { exclude: undefined, cooling: false, now: 0, tokens: 0 };

  constructor(deployments: ReadonlyMap<string, readonly D[]>, settings: RouterSettings = {}, options: RouterOptions = {}) {
    this.now = options.now ?? Date.now;
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
    for (const [alias, list] of deployments) {
      if (list.length === 0) continue;
      const windows = list.map((d) => (checks ? contextWindowOf(d, options.costMap) : Infinity));
      const group = buildGroup(list, this.fails.counters, windows);
      known ||= group.minWindow < Infinity;
      this.groups.set(alias, group);
      for (const slot of group.slots) this.slots.set(slot.d, slot);
    }
    this.checkWindows = known;
    this.fallbacks = new Fallbacks(settings, this.groups.keys());
  }

  /**
   * The deployment for the next attempt of `alias`, by the strategy, among those
   * not cooling down and not in `exclude` (the ones this call already tried); then
   * among those not cooling; and when every one is cooling, the one back soonest.
   * With `promptTokens` (from `promptTokens()`), only deployments whose context
   * window takes the prompt are candidates. null for an alias with no deployments,
   * or none that takes the prompt.
   */
  pick(alias: string, exclude?: ReadonlySet<D>, promptTokens = 0): D | null {
    const g = this.groups.get(alias);
    if (g === undefined) return null;
    // Up to the smallest window every deployment takes the prompt: no filter for it.
    const tokens = promptTokens > g.minWindow ? promptTokens : 0;
    if (g.slots.length === 1 && tokens === 0) return g.slots[0]!.d;
    const excl = exclude !== undefined && exclude.size > 0 ? exclude : undefined;
    let now = this.kind === LATENCY ? this.now() : 0;
    let cooling = false;
    if (g.coolMax > 0) {
      if (this.kind !== LATENCY) now = this.now();
      if (now < g.coolMax) cooling = true;
      else g.coolMax = 0;
    }
    if (!cooling && excl === undefined && tokens === 0) return this.choose(g, undefined, now)!.d;

    const f = this.filter;
    f.exclude = excl;
    f.cooling = cooling;
    f.now = now;
    f.tokens = tokens;
    let s = this.choose(g, f, now);
    if (s === null && excl !== undefined) {
      // Every well deployment was tried already: try one of them again.
      f.exclude = undefined;
      s = this.choose(g, f, now);
    }
    f.exclude = undefined; // hold no reference to the caller's set
    f.tokens = 0;
    s ??= soonestBack(g, tokens);
    return s === null ? null : s.d;
  }

  /**
   * `enable_pre_call_checks`: the estimated tokens of a call's prompt (see context-window.ts),
   * for `pick` and `contextWindowError`; 0 when the checks are off or no deployment has a known window.
   */
  promptTokens(params: { messages?: unknown }): number {
    return this.checkWindows ? estimatePromptTokens(params.messages) : 0;
  }

  /**
   * `enable_pre_call_checks`: the error a call to `alias` fails with, before any attempt, when no
   * deployment's context window takes `promptTokens`, so `context_window_fallbacks` apply; else null.
   */
  contextWindowError(alias: string, promptTokens: number): ContextWindowExceededError | null {
    const g = this.groups.get(alias);
    if (g === undefined || promptTokens <= g.maxWindow) return null;
    const windows = g.slots.map((s) => `${String(s.d.params.model)}: ${s.window}`).join(", ");
    return new ContextWindowExceededError(
      `The prompt, about ${promptTokens} tokens (estimated at ${CHARS_PER_TOKEN} characters a token), is longer than the context window ` +
        `of every deployment of "${alias}" (max_input_tokens ${windows}), so router_settings.enable_pre_call_checks sent it to none. ` +
        `Shorten the prompt, or add context_window_fallbacks for "${alias}" to an alias with a larger window.`,
      { model: alias },
    );
  }

  private choose(g: Group<D>, f: Filter<D> | undefined, now: number): Slot<D> | null {
    if (this.kind === LEAST_BUSY) return pickLeastBusy(g, f, this.random);
    if (this.kind === LATENCY) return pickLowestLatency(g, f, this.random, now);
    return pickShuffle(g, f, this.random());
  }

  /** An attempt on `d` begins (least-busy counts it in flight). */
  started(d: D): void {
    const s = this.slots.get(d);
    if (s) s.inFlight++;
  }

  /** An attempt on `d` answered after `latencyMs` (fed to the latency EWMA). */
  succeeded(d: D, latencyMs: number): void {
    const s = this.slots.get(d);
    if (!s) return;
    if (s.inFlight > 0) s.inFlight--;
    if (Number.isFinite(latencyMs) && latencyMs >= 0) this.sample(s, latencyMs, this.now());
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
    if (s.inFlight > 0) s.inFlight--;
    const cls = errorClass(err);
    const rules = this.fails;
    if (rules.named[cls] === 0 && !isUnwell(err)) return;
    const now = this.now();
    if (isTimeout(err)) this.sample(s, ROUTER_TUNING.timeoutPenaltyMs, now);
    if (this.cooldownMs === 0) return;
    const c = rules.counter[cls]!;
    if (s.failN[c] === 0 || now - s.failStart[c]! >= ROUTER_TUNING.failWindowMs) (s.failStart[c] = now), (s.failN[c] = 0);
    if (++s.failN[c]! <= rules.limit[cls]!) return;
    const retryAfterMs = retryAfterSeconds(err) * 1000;
    s.coolUntil = now + (retryAfterMs > 0 ? retryAfterMs : this.cooldownMs);
    s.failN[c] = 0;
    const status = String(statusOf(err) ?? "None");
    (s.cooldowns ??= {})[status] = (s.cooldowns[status] ?? 0) + 1;
    if (s.coolUntil > s.group.coolMax) s.group.coolMax = s.coolUntil;
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
    if (fallbackKind(err) === FALLBACK_KIND.contextWindow) return 0;
    const policy = this.retries.byAlias.get(alias) ?? this.retries.global;
    if (policy !== undefined) {
      const n = policy[errorClass(err)]!;
      if (n >= 0) return n;
    }
    return isRetryable(err) ? numRetries : 0;
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
    const jitter = this.random() * ROUTER_TUNING.jitterMs;
    const asked = retryAfterSeconds(err) * 1000;
    if (asked > 0 && asked <= ROUTER_TUNING.maxRetryAfterMs) return Math.max(asked, this.retryFloorMs) + jitter;
    const n = Math.max(1, Math.floor(attempt)) - 1;
    const backoff = Math.min(ROUTER_TUNING.initialRetryDelayMs * 2 ** n, ROUTER_TUNING.maxRetryDelayMs);
    return Math.max(backoff, this.retryFloorMs) + jitter;
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
    const out: Array<{ d: D; cooling: boolean; failing: boolean; cooldowns: Readonly<Record<string, number>> }> = [];
    for (const s of this.slots.values()) {
      let failing = false;
      for (let c = 0; c < s.failN.length; c++) if (s.failN[c]! > 0 && now - s.failStart[c]! < ROUTER_TUNING.failWindowMs) failing = true;
      out.push({ d: s.d, cooling: s.coolUntil > now, failing, cooldowns: { ...s.cooldowns } });
    }
    return out;
  }

  /** Whether `d` is cooling down now. */
  coolingDown(d: D): boolean {
    const s = this.slots.get(d);
    return s !== undefined && s.coolUntil > this.now();
  }
}
