/**
 * `GET /metrics`: the prometheus built-in's registry in Prometheus's text
 * format, when the config names that built-in; under `serve --num_workers N`
 * the sum over every worker, whichever worker is scraped (core/cluster/metrics.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { prometheusRegistry } from "../../builtin-callbacks/prometheus.ts";
import { clusterMetrics } from "../cluster/metrics.ts";
import { clusterJoined } from "../cluster/worker.ts";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { globalScope } from "../globals.ts";
import type { ServerContext } from "./calls.ts";
import { HttpError } from "./errors.ts";

const LISTS = ["callbacks", "success_callback", "failure_callback"] as const;

export async function metricsRoute(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  if (!named(ctx.runtime.config)) {
    throw new HttpError(
      404,
      'no metrics here: the prometheus built-in is not configured. Add it to the config (litellm_settings: callbacks: ["prometheus"]) to serve GET /metrics.',
      "invalid_request_error",
      SERVER_ERROR_CODES.routeNotFound,
    );
  }
  let body: string;
  let contentType: string;
  if (clusterJoined()) ({ body, contentType } = await clusterMetrics());
  else {
    const registry = prometheusRegistry();
    body = await registry.metrics();
    contentType = registry.contentType;
  }
  res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Whether the config in service, a model's own list or the process-wide lists name `prometheus`. */
function named(config: unknown): boolean {
  const c = (config ?? {}) as { litellm_settings?: Record<string, unknown>; model_list?: Array<{ callbacks?: unknown }> };
  const ls = c.litellm_settings ?? {};
  return (
    LISTS.some((list) => hasPrometheus(ls[list]) || hasPrometheus(globalScope.getList(list))) ||
    (Array.isArray(c.model_list) && c.model_list.some((m) => hasPrometheus(m?.callbacks)))
  );
}

function hasPrometheus(refs: unknown): boolean {
  const list = Array.isArray(refs) ? refs : refs === undefined || refs === null ? [] : [refs];
  return list.some((r) => r === "prometheus" || (r !== null && typeof r === "object" && (r as { callback?: unknown }).callback === "prometheus"));
}
