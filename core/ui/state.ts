/**
 * `GET /ui/api/state`: the plumbing's health, read when the page asks, from
 * what the runtime and its built-ins already count. Nothing here runs on a
 * call's path.
 */
import type { Runtime } from "../config/runtime.ts";
import type { BuiltinHost } from "../callbacks/builtins.ts";
import { callbackName, EVENT_METHODS, EVENTS, type EventName, type ListKind } from "../callbacks/registry.ts";
import { ownMethod } from "../callbacks/custom-logger.ts";
import { globalScope } from "../globals.ts";
import { maskKey } from "../secrets.ts";
import type { CallbackState, PlumbingState, ProcessHealth } from "./types.ts";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** Key names whose string values are credentials, whatever the scrubber knows: `api_key`, `master_key`, `azure_ad_token`, `password`, `Authorization`, ... */
const SECRET_KEY = /(?:^|[_-])(?:key|apikey|token|secret|password|passwd|credentials?|auth|authorization|sig|signature)(?:[_-]|$)|apikey/i;

/**
 * The config with every secret masked: a value under a credential's name
 * becomes its masked form (`sk-...wxyz`), and every other string is scrubbed
 * of the secrets the config knows (keys, the master key, URL credentials).
 */
export function maskedConfig(config: unknown, scrub: (text: string) => string): Record<string, unknown> {
  const walk = (value: unknown, key: string | null, depth: number): unknown => {
    if (typeof value === "string") return key !== null && SECRET_KEY.test(key) ? (maskKey(value) ?? "") : scrub(value);
    if (value === null || typeof value !== "object" || depth > 32) return typeof value === "function" ? "[function]" : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, key, depth + 1));
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k, depth + 1);
    return out;
  };
  return walk(config, null, 0) as Record<string, unknown>;
}

const LISTS: readonly ListKind[] = ["callbacks", "input_callback", "success_callback", "failure_callback"];
const LIST_EVENTS: Record<ListKind, readonly EventName[]> = {
  callbacks: EVENTS,
  input_callback: ["pre_api_call"],
  success_callback: ["success"],
  failure_callback: ["failure"],
};

/** What a reference names: a built-in, a module path, or the object form's `callback`; a callback object given in code by its name. */
function refName(ref: unknown): string {
  if (typeof ref === "string") return ref;
  const form = obj(ref);
  if (typeof form.callback === "string") return form.callback;
  return callbackName(ref);
}

/** A name as references and loaded objects are compared: lower case, without `-` and `_` (`./my-logger.ts` is `MyLogger`). */
const norm = (name: string): string => name.toLowerCase().replace(/[-_]/g, "");

/**
 * What a reference names once loaded: `./boom.mjs` → `boom`, `./handlers.ts#onSuccess` → `onSuccess`,
 * LiteLLM's `custom_callbacks.proxy_handler_instance` → `proxy_handler_instance`, a built-in's name as it is.
 */
function plainName(ref: string): string {
  const hash = ref.lastIndexOf("#");
  if (hash >= 0) return ref.slice(hash + 1);
  return ref.replace(/\.[cm]?[jt]sx?$/i, "").replace(/^.*[/\\.]/, "");
}

/** The loaded target a reference most likely became: a built-in's instance (`file` → FileLogger) or a module's class or function of that name. */
function targetFor(name: string, targets: readonly object[]): object | undefined {
  const plain = norm(plainName(name));
  return targets.find((t) => norm(callbackName(t)) === plain) ?? targets.find((t) => norm(callbackName(t)).startsWith(plain));
}

function handled(target: object | undefined, allowed: readonly EventName[]): string[] {
  if (!target) return [...allowed];
  if (typeof target === "function") return [...allowed];
  return allowed.filter((e) => [...EVENT_METHODS[e].sync, ...EVENT_METHODS[e].async].some((m) => ownMethod(target, m)));
}

