import { createHash } from "node:crypto";
import { resolve as resolvePath } from "node:path";
import { describeThrown } from "../callbacks/failure.ts";
import { createBuiltin, isBuiltin, unknownBuiltin, type BuiltinHost, type RoutingView } from "../callbacks/builtins.ts";
import { compileCallbacks, type CallbackSource, type CompiledCallbacks, type ListKind } from "../callbacks/registry.ts";
import type { CallSettings } from "../call/env.ts";
import { loadCostMap } from "../cost/index.ts";
import type { RecordPolicy } from "../callbacks/safe-json.ts";
import { configSecrets } from "../secrets.ts";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";
import { cacheFromSettings, sameCacheOptions } from "../cache/index.ts";
import type { ResponseCache } from "../cache/types.ts";
import { optionsOf, type ProviderOptions } from "../providers/index.ts";
import { Router } from "../router/index.ts";
import { coveredBy, inDocumentOrder, type LoadedConfig } from "./load.ts";
import type { ModuleLoader, RefContext } from "./modules.ts";
import { defaultsOf, routerSettings } from "./router-view.ts";
import { overriddenSettings, resolveSettings, type ResolvedSettings } from "./settings.ts";
import { providerProblem } from "./provider-check.ts";
import { routingView } from "./routing-health.ts";
import { nearest } from "./suggest.ts";
import { ModelNames } from "./wildcards.ts";

/**
 * One immutable view of a config: its settings, its callback chains loaded
 * and sorted, and its models. Every call runs against one snapshot; a reload
 * builds a new one and swaps it in for calls that start afterwards.
 */

const LISTS: readonly ListKind[] = ["callbacks", "input_callback", "success_callback", "failure_callback"];

/** One `model_list` entry, ready to route to. */
export interface Deployment {
  readonly alias: string;
  readonly index: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly model_info: Readonly<Record<string, unknown>> | null;
  /** `litellm_params` passed on to each call (temperature, timeout, ...); the call's own values win. */
  readonly defaults: Readonly<Record<string, unknown>> | undefined;
  /** The provider's own options in `litellm_params` (api_version, organization, ...), taken out once: `ResolvedModel.options` under the call's. */
  readonly options: ProviderOptions;
  /** The model's own chain, run after the global ones. */
  readonly sources: readonly CallbackSource[];
  /** For one requested name a wildcard entry covers: the entry it was made from (whose `alias` is the pattern). */
  readonly origin?: Deployment;
  /** The entry's top-level `rpm` / `tpm` limits, which LiteLLM reads before `litellm_params`' (core/router/usage.ts `limitOf`). */
  readonly rpm?: number;
  readonly tpm?: number;
  /** The entry's top-level `max_parallel_requests`, read before `litellm_params`' (core/router/permits.ts `parallelLimitOf`). */
  readonly max_parallel_requests?: number;
}

export interface Snapshot {
  readonly loaded: LoadedConfig;
  /** Every setting of the config, defaults applied (`runtime.settings`): what the server, CLI, router and dispatcher read. */
  readonly resolved: ResolvedSettings;
  /** The call path's view of `resolved.litellm`, with the loaded price map and the secrets. */
  readonly settings: CallSettings;
  /** The config's global chains, in list order. */
  readonly sources: readonly CallbackSource[];
  /** Aliases to their deployments, in file order. */
  readonly models: ReadonlyMap<string, readonly Deployment[]>;
  /** Resolves a requested name to its alias, or to the most specific wildcard entry (`"*"`, `"anthropic/*"`) that covers it. */
  readonly names: ModelNames;
  /** `router_settings.model_group_alias`: a name to the alias a call to it goes to. */
  readonly groupAliases: ReadonlyMap<string, string>;
  /** `router_settings.default_litellm_params` for a call no deployment answers (a config without `model_list`); undefined when none. */
  readonly callDefaults: Readonly<Record<string, unknown>> | undefined;
  /** Files whose change means a reload: the config, its includes, callback modules and what they import, the cost map. */
  readonly files: readonly string[];
  /** Every distinct callback object or function of this snapshot, for flush and close. */
  readonly targets: readonly object[];
  /** Whether the config names any callback, in its lists or a deployment's: when none, nothing reads a call's kwargs but the process-wide lists. */
  readonly hasCallbacks: boolean;
  /** Picks deployments, and decides retries and fallbacks, from `router_settings`. */
  readonly router: Router<Deployment>;
  /** The response cache of `litellm_settings.cache` / `cache_params`, or null. */
  readonly cache: ResponseCache | null;
  /** The `cache_params` it was made from, to tell whether a reload may keep it (and its connection). */
  readonly cacheParams: unknown;
  /** Warnings about the loaded callbacks (`CONFIG_CALLBACK_METHOD_TYPO`); the file's own are in `loaded.warnings`. */
  readonly warnings: readonly ConfigIssue[];
  /** A built-in by name with its `callback_settings` options (and an object form's own), for names in a call's own lists. */
  readonly builtin: (name: string, list: ListKind, options?: Record<string, unknown>) => object;
}

