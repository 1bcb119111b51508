// Numbers for the benchmark tables: percentiles, ratios, and how they are written.

/** One line of a suite's table. `target` and `pass` are absent for figures that only inform. */
export interface Row {
  figure: string;
  value: string;
  target?: string;
  pass?: boolean;
}

/** What a suite hands back: a title, a line saying what was measured, its rows, and notes. */
export interface SuiteResult {
  title: string;
  about: string;
  rows: Row[];
  notes?: string[];
}

export interface Summary {
  n: number;
  p25: number;
  p50: number;
  p75: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  const asArray = Array.from(sorted);
  return {
    n: sorted.length,
    p25: percentile(asArray, 25),
    p50: percentile(asArray, 50),
    p75: percentile(asArray, 75),
    p99: percentile(asArray, 99),
    mean: sum / sorted.length,
  };
}

/** Milliseconds since some origin, with sub-microsecond resolution. */
export const now = (): number => performance.now();

/** Reads a positive integer from the environment, for the loop sizes. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export const ms = (x: number): string => `${x.toFixed(3)} ms`;
export const us = (x: number): string => `${x.toFixed(2)} µs`;
export const perSec = (x: number): string => `${Math.round(x).toLocaleString("en-US")} calls/s`;
export const times = (x: number): string => `${x.toFixed(3)}x`;

/** The median of per-round ratios, with the middle half of them: how much the rounds disagreed. */
export function pairedRatio(ratios: readonly number[]): { value: number; text: string } {
  const s = summarize(ratios);
  return { value: s.p50, text: `${times(s.p50)} (middle half ${s.p25.toFixed(2)}–${s.p75.toFixed(2)})` };
}

/** A ratio row compared with `limit`, where `atMost` says which side passes; without a limit it only informs. */
export function ratioRow(figure: string, ratio: { value: number; text: string }, limit?: number, atMost = true): Row {
  if (limit === undefined) return { figure, value: ratio.text };
  const pass = atMost ? ratio.value <= limit : ratio.value >= limit;
  return { figure, value: ratio.text, target: `${atMost ? "≤" : "≥"} ${limit}x`, pass };
}

/** A suite as a markdown table. */
export function renderTable(rows: readonly Row[]): string {
  const lines = ["| figure | value | target | result |", "|---|---:|---|---|"];
  for (const r of rows) {
    const result = r.pass === undefined ? "info" : r.pass ? "**pass**" : "**FAIL**";
    lines.push(`| ${r.figure} | ${r.value} | ${r.target ?? "—"} | ${result} |`);
  }
  return lines.join("\n");
}

/** The same table for a terminal: aligned columns, no markdown. */
export function renderPlain(result: SuiteResult): string {
  const cells = result.rows.map((r) => [r.figure, r.value, r.target ?? "", r.pass === undefined ? "info" : r.pass ? "pass" : "FAIL"]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  const body = cells.map((c) => `  ${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padStart(widths[1]!)}  ${c[2]!.padEnd(widths[2]!)}  ${c[3]}`);
  return [result.title, ...body].join("\n");
}