function callbackStates(runtime: Runtime, host: BuiltinHost | undefined, scrub: (text: string) => string): CallbackState[] {
  const faults = host?.callbackFaults() ?? new Map();
  const targets = host?.targets() ?? [];
  const out: CallbackState[] = [];
  const add = (refs: unknown, list: ListKind, model: string | null) => {
    const entries = Array.isArray(refs) ? refs : refs === undefined || refs === null ? [] : [refs];
    for (const ref of entries) {
      const name = refName(ref);
      const formEvents = obj(ref).events;
      const allowed = Array.isArray(formEvents) ? LIST_EVENTS[list].filter((e) => formEvents.includes(e)) : LIST_EVENTS[list];
      const target = typeof ref === "object" && ref !== null && !("callback" in ref) ? ref : targetFor(name, targets);
      // Reported under the name the chain gave it: the reference's, or its loaded object's class.
      const counts = faults.get(name) ?? (target ? faults.get(callbackName(target)) : undefined);
      out.push({
        name,
        list,
        model,
        events: handled(target, allowed),
        errors: counts?.errors ?? 0,
        timeouts: counts?.timeouts ?? 0,
        dropped: counts?.dropped ?? 0,
        last_error: typeof counts?.last_error === "string" ? scrub(counts.last_error) : null,
      });
    }
  };
  for (const list of LISTS) add(globalScope.getList(list), list, null);
  const ls = obj(obj(runtime.config).litellm_settings);
  for (const list of LISTS) add(ls[list], list, null);
  const models = obj(runtime.config).model_list;
  if (Array.isArray(models)) for (const m of models) add(obj(m).callbacks, "callbacks", String(obj(m).model_name));
  return out;
}

interface Sending {
  deliveryName?: unknown;
  stats?: () => { queued?: number; sent?: number; exported?: number; failed?: number; retries?: number; lost?: number; dropped?: number };
}

function deliveries(host: BuiltinHost | undefined): ProcessHealth["deliveries"] {
  const out: Array<ProcessHealth["deliveries"][number]> = [];
  for (const t of host?.targets() ?? []) {
    const s = t as Sending;
    if (typeof s.stats !== "function") continue;
    const name = typeof s.deliveryName === "string" ? s.deliveryName : callbackName(t);
    let stats;
    try {
      stats = s.stats.call(t);
    } catch {
      continue;
    }
    // A sending built-in: a delivery's counts (mixpanel, webhook) or an exporter's (otel).
    if (typeof s.deliveryName !== "string" && typeof stats?.exported !== "number") continue;
    out.push({
      name,
      queued: stats.queued ?? 0,
      sent: stats.sent ?? stats.exported ?? 0,
      failed: stats.failed ?? 0,
      retries: stats.retries ?? 0,
      lost: (stats.lost ?? 0) + (stats.dropped ?? 0),
    });
  }
  return out;
}

async function cacheState(runtime: Runtime, host: BuiltinHost | undefined): Promise<ProcessHealth["cache"]> {
  if (!runtime.settings.litellm.cache) return null;
  const params = obj(obj(obj(runtime.config).litellm_settings).cache_params);
  const stats = host?.cacheStats() ?? null;
  const health = await runtime.health();
  return {
    type: typeof params.type === "string" ? params.type : "local",
    healthy: health.cache !== "unreachable",
    hits: stats?.hits ?? 0,
    misses: stats?.misses ?? 0,
    outages: stats?.outages ?? 0,
  };
}

/** The config part of the health tab. `lastReloadError`: the last failed reload's `file:line:col: message` lines, or null. */
export function configState(runtime: Runtime, lastReloadError: string | null): PlumbingState["config"] {
  const scrub = runtime.scrub;
  return {
    file: runtime.file,
    version: runtime.configVersion,
    loaded_at: runtime.loadedAt.toISOString(),
    masked: maskedConfig(runtime.config, scrub),
    last_reload_error: lastReloadError === null ? null : scrub(lastReloadError),
  };
}

/** What this process counts of its own plumbing: the rest of the health tab. */
export async function processHealth(runtime: Runtime, host: BuiltinHost | undefined): Promise<ProcessHealth> {
  const { pending, dropped, errors, timeouts } = runtime.stats();
  return {
    callbacks: callbackStates(runtime, host, runtime.scrub),
    deliveries: deliveries(host),
    cache: await cacheState(runtime, host),
    deployments: (host?.routing()?.deployments() ?? []).map((d) => ({
      model_group: d.model_group,
      deployment: `${d.api_provider}/${d.litellm_model_name}`,
      state: d.state,
      cooldowns: d.cooldowns,
    })),
    queue: { pending, dropped, errors, timeouts },
  };
}

/** The whole health tab of one process. */
export async function plumbingState(runtime: Runtime, host: BuiltinHost | undefined, lastReloadError: string | null): Promise<PlumbingState> {
  return { config: configState(runtime, lastReloadError), ...(await processHealth(runtime, host)) };
}
