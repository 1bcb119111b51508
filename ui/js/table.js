// @ts-check
// The live table: rows keyed by call id (a newer row of the same call replaces it), newest on
// top. Events are collected and applied in an animation frame, at most four times a second while
// calls keep coming, so a burst of a thousand calls a second costs four renders a second. The table lists the newest RENDER_CAP matching
// rows, and of those it builds only the ones in its scroll window (spacer rows stand for the
// rest): a frame's work does not grow with the list.
import { byId, clock, duration, el, int, money } from "./dom.js";

/** @typedef {import("./dom.js").CallSummary} CallSummary */

const RENDER_CAP = 500;
/** Rows built above and below the visible ones, so a scroll shows no gap before the next frame. */
const OVERSCAN = 8;
/**
 * Renders at most this often while calls keep coming: each render lays out and paints the table
 * again, and at 1,000 calls a second rendering every frame kept the page's main thread busy
 * 870 ms of every second (bench/ui.ts). A quiet table still renders on the next frame.
 */
const MIN_RENDER_MS = 250;

export class CallTable {
  /** @param {{ open(row: CallSummary): void, changed(rows: CallSummary[]): void }} hooks */
  constructor(hooks) {
    this.hooks = hooks;
    /** @type {Map<string, CallSummary>} every row kept, in arrival order of its call */
    this.rows = new Map();
    /** How many rows to keep (the server's ring size, from the snapshot). */
    this.keep = 1000;
    /** @type {CallSummary[]} arrived, not applied yet */
    this.pending = [];
    /** @type {Map<string, CallSummary>} arrived while paused (latest row per call) */
    this.held = new Map();
    this.heldEvents = 0;
    this.paused = false;
    this.frame = 0;
    this.timer = 0;
    this.lastRender = 0;
    /** @type {Map<string, { row: CallSummary, tr: HTMLTableRowElement }>} rendered rows */
    this.dom = new Map();
    /** @type {string | null} */
    this.selected = null;
    /** @type {Set<string>} */
    this.aliases = new Set();
    /** @type {Set<string>} */
    this.users = new Set();

    this.body = /** @type {HTMLTableSectionElement} */ (byId("calls").querySelector("tbody"));
    this.scroller = byId("calls-scroll");
    this.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    this.before = spacer();
    this.after = spacer();
    /** Measured from the first row built. */
    this.rowHeight = 0;
    this.alias = /** @type {HTMLSelectElement} */ (byId("f-alias"));
    this.status = /** @type {HTMLSelectElement} */ (byId("f-status"));
    this.user = /** @type {HTMLInputElement} */ (byId("f-user"));
    this.text = /** @type {HTMLInputElement} */ (byId("f-text"));
    this.pauseButton = byId("pause");
    for (const input of [this.alias, this.status, this.user, this.text]) input.addEventListener("input", () => this.schedule());
    this.pauseButton.addEventListener("click", () => this.setPaused(!this.paused));
    this.body.addEventListener("click", (ev) => {
      const tr = /** @type {HTMLElement} */ (ev.target).closest("tr");
      const row = tr?.dataset.id ? this.rows.get(tr.dataset.id) : undefined;
      if (row) {
        this.select(row.id);
        this.hooks.open(row);
      }
    });
  }

  /** A fresh snapshot: the rows it holds replace the table's (held rows of a pause included). @param {import("./dom.js").SnapshotEvent} snap */
  reset(snap) {
    this.keep = Math.max(1, snap.max_events || 1000);
    this.rows.clear();
    this.pending = [];
    this.held.clear();
    this.heldEvents = 0;
    for (const row of snap.calls) this.rows.set(row.id, row);
    this.trim();
    for (const row of this.rows.values()) this.learn(row);
    this.schedule();
  }

  /** @param {CallSummary} row */
  add(row) {
    if (this.paused) {
      this.held.delete(row.id);
      this.held.set(row.id, row);
      // Held rows past the bound would be evicted on resume anyway.
      if (this.held.size > this.keep) this.held.delete(/** @type {string} */ (this.held.keys().next().value));
      this.heldEvents++;
      this.showHeld();
      return;
    }
    this.pending.push(row);
    this.schedule();
  }

  /** @param {boolean} paused */
  setPaused(paused) {
    this.paused = paused;
    this.pauseButton.textContent = paused ? "Resume" : "Pause";
    this.pauseButton.setAttribute("aria-pressed", String(paused));
    if (!paused) {
      this.pending.push(...this.held.values());
      this.held.clear();
      this.heldEvents = 0;
      this.schedule();
    }
    this.showHeld();
  }

  /** @param {string | null} id */
  select(id) {
    if (this.selected) this.dom.get(this.selected)?.tr.classList.remove("selected");
    this.selected = id;
    if (id) this.dom.get(id)?.tr.classList.add("selected");
  }

  schedule() {
    if (this.frame || this.timer) return;
    const wait = this.lastRender + MIN_RENDER_MS - performance.now();
    if (wait <= 0) this.frame = requestAnimationFrame(() => this.flush());
    else
      this.timer = window.setTimeout(() => {
        this.timer = 0;
        this.frame = requestAnimationFrame(() => this.flush());
      }, wait);
  }

