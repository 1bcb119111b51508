// @ts-check
// The live stream, GET /ui/api/events, read with fetch (so the Authorization header goes
// along; EventSource cannot send one) and parsed with eventsource-parser. Any end of the
// stream (a server restart, a reload of the page's server, a network blip) reconnects with
// backoff: 1 s doubling to 10 s, back to 1 s once a snapshot arrives.
import { createParser } from "../vendor/eventsource-parser.js";
import { authHeaders, HttpError } from "./api.js";

/**
 * @typedef {object} StreamHandlers
 * @property {(s: import("./dom.js").SnapshotEvent) => void} snapshot
 * @property {(row: import("./dom.js").CallSummary) => void} call
 * @property {(r: import("./dom.js").ReloadEvent) => void} reload
 * @property {(d: import("./dom.js").DroppedEvent) => void} dropped
 * @property {(state: "connecting" | "live" | "waiting", detail: string) => void} status
 * @property {() => Promise<void>} unauthorized resolves once a new key is in place
 */

const MIN_WAIT = 1000;
const MAX_WAIT = 10_000;

/**
 * Connects and keeps connecting until `stop()` is called.
 * @param {StreamHandlers} on
 * @returns {{ stop(): void, restart(): void }}
 */
export function openStream(on) {
  let stopped = false;
  let wait = MIN_WAIT;
  /** @type {AbortController | null} */
  let current = null;

  async function session() {
    const abort = new AbortController();
    current = abort;
    on.status("connecting", "connecting…");
    const res = await fetch("/ui/api/events", { headers: { ...authHeaders(), accept: "text/event-stream" }, cache: "no-store", signal: abort.signal });
    if (!res.ok || !res.body) throw new HttpError(res.status, `the stream answered ${res.status}`);
    const parser = createParser({
      onEvent(ev) {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (ev.event === "snapshot") {
          wait = MIN_WAIT;
          on.status("live", "live");
          on.snapshot(data);
        } else if (ev.event === "call") on.call(data);
        else if (ev.event === "reload") on.reload(data);
        else if (ev.event === "dropped") on.dropped(data);
      },
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  }

  (async () => {
    while (!stopped) {
      let unauthorized = false;
      try {
        await session();
      } catch (err) {
        unauthorized = err instanceof HttpError && err.status === 401;
      }
      if (stopped) break;
      if (unauthorized) {
        on.status("waiting", "key needed");
        await on.unauthorized();
        continue;
      }
      const seconds = Math.round(wait / 1000);
      on.status("waiting", `disconnected; reconnecting in ${seconds} s`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(Math.max(wait * 2, MIN_WAIT), MAX_WAIT);
    }
  })();

  return {
    stop() {
      stopped = true;
      current?.abort();
    },
    /** Ends this stream now; the loop reconnects at once and takes a fresh snapshot. */
    restart() {
      wait = 0;
      current?.abort();
    },
  };
}
