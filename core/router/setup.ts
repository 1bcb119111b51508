import { DEFAULT_TIMEOUT_S } from "../call/params.ts";
import { contextWindowOf } from "./context-window.ts";
import { Fallbacks } from "./fallbacks.ts";
import { buildGroup, type Filter, type Group, type Slot } from "./groups.ts";
import { parallelLimitOf } from "./permits.ts";
import { failRules, retryTables, type FailRules, type RetryTables } from "./policies.ts";
import { connect, sharedId, type Connection } from "./shared.ts";
import { SHARED_MODE, type SharedMode } from "./shared-group.ts";
import { COST, STRATEGY_IDS, strategyOf, USAGE, type Picker, type StrategyId } from "./strategy.ts";
import { ROUTER_DEFAULTS, type RoutableDeployment, type RouterOptions, type RouterSettings, type RoutingStrategy } from "./types.ts";
import { costOf } from "./usage.ts";

const count = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : fallback);
const seconds = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fallback);
const stderrWarn = (message: string): void => void process.stderr.write(`litellm-runtime: warning: ${message}\n`);
const stderrLine = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * The router's fields: what `router_settings` and the deployments fix when a config loads, read
 * once, and the state the picks and the bookkeeping update. router.ts adds what the router does.
 */
export class RouterSetup<D extends RoutableDeployment> {
  /** Retries after the first attempt of an alias (`router_settings.num_retries`). @default 0 */
  readonly numRetries: number;
  /** `router_settings.timeout` in seconds, or undefined when the config sets none. */
  readonly timeoutS: number | undefined;
  /** Fallback hops one call may take (LiteLLM's ROUTER_MAX_FALLBACKS). */
  readonly maxFallbacks: number;
  /** The strategy in effect (an unknown name becomes `simple-shuffle`). */
  readonly strategy: RoutingStrategy;

  protected readonly kind: StrategyId;
  /** The Redis every instance shares its state through (`router_settings.redis_host` / `redis_url`); null: this process only. */
  protected shared: Connection | null = null;
  /** Opens `shared` at the first pick (not when a config is only validated); null without a Redis in `router_settings`. */
  protected readonly openShared: (() => Connection | null) | null;
  protected readonly sharedMode: SharedMode;
  /** The strategy enforces `rpm` / `tpm` per minute (usage-based and cost-based, as in LiteLLM). */
  readonly limited: boolean;
  /** Some deployment has a `tpm` the prompt is counted against. */
  protected readonly countPrompt: boolean;
  protected readonly groups = new Map<string, Group<D>>();
  protected readonly slots = new Map<D, Slot<D>>();
  protected readonly fallbacks: Fallbacks;
  protected readonly now: () => number;
  protected readonly random: () => number;
  protected readonly fails: FailRules;
  protected readonly retries: RetryTables;
  /** 0 when cool-downs are off (`cooldown_time: 0` or `disable_cooldowns: true`). */
  protected readonly cooldownMs: number;
  protected readonly retryFloorMs: number;
  /** `enable_pre_call_checks`, and some deployment has a context window to check against. */
  protected readonly checkWindows: boolean;
  // One filter, reused: picks are synchronous, so a filtered pick allocates nothing.
  protected readonly filter: Filter<D> = { exclude: undefined, cooling: false, now: 0, tokens: 0, limits: false, minute: 0, input: 0, free: false };
  /** Some deployment caps its requests in flight: a routed call takes a permit (`take`) before each attempt. */
  readonly capped: boolean;
  /** Seconds a call waits for a permit when neither it nor its deployment sets `timeout`. */
  protected readonly waitS: number;
  /** The strategy, clock and filter above, for the picks permits.ts makes. */
  protected readonly picker: Picker<D>;

  constructor(deployments: ReadonlyMap<string, readonly D[]>, settings: RouterSettings = {}, options: RouterOptions = {}) {
    // Read at each use, so a test clock installed after construction (vi.setSystemTime) applies.
    this.now = options.now ?? (() => Date.now());
    this.random = options.random ?? Math.random;
    this.strategy = strategyOf(settings.routing_strategy ?? "simple-shuffle", options.warn ?? stderrWarn);
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
    this.picker = { kind: this.kind, random: this.random, now: this.now, limited: this.limited, countPrompt: this.countPrompt, filter: this.filter };
  }
}