  flush() {
    this.frame = 0;
    this.lastRender = performance.now();
    const changed = this.pending;
    this.pending = [];
    for (const row of changed) {
      this.rows.set(row.id, row);
      this.learn(row);
    }
    this.trim();
    this.render();
    if (changed.length) this.hooks.changed(changed);
  }

  /** @param {CallSummary} row */
  learn(row) {
    if (row.model_group && !this.aliases.has(row.model_group)) {
      this.aliases.add(row.model_group);
      const options = [...this.aliases].sort().map((a) => el("option", null, a));
      for (const o of options) o.value = o.textContent ?? "";
      this.alias.replaceChildren(this.alias.options[0], ...options);
    }
    if (row.user && !this.users.has(row.user) && this.users.size < 200) {
      this.users.add(row.user);
      const option = el("option");
      option.value = row.user;
      byId("users").append(option);
    }
  }

  trim() {
    for (const id of this.rows.keys()) {
      if (this.rows.size <= this.keep) break;
      this.rows.delete(id);
    }
  }

  /** @returns {(row: CallSummary) => boolean} */
  filter() {
    const alias = this.alias.value;
    const status = this.status.value;
    const user = this.user.value.trim().toLowerCase();
    const text = this.text.value.trim().toLowerCase();
    return (row) => {
      if (alias && row.model_group !== alias) return false;
      if (status && row.status !== status) return false;
      if (user && !(row.user ?? "").toLowerCase().includes(user)) return false;
      if (!text) return true;
      const hay = [row.model_group, row.deployment, row.user, row.error_class, row.error_message, row.id, row.call_id];
      return hay.some((v) => typeof v === "string" && v.toLowerCase().includes(text));
    };
  }

  render() {
    const keep = this.filter();
    const matching = [...this.rows.values()].filter(keep);
    // Newest call first; the map's order breaks ties.
    const order = new Map([...this.rows.keys()].map((id, i) => [id, i]));
    matching.sort((a, b) => b.start - a.start || (order.get(b.id) ?? 0) - (order.get(a.id) ?? 0));
    const listed = Math.min(matching.length, RENDER_CAP);
    // The window: rows under the scroller's visible part, and a few either side.
    const height = this.rowHeight || 26;
    const head = /** @type {HTMLElement} */ (this.body.previousElementSibling)?.offsetHeight ?? 0;
    const first = Math.max(0, Math.min(listed, Math.floor((this.scroller.scrollTop - head) / height) - OVERSCAN));
    const end = Math.min(listed, first + Math.ceil((this.scroller.clientHeight || 800) / height) + 2 * OVERSCAN);
    /** @type {Map<string, { row: CallSummary, tr: HTMLTableRowElement }>} */
    const next = new Map();
    for (const row of matching.slice(first, end)) {
      const had = this.dom.get(row.id);
      next.set(row.id, had && had.row === row ? had : { row, tr: this.tr(row) });
    }
    this.dom = next;
    this.before.style.height = `${first * height}px`;
    this.after.style.height = `${(listed - end) * height}px`;
    // Move only what changed: new rows go in on top, gone ones leave; the rest stay put.
    let cursor = this.body.firstChild;
    for (const tr of [this.before, ...[...next.values()].map((r) => r.tr), this.after]) {
      if (cursor === tr) cursor = cursor.nextSibling;
      else this.body.insertBefore(tr, cursor);
    }
    while (cursor) {
      const after = cursor.nextSibling;
      cursor.remove();
      cursor = after;
    }
    if (!this.rowHeight && next.size) this.rowHeight = [...next.values()][0].tr.offsetHeight;
    byId("empty").hidden = this.rows.size > 0;
    const all = this.rows.size;
    byId("shown").textContent =
      listed < matching.length
        ? `showing ${int(listed)} of ${int(matching.length)}`
        : matching.length < all
          ? `${int(matching.length)} of ${int(all)} calls match`
          : `${int(all)} calls`;
  }

  /** @param {CallSummary} row */
  tr(row) {
    const tr = el(
      "tr",
      row.status === "failure" ? "failure" : null,
      el("td", "c-time", clock(row.start)),
      el("td", "c-status", el("span", `badge ${row.status}`, row.status)),
      el("td", "c-model", el("strong", null, row.model_group ?? "—"), " → ", row.deployment),
      el("td", "c-type", row.call_type),
      el("td", "c-stream", row.stream ? "stream" : "—"),
      el("td", "c-latency num", duration(row.latency_ms)),
      el("td", "c-ttft num", duration(row.ttft_ms)),
      el("td", "c-tokens num", `${int(row.prompt_tokens)} / ${int(row.completion_tokens)}`),
      el("td", "c-cost num", money(row.cost)),
      el("td", "c-cache", row.cache_hit ? "hit" : "—"),
      el("td", "c-user", row.user ?? "—"),
      el("td", "c-error", row.error_class ?? ""),
    );
    tr.dataset.id = row.id;
    tr.dataset.status = row.status;
    if (row.error_message) tr.title = row.error_message;
    if (row.id === this.selected) tr.classList.add("selected");
    return tr;
  }

  showHeld() {
    byId("held").textContent = this.paused ? `paused: ${int(this.heldEvents)} new event${this.heldEvents === 1 ? "" : "s"} held` : "";
  }
}

/** A row that stands for the rows not built, above or below the window. */
function spacer() {
  const tr = el("tr", "spacer");
  tr.setAttribute("aria-hidden", "true");
  return tr;
}
