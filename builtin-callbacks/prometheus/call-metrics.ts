import type { Aggregator } from "prom-client";

/**
 * The call metrics' counts, kept in our own maps and handed to prom-client's
 * registry only when Prometheus scrapes. prom-client's own Counter and
 * Histogram hash and validate the label object of every update; here a
 * metric's label names are fixed when it is built, so an update only joins
 * the event's values for those names, in that order, into a map key, and
 * the metrics of one event that share their label names share that key
 * (`EventLabels`).
 *
 * Each class is what prom-client's Registry reads of a metric (`name`,
 * `help`, `type`, `aggregator`, `get()`, `reset()`, and `getForPromString()`
 * for a histogram), with the values in the shape its own classes give, so
 * `metrics()`, `getMetricsAsJSON()`, `Registry.merge` and the cluster
 * aggregator read them as they read prom-client's metrics.
 */

/** Label values of one event, by label name; a label the event has no value for is "". */
export type LabelValues = Record<string, string>;

/** A value as prom-client's metrics give it: `metricName` for a histogram's `_bucket`, `_sum`, `_count`. */
export interface SeriesValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  /** The series' own labels, apart from `le` (prom-client's text form of a histogram; absent from `get()`). */
  sharedLabels?: LabelValues;
  exemplar?: null;
}

/** What prom-client's `get()` returns. */
export interface MetricWithValues {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  values: SeriesValue[];
  aggregator: Aggregator;
}

/** The label names of one or more metrics, in their order; `id` numbers the distinct lists of one metric set. */
export interface LabelShape {
  readonly id: number;
  readonly names: readonly string[];
}

/**
 * One event's label values, and the series key of each label list it has
 * been counted under: a list's key is built once per event, whatever the
 * number of metrics that carry it. Made once the values are final.
 */
export class EventLabels {
  private readonly keys: (string | undefined)[] = [];

  constructor(readonly values: LabelValues) {}

  key(shape: LabelShape): string {
    return (this.keys[shape.id] ??= keyOf(shape.names, this.values));
  }
}

/** The series key: each value's length, then the value, so no two label sets share one whatever the values hold. */
function keyOf(names: readonly string[], values: LabelValues): string {
  let key = "";
  for (let i = 0; i < names.length; i++) {
    const v = values[names[i]!] ?? "";
    key += v.length + ":" + v;
  }
  return key;
}

/** The series' labels, made once, when it first appears: the metric's names in its order (the order prom-client prints them in). */
function labelsOf(names: readonly string[], values: LabelValues): LabelValues {
  const out: LabelValues = {};
  for (const n of names) out[n] = values[n] ?? "";
  return out;
}

interface Scalar {
  readonly labels: LabelValues;
  value: number;
}

abstract class ScalarMetric {
  abstract readonly type: "counter" | "gauge";
  readonly aggregator: Aggregator = "sum";
  protected readonly series = new Map<string, Scalar>();

  constructor(
    /** Written by prom-client's registry (it drops `_total` from counter names for OpenMetrics). */
    public name: string,
    readonly help: string,
    private readonly shape: LabelShape,
  ) {
    this.reset();
  }

  get labelNames(): readonly string[] {
    return this.shape.names;
  }

  /** The series of the event's labels, made at 0 the first time. */
  protected seriesOf(labels: EventLabels): Scalar {
    const key = labels.key(this.shape);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { value: 0, labels: labelsOf(this.shape.names, labels.values) }));
    return s;
  }

  /** As prom-client: a metric without labels has its one series, at 0, from the start. */
  reset(): void {
    this.series.clear();
    if (this.shape.names.length === 0) this.series.set("", { value: 0, labels: {} });
  }

  async get(): Promise<MetricWithValues> {
    return { help: this.help, name: this.name, type: this.type, values: [...this.series.values()], aggregator: this.aggregator };
  }
}

export class CallCounter extends ScalarMetric {
  readonly type = "counter";

  /** Adds `by` (by 0: the series appears). */
  inc(labels: EventLabels, by: number): void {
    this.seriesOf(labels).value += by;
  }
}

export class CallGauge extends ScalarMetric {
  readonly type = "gauge";

  constructor(
    name: string,
    help: string,
    shape: LabelShape,
    /** How `serve --num_workers N` merges the workers' values (prom-client's AggregatorRegistry). @default "sum" */
    override readonly aggregator: Aggregator = "sum",
  ) {
    super(name, help, shape);
  }

  set(labels: EventLabels, value: number): void {
    this.seriesOf(labels).value = value;
  }
}

interface Distribution {
  readonly labels: LabelValues;
  /** Observations per bucket, not cumulative (as prom-client keeps them); one above the last bound is in none. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

export class CallHistogram {
  readonly type = "histogram";
  readonly aggregator: Aggregator = "sum";
  private readonly series = new Map<string, Distribution>();

  constructor(
    public name: string,
    readonly help: string,
    private readonly shape: LabelShape,
    /** Upper bounds, ascending; +Inf is implicit. */
    private readonly bounds: readonly number[],
  ) {
    // As prom-client: a histogram without labels shows its one series when made (a reset then clears it).
    if (shape.names.length === 0) this.series.set("", this.distribution({}));
  }

  get labelNames(): readonly string[] {
    return this.shape.names;
  }

  observe(labels: EventLabels, v: number): void {
    const key = labels.key(this.shape);
    let d = this.series.get(key);
    if (!d) this.series.set(key, (d = this.distribution(labelsOf(this.shape.names, labels.values))));
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (v <= bounds[i]!) {
        d.buckets[i]!++;
        break;
      }
    }
    d.sum += v;
    d.count += 1;
  }

  reset(): void {
    this.series.clear();
  }

  /** prom-client's text form: `le` in each value's labels, the series' own labels shared. */
  async getForPromString(): Promise<MetricWithValues> {
    const bucket = `${this.name}_bucket`;
    const values: SeriesValue[] = [];
    for (const d of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += d.buckets[i]!;
        values.push({ labels: { le: this.bounds[i]! }, sharedLabels: d.labels, value: acc, metricName: bucket, exemplar: null });
      }
      values.push({ labels: { le: "+Inf" }, sharedLabels: d.labels, value: d.count, metricName: bucket, exemplar: null });
      values.push({ labels: {}, sharedLabels: d.labels, value: d.sum, metricName: `${this.name}_sum`, exemplar: undefined });
      values.push({ labels: {}, sharedLabels: d.labels, value: d.count, metricName: `${this.name}_count`, exemplar: undefined });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** prom-client's object form: the series' labels after `le`, no shared labels. */
  async get(): Promise<MetricWithValues> {
    const data = await this.getForPromString();
    data.values = data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: Object.assign(labels, sharedLabels) }));
    return data;
  }

  private distribution(labels: LabelValues): Distribution {
    return { labels, buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
  }
}

export type CallMetric = CallCounter | CallGauge | CallHistogram;
