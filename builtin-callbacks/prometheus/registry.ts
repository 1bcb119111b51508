import { createRequire } from "node:module";
import type { Counter, Gauge, Registry } from "prom-client";
import type { BuiltinHost } from "../../core/callbacks/builtins.ts";
import { HostRegistry } from "../../core/callbacks/host-registry.ts";
import { CallCounter, CallGauge, CallHistogram, type CallMetric, type EventLabels, type LabelShape, type LabelValues } from "./call-metrics.ts";
import { CALL_METRICS, LATENCY_BUCKETS } from "./catalogue.ts";
import type { PrometheusOptions } from "./options.ts";

/**
 * One registry for the process. prom-client refuses a second metric of a
 * name, so the metrics are made once and every `prometheus` instance (each
 * snapshot of a reloaded config makes one) counts into the same ones; only a
 * reload that changes which metrics or labels there are makes them anew.
 * The call metrics keep their counts in our own maps (call-metrics.ts),
 * registered in prom-client's registry, which reads them at each scrape.
 *
 * The runtime's own health and the router's view of its deployments are read
 * when Prometheus scrapes (`collect()`), from the hosts of the live instances:
 * nothing of theirs is counted on the path of a call.
 *
 * prom-client is loaded with the first instance (or the first `metrics()`):
 * a process that never names `prometheus` does not pay for its import.
 */
let prom: typeof import("prom-client") | undefined;
let shared: Registry | undefined;

export function registry(): Registry {
  if (!shared) {
    prom = createRequire(import.meta.url)("prom-client") as typeof import("prom-client");
    shared = new prom.Registry();
    registerHealth(prom, shared);
  }
  return shared;
}

export { EventLabels, type LabelValues } from "./call-metrics.ts";

/** A call metric in service, or a metric the router's view fills at scrape time (prom-client's own, with a `collect`). */
type Entry = CallMetric | Counter<string> | Gauge<string>;

/** The call metrics in service, by name; a metric the config turned off is absent. */
export class MetricSet {
  constructor(private readonly entries: ReadonlyMap<string, Entry>) {}

  /** Adds `by` to a counter (by 0: the series appears; a count below 0, infinite or NaN is left out). */
  inc(name: string, labels: EventLabels, by = 1): void {
    const m = this.entries.get(name);
    if (m instanceof CallCounter && by >= 0 && by !== Infinity) m.inc(labels, by);
  }

  observe(name: string, labels: EventLabels, seconds: number): void {
    const m = this.entries.get(name);
    if (m instanceof CallHistogram && Number.isFinite(seconds) && seconds >= 0) m.observe(labels, seconds);
  }

  set(name: string, labels: EventLabels, value: number): void {
    const m = this.entries.get(name);
    if (m instanceof CallGauge && Number.isFinite(value)) m.set(labels, value);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }
}

function pick(labels: readonly string[], values: LabelValues): LabelValues {
  const out: LabelValues = {};
  for (const l of labels) out[l] = values[l] ?? "";
  return out;
}

let current: { signature: string; set: MetricSet } | undefined;

/** The call metrics for `options`: those in service when they are the same, else new ones in their place (their counts start again). */
export function metricSet(options: PrometheusOptions): MetricSet {
  if (current?.signature === options.signature) return current.set;
  const reg = registry();
  const { Counter, Gauge } = prom!;
  if (current) for (const name of current.set.names()) reg.removeSingleMetric(name);
  const entries = new Map<string, Entry>();
  // Metrics with the same label names share a shape: one series key per event for all of them.
  const shapes = new Map<string, LabelShape>();
  const shapeOf = (names: readonly string[]): LabelShape => {
    const id = JSON.stringify(names);
    let shape = shapes.get(id);
    if (!shape) shapes.set(id, (shape = { id: shapes.size, names }));
    return shape;
  };
  for (const spec of CALL_METRICS) {
    const labels = options.metrics.get(spec.name);
    if (!labels) continue;
    const collect = ROUTER_COLLECTORS[spec.name];
    let metric: Entry;
    if (collect) {
      // Across `serve --num_workers N` (AggregatorRegistry): the worst state any worker's router sees, not a sum of states.
      const aggregator = spec.name === "litellm_deployment_state" ? ("max" as const) : ("sum" as const);
      const base = { name: spec.name, help: spec.help, labelNames: labels as string[], registers: [reg], aggregator };
      metric = spec.kind === "counter" ? new Counter({ ...base, collect() { collect(this as never, labels); } }) : new Gauge({ ...base, collect() { collect(this as never, labels); } });
    } else {
      const shape = shapeOf(labels);
      metric = spec.kind === "counter" ? new CallCounter(spec.name, spec.help, shape) : spec.kind === "gauge" ? new CallGauge(spec.name, spec.help, shape, "min") : new CallHistogram(spec.name, spec.help, shape, LATENCY_BUCKETS);
      // Our own class, read by the registry as it reads its own (see call-metrics.ts). The gauges are the
      // remaining-quota ones: across workers, the lowest any worker saw is the conservative reading.
      reg.registerMetric(metric as never);
    }
    entries.set(spec.name, metric);
  }
  current = { signature: options.signature, set: new MetricSet(entries) };
  return current.set;
}

// The hosts of the live instances, by owner (a runtime, or the process-wide scope): each owner's newest is read at a scrape.
const hosts = new HostRegistry();

/** An instance begins to serve: its scope is read at the next scrape. Returns its removal (on close). */
export const addHost = (host: BuiltinHost): (() => void) => hosts.add(host);

const live = (): BuiltinHost[] => hosts.live();

