// @ts-check
// The health tab: GET /ui/api/state (PlumbingState) as sections, refreshed every 5 s while shown.
// Under `serve --num_workers N` each table lists every worker's own rows, its pid first.
import { byId, clock, el, int, pretty, table } from "./dom.js";

/** @typedef {import("./dom.js").PlumbingState} PlumbingState */
/** @typedef {import("./dom.js").ProcessHealth} ProcessHealth */
/** @typedef {import("./dom.js").WorkerState} WorkerState */

const STATES = ["healthy", "failing (last minute)", "cooling down"];

/** @param {PlumbingState} s */
export function renderHealth(s) {
  const root = byId("health");
  const c = s.config;
  const by = perWorker(s);
  root.classList.toggle("cluster", Boolean(s.workers));
  root.replaceChildren(
    section(
      "Config",
      "config",
      el("dl", "summary", el("dt", null, "file"), el("dd", null, c.file ?? "inline"), el("dt", null, "version"), el("dd", null, String(c.version)), el("dt", null, "loaded at"), el("dd", null, when(c.loaded_at))),
      c.last_reload_error
        ? el("div", "error-box reload-error", el("strong", null, "The last reload failed; the previous config keeps serving."), el("pre", null, c.last_reload_error))
        : el("p", "ok-text", "The last reload went into service (or there was none)."),
      details("The loaded config (secrets masked)", pretty(c.masked)),
    ),
    ...(s.workers ? [section("Workers", "workers", table(["worker", "answered", "config version"], s.workers.map(workerRow)))] : []),
    section(
      "Callbacks",
      "callbacks",
      by(
        ["name", "list", "model", "events", "errors", "timeouts", "dropped", "last error"],
        (h) => h.callbacks.map((cb) => [cb.name, cb.list, cb.model ?? "all", cb.events.join(", "), cb.errors, cb.timeouts, cb.dropped, errorCell(cb.last_error)]),
        "no callbacks in any chain",
      ),
    ),
    section(
      "Deliveries",
      "deliveries",
      by(["built-in", "queued", "sent", "failed", "retries", "lost"], (h) => h.deliveries.map((d) => [d.name, d.queued, d.sent, d.failed, d.retries, d.lost]), "no sending built-ins"),
    ),
    section(
      "Cache",
      "cache",
      by(
        ["type", "health", "hits", "misses", "hit ratio", "outages"],
        (h) => (h.cache ? [[h.cache.type, h.cache.healthy ? "healthy" : "down", h.cache.hits, h.cache.misses, ratio(h.cache.hits, h.cache.misses), h.cache.outages]] : []),
        "no response cache",
      ),
    ),
    section(
      "Router deployments",
      "deployments",
      by(["alias", "deployment", "state", "cooldowns"], (h) => h.deployments.map((d) => [d.model_group, d.deployment, stateCell(d.state), cooldowns(d.cooldowns)]), "no deployments"),
    ),
    section(
      "Logging queue",
      "queue",
      by(["pending", "dropped", "errors", "timeouts"], (h) => [[h.queue.pending, h.queue.dropped, h.queue.errors, h.queue.timeouts]]),
    ),
  );
  byId("health-at").textContent = `Last refreshed ${clock(Date.now())}.`;
}

/** @typedef {Array<Node | string | number | null>} Cells */

/**
 * How a section's table is built: from the state's own rows, or under a cluster from each
 * answering worker's, with a first column naming the worker.
 * @param {PlumbingState} s
 */
function perWorker(s) {
  const workers = s.workers;
  /** @param {string[]} heads @param {(h: ProcessHealth) => Cells[]} rows @param {string} [empty] */
  return (heads, rows, empty) => {
    if (!workers) return table(heads, rows(s), empty);
    const all = workers.flatMap((w) => (w.answered ? rows(w).map((cells) => [workerCell(w), ...cells]) : []));
    return table(["worker", ...heads], all, empty);
  };
}

/** @param {WorkerState} w */
function workerCell(w) {
  const cell = el("span", "worker", `pid ${w.pid}`);
  cell.dataset.pid = String(w.pid);
  return cell;
}

/** @param {WorkerState} w @returns {Cells} */
function workerRow(w) {
  return w.answered ? [workerCell(w), el("span", "ok-text", "yes"), w.config_version] : [workerCell(w), el("span", "error-text", "no: it did not answer in time; its counts are left out"), "—"];
}

/** @param {string} title @param {string} id @param {...(Node | null)} children */
function section(title, id, ...children) {
  const s = el("section", "health-section", el("h2", null, title), ...children);
  s.dataset.section = id;
  return s;
}

/** @param {string} title @param {string} text */
function details(title, text) {
  const d = el("details", "json", el("summary", null, title), el("pre", null, text));
  d.open = true;
  return d;
}

/** @param {string} iso */
function when(iso) {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? `${new Date(t).toLocaleString()} (${iso})` : iso;
}

/** @param {string | null} text */
function errorCell(text) {
  return text ? el("span", "error-text", text) : "—";
}

/** @param {0 | 1 | 2} state */
function stateCell(state) {
  return el("span", `badge state-${state}`, STATES[state] ?? String(state));
}

/** @param {Readonly<Record<string, number>>} c */
function cooldowns(c) {
  const entries = Object.entries(c ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}: ${int(v)}`).join(", ") : "—";
}

/** @param {number} hits @param {number} misses */
function ratio(hits, misses) {
  const all = hits + misses;
  return all ? `${Math.round((100 * hits) / all)}%` : "—";
}