const EMPTY_MASTER_KEY =
  "master_key is empty: remove it to run without authentication (loopback only), or set a key. " +
  "When it names an environment variable (os.environ/NAME, ${NAME}), that variable is set to an empty string.";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** What a runtime lends its snapshots' built-ins to read at scrape time: its own counters (the snapshot adds its cache, callbacks and router). */
export type RuntimeHost = Pick<BuiltinHost, "owner" | "stats" | "callbackFaults">;

/** Loads every callback reference and the cost map; all problems come back together as one ConfigError. */
export async function buildSnapshot(loaded: LoadedConfig, loader: ModuleLoader, previous?: Snapshot, runtimeHost?: RuntimeHost): Promise<Snapshot> {
  const config = loaded.config as unknown as Obj;
  const ls = obj(config.litellm_settings);
  const resolved = resolveSettings(config);
  const callbackSettings = obj(config.callback_settings);
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const files = new Set(loaded.files);
  const instances = new Map<string, object>();
  const covered = (path: string): boolean => coveredBy(loaded.issues, path);

  // Built once per snapshot: what its error texts and records must never show, and how large a record may be.
  const secrets = configSecrets(config, loaded.env);
  const records: RecordPolicy = Object.freeze({ maxBytes: resolved.litellm.max_record_bytes, scrub: secrets.scrub });
  const options = (name: string): Record<string, unknown> => ({ ...obj(callbackSettings[name]) });
  const loadTimeoutMs = resolved.litellm.callback_load_timeout * 1000;
  // Filled in below: the built-ins are made before the router and the cache exist, and read them only at scrape time.
  let built: Snapshot | undefined;
  let view: RoutingView | undefined;
  const host: BuiltinHost | undefined = runtimeHost && {
    ...runtimeHost,
    cacheStats: () => built?.cache?.stats() ?? null,
    targets: () => built?.targets ?? [],
    routing: () => (built ? (view ??= routingView(built.router, built.loaded.env)) : null),
  };
  // One instance per built-in and options: a name in two lists is one handler, run once per event.
  const builtin = (name: string, opts: Record<string, unknown>): object | undefined => {
    if (!isBuiltin(name)) return undefined;
    const key = `${name}\u0000${JSON.stringify(opts)}`;
    let inst = instances.get(key);
    if (!inst) instances.set(key, (inst = createBuiltin(name, opts, { dir: loaded.dir, records, env: loaded.env, litellm_settings: ls, ...(host && { host }) })));
    return inst;
  };

  async function loadList(refs: unknown, list: ListKind, at: Array<string | number>): Promise<CallbackSource[]> {
    if (refs === undefined || refs === null) return [];
    // LiteLLM's files name a single reference without a list: `callbacks: custom_callbacks.proxy_handler_instance`.
    const single = !Array.isArray(refs);
    const entries: unknown[] = single ? [refs] : refs;
    const loadedRefs = await Promise.all(
      entries.map(async (ref, i) => {
        const path = single ? at : [...at, i];
        // A reference the file's own problems cover (its place, or its built-in's callback_settings) is not judged again.
        const name = refName(ref);
        if (covered(dotted(path)) || (isBuiltin(name) && covered(`callback_settings.${name}`))) return undefined;
        const ctx: RefContext = { dir: loaded.dir, path: dotted(path), loc: loaded.locate(path), list, builtin, options, loadTimeoutMs };
        try {
          const r = await loader.load(ref, ctx);
          for (const f of r.files) files.add(f);
          if (r.warnings) warnings.push(...r.warnings);
          return { list, entries: [r.callback as never], ...(r.events ? { events: r.events } : {}) } satisfies CallbackSource;
        } catch (err) {
          issues.push(...issuesOf(err, ctx));
          return undefined;
        }
      }),
    );
    return loadedRefs.filter((s): s is NonNullable<typeof s> => s !== undefined);
  }

  const sources: CallbackSource[] = [];
  for (const list of LISTS) sources.push(...(await loadList(ls[list], list, ["litellm_settings", list])));

  const models = new Map<string, Deployment[]>();
  const modelList = Array.isArray(config.model_list) ? (config.model_list as Obj[]) : [];
  await Promise.all(
    modelList.map(async (entry, index) => {
      const params = obj(entry.litellm_params);
      const problem = providerProblem(params, loaded.env, ["model_list", index, "litellm_params"]);
      if (problem && !covered(problem.issue.path)) issues.push({ ...loaded.locate(problem.at), ...problem.issue });
      const deployment: Deployment = Object.freeze({
        alias: String(entry.model_name),
        index,
        params,
        model_info: withId(entry.model_info, String(entry.model_name), params),
        defaults: defaultsOf(params, resolved.router),
        options: Object.freeze(optionsOf(params)),
        sources: await loadList(entry.callbacks, "callbacks", ["model_list", index, "callbacks"]),
        ...(typeof entry.rpm === "number" ? { rpm: entry.rpm } : {}),
        ...(typeof entry.tpm === "number" ? { tpm: entry.tpm } : {}),
        ...(typeof entry.max_parallel_requests === "number" ? { max_parallel_requests: entry.max_parallel_requests } : {}),
      });
      const list = models.get(deployment.alias) ?? [];
      list.push(deployment);
      models.set(deployment.alias, list);
    }),
  );
  for (const list of models.values()) list.sort((a, b) => a.index - b.index);

  let costMap = null;
  if (resolved.litellm.model_cost_map !== null) {
    const file = resolvePath(loaded.dir, resolved.litellm.model_cost_map);
    files.add(file);
    try {
      costMap = await loadCostMap(file);
    } catch (err) {
      const loc = loaded.locate(["litellm_settings", "model_cost_map"]);
      issues.push({ code: CONFIG_ERROR_CODES.costMap, ...loc, path: "litellm_settings.model_cost_map", message: (err as Error).message });
    }
  }

  // A name standing for an alias no entry serves would fail every call to it: say so now.
  const names = new ModelNames(models.keys());
  const groupAliases = new Map(Object.entries(resolved.router.model_group_alias).map(([name, a]) => [name, a.model] as const));
  for (const [name, target] of groupAliases) {
    const path = ["router_settings", "model_group_alias", name];
    if (models.size === 0 || names.match(target) !== undefined || covered(dotted(path))) continue;
    const known = names.aliases.map((a) => JSON.stringify(a)).join(", ");
    const near = nearest(target, names.aliases);
    const message = `"${name}" routes to "${target}", which no model_list entry serves (its model_names: ${known}).`;
    issues.push({ code: CONFIG_ERROR_CODES.invalidValue, ...loaded.locate(path), path: dotted(path), message, ...(near !== undefined && { suggestion: near }) });
  }

  const overridden = overriddenSettings(config);
  if (overridden.length > 0) warnings.push(overriddenWarning(overridden, loaded));

  // An empty key would lock the server while start-up says it is open: neither is what was meant.
  const masterKey = resolved.general.master_key;
  if (masterKey !== null && masterKey.trim() === "") {
    issues.push({ code: CONFIG_ERROR_CODES.invalidValue, ...loaded.locate(["general_settings", "master_key"]), path: "general_settings.master_key", message: EMPTY_MASTER_KEY });
  }

  // The file's own problems (loaded with keepIssues) and these together, each once: every problem in one report.
  const problems = [...loaded.issues, ...issues.filter((i) => !covered(i.path))];
  if (problems.length > 0) {
    // The built-ins made for this snapshot will never serve: let go of what they hold (a shared file writer).
    for (const inst of instances.values()) await Promise.resolve((inst as { close?: () => unknown }).close?.()).catch(() => undefined);
    throw new ConfigError(inDocumentOrder(problems, loaded.files), loaded.file);
  }

  // A reload that leaves the cache settings alone keeps the cache, its entries and its Redis connection.
  const cacheParams = resolved.litellm.cache ? (ls.cache_params ?? {}) : null;
  const keep =
    previous && previous.cache && cacheParams && sameCacheOptions(previous.cacheParams as Record<string, unknown>, cacheParams as Record<string, unknown>, previous.loaded.env, loaded.env);
  const cache = keep ? previous!.cache : cacheFromSettings(resolved.litellm.cache, cacheParams as Record<string, unknown> | undefined, undefined, loaded.env);

  const targets = new Set<object>();
  for (const s of sources) for (const e of s.entries) targets.add(e as object);
  for (const list of models.values()) for (const d of list) for (const s of d.sources) for (const e of s.entries) targets.add(e as object);

  return (built = Object.freeze({
    loaded,
    resolved,
    settings: callSettings(resolved, costMap, secrets),
    // The cost map too: enable_pre_call_checks reads context windows where prices are looked up.
    // request_timeout too: the longest a call waits for a permit of a capped deployment when nothing sets its timeout.
    router: new Router<Deployment>(models, routerSettings(resolved.router), { costMap, requestTimeoutS: resolved.litellm.request_timeout }),
    cache,
    cacheParams,
    sources: Object.freeze(sources),
    models,
    names,
    groupAliases,
    callDefaults: defaultsOf({}, { ...resolved.router, timeout: null, stream_timeout: null }),
    files: Object.freeze([...files]),
    // Loaded concurrently: put back in the file's order, so two loads of one config warn alike.
    warnings: Object.freeze(inDocumentOrder(warnings, loaded.files)),
    hasCallbacks: targets.size > 0,
    // A getter: a built-in named only in a call's own list is made on first use, and must be flushed and closed too.
    get targets(): readonly object[] {
      for (const inst of instances.values()) targets.add(inst);
      return [...targets];
    },
    builtin: (name: string, list: ListKind, given?: Record<string, unknown>) => {
      // The object form's options win over callback_settings, as in the config's own object form.
      const inst = builtin(name, given ? { ...options(name), ...given } : options(name));
      if (!inst) throw unknownBuiltin(name, `${list} of this call`);
      return inst;
    },
  }));
}

