import type { CallEnv, CallScope, Route, RouterLike, RoutingPlan } from "../call/env.ts";
import { HookCache, storeOf } from "../cache/hook-cache.ts";
import type { Store } from "../cache/store.ts";
import { TaskCount, type Dispatcher } from "../callbacks/dispatcher.ts";
import { compileCallbacks, type CompiledCallbacks, type CallbackSource } from "../callbacks/registry.ts";
import { BadRequestError } from "../errors.ts";
import { globalScope } from "../globals.ts";
import { optionsOf, resolveModel } from "../providers/index.ts";
import { compileChain, type Deployment, type Snapshot } from "./snapshot.ts";
import { forName, wildcardRouter } from "./wildcard-router.ts";
import { unknownModelMessage, type NameMatch } from "./wildcards.ts";
import type { CallTracer } from "../tracing/seam.ts";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A deployment's name in kwargs metadata, as LiteLLM's router writes `metadata.deployment`: its `litellm_params.model`. */
const nameOf = (d: Deployment): string => String(d.params.model);

/** A snapshot in service: its call environment and how many calls still run on it. */
export class Live implements CallEnv {
  inflight = 0;
  /** The logging tasks of calls made on this snapshot. */
  readonly tasks = new TaskCount();
  private drained: Array<() => void> = [];
  private globalCompiled: CompiledCallbacks | undefined;
  private chains = new Map<Deployment | null, { sources: CallbackSource[]; callbacks: CompiledCallbacks }>();
  /** The hook chains of aliases (and wildcard entries) with several deployments, compiled with the chains. */
  private scopes = new Map<string, CallScope>();
  /** The router taking requested names, for a config with wildcard entries; made on first use. */
  private wildRouter: RouterLike<Deployment> | undefined;
  /** The routing plan of each alias of a config without wildcard entries (their names are the config's, so few). */
  private plans = new Map<string, RoutingPlan<Deployment>>();
  /** Each deployment's route for calls that bring nothing of their own to it (no api_base, api_key, mock_response or provider option). */
  private routes = new WeakMap<Deployment, Route>();
  /** The pre-call hooks' `cache`: the response cache's store when the config has one, else the runtime's memory (kept across reloads). */
  readonly hookCache: HookCache;

  constructor(
    readonly snapshot: Snapshot,
    readonly dispatcher: Dispatcher,
    hookMemory: Store,
  ) {
    const store = storeOf(snapshot.cache) ?? hookMemory;
    this.hookCache = new HookCache(() => store);
  }

  get settings() {
    return this.snapshot.settings;
  }

  get resolveBuiltin() {
    return this.snapshot.builtin;
  }

  get cache() {
    return this.snapshot.cache;
  }

  /** The chain for a deployment, compiled once per change of the process-wide lists. */
  private chain(deployment: Deployment | null) {
    const global = globalScope.current();
    if (global.callbacks !== this.globalCompiled) {
      this.globalCompiled = global.callbacks;
      this.chains.clear();
      this.scopes.clear();
    }
    let chain = this.chains.get(deployment);
    if (!chain) this.chains.set(deployment, (chain = compileChain(global.sources, this.snapshot, deployment ?? undefined)));
    return chain;
  }

  /**
   * The config entry that answers `model`: its alias, or the most specific wildcard covering it.
   * A config with a `model_list` answers nothing else (a 400 naming its aliases, as the server's);
   * one without calls models directly. Undefined: call `model` directly.
   */
  private entryFor(model: string): NameMatch | undefined {
    const match = this.snapshot.names.match(this.aliasOf(model));
    if (match === undefined && this.snapshot.models.size > 0) throw new BadRequestError(unknownModelMessage(model, this.snapshot.names, "this config"), { model });
    return match;
  }

  /** The name a call to `model` goes to: the alias a `model_group_alias` entry names (it wins over an entry of that name, as in LiteLLM), else `model`. */
  private aliasOf(model: string): string {
    return this.snapshot.groupAliases.get(model) ?? model;
  }

