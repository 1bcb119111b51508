// @ts-check
// The side panel: one call in full (GET /ui/api/calls/:id): its summary, its attempts on a
// small time axis, the kwargs each callback event carried, and its standard_logging_object.
import { getJson, HttpError } from "./api.js";
import { byId, clock, duration, el, int, money, pretty } from "./dom.js";

/** @typedef {import("./dom.js").CallSummary} CallSummary */
/** @typedef {import("./dom.js").CallDetail} CallDetail */

export class Panel {
  /** @param {() => void} closed */
  constructor(closed) {
    this.node = byId("panel");
    this.body = byId("panel-body");
    this.title = byId("panel-title");
    /** @type {string | null} */
    this.id = null;
    /** @type {AbortController | null} */
    this.loading = null;
    byId("panel-close").addEventListener("click", () => this.close());
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && this.id) this.close();
    });
    this.closed = closed;
  }

  /** @param {CallSummary} row */
  open(row) {
    this.id = row.id;
    this.node.hidden = false;
    this.title.textContent = `${row.model_group ?? row.deployment} · ${row.status}`;
    return this.load(row);
  }

  close() {
    this.id = null;
    this.loading?.abort();
    this.node.hidden = true;
    this.body.replaceChildren();
    this.closed();
  }

  /** The open call changed (a later attempt ended): fetch it again. @param {CallSummary} row */
  refresh(row) {
    if (this.id === row.id) void this.open(row);
  }

  /** @param {CallSummary} row */
  async load(row) {
    this.loading?.abort();
    const abort = new AbortController();
    this.loading = abort;
    /** @type {CallDetail | null} */
    let detail = null;
    /** @type {string | null} */
    let problem = null;
    try {
      detail = await getJson(`/ui/api/calls/${encodeURIComponent(row.id)}`, abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return;
      problem =
        err instanceof HttpError && err.status === 404
          ? "This call has left the server's ring buffer: only its row is left."
          : `Could not load the call: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (abort.signal.aborted || this.id !== row.id) return;
    const summary = detail?.summary ?? row;
    this.title.textContent = `${summary.model_group ?? summary.deployment} · ${summary.status}`;
    /** @type {Array<Node | null>} */
    const parts = [
      summaryList(summary),
      problem ? el("p", "error-box", problem) : null,
      el("h3", null, `Attempts (${summary.attempts.length})`),
      timeline(summary),
      detail ? el("h3", null, `Events (${detail.events.length})`) : null,
      ...(detail ? detail.events.map((ev, i) => eventBlock(ev, summary.start, i === detail.events.length - 1)) : []),
      detail ? el("h3", null, "standard_logging_object") : null,
      detail ? jsonBlock("standard_logging_object", detail.standard_logging_object, false) : null,
    ];
    this.body.replaceChildren(...parts.filter((p) => p !== null));
    this.body.dataset.loaded = row.id;
  }
}

/** @param {CallSummary} s */
function summaryList(s) {
  /** @type {Array<[string, string]>} */
  const pairs = [
    ["alias → deployment", `${s.model_group ?? "—"} → ${s.deployment}`],
    ["status", s.status],
    ["call type", `${s.call_type}${s.stream ? " (stream)" : ""}`],
    ["started", clock(s.start)],
    ["latency", duration(s.latency_ms)],
    ["time to first token", duration(s.ttft_ms)],
    ["tokens in / out", `${int(s.prompt_tokens)} / ${int(s.completion_tokens)}`],
    ["cost", money(s.cost)],
    ["cache", s.cache_hit ? "hit" : "miss"],
    ["user", s.user ?? "—"],
    ["trace id", s.id],
    ["call id", s.call_id],
  ];
  if (s.error_class) pairs.push(["error", `${s.error_class}${s.error_message ? `: ${s.error_message}` : ""}`]);
  const dl = el("dl", "summary");
  for (const [k, v] of pairs) dl.append(el("dt", null, k), el("dd", k === "error" ? "error-text" : null, v));
  return dl;
}

/** The attempts as bars on one time axis, from the call's start to its last end. @param {CallSummary} s */
function timeline(s) {
  const attempts = s.attempts;
  if (attempts.length === 0) return el("p", "muted", "no attempts recorded");
  const t0 = Math.min(s.start, ...attempts.map((a) => a.start));
  const t1 = Math.max(s.end, ...attempts.map((a) => a.end));
  const span = Math.max(1, t1 - t0);
  const box = el("div", "timeline");
  for (const a of attempts) {
    const bar = el("div", `bar ${a.status}`);
    bar.style.left = `${((a.start - t0) / span) * 100}%`;
    bar.style.width = `${Math.max(0.5, ((a.end - a.start) / span) * 100)}%`;
    bar.title = `${a.deployment}: ${duration(a.end - a.start)}${a.error_class ? `, ${a.error_class}` : ""}`;
    const track = el("div", "track", bar);
    if (a.cooled_down) {
      const mark = el("span", "cooldown", "cooldown");
      mark.style.left = `${((a.end - t0) / span) * 100}%`;
      mark.title = `the router cooled ${a.deployment} down after this failure`;
      track.append(mark);
    }
    const label = el("div", "label", el("span", `kind ${a.kind}`, `${a.attempt}. ${a.kind}`), " ", a.deployment);
    const outcome = el("div", `outcome ${a.status}`, a.status === "success" ? duration(a.end - a.start) : `✗ ${a.error_class ?? "failed"}`);
    const line = el("div", "attempt", label, track, outcome);
    line.dataset.kind = a.kind;
    line.dataset.status = a.status;
    if (a.error_message) line.title = a.error_message;
    box.append(line);
  }
  box.append(el("div", "axis", el("span", null, "0 ms"), el("span", null, duration(span))));
  return box;
}

/** @param {import("./dom.js").EventRecord} ev @param {number} t0 @param {boolean} open */
function eventBlock(ev, t0, open) {
  return jsonBlock(`${ev.event} · attempt ${ev.attempt} · +${duration(ev.at - t0)}`, ev.kwargs, open, ev.event);
}

/** Collapsible pretty JSON, as text. @param {string} title @param {unknown} value @param {boolean} open @param {string} [kind] */
function jsonBlock(title, value, open, kind) {
  const details = el("details", "json", el("summary", null, title), el("pre", null, pretty(value)));
  details.open = open;
  if (kind) details.dataset.event = kind;
  return details;
}
