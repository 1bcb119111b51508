/** The route table: which handler answers a method and path, and which routes need the master key. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { checkBearer } from "./auth.ts";
import { chatCompletions, embeddings, type ServerContext } from "./calls.ts";
import { HttpError } from "./errors.ts";
import { listModels, liveliness, readiness } from "./info.ts";
import { metricsRoute } from "./metrics.ts";
import { setCallIdHeader } from "./request-id.ts";
import type { UiServer } from "./ui.ts";

/** A route's handler: a promise whose rejection the server answers, or nothing when the handler answers its errors itself (`ctx.fail`). */
type Handler = (req: IncomingMessage, res: ServerResponse, ctx: ServerContext) => Promise<void> | void;

interface Route {
  readonly method: "GET" | "POST";
  readonly handler: Handler;
  /** Model routes need the master key; health checks never do; /metrics unless `general_settings.public_metrics`. */
  readonly auth: boolean | ((ctx: ServerContext) => boolean);
  /** Whether every response of the handler goes through reply.ts or sse.ts, which add `x-litellm-call-id` themselves. */
  readonly writesCallId?: boolean;
}

/** Resolves the master key in force for one request (null: no authentication). */
export type KeySource = () => string | null | undefined;

/**
 * Builds the dispatcher. Paths match exactly (query string aside); the model
 * routes answer with and without `/v1`, as OpenAI clients are configured either way.
 */
export function router(masterKey: KeySource, closing: () => boolean, ui?: UiServer) {
  const routes = new Map<string, Route>();
  const model = (path: string, method: Route["method"], handler: Handler, writesCallId = false) => {
    routes.set(`/v1${path}`, { method, handler, auth: true, writesCallId });
    routes.set(path, { method, handler, auth: true, writesCallId });
  };
  model("/chat/completions", "POST", chatCompletions, true);
  model("/embeddings", "POST", embeddings, true);
  model("/models", "GET", listModels);
  routes.set("/health/liveliness", { method: "GET", handler: liveliness, auth: false });
  // LiteLLM answers both spellings.
  routes.set("/health/liveness", { method: "GET", handler: liveliness, auth: false });
  routes.set("/health/readiness", { method: "GET", handler: readiness(closing), auth: false });
  routes.set("/metrics", { method: "GET", handler: metricsRoute, auth: (ctx) => !ctx.runtime.settings.general.public_metrics });

  return function dispatch(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> | void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    // The live page, when the server has one: its paths go on below /ui (assets, one call by id); it checks the key of its data routes itself.
    if (ui && (path === "/ui" || path.startsWith("/ui/"))) {
      setCallIdHeader(res);
      return ui.dispatch(req, res, ctx, path);
    }
    const route = routes.get(path);
    if (!route) {
      throw new HttpError(404, `unknown route ${req.method} ${path}: this server answers POST /v1/chat/completions, POST /v1/embeddings, GET /v1/models, GET /health/liveliness, GET /health/readiness and GET /metrics.`, "invalid_request_error", SERVER_ERROR_CODES.routeNotFound);
    }
    const method = req.method === "HEAD" && route.method === "GET" ? "GET" : req.method;
    if (method !== route.method) {
      throw new HttpError(405, `${req.method} is not allowed on ${path}: use ${route.method}.`, "invalid_request_error", SERVER_ERROR_CODES.methodNotAllowed, null, { allow: route.method });
    }
    if (route.auth === true || (route.auth !== false && route.auth(ctx))) {
      const key = masterKey();
      if (typeof key === "string") checkBearer(req.headers.authorization, key);
    }
    // The model calls' writers (reply.ts, sse.ts) add the header themselves.
    if (!route.writesCallId) setCallIdHeader(res);
    return route.handler(req, res, ctx);
  };
}
