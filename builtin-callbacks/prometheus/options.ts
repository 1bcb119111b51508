import { InvalidCallbackError } from "../../core/errors.ts";
import { nearest } from "../../core/config/suggest.ts";
import { CALL_METRICS, labelName, type MetricSpec } from "./catalogue.ts";

/**
 * The `prometheus` built-in's settings, resolved once: LiteLLM's
 * `litellm_settings.prometheus_metrics_config` (which metrics, which labels)
 * and `custom_prometheus_metadata_labels` (request metadata as labels). The
 * same keys in the built-in's own options (`callback_settings.prometheus`, or
 * `{ callback: "prometheus", options }` in code) win over litellm_settings.
 */

/** A custom label: its name, and where its value is found in the request's metadata. */
export interface CustomLabel {
  readonly label: string;
  readonly path: readonly string[];
}

export interface PrometheusOptions {
  /** The call metrics that are on, each with the labels it carries, in LiteLLM's order. */
  readonly metrics: ReadonlyMap<string, readonly string[]>;
  readonly custom: readonly CustomLabel[];
  /** Seconds a routed call's failed attempt waits for a retry or fallback the router may still make, when the config cannot say. @default 120 */
  readonly failure_settle_seconds: number;
  /** Equal for two resolutions that make the same metrics: a reload that keeps it keeps the counts. */
  readonly signature: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const WHERE = "prometheus";

export function resolvePrometheusOptions(options: Obj, litellmSettings: Readonly<Obj> = {}): PrometheusOptions {
  const config = options.prometheus_metrics_config ?? litellmSettings.prometheus_metrics_config ?? null;
  const customKeys = options.custom_prometheus_metadata_labels ?? litellmSettings.custom_prometheus_metadata_labels ?? [];
  const custom = customLabels(customKeys);
  const settle = options.failure_settle_seconds ?? 120;
  if (typeof settle !== "number" || !Number.isFinite(settle) || settle < 0) {
    throw new InvalidCallbackError(`${WHERE}: failure_settle_seconds must be a number of seconds of at least 0; found ${JSON.stringify(settle)}.`);
  }
  const metrics = new Map<string, readonly string[]>();
  const extra = custom.map((c) => c.label);
  if (config === null) {
    for (const m of CALL_METRICS) metrics.set(m.name, withCustom(m, m.defaults, extra));
  } else {
    for (const [name, labels] of groups(config, extra)) {
      const m = CALL_METRICS.find((s) => s.name === name)!;
      // LiteLLM's order whatever the config's; the metric's defaults when the group names no labels.
      metrics.set(name, labels === null ? withCustom(m, m.defaults, extra) : [...m.labels, ...(m.custom ? extra : [])].filter((l) => labels.includes(l)));
    }
  }
  const signature = JSON.stringify([[...metrics].sort(([a], [b]) => a.localeCompare(b)), custom]);
  return Object.freeze({ metrics, custom: Object.freeze(custom), failure_settle_seconds: settle, signature });
}

function withCustom(m: MetricSpec, labels: readonly string[], extra: readonly string[]): readonly string[] {
  return m.custom ? [...labels, ...extra.filter((l) => !labels.includes(l))] : labels;
}

/** `custom_prometheus_metadata_labels: ["metadata.team_name"]`: the label `metadata_team_name`, read from the request's metadata. */
function customLabels(keys: unknown): CustomLabel[] {
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== "string" || k === "")) {
    throw new InvalidCallbackError(`${WHERE}: custom_prometheus_metadata_labels must be a list of metadata keys, e.g. ["metadata.team_name"]; found ${JSON.stringify(keys)}.`);
  }
  const known = new Set(CALL_METRICS.flatMap((m) => m.labels));
  return (keys as string[]).map((key) => {
    const label = labelName(key);
    if (known.has(label)) throw new InvalidCallbackError(`${WHERE}: custom_prometheus_metadata_labels: "${key}" would be the label "${label}", which the metrics already have; name another key.`);
    return { label, path: (key.startsWith("metadata.") ? key.slice("metadata.".length) : key).split(".") };
  });
}

/** The metrics of `prometheus_metrics_config`, each with its group's `include_labels` (null: none named); a later group wins, as in LiteLLM. */
function groups(config: unknown, extra: readonly string[]): Map<string, readonly string[] | null> {
  if (!Array.isArray(config)) throw new InvalidCallbackError(`${WHERE}: prometheus_metrics_config must be a list of groups {group, metrics, include_labels}; found ${JSON.stringify(config)}.`);
  const out = new Map<string, readonly string[] | null>();
  config.forEach((g, i) => {
    const at = `prometheus_metrics_config[${i}]`;
    if (!isObj(g) || typeof g.group !== "string" || !Array.isArray(g.metrics)) throw new InvalidCallbackError(`${WHERE}: ${at} must be {group: "name", metrics: [...], include_labels: [...]}.`);
    const include = g.include_labels ?? null;
    if (include !== null && (!Array.isArray(include) || include.some((l) => typeof l !== "string"))) throw new InvalidCallbackError(`${WHERE}: ${at}.include_labels must be a list of label names.`);
    for (const name of g.metrics) {
      const m = CALL_METRICS.find((s) => s.name === name);
      if (!m) {
        const near = typeof name === "string" ? nearest(name, CALL_METRICS.map((s) => s.name)) : undefined;
        throw new InvalidCallbackError(`${WHERE}: ${at}.metrics: ${JSON.stringify(name)} is not a metric of this runtime${near ? ` (did you mean "${near}"?)` : ""}. Metrics: ${CALL_METRICS.map((s) => s.name).join(", ")}.`);
      }
      if (include !== null) {
        const allowed = [...m.labels, ...(m.custom ? extra : [])];
        const bad = (include as string[]).filter((l) => !allowed.includes(l));
        if (bad.length > 0) throw new InvalidCallbackError(`${WHERE}: ${at}.include_labels: ${bad.map((b) => `"${b}"`).join(", ")} ${bad.length === 1 ? "is not a label" : "are not labels"} of ${name}. Its labels: ${allowed.join(", ")}.`);
      }
      out.set(name, include as string[] | null);
    }
  });
  return out;
}
