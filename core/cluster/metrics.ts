/**
 * `GET /metrics` of a cluster worker: the prometheus built-in's metrics of
 * every worker, summed. Each worker keeps its own counts; the one scraped
 * gathers the others' (prom-client's JSON form) through the primary and
 * merges them with prom-client's `AggregatorRegistry` (counters and
 * histograms summed; gauges by each metric's `aggregator`). The primary adds
 * the counts of workers that are gone (retired.ts), so a restart never makes a
 * counter go down.
 */
import { createRequire } from "node:module";
import { prometheusRegistry } from "../../builtin-callbacks/prometheus.ts";
import { METRICS_TOPIC as TOPIC } from "./retired.ts";
import { gather, onCollect, valuesOf } from "./worker.ts";

/** Lets the other workers read this worker's metrics. Returns the removal. */
export function shareMetrics(): () => void {
  return onCollect(TOPIC, () => prometheusRegistry().getMetricsAsJSON());
}

/** Every worker's metrics, summed, in Prometheus's text format; this worker's alone when the primary does not answer. */
export async function clusterMetrics(): Promise<{ body: string; contentType: string }> {
  const own = prometheusRegistry();
  const lists = valuesOf(await gather(TOPIC)).filter((v): v is object[] => Array.isArray(v));
  if (lists.length === 0) return { body: await own.metrics(), contentType: own.contentType };
  const prom = createRequire(import.meta.url)("prom-client") as typeof import("prom-client");
  const merged = prom.AggregatorRegistry.aggregate(lists);
  return { body: await merged.metrics(), contentType: own.contentType };
}
