import { EventEmitter } from "node:events";
import { runCompletion } from "../call/completion.ts";
import { runEmbedding } from "../call/embedding.ts";
import type { CallEnv, Route, RoutingPlan } from "../call/env.ts";
import { CompletionStream } from "../call/stream.ts";
import { Dispatcher } from "../callbacks/dispatcher.ts";
import { callOwnMethod, describeThrown } from "../callbacks/failure.ts";
import type { CompiledCallbacks, CallbackSource } from "../callbacks/registry.ts";
import { CallbackError, ConfigError, formatIssue, LiteLLMError } from "../errors.ts";
import { globalScope } from "../globals.ts";
import { resolveModel } from "../providers/index.ts";
import type { CompletionParams, DispatchStats, EmbeddingParams, EmbeddingResponse, InlineConfig, ModelResponse } from "../types.ts";
import { loadConfig, type LoadedConfig } from "./load.ts";
import { ModuleLoader } from "./modules.ts";
import { buildSnapshot, compileChain, type Deployment, type Snapshot } from "./snapshot.ts";
import { watchFiles } from "./watch.ts";

/** Options of `createRuntime()`. */
export interface RuntimeOptions {
  /** A config file path, an inline config object, or nothing to search from `cwd` upward. */
  config?: string | InlineConfig;
  /** Reload when the config, a callback module or a file it imports changes. @default false */
  watch?: boolean;
  /** Where relative paths and the search start. @default process.cwd() */
  cwd?: string;
  /** Milliseconds to wait for a burst of saves to settle before reloading. @default 50 */
  debounceMs?: number;
  /** Milliseconds a retired snapshot waits for its calls in flight before its callbacks are closed anyway. @default 30000 */
  retireGraceMs?: number;
}

/** What a `reload` event carries. */
export interface ReloadInfo {
  /** The files whose change caused the reload (empty for `reload()` called by hand). */
  changed: string[];
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A deployment's name in kwargs metadata: its `model_info.id`, else `alias[index]`. */
const nameOf = (d: Deployment): string => (typeof d.model_info?.id === "string" ? d.model_info.id : `${d.alias}[${d.index}]`);

/** A snapshot in service: its call environment and how many calls still run on it. */
class Live implements CallEnv {
  inflight = 0;
  private drained: Array<() => void> = [];
  private globalCompiled: CompiledCallbacks | undefined;
  private chains = new Map<Deployment | null, { sources: CallbackSource[]; callbacks: CompiledCallbacks }>();

