// @ts-check
// What the charts plot, computed in the page from the calls it sees: attempts and errors per
// second, latency and time-to-first-token percentiles and cache hits per 10 s, spend per minute.
// Bounded whatever the call rate: buckets leave the window, samples per bucket are a reservoir.

/** @typedef {import("./dom.js").CallSummary} CallSummary */

export const RATE_WINDOW_S = 300;
export const BUCKET_S = 10;
export const SPEND_WINDOW_MIN = 60;
const SAMPLES_PER_BUCKET = 256;
const SEEN_MIN = 5000;

/** @typedef {{ lat: number[], ttft: number[], n: number, nt: number }} Samples */

export class CallStats {
  constructor() {
    /** @type {Map<string, { attempts: number, end: number, cost: number }>} calls seen lately, so a replaced row counts only what is new */
    this.seen = new Map();
    this.seenMax = SEEN_MIN;
    /** @type {Map<number, { ok: number, err: number }>} by epoch second */
    this.rates = new Map();
    /** @type {Map<number, { aliases: Map<string, Samples>, hits: number, calls: number }>} by 10-s bucket */
    this.buckets = new Map();
    /** @type {Map<number, Map<string, number>>} USD by epoch minute, by alias */
    this.spend = new Map();
    /** @type {Set<string>} */
    this.aliases = new Set();
    this.version = 0;
  }

  /** @param {number} ringSize the server's ring: ids of a new snapshot must still be remembered */
  bound(ringSize) {
    this.seenMax = Math.max(SEEN_MIN, 2 * ringSize);
  }

  /** @param {CallSummary} row */
  add(row) {
    const before = this.seen.get(row.id);
    if (before && before.end === row.end && before.attempts === row.attempts.length) return;
    this.version++;
    const alias = row.model_group ?? row.deployment;
    this.aliases.add(alias);
    // Attempts not counted yet: each one is a request; a failed one an error.
    for (const a of row.attempts.slice(before?.attempts ?? 0)) {
      const sec = Math.floor(a.end / 1000);
      const r = this.rates.get(sec) ?? { ok: 0, err: 0 };
      if (a.status === "failure") r.err++;
      else r.ok++;
      this.rates.set(sec, r);
    }
    if (row.attempts.length === 0 && !before) {
      const sec = Math.floor(row.end / 1000);
      const r = this.rates.get(sec) ?? { ok: 0, err: 0 };
      row.status === "failure" ? r.err++ : r.ok++;
      this.rates.set(sec, r);
    }
    const key = Math.floor(row.end / 1000 / BUCKET_S) * BUCKET_S;
    const bucket = this.buckets.get(key) ?? { aliases: new Map(), hits: 0, calls: 0 };
    this.buckets.set(key, bucket);
    if (!before) {
      bucket.calls++;
      if (row.cache_hit) bucket.hits++;
    }
    const samples = bucket.aliases.get(alias) ?? { lat: [], ttft: [], n: 0, nt: 0 };
    bucket.aliases.set(alias, samples);
    samples.n = sample(samples.lat, samples.n, row.latency_ms);
    if (row.ttft_ms !== null) samples.nt = sample(samples.ttft, samples.nt, row.ttft_ms);
    const added = row.cost - (before?.cost ?? 0);
    if (added !== 0) {
      const minute = Math.floor(row.end / 60_000);
      const m = this.spend.get(minute) ?? new Map();
      m.set(alias, (m.get(alias) ?? 0) + added);
      this.spend.set(minute, m);
    }
    this.seen.delete(row.id);
    this.seen.set(row.id, { attempts: row.attempts.length, end: row.end, cost: row.cost });
    if (this.seen.size > this.seenMax) this.seen.delete(/** @type {string} */ (this.seen.keys().next().value));
  }

  /** Drops what left every window. @param {number} now epoch ms */
  prune(now) {
    const sec = Math.floor(now / 1000);
    for (const k of this.rates.keys()) if (k <= sec - RATE_WINDOW_S) this.rates.delete(k);
    for (const k of this.buckets.keys()) if (k <= sec - RATE_WINDOW_S) this.buckets.delete(k);
    const minute = Math.floor(now / 60_000);
    for (const k of this.spend.keys()) if (k <= minute - SPEND_WINDOW_MIN) this.spend.delete(k);
  }

