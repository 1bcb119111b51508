import type { RoutingView } from "../../core/callbacks/builtins.ts";
import type { CallbackKwargs } from "../../core/types.ts";
import type { LabelValues } from "./registry.ts";

/**
 * Which failed attempt ends its call. The callbacks get one event per attempt;
 * the "proxy" metrics count calls. A success always ends its call. A failure
 * ends it when nothing is left to try: an attempt that was not routed (no
 * `litellm_params.metadata.attempt`) is its call's only one; for a routed one,
 * the attempts of one call share `litellm_trace_id`, and the router's own rules
 * (retries of the alias, then its fallbacks) say whether another attempt comes,
 * followed here from the trace's events as the router follows them. A failure
 * another attempt may follow waits for it: that attempt's success drops it, its
 * failure takes its place; `failure_settle_seconds` without news (a call that
 * stopped for a reason the config does not show) or `flush()` make it final.
 */

interface Trace {
  /** The aliases the call goes through, in order, as the router extends the list with fallbacks. */
  readonly aliases: string[];
  /** Which of them the latest attempt served. */
  at: number;
  /** Failures so far on that alias. */
  fails: number;
  /** The latest failure, counted when the call is over. */
  labels: LabelValues;
  timer: NodeJS.Timeout | undefined;
}

/** Traces followed at once, at most: past it the oldest counts as failed (a call that never ended). */
const MAX_TRACES = 10_000;

export class CallOutcomes {
  private readonly traces = new Map<string, Trace>();

  constructor(
    /** Counts one call's failure. */
    private readonly failed: (labels: LabelValues) => void,
    private readonly routing: () => RoutingView | null,
    private readonly settleMs: number,
  ) {}

  /** A success: its call is over, answered. Returns the alias the call asked for when an earlier attempt of it failed (a fallback answered). */
  succeeded(kwargs: CallbackKwargs): string | undefined {
    const trace = this.traces.get(kwargs.litellm_trace_id);
    if (!trace) return undefined;
    this.drop(kwargs.litellm_trace_id, trace);
    return trace.aliases[0];
  }

  /** A failed attempt: counted now when its call is over, else when the call's next attempt says so. */
  attemptFailed(kwargs: CallbackKwargs, labels: LabelValues): void {
    const meta = kwargs.litellm_params.metadata as { attempt?: unknown; model_group?: unknown } | undefined;
    const routing = typeof meta?.attempt === "number" && typeof meta.model_group === "string" ? this.routing() : null;
    if (routing === null) return this.failed(labels);
    const alias = meta!.model_group as string;
    const id = kwargs.litellm_trace_id;
    let trace = this.traces.get(id);
    if (!trace) {
      if (this.traces.size >= MAX_TRACES) this.settle(this.traces.keys().next().value!);
      trace = { aliases: [alias], at: 0, fails: 0, labels, timer: undefined };
      this.traces.set(id, trace);
    }
    trace.labels = labels;
    if (trace.aliases[trace.at] !== alias) {
      // On to a fallback (one skipped without an attempt, too); an alias the config does not list came from the call's own fallbacks.
      const at = trace.aliases.indexOf(alias, trace.at + 1);
      trace.at = at === -1 ? trace.aliases.push(alias) - 1 : at;
      trace.fails = 0;
    }
    trace.fails++;
    const err = kwargs.exception;
    // The router retries an alias while its retries last, then goes to the fallbacks it lists, each alias once.
    if (trace.fails - 1 < safely(() => routing.retriesFor(alias, err), 0)) return this.wait(id, trace);
    for (const next of safely(() => routing.fallbacksFor(alias, err), [])) if (!trace.aliases.includes(next)) trace.aliases.push(next);
    if (trace.at < trace.aliases.length - 1) return this.wait(id, trace);
    this.settle(id);
  }

  /** Counts every failure still waiting for a next attempt (flush, close). */
  settleAll(): void {
    for (const id of [...this.traces.keys()]) this.settle(id);
  }

  private wait(id: string, trace: Trace): void {
    if (trace.timer) clearTimeout(trace.timer);
    trace.timer = setTimeout(() => this.settle(id), this.settleMs);
    trace.timer.unref();
  }

  private settle(id: string): void {
    const trace = this.traces.get(id);
    if (!trace) return;
    this.drop(id, trace);
    // The call's, not its last attempt's: the alias it asked for.
    this.failed({ ...trace.labels, requested_model: trace.aliases[0]! });
  }

  private drop(id: string, trace: Trace): void {
    if (trace.timer) clearTimeout(trace.timer);
    this.traces.delete(id);
  }
}

function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