  constructor(
    readonly snapshot: Snapshot,
    readonly dispatcher: Dispatcher,
  ) {}

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
    }
    let chain = this.chains.get(deployment);
    if (!chain) this.chains.set(deployment, (chain = compileChain(global.sources, this.snapshot, deployment ?? undefined)));
    return chain;
  }

  route(params: { model: string; api_base?: unknown; api_key?: unknown; mock_response?: unknown; api_version?: unknown; azure_ad_token?: unknown; organization?: unknown }): Route {
    const deployments = this.snapshot.models.get(params.model);
    if (!deployments) {
      const { sources, callbacks } = this.chain(null);
      const target = resolveModel({
        model: params.model,
        api_base: str(params.api_base),
        api_key: str(params.api_key),
        api_version: str(params.api_version),
        azure_ad_token: str(params.azure_ad_token),
        organization: str(params.organization),
        mock_response: params.mock_response as string | undefined,
      });
      return { target, sources, callbacks };
    }
    return this.routeTo(this.snapshot.router.pick(params.model) ?? deployments[0]!, params);
  }

  /** A config alias goes through the snapshot's router: deployments, retries, fallbacks. */
  plan(params: { model: string }): RoutingPlan<Deployment> | null {
    return this.snapshot.models.has(params.model) ? { alias: params.model, router: this.snapshot.router, routeTo: this.routeTo, nameOf } : null;
  }

  /** The route of one deployment: the call's own api_base, api_key and mock_response over the deployment's. */
  readonly routeTo = (d: Deployment, params: { api_base?: unknown; api_key?: unknown; mock_response?: unknown; api_version?: unknown; azure_ad_token?: unknown; organization?: unknown }): Route => {
    const p = d.params;
    const { sources, callbacks } = this.chain(d);
    const target = resolveModel({
      model: String(p.model),
      api_base: str(params.api_base) ?? str(p.api_base),
      api_key: str(params.api_key) ?? str(p.api_key),
      api_version: str(params.api_version) ?? str(p.api_version),
      azure_ad_token: str(params.azure_ad_token) ?? str(p.azure_ad_token),
      organization: str(params.organization) ?? str(p.organization),
      mock_response: (params.mock_response ?? p.mock_response) as string | undefined,
      model_group: d.alias,
      model_info: d.model_info as Record<string, unknown> | null,
    });
    return { target, sources, callbacks, defaults: d.defaults };
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

/**
 * A config-driven runtime: calls run against one frozen snapshot of the
 * config and its loaded callbacks; with `watch`, edits are picked up without
 * a restart, keeping the last good snapshot when an edit does not load.
 *
 * Events: `reload` ({ changed }), `reload_error` (ConfigError), `callback_error` (CallbackError).
 */
export class Runtime extends EventEmitter {
  private live: Live;
  private watcher: { readonly ready: Promise<void>; set(files: string[]): void; close(): Promise<void> } | undefined;
  private reloading: Promise<boolean> | undefined;
  private queued: string[] | undefined;
  private closed = false;
  private readonly dispatcher: Dispatcher;

  private constructor(
    snapshot: Snapshot,
    private readonly loader: ModuleLoader,
    private readonly options: RuntimeOptions,
  ) {
    super();
    this.dispatcher = new Dispatcher({ maxQueue: snapshot.maxQueue, onError: (err) => this.callbackError(err) });
    this.live = new Live(snapshot, this.dispatcher);
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const loader = new ModuleLoader();
    const loaded = await loadConfig(options.config, { cwd: options.cwd });
    const rt = new Runtime(await buildSnapshot(loaded, loader), loader, options);
    for (const w of loaded.warnings) process.stderr.write(`litellm-runtime: warning: ${w.message}\n`);
    for (const w of rt.live.snapshot.warnings) process.stderr.write(`litellm-runtime: warning: ${formatIssue(w)}\n`);
    if (options.watch) {
      const watcher = watchFiles([...rt.live.snapshot.files], (changed) => void rt.reload(changed), { debounceMs: options.debounceMs ?? 50 });
      rt.watcher = watcher;
      // An edit saved right after start-up must not be missed.
      await watcher.ready;
    }
    return rt;
  }

  /** The config in service: validated, references resolved, frozen. */
  get config(): LoadedConfig["config"] {
    return this.live.snapshot.loaded.config;
  }

  /** The config file in service, or null for an inline config. */
  get file(): string | null {
    return this.live.snapshot.loaded.file;
  }

  /** `text` with the secrets of the config in service masked (its keys, master key, api_base credentials): for what leaves the process. */
  readonly scrub = (text: string): string => this.live.snapshot.settings.secrets.scrub(text);

  /** The model aliases the config declares, in file order. */
  models(): string[] {
    return [...this.live.snapshot.models.keys()];
  }

  completion(params: CompletionParams & { stream: true }): Promise<CompletionStream>;
  completion(params: CompletionParams): Promise<ModelResponse>;
  completion(params: CompletionParams): Promise<ModelResponse | CompletionStream> {
    return this.run((env) => runCompletion(env, params, "completion"));
  }

  acompletion(params: CompletionParams & { stream: true }): Promise<CompletionStream>;
  acompletion(params: CompletionParams): Promise<ModelResponse>;
  acompletion(params: CompletionParams): Promise<ModelResponse | CompletionStream> {
    return this.run((env) => runCompletion(env, params, "acompletion"));
  }

  embedding(params: EmbeddingParams): Promise<EmbeddingResponse> {
    return this.run((env) => runEmbedding(env, params, "embedding"));
  }

  aembedding(params: EmbeddingParams): Promise<EmbeddingResponse> {
    return this.run((env) => runEmbedding(env, params, "aembedding"));
  }

  /** Counts of this runtime's background logging. */
  stats(): DispatchStats {
    return this.dispatcher.stats();
  }

  private async run<T>(call: (env: Live) => Promise<T>): Promise<T> {
    if (this.closed) throw new LiteLLMError("this runtime is closed: create a new one with createRuntime().", "RUNTIME_CLOSED");
    const live = this.live;
    live.enter();
    let result: T;
    try {
      result = await call(live);
    } catch (err) {
      live.leave();
      throw err;
    }
    if (result instanceof CompletionStream) result.onEnd(live.leave);
    else live.leave();
    return result;
  }

  /**
   * Loads the config and its modules again and swaps the new snapshot in for
   * calls that start afterwards. On failure the running snapshot stays and
   * `reload_error` is emitted. Resolves true when the new snapshot is in service.
   */
  reload(changed: string[] = []): Promise<boolean> {
    if (this.reloading) {
      // A save during a reload: one more reload after this one, with every file named.
      this.queued = [...(this.queued ?? []), ...changed];
      return this.reloading;
    }
    this.reloading = this.doReload(changed).finally(() => {
      this.reloading = undefined;
      const next = this.queued;
      this.queued = undefined;
      if (next && !this.closed) void this.reload(next);
    });
    return this.reloading;
  }

  private async doReload(changed: string[]): Promise<boolean> {
    let next: Snapshot;
    try {
      const loaded = await loadConfig(this.options.config, { cwd: this.options.cwd });
      next = await buildSnapshot(loaded, this.loader, this.live.snapshot);
    } catch (err) {
      const error = err instanceof ConfigError ? err : new ConfigError([{ code: "CONFIG_PARSE", file: this.file, path: "", message: describeThrown(err) }]);
      if (this.listenerCount("reload_error") > 0) this.emit("reload_error", error);
      else process.stderr.write(`litellm-runtime: reload failed, the previous config keeps serving:\n${error.message}\n`);
      return false;
    }
    if (this.closed) return false;
    const previous = this.live;
    this.live = new Live(next, this.dispatcher);
    this.dispatcher.maxQueue = next.maxQueue;
    this.watcher?.set([...next.files]);
    this.emit("reload", { changed } satisfies ReloadInfo);
    void this.retire(previous, next);
    return true;
  }

  /** Lets calls in flight finish on the old snapshot, then flushes and closes the callbacks that left. */
  private async retire(previous: Live, next: Snapshot | undefined): Promise<void> {
    await previous.idle(this.options.retireGraceMs ?? 30_000);
    await this.dispatcher.idle();
    const kept = new Set(next?.targets ?? []);
    const leaving = previous.snapshot.targets.filter((t) => !kept.has(t));
    // Side by side, each call within callback_timeout: one hanging callback cannot hold up the others or the shutdown.
    await Promise.all(
      leaving.map(async (t) => {
        await this.callTargetMethod(t, "flush", previous);
        await this.callTargetMethod(t, "close", previous);
      }),
    );
    const cache = previous.snapshot.cache;
    if (cache && cache !== next?.cache) {
      await cache.flush();
      await cache.close();
    }
  }

  /** A callback's own flush() or close(), within the snapshot's callback_timeout; a failure or an overrun is counted and reported. */
  private callTargetMethod(target: object, method: "flush" | "close", live: Live): Promise<void> {
    return callOwnMethod(target, method, live.settings.callback_timeout * 1000, (err) => this.dispatcher.fault(err));
  }

  /** Waits for background logging and each callback's own flush(). */
  async flush(): Promise<void> {
    await this.dispatcher.idle();
    const live = this.live;
    await Promise.all(live.snapshot.targets.map((t) => this.callTargetMethod(t, "flush", live)));
    await this.live.snapshot.cache?.flush();
    await this.dispatcher.idle();
  }

  /** True while the runtime serves its config (until `close()`). A cache that is down does not make it unready: the cache never fails a call. */
  async ready(): Promise<boolean> {
    return (await this.health()).ready;
  }

  /** What a readiness check reports: whether the runtime serves, and whether its cache (if any) answers. */
  async health(): Promise<RuntimeHealth> {
    const cache = this.live.snapshot.cache;
    if (this.closed) return { ready: false, cache: cache ? "unreachable" : "none" };
    const state = cache ? ((await cache.ping()) ? "reachable" : "unreachable") : "none";
    return { ready: true, cache: state };
  }

  /** Stops watching, lets calls in flight finish, flushes and closes every callback. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await this.reloading;
    await this.retire(this.live, undefined);
  }

  private callbackError(err: CallbackError): void {
    if (this.listenerCount("callback_error") > 0) this.emit("callback_error", err);
    else globalScope.dispatcher.report(err);
  }
}

/** The runtime's health: `ready` until it is closed; the cache's state alongside, as a degraded cache still serves every call. */
export interface RuntimeHealth {
  ready: boolean;
  cache: "none" | "reachable" | "unreachable";
}

/** A runtime driven by a config file: `await createRuntime({ config: "./litellm.config.yaml", watch: true })`. */
export function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  return Runtime.create(options);
}