  /** Attempts and errors per second over the last RATE_WINDOW_S seconds. @param {number} now */
  rateSeries(now) {
    const end = Math.floor(now / 1000);
    const xs = [], ok = [], err = [];
    let total = 0, errors = 0;
    for (let s = from(this.rates, end - RATE_WINDOW_S + 1, end - 59); s <= end; s++) {
      const r = this.rates.get(s);
      xs.push(s);
      ok.push((r?.ok ?? 0) + (r?.err ?? 0));
      err.push(r?.err ?? 0);
      total += (r?.ok ?? 0) + (r?.err ?? 0);
      errors += r?.err ?? 0;
    }
    return { data: [xs, ok, err], total, errors };
  }

  /** Per alias, the p-th percentiles of latency (or ttft) in each 10-s bucket. @param {number} now @param {"lat" | "ttft"} what @param {number[]} ps @param {string[]} aliases */
  percentileSeries(now, what, ps, aliases) {
    const end = Math.floor(now / 1000 / BUCKET_S) * BUCKET_S;
    /** @type {number[]} */
    const xs = [];
    /** @type {Array<Array<number | null>>} */
    const series = aliases.flatMap(() => ps.map(() => []));
    let count = 0;
    for (let b = from(this.buckets, end - RATE_WINDOW_S + BUCKET_S, end - 60); b <= end; b += BUCKET_S) {
      xs.push(b);
      const bucket = this.buckets.get(b);
      aliases.forEach((alias, i) => {
        const values = bucket?.aliases.get(alias)?.[what] ?? [];
        count += values.length;
        const sorted = values.length ? [...values].sort((x, y) => x - y) : null;
        ps.forEach((p, j) => series[i * ps.length + j].push(sorted ? percentile(sorted, p) : null));
      });
    }
    return { data: [xs, ...series], count };
  }

  /** Cache hits as a share of calls, per 10-s bucket. @param {number} now */
  cacheSeries(now) {
    const end = Math.floor(now / 1000 / BUCKET_S) * BUCKET_S;
    const xs = [], ratio = [];
    let hits = 0, calls = 0;
    for (let b = from(this.buckets, end - RATE_WINDOW_S + BUCKET_S, end - 60); b <= end; b += BUCKET_S) {
      const bucket = this.buckets.get(b);
      xs.push(b);
      ratio.push(bucket && bucket.calls ? (100 * bucket.hits) / bucket.calls : null);
      hits += bucket?.hits ?? 0;
      calls += bucket?.calls ?? 0;
    }
    return { data: [xs, ratio], hits, calls };
  }

  /** Spend per alias, summed from the window's start, per minute. @param {number} now @param {string[]} aliases */
  spendSeries(now, aliases) {
    const end = Math.floor(now / 60_000);
    const xs = [];
    const sums = aliases.map(() => 0);
    /** @type {number[][]} */
    const series = aliases.map(() => []);
    for (let m = from(this.spend, end - SPEND_WINDOW_MIN + 1, end - 9); m <= end; m++) {
      xs.push(m * 60);
      const minute = this.spend.get(m);
      aliases.forEach((alias, i) => {
        sums[i] += minute?.get(alias) ?? 0;
        series[i].push(sums[i]);
      });
    }
    return { data: [xs, ...series], total: sums.reduce((a, b) => a + b, 0) };
  }
}

/**
 * Where a chart's x axis starts: at the window's start, or later while the data is younger
 * than the window (a page opened a minute ago shows that minute, not four empty ones first).
 * @param {Map<number, unknown>} keyed @param {number} windowStart @param {number} latestStart
 */
function from(keyed, windowStart, latestStart) {
  let first = latestStart;
  for (const k of keyed.keys()) if (k < first) first = k;
  return Math.max(windowStart, first);
}

/** Reservoir sampling: the first values kept, later ones replace at random. @param {number[]} into @param {number} n @param {number} value */
function sample(into, n, value) {
  if (!Number.isFinite(value)) return n;
  if (into.length < SAMPLES_PER_BUCKET) into.push(value);
  else {
    const at = Math.floor(Math.random() * (n + 1));
    if (at < SAMPLES_PER_BUCKET) into[at] = value;
  }
  return n + 1;
}

/** Nearest-rank percentile of sorted values. @param {number[]} sorted @param {number} p */
function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