/** Compiles a scope's chains: the process-wide lists, then the config's, then the model's. */
export function compileChain(globalSources: readonly CallbackSource[], snapshot: Snapshot, deployment: Deployment | undefined): { sources: CallbackSource[]; callbacks: CompiledCallbacks } {
  const sources = [...globalSources, ...snapshot.sources, ...(deployment?.sources ?? [])];
  return { sources, callbacks: compileCallbacks(sources, snapshot.builtin) };
}

/** The call path reads its settings from `core/call`'s own type, which knows nothing of the config. */
function callSettings(resolved: ResolvedSettings, costMap: CallSettings["model_cost_map"], secrets: CallSettings["secrets"]): CallSettings {
  const ls = resolved.litellm;
  return Object.freeze({
    turn_off_message_logging: ls.turn_off_message_logging,
    redact_api_keys: ls.redact_api_keys,
    callback_timeout: ls.callback_timeout,
    hook_timeout_policy: ls.hook_timeout_policy,
    model_cost_map: costMap,
    max_response_bytes: ls.max_response_bytes,
    max_stream_bytes: ls.max_stream_bytes,
    max_record_bytes: ls.max_record_bytes,
    drop_params: ls.drop_params,
    request_timeout: ls.request_timeout,
    forward_traceparent: ls.forward_traceparent_to_llm_provider,
    secrets,
  });
}