/** A host read must never fail a scrape: a scope being closed reads as nothing. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

type Collect = (metric: Counter<string> & Gauge<string>, labels: readonly string[]) => void;

const ROUTER_COLLECTORS: Partial<Record<string, Collect>> = {
  litellm_deployment_state(metric, labels) {
    metric.reset();
    for (const host of live()) {
      for (const d of safely(() => host.routing()?.deployments() ?? [], [])) metric.set(pick(labels, d as unknown as LabelValues), d.state);
    }
  },
  litellm_deployment_cooled_down(metric, labels) {
    metric.reset();
    for (const host of live()) {
      for (const d of safely(() => host.routing()?.deployments() ?? [], [])) {
        for (const [status, n] of Object.entries(d.cooldowns)) metric.inc(pick(labels, { ...(d as unknown as LabelValues), exception_status: status }), n);
      }
    }
  },
};

type Read = (host: BuiltinHost) => number | ReadonlyMap<string, number>;

/** A runtime-health metric: its value (or values by one label) summed over the live hosts at each scrape. */
function health(p: typeof import("prom-client"), reg: Registry, kind: "counter" | "gauge", name: string, help: string, read: Read, label?: string): void {
  const labelNames = label ? [label] : [];
  function collect(this: Counter<string> | Gauge<string>) {
    const sums = new Map<string, number>();
    for (const host of live()) {
      const v = safely(() => read(host), 0);
      if (typeof v === "number") sums.set("", (sums.get("") ?? 0) + v);
      else for (const [k, n] of v) sums.set(k, (sums.get(k) ?? 0) + n);
    }
    this.reset();
    for (const [k, n] of sums) {
      const labels = label ? { [label]: k } : {};
      if (kind === "counter") (this as Counter<string>).inc(labels, n);
      else (this as Gauge<string>).set(labels, n);
    }
  }
  const options = { name, help, labelNames, registers: [reg], collect };
  if (kind === "counter") new p.Counter(options);
  else new p.Gauge(options);
}

const byCallback = (host: BuiltinHost, field: "errors" | "timeouts" | "dropped"): Map<string, number> => {
  const out = new Map<string, number>();
  for (const [name, counts] of host.callbackFaults()) out.set(name, counts[field]);
  return out;
};

interface DeliveryCounts {
  queued: number;
  sent: number;
  failed: number;
  dropped: number;
}

/** The sending built-ins of a scope (mixpanel, webhook) and their delivery counts, by name. */
const deliveries = (host: BuiltinHost, field: keyof DeliveryCounts): Map<string, number> => {
  const out = new Map<string, number>();
  for (const t of host.targets()) {
    const name = (t as { deliveryName?: unknown }).deliveryName;
    const stats = (t as { stats?: () => DeliveryCounts }).stats;
    if (typeof name === "string" && typeof stats === "function") out.set(name, (out.get(name) ?? 0) + stats.call(t)[field]);
  }
  return out;
};

const cache = (host: BuiltinHost, field: "hits" | "misses" | "outages" | "read_failures" | "write_failures"): number => host.cacheStats()?.[field] ?? 0;

/** The runtime's own health (LiteLLM has none of these): counters it keeps anyway, read at each scrape. */
function registerHealth(p: typeof import("prom-client"), reg: Registry): void {
  const add = (kind: "counter" | "gauge", name: string, help: string, read: Read, label?: string) => health(p, reg, kind, name, help, read, label);
  add("gauge", "litellm_runtime_callback_queue_depth", "Logging tasks waiting or running in the background queue now.", (h) => h.stats().pending);
  add("counter", "litellm_runtime_callback_dropped_total", "Logging tasks dropped because the background queue was full (max_queue), by callback.", (h) => byCallback(h, "dropped"), "callback");
  add("counter", "litellm_runtime_callback_errors_total", "Callback invocations that threw or rejected, by callback.", (h) => byCallback(h, "errors"), "callback");
  add("counter", "litellm_runtime_callback_timeouts_total", "Callback invocations abandoned after callback_timeout, by callback.", (h) => byCallback(h, "timeouts"), "callback");
  add("gauge", "litellm_runtime_delivery_queued", "Events a sending built-in holds, not yet sent.", (h) => deliveries(h, "queued"), "callback");
  add("counter", "litellm_runtime_delivery_sent_total", "Events a sending built-in delivered.", (h) => deliveries(h, "sent"), "callback");
  add("counter", "litellm_runtime_delivery_failed_total", "Events a sending built-in could not deliver (refused, or out of retries).", (h) => deliveries(h, "failed"), "callback");
  add("counter", "litellm_runtime_delivery_dropped_total", "Events a sending built-in dropped (its buffer was full, or it closed).", (h) => deliveries(h, "dropped"), "callback");
  add("counter", "litellm_runtime_cache_hits_total", "Response cache lookups that found an entry.", (h) => cache(h, "hits"));
  add("counter", "litellm_runtime_cache_misses_total", "Response cache lookups that found none (faults and corrupt entries included).", (h) => cache(h, "misses"));
  add("counter", "litellm_runtime_cache_outages_total", "Redis outages the cache went through (each reported once).", (h) => cache(h, "outages"));
  add("counter", "litellm_runtime_cache_read_failures_total", "Cache reads that failed or timed out, served as misses.", (h) => cache(h, "read_failures"));
  add("counter", "litellm_runtime_cache_write_failures_total", "Cache writes that failed and were dropped.", (h) => cache(h, "write_failures"));
  add("counter", "litellm_runtime_config_reloads_total", "Config reloads that went into service.", (h) => h.stats().reloads ?? 0);
  add("counter", "litellm_runtime_config_reload_errors_total", "Config reloads refused; the previous config kept serving.", (h) => h.stats().reload_errors ?? 0);
}
