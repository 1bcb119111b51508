/**
 * The counts of workers that are gone (`serve --num_workers N`). A worker that dies takes its
 * counters with it; summed over the workers alive, `/metrics` would then go down, which Prometheus
 * reads as a reset and turns into a burst. As prometheus_client's multiprocess mode keeps a dead
 * process's counters for LiteLLM's workers, the primary keeps each worker's counts as of the last
 * scrape and, once the worker is gone, adds them to every later scrape: counters and histograms
 * summed, gauges (what is in flight now) left out.
 */
import { createRequire } from "node:module";

/** The gather topic of `/metrics` (core/cluster/metrics.ts). */
export const METRICS_TOPIC = "metrics";

/** One metric in prom-client's JSON form (`Registry.getMetricsAsJSON()`). */
interface MetricJSON {
  readonly type?: string;
}

/** A dead worker's metrics as it leaves them: its counters and histograms; its gauges said what it had in flight. */
export function countsOf(last: readonly object[]): object[] {
  return last.filter((m) => (m as MetricJSON).type !== "gauge");
}

/** `kept` (what earlier dead workers counted) with `counts` (`countsOf` a worker's last metrics) folded in, as one list. */
export async function retire(kept: readonly object[] | undefined, counts: object[]): Promise<object[]> {
  const prom = createRequire(import.meta.url)("prom-client") as typeof import("prom-client");
  const merged = prom.AggregatorRegistry.aggregate(kept ? [kept as object[], counts] : [counts]);
  return (await merged.getMetricsAsJSON()) as object[];
}
