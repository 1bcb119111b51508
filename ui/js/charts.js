// @ts-check
// The charts, drawn with uPlot (vendored, loaded by index.html as the global `uPlot`). Redrawn
// at most once a second from CallStats; a chart is rebuilt only when its series change (a new alias).
import { el, int, money } from "./dom.js";
import { CallStats } from "./stats.js";

const PALETTE = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#7c3aed"];
export const REQUEST_COLOUR = "#2563eb";
const ERROR_COLOUR = "#dc2626";
const HEIGHT = 130;
/** @type {Record<string, number>} the y axis's top when the data is all zero */
const FLOOR = { "/s": 1, ms: 10, $: 0.0001 };

/**
 * @typedef {object} ChartSpec
 * @property {string} id
 * @property {string} title
 * @property {string} unit
 * @property {(stats: CallStats, now: number, aliases: string[]) => { data: any[], series: any[], keys: Array<[string, string]>, note: string, total: number }} compute
 */

/** @type {ChartSpec[]} */
const SPECS = [
  {
    id: "rates",
    title: "Requests and errors per second",
    unit: "/s",
    compute(stats, now) {
      const r = stats.rateSeries(now);
      return {
        data: r.data,
        series: [
          { label: "requests/s", stroke: REQUEST_COLOUR, width: 2, fill: "rgba(37,99,235,0.08)" },
          { label: "errors/s", stroke: ERROR_COLOUR, width: 2 },
        ],
        keys: [["requests/s", REQUEST_COLOUR], ["errors/s", ERROR_COLOUR]],
        note: `${int(r.total)} requests, ${int(r.errors)} errors in 5 min`,
        total: r.total,
      };
    },
  },
  {
    id: "latency",
    title: "Latency p50 / p95 by alias",
    unit: "ms",
    compute(stats, now, aliases) {
      const r = stats.percentileSeries(now, "lat", [50, 95], aliases);
      return { data: r.data, series: aliasSeries(aliases, ["p50", "p95"]), keys: aliasKeys(aliases, true), note: `${int(r.count)} samples`, total: r.count };
    },
  },
  {
    id: "ttft",
    title: "Time to first token p50 / p95 by alias (streams)",
    unit: "ms",
    compute(stats, now, aliases) {
      const r = stats.percentileSeries(now, "ttft", [50, 95], aliases);
      return { data: r.data, series: aliasSeries(aliases, ["p50", "p95"]), keys: aliasKeys(aliases, true), note: `${int(r.count)} streamed calls`, total: r.count };
    },
  },
  {
    id: "spend",
    title: "Spend by alias, last hour (cumulative)",
    unit: "$",
    compute(stats, now, aliases) {
      const r = stats.spendSeries(now, aliases);
      return { data: r.data, series: aliases.map((a, i) => ({ label: a, stroke: PALETTE[i % PALETTE.length], width: 2 })), keys: aliasKeys(aliases, false), note: money(r.total), total: r.total };
    },
  },
  {
    id: "cache",
    title: "Cache hit ratio",
    unit: "%",
    compute(stats, now) {
      const r = stats.cacheSeries(now);
      const note = r.calls ? `${Math.round((100 * r.hits) / r.calls)}% of ${int(r.calls)} calls in 5 min` : "no calls in 5 min";
      return { data: r.data, series: [{ label: "hit %", stroke: "#0891b2", width: 2, points: { show: true, size: 4 } }], keys: [["hits, % of calls", "#0891b2"]], note, total: r.calls };
    },
  },
];

/** One key per alias (and what the dashes mean). @param {string[]} aliases @param {boolean} dashed @returns {Array<[string, string]>} */
function aliasKeys(aliases, dashed) {
  /** @type {Array<[string, string]>} */
  const keys = aliases.map((a, i) => [a, PALETTE[i % PALETTE.length]]);
  if (dashed && aliases.length) keys.push(["solid p50, dashed p95", ""]);
  return keys;
}

/** Two series per alias: p50 solid, p95 dashed, in the alias's colour. @param {string[]} aliases @param {string[]} names */
function aliasSeries(aliases, names) {
  return aliases.flatMap((a, i) =>
    names.map((n, j) => ({ label: `${a} ${n}`, stroke: PALETTE[i % PALETTE.length], width: 2, dash: j ? [5, 4] : undefined, spanGaps: false, points: { show: true, size: 4 } })),
  );
}

