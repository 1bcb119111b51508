// @ts-check
// DOM helpers and number formats shared by the page's modules. Every node is built with
// createElement + textContent: data from the server is never parsed as HTML.

/** @typedef {import("../../core/ui/types.ts").CallSummary} CallSummary */
/** @typedef {import("../../core/ui/types.ts").AttemptSummary} AttemptSummary */
/** @typedef {import("../../core/ui/types.ts").CallDetail} CallDetail */
/** @typedef {import("../../core/ui/types.ts").EventRecord} EventRecord */
/** @typedef {import("../../core/ui/types.ts").SnapshotEvent} SnapshotEvent */
/** @typedef {import("../../core/ui/types.ts").ReloadEvent} ReloadEvent */
/** @typedef {import("../../core/ui/types.ts").DroppedEvent} DroppedEvent */
/** @typedef {import("../../core/ui/types.ts").PlumbingState} PlumbingState */
/** @typedef {import("../../core/ui/types.ts").ProcessHealth} ProcessHealth */
/** @typedef {import("../../core/ui/types.ts").WorkerState} WorkerState */

/**
 * An element with a class and children (strings become text nodes).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string | null} [cls]
 * @param {...(Node | string | number | null | undefined)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, cls, ...children) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/** @param {number} ms epoch ms */
export function clock(ms) {
  const d = new Date(ms);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** @param {number | null | undefined} ms */
export function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** @param {number} usd */
export function money(usd) {
  if (!Number.isFinite(usd) || usd === 0) return "$0";
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  // Small costs keep four significant digits: $0.00001234.
  return `$${Number(usd.toPrecision(4)).toString()}`;
}

const INT = new Intl.NumberFormat("en-US");
/** @param {number} n */
export function int(n) {
  if (!Number.isFinite(n)) return "—";
  return n < 1000 && n > -1000 ? String(Math.round(n)) : INT.format(n);
}

/** Pretty JSON as text, for a <pre>. @param {unknown} value */
export function pretty(value) {
  try {
    return JSON.stringify(value, null, 2) ?? "null";
  } catch {
    return String(value);
  }
}

/**
 * A <table> with a header row and one row per item (cells are text).
 * @param {string[]} heads
 * @param {Array<Array<Node | string | number | null>>} rows
 * @param {string} [empty] shown instead of the table when there are no rows
 */
export function table(heads, rows, empty = "none") {
  if (rows.length === 0) return el("p", "muted", empty);
  const head = el("tr", null, ...heads.map((h) => el("th", null, h)));
  const body = el("tbody", null, ...rows.map((cells) => el("tr", null, ...cells.map((c) => el("td", typeof c === "number" ? "num" : null, typeof c === "number" ? int(c) : c)))));
  return el("table", "grid", el("thead", null, head), body);
}
