/** The routes that describe the server: the model list and the health checks. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { basename } from "node:path";
import type { Runtime } from "../config/runtime.ts";
import { compile, stars, type ModelNames } from "../config/wildcards.ts";
import { BUNDLED_PRICES } from "../cost/table.ts";
import { SUPPORTED_PROVIDERS } from "../providers/index.ts";
import type { ServerContext } from "./calls.ts";
import { modelNamesOf } from "./params.ts";
import { sendJSON } from "./reply.ts";

/** When the list was first built: OpenAI's `created` is a time, and aliases have no birthday of their own. */
const CREATED = Math.floor(Date.now() / 1000);

const lists = new WeakMap<ReadonlySet<string>, string>();

/**
 * `GET /v1/models`: the config's aliases in OpenAI's list shape (with the
 * `model_group_alias` names not marked hidden), then, as LiteLLM lists a
 * wildcard entry, the models of the bundled price table it covers (`"*"` →
 * `openai/*` lists `gpt-4o-mini`, ...). Serialised once per config.
 */
export async function listModels(_req: IncomingMessage, res: ServerResponse, ctx: ServerContext): Promise<void> {
  const aliases = ctx.aliases();
  let text = lists.get(aliases);
  if (text === undefined) {
    const names = modelNamesOf(aliases);
    const groupAliases = ctx.runtime.settings.router.model_group_alias;
    const listed = names.aliases.filter((name) => groupAliases[name]?.hidden !== true);
    const ids = [...listed, ...coveredModels(ctx.runtime.config.model_list ?? [], names)];
    text = JSON.stringify({ object: "list", data: ids.map((id) => ({ id, object: "model", created: CREATED, owned_by: "litellm-runtime" })) });
    lists.set(aliases, text);
  }
  sendJSON(res, 200, text);
}

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_PROVIDERS);

/**
 * The names a client may ask for that the wildcard entries cover, among the
 * bundled table's models: each model of the entry's provider that its
 * `litellm_params.model` could become, under the name that leads there. A name
 * a more specific entry (or an alias) answers is listed once, by that entry.
 */
function coveredModels(entries: ReadonlyArray<{ model_name?: unknown; litellm_params?: { model?: unknown } }>, names: ModelNames): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    const pattern = entry.model_name;
    const model = entry.litellm_params?.model;
    if (typeof pattern !== "string" || typeof model !== "string" || stars(pattern) === 0 || stars(model) !== stars(pattern)) continue;
    const slash = model.indexOf("/");
    const provider = slash > 0 && SUPPORTED.has(model.slice(0, slash)) ? model.slice(0, slash) : "openai";
    const target = compile(model);
    for (const [id, price] of BUNDLED_PRICES) {
      if (price.litellm_provider !== provider) continue;
      // A model without a prefix (`"*"`) is OpenAI's, written bare.
      const m = target.exec(slash > 0 ? `${provider}/${id}` : id);
      if (m === null) continue;
      let name: string = pattern;
      for (const segment of m.slice(1)) name = name.replace("*", () => segment);
      if (names.match(name)?.key === pattern) out.add(name);
    }
  }
  return [...out];
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
