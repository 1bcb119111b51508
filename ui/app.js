// @ts-check
// The live page of litellm-runtime: wires the key prompt, the live stream, the table, the
// side panel, the charts and the health tab. No framework and no build step: ES modules as served.
import { forgetKey, getJson, getWithKey, HttpError } from "./js/api.js";
import { Charts } from "./js/charts.js";
import { byId } from "./js/dom.js";
import { renderHealth } from "./js/health.js";
import { Panel } from "./js/panel.js";
import { openStream } from "./js/stream.js";
import { CallTable } from "./js/table.js";

const HEALTH_EVERY_MS = 5000;

/** @param {string | null} text */
function banner(text) {
  const node = byId("banner");
  node.textContent = text ?? "";
  node.hidden = !text;
}

/** @param {{ version: number, loaded_at: string }} config */
function showVersion(config) {
  const node = byId("config-version");
  node.textContent = `config v${config.version}`;
  node.title = `loaded at ${config.loaded_at}`;
}

/** @type {Promise<void> | null} */
let asking = null;
/** The server refused the key (or wants one now): ask once, whoever noticed first. */
function reauthorize() {
  forgetKey();
  asking ??= getWithKey("/ui/api/state", banner).then((state) => {
    asking = null;
    renderHealth(state);
    showTab();
  });
  return asking;
}

function healthShown() {
  return location.hash === "#health";
}

function showTab() {
  if (!byId("key-view").hidden) return;
  const health = healthShown();
  byId("calls-view").hidden = health;
  byId("health-view").hidden = !health;
  if (health) byId("panel").hidden = true;
  for (const [id, on] of /** @type {const} */ ([["tab-calls", !health], ["tab-health", health]])) {
    if (on) byId(id).setAttribute("aria-current", "page");
    else byId(id).removeAttribute("aria-current");
  }
}

async function refreshHealth() {
  try {
    renderHealth(await getJson("/ui/api/state"));
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) await reauthorize();
    else byId("health-at").textContent = `Refresh failed (${err instanceof Error ? err.message : String(err)}); showing the last state.`;
  }
}

async function main() {
  const state = await getWithKey("/ui/api/state", banner);
  renderHealth(state);
  showVersion(state.config);

  const panel = new Panel(() => table.select(null));
  const charts = new Charts(byId("charts"));
  const table = new CallTable({
    open: (row) => void panel.open(row),
    changed(rows) {
      if (!panel.id) return;
      const mine = rows.findLast((r) => r.id === panel.id);
      if (mine) panel.refresh(mine);
    },
  });

  const conn = byId("conn");
  const stream = openStream({
    snapshot(snap) {
      banner(null);
      showVersion(snap.config);
      table.reset(snap);
      charts.stats.bound(snap.max_events);
      for (const row of snap.calls) charts.add(row);
      charts.draw();
    },
    call(row) {
      table.add(row);
      charts.add(row);
    },
    reload(r) {
      showVersion(r);
      banner(r.ok ? null : `A config reload failed; the previous config keeps serving.\n${r.error ?? ""}`);
      if (healthShown()) void refreshHealth();
    },
    dropped(d) {
      banner(`This tab fell behind and ${d.count} calls were skipped; taking a fresh snapshot.`);
      stream.restart();
    },
    status(s, detail) {
      conn.dataset.state = s;
      conn.textContent = detail;
    },
    unauthorized: reauthorize,
  });

  window.addEventListener("hashchange", () => {
    showTab();
    if (healthShown()) void refreshHealth();
  });
  setInterval(() => {
    if (healthShown() && !document.hidden && byId("key-view").hidden) void refreshHealth();
  }, HEALTH_EVERY_MS);
  showTab();
}

void main();