/** One warning naming every router key `litellm_settings` sets that `router_settings` sets too. */
function overriddenWarning(keys: readonly string[], loaded: LoadedConfig): ConfigIssue {
  const one = keys.length === 1;
  const message =
    `${keys.join(", ")} ${one ? "is" : "are"} also set in router_settings, whose value${one ? " applies" : "s apply"}: ` +
    `remove ${one ? "it" : "them"} from one of the two sections to silence this warning.`;
  const first = keys[0]!.split(".");
  return { code: CONFIG_ERROR_CODES.settingOverridden, ...loaded.locate(first), path: keys[0]!, message };
}

/**
 * A deployment's `model_info`, with the `id` LiteLLM's router gives a deployment
 * that names none: a SHA-256 of its alias and `litellm_params` (keys in sorted
 * order), so the same entry keeps its id across reloads and restarts.
 */
function withId(info: unknown, alias: string, params: Obj): Readonly<Obj> {
  const own = obj(info);
  if (typeof own.id === "string" && own.id !== "") return Object.freeze({ ...own });
  return Object.freeze({ ...own, id: createHash("sha256").update(alias).update(sortedJson(params)).digest("hex") });
}

/** JSON with object keys sorted at every level: equal values give equal text, whatever the key order in the file. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Obj;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function dotted(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The name a reference gives (`file`, `./cb.ts`, or the object form's `callback`), to find its callback_settings. */
function refName(ref: unknown): string {
  return typeof ref === "string" ? ref : typeof obj(ref).callback === "string" ? (obj(ref).callback as string) : "";
}

function issuesOf(err: unknown, ctx: RefContext): ConfigIssue[] {
  if (err instanceof ConfigError) return [...err.issues];
  const message = describeThrown(err);
  return [{ code: CONFIG_ERROR_CODES.callbackLoad, ...ctx.loc, path: ctx.path, message }];
}
