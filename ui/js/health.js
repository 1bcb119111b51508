// @ts-check
// The health tab: GET /ui/api/state (PlumbingState) as sections, refreshed every 5 s while shown.
import { byId, clock, el, int, pretty, table } from "./dom.js";

/** @typedef {import("./dom.js").PlumbingState} PlumbingState */

const STATES = ["healthy", "failing (last minute)", "cooling down"];

/** @param {PlumbingState} s */
export function renderHealth(s) {
  const root = byId("health");
  const c = s.config;
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
    section(
      "Callbacks",
      "callbacks",
      table(
        ["name", "list", "model", "events", "errors", "timeouts", "dropped", "last error"],
        s.callbacks.map((cb) => [cb.name, cb.list, cb.model ?? "all", cb.events.join(", "), cb.errors, cb.timeouts, cb.dropped, errorCell(cb.last_error)]),
        "no callbacks in any chain",
      ),
    ),
    section(
      "Deliveries",
      "deliveries",
      table(
        ["built-in", "queued", "sent", "failed", "retries", "lost"],
        s.deliveries.map((d) => [d.name, d.queued, d.sent, d.failed, d.retries, d.lost]),
        "no sending built-ins",
      ),
    ),
    section(
      "Cache",
      "cache",
      s.cache
        ? table(
            ["type", "health", "hits", "misses", "hit ratio", "outages"],
            [[s.cache.type, s.cache.healthy ? "healthy" : "down", s.cache.hits, s.cache.misses, ratio(s.cache.hits, s.cache.misses), s.cache.outages]],
          )
        : el("p", "muted", "no response cache"),
    ),
    section(
      "Router deployments",
      "deployments",
      table(
        ["alias", "deployment", "state", "cooldowns"],
        s.deployments.map((d) => [d.model_group, d.deployment, stateCell(d.state), cooldowns(d.cooldowns)]),
        "no deployments",
      ),
    ),
    section(
      "Logging queue",
      "queue",
      table(["pending", "dropped", "errors", "timeouts"], [[s.queue.pending, s.queue.dropped, s.queue.errors, s.queue.timeouts]]),
    ),
  );
  byId("health-at").textContent = `Last refreshed ${clock(Date.now())}.`;
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