export class Charts {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.stats = new CallStats();
    /** @type {Map<string, { box: HTMLElement, note: HTMLElement, keys: HTMLElement, plot: any, key: string }>} */
    this.charts = new Map();
    this.drawnVersion = -1;
    this.drawnSecond = 0;
    const uPlot = /** @type {any} */ (globalThis).uPlot;
    if (typeof uPlot !== "function") {
      root.append(el("p", "error-box", "The chart library did not load (/ui/assets/vendor/uPlot.iife.min.js)."));
      return;
    }
    this.uPlot = uPlot;
    for (const spec of SPECS) {
      const note = el("span", "muted");
      const box = el("div", "plot");
      const keys = el("div", "keys");
      const card = el("figure", "chart", el("figcaption", null, el("strong", null, spec.title), note), box, keys);
      card.dataset.chart = spec.id;
      root.append(card);
      this.charts.set(spec.id, { box, note, keys, plot: null, key: "" });
    }
    new ResizeObserver(() => this.resize()).observe(root);
    setInterval(() => this.draw(), 1000);
  }

  /** @param {import("./dom.js").CallSummary} row */
  add(row) {
    this.stats.add(row);
  }

  /** Redraws when something arrived or a second went by; skipped while the charts are not on screen. */
  draw() {
    if (!this.uPlot || document.hidden || this.root.offsetParent === null) return;
    const now = Date.now();
    const second = Math.floor(now / 1000);
    if (this.drawnVersion === this.stats.version && this.drawnSecond === second) return;
    this.drawnVersion = this.stats.version;
    this.drawnSecond = second;
    this.stats.prune(now);
    const aliases = [...this.stats.aliases].sort();
    for (const spec of SPECS) {
      const chart = /** @type {{ box: HTMLElement, note: HTMLElement, keys: HTMLElement, plot: any, key: string }} */ (this.charts.get(spec.id));
      const { data, series, keys, note, total } = spec.compute(this.stats, now, aliases);
      chart.note.textContent = note;
      chart.box.dataset.total = String(total);
      const key = series.map((s) => s.label).join("|");
      if (chart.plot && chart.key === key) {
        chart.plot.setData(data);
        continue;
      }
      chart.plot?.destroy();
      chart.key = key;
      chart.keys.replaceChildren(...keys.map(([label, colour]) => swatch(label, colour)));
      chart.plot = new this.uPlot(this.options(spec, series, chart.box.clientWidth), data, chart.box);
    }
  }

  resize() {
    for (const chart of this.charts.values()) if (chart.plot) chart.plot.setSize({ width: chart.box.clientWidth, height: HEIGHT });
  }

  /** @param {ChartSpec} spec @param {any[]} series @param {number} width */
  options(spec, series, width) {
    const value = spec.unit === "$" ? (/** @type {any} */ _u, /** @type {number} */ v) => (v === null ? "—" : money(v)) : (/** @type {any} */ _u, /** @type {number} */ v) => (v === null ? "—" : `${Math.round(v * 100) / 100} ${spec.unit}`);
    return {
      width: Math.max(200, width),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // From zero, with room above the highest value; an empty chart still has a sensible scale.
      scales: { x: { time: true }, y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => (spec.unit === "%" ? [0, 100] : [0, Math.max(FLOOR[spec.unit] ?? 1, (max ?? 0) * 1.1)]) } },
      axes: [{ stroke: "#667", values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map(hhmm) }, { stroke: "#667", size: spec.unit === "$" ? 72 : 50, values: (/** @type {any} */ _u, /** @type {number[]} */ ticks) => ticks.map((t) => (spec.unit === "$" ? money(t) : `${Math.round(t * 100) / 100}`)) }],
      series: [{}, ...series.map((s) => ({ ...s, value }))],
    };
  }
}

/** @param {string} label @param {string} colour */
function swatch(label, colour) {
  const mark = el("span", "swatch");
  if (colour) mark.style.background = colour;
  return el("span", null, colour ? mark : null, label);
}

/** @param {number} seconds epoch seconds */
function hhmm(seconds) {
  const d = new Date(seconds * 1000);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return d.getSeconds() ? `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}` : `${two(d.getHours())}:${two(d.getMinutes())}`;
}
