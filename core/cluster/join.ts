/**
 * What a worker of `serve --num_workers N` shares once its server listens:
 * its metrics (read when another worker is scraped) and its live-page rows
 * and call details (core/server/ui.ts).
 */
import type { Runtime } from "../config/runtime.ts";
import { uiServerOf } from "../server/ui.ts";
import { shareMetrics } from "./metrics.ts";
import { setJoined } from "./worker.ts";

/** Starts sharing; returns the stop. */
export function joinCluster(rt: Runtime): () => void {
  setJoined(true);
  const stops = [shareMetrics(), () => setJoined(false)];
  const ui = uiServerOf(rt);
  if (ui) stops.push(ui.joinCluster());
  return () => {
    for (const stop of stops.splice(0)) stop();
  };
}