  route(params: { model: string; api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route {
    const match = this.entryFor(params.model);
    if (match === undefined) {
      const { sources, callbacks } = this.chain(null);
      const { callDefaults } = this.snapshot;
      const target = resolveModel({
        model: this.aliasOf(params.model),
        api_base: str(params.api_base),
        api_key: str(params.api_key),
        options: optionsOf(params),
        mock_response: params.mock_response as string | undefined,
        env: this.snapshot.loaded.env,
      });
      return callDefaults ? { target, sources, callbacks, defaults: callDefaults } : { target, sources, callbacks };
    }
    const d = this.snapshot.router.pick(match.key) ?? this.snapshot.models.get(match.key)![0]!;
    return this.routeTo(forName(d, this.aliasOf(params.model), match), params);
  }

  /**
   * Whether anything reads the kwargs of a call from the server: a callback, hook or tracer of
   * the config or the process-wide lists, or `forward_traceparent` (the caller's trace headers).
   */
  listens(): boolean {
    return this.snapshot.hasCallbacks || this.settings.forward_traceparent || globalScope.current().callbacks.targets.length > 0;
  }

  /** The tracing built-ins of the process-wide and config lists (the server opens a span per request with each). */
  tracers(): readonly CallTracer[] {
    return this.chain(null).callbacks.tracers;
  }

  /** The chain a call to `model` takes its hooks from: a deployment's own lists count for every call to its alias. */
  scope(model: string): CallScope {
    const key = this.entryFor(model)?.key;
    const deployments = key === undefined ? undefined : this.snapshot.models.get(key);
    if (!deployments || deployments.length === 0) return this.chain(null);
    if (deployments.length === 1) return this.chain(deployments[0]!);
    // Keyed by the entry, not the name asked for: a wildcard covers names without end.
    let scope = this.scopes.get(key!);
    if (!scope) {
      const { sources } = this.chain(null);
      const all = [...sources, ...deployments.flatMap((d) => d.sources)];
      this.scopes.set(key!, (scope = { sources: all, callbacks: compileCallbacks(all, this.snapshot.builtin) }));
    }
    return scope;
  }

  /** A config alias, or a name a wildcard entry covers, goes through the snapshot's router: deployments, retries, fallbacks. */
  plan(params: { model: string }): RoutingPlan<Deployment> | null {
    const { names, router } = this.snapshot;
    const alias = this.aliasOf(params.model);
    if (!names.hasWildcards) {
      if (!this.snapshot.models.has(alias)) return null;
      let plan = this.plans.get(alias);
      if (plan === undefined) this.plans.set(alias, (plan = { alias, router, routeTo: this.routeTo, nameOf }));
      return plan;
    }
    if (names.match(alias) === undefined) return null;
    // With wildcards, a fallback may name a model only a wildcard covers: the router view resolves every alias.
    this.wildRouter ??= wildcardRouter(router, names);
    return { alias, router: this.wildRouter, routeTo: this.routeTo, nameOf };
  }

  /** The route of one deployment: the call's own api_base, api_key, mock_response and provider options over the deployment's. */
  readonly routeTo = (d: Deployment, params: { api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route => {
    const p = d.params;
    // A deployment made for one requested name takes the chain of its wildcard entry, compiled once.
    const { sources, callbacks } = this.chain(d.origin ?? d);
    const options = optionsOf(params, d.options);
    // Most calls bring nothing of their own to where they go: their route is the deployment's, made once
    // (not for a deployment a wildcard made for one requested name, which lives as long as its call).
    const own = str(params.api_base) !== undefined || str(params.api_key) !== undefined || params.mock_response !== undefined || options !== d.options || d.origin !== undefined;
    const made = own ? undefined : this.routes.get(d);
    if (made !== undefined && made.callbacks === callbacks) return made;
    const target = resolveModel({
      model: String(p.model),
      api_base: str(params.api_base) ?? str(p.api_base),
      api_key: str(params.api_key) ?? str(p.api_key),
      options,
      mock_response: (params.mock_response ?? p.mock_response) as string | undefined,
      model_group: d.alias,
      model_info: d.model_info as Record<string, unknown> | null,
      env: this.snapshot.loaded.env,
    });
    const route: Route = { target, sources, callbacks, defaults: d.defaults };
    if (!own) this.routes.set(d, route);
    return route;
  };

  enter(): void {
    this.inflight++;
  }

  leave = (): void => {
    if (--this.inflight === 0 && this.drained.length > 0) for (const fn of this.drained.splice(0)) fn();
  };

  /** Resolves when no call runs on this snapshot any more, or after `graceMs`. */
  idle(graceMs: number): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      timer.unref();
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
