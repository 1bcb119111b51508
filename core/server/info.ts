/** The routes that describe the server: the model list and the health checks. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import type { Runtime } from "../config/runtime.ts";
import type { ServerContext } from "./calls.ts";
import { sendJSON } from "./reply.ts";

/** When the list was first built: OpenAI's `created` is a time, and aliases have no birthday of their own. */
const CREATED = Math.floor(Date.now() / 1000);

const lists = new WeakMap<ReadonlySet<string>, string>();

/** `GET /v1/models`: the config's aliases in OpenAI's list shape (serialised once per config). */
export async function listModels(_req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const aliases = ctx.aliases();
  let text = lists.get(aliases);
  if (text === undefined) {
    text = JSON.stringify({ object: "list", data: [...aliases].map((id) => ({ id, object: "model", created: CREATED, owned_by: "litellm-runtime" })) });
    lists.set(aliases, text);
  }
  sendJSON(res, 200, text);
}

const ALIVE = JSON.stringify("I'm alive!");

/** `GET /health/liveliness`: the process answers (LiteLLM's body, a JSON string). */
export async function liveliness(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJSON(res, 200, ALIVE);
}

/**
 * `GET /health/readiness`: 200 while the config serves, with `status:
 * "degraded"` when its cache does not answer (the cache never fails a call,
 * so a Redis outage must not take every instance out of rotation); 503 once
 * the runtime is closed or the server is shutting down, so a load balancer
 * stops sending work. `config` says which config serves: its version (1 at
 * start, one more per reload that went into service), when it was loaded, and
 * its file's name (no folder: the route needs no key), null for an inline config.
 */
export function readiness(closing: () => boolean) {
  return async (_req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> => {
    const { ready, cache } = await ctx.runtime.health();
    const shuttingDown = closing();
    const ok = ready && !shuttingDown;
    const status = !ok ? "unhealthy" : cache === "unreachable" ? "degraded" : "healthy";
    const rt = ctx.runtime;
    const config = { version: rt.configVersion, loaded_at: rt.loadedAt.toISOString(), file: rt.file === null ? null : basename(rt.file) };
    const body = { status, cache, models: ctx.aliases().size, config, ...(shuttingDown && { shutting_down: true }) };
    sendJSON(res, ok ? 200 : 503, JSON.stringify(body));
  };
}
