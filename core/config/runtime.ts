import { EventEmitter } from "node:events";
import { runCompletion } from "../call/completion.ts";
import { runEmbedding } from "../call/embedding.ts";
import { Live } from "./live.ts";
import { memoryHookStore } from "../cache/hook-cache.ts";
import { CompletionStream } from "../call/stream.ts";
import { Dispatcher } from "../callbacks/dispatcher.ts";
import { describeThrown } from "../callbacks/failure.ts";
import { CallbackError, ConfigError, formatIssue, LiteLLMError, type ConfigIssue } from "../errors.ts";
import { globalScope } from "../globals.ts";
import type { CompletionParams, EmbeddingParams, EmbeddingResponse, InlineConfig, ModelResponse, RuntimeStats } from "../types.ts";
import { loadConfig, yieldToCalls, type LoadedConfig } from "./load.ts";
import { ModuleLoader } from "./modules.ts";
import { callTargetMethod, releaseSnapshot } from "./retire.ts";
import type { ResolvedSettings } from "./settings.ts";
import { buildSnapshot, type RuntimeHost, type Snapshot } from "./snapshot.ts";
import { watchFiles } from "./watch.ts";
import type { CallTracer } from "../tracing/seam.ts";
import { losesModels, type ReloadGuard, type ReloadInfo, type RuntimeOptions } from "./runtime-types.ts";

export type { ReloadGuard, ReloadInfo, RuntimeOptions };

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
  /** Snapshots being released: close() waits for them, so a replaced config's files and connections are closed before it returns. */
  private readonly retiring = new Set<Promise<void>>();
  private readonly guards: ReloadGuard[] = [];
  /** Ends the wait of a reload holding back a config that lost its models, when a newer save comes. */
  private settling: (() => void) | undefined;
  private readonly dispatcher: Dispatcher;
  /** Where pre-call hooks keep their values when the config has no cache: one store for the runtime, whatever the reloads. */
  private readonly hookMemory = memoryHookStore();
  private version = 1;
  private loaded = new Date();
  private readonly reloads = { reloads: 0, reload_errors: 0 };
  /** Where a callback's own flush() or close() failing goes: counted and reported as a callback error. */
  private readonly fault = (err: CallbackError): void => this.dispatcher.fault(err);

  private constructor(
    snapshot: Snapshot,
    private readonly loader: ModuleLoader,
    private readonly options: RuntimeOptions,
    /** What this runtime's built-ins may read of it at scrape time (the prometheus built-in), the same object across reloads. */
    private readonly host: RuntimeHost & { runtime?: Runtime },
  ) {
    super();
    this.dispatcher = new Dispatcher({ maxQueue: snapshot.resolved.litellm.max_queue, onError: (err) => this.callbackError(err) });
    this.live = new Live(snapshot, this.dispatcher, this.hookMemory);
  }

  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    const loader = new ModuleLoader();
    const loaded = await loadConfig(options.config, { cwd: options.cwd, keepIssues: true });
    // The built-ins are made before the runtime: they read it through this host once it exists.
    const host: RuntimeHost & { runtime?: Runtime } = {
      owner: {},
      stats: () => host.runtime?.stats() ?? { pending: 0, dropped: 0, errors: 0, timeouts: 0, reloads: 0, reload_errors: 0 },
      callbackFaults: () => host.runtime?.dispatcher.callbackFaults() ?? new Map(),
    };
    const rt = new Runtime(await buildSnapshot(loaded, loader, undefined, host), loader, options, host);
    host.runtime = rt;
    for (const w of loaded.warnings) process.stderr.write(`litellm-runtime: warning: ${w.message}\n`);
    for (const w of rt.live.snapshot.warnings) process.stderr.write(`litellm-runtime: warning: ${formatIssue(w)}\n`);
    if (options.watch) {
      const watcher = watchFiles([...rt.live.snapshot.files], (changed) => void rt.reload(changed), {
        debounceMs: options.debounceMs ?? 50,
        // The start-up config's interval: the periodic check runs from here on, whatever later reloads say.
        pollMs: rt.settings.general.reload_poll_interval * 1000,
      });
      rt.watcher = watcher;
      // An edit saved right after start-up must not be missed.
      await watcher.ready;
    }
    return rt;
  }

  /**
   * Adds a check a reloaded config must pass before it serves (the server's:
   * a reload may not turn authentication off on a public interface). An
   * issue returned refuses the reload as a `reload_error`. Returns its removal.
   */
  addReloadGuard(guard: ReloadGuard): () => void {
    this.guards.push(guard);
    return () => {
      const at = this.guards.indexOf(guard);
      if (at >= 0) this.guards.splice(at, 1);
    };
  }

  /** The config in service: validated, references resolved, frozen. */
  get config(): LoadedConfig["config"] {
    return this.live.snapshot.loaded.config;
  }

  /** The settings of the config in service, every default applied, deep-frozen; a reload replaces the whole object. */
  get settings(): ResolvedSettings {
    return this.live.snapshot.resolved;
  }

  /** The config file in service, or null for an inline config. */
  get file(): string | null {
    return this.live.snapshot.loaded.file;
  }

  /** `text` with the secrets of the config in service masked (its keys, master key, api_base credentials): for what leaves the process. */
  readonly scrub = (text: string): string => this.live.snapshot.settings.secrets.scrub(text);

  /** The model names the config serves: its aliases in file order, then the `router_settings.model_group_alias` names not among them. */
  models(): string[] {
    const { models, groupAliases } = this.live.snapshot;
    return [...new Set([...models.keys(), ...groupAliases.keys()])];
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

  /** Whether anything reads a call's kwargs (a callback, hook or tracer, or forward_traceparent): the server records the request for them only then. */
  listens(): boolean {
    return this.live.listens();
  }

  /** The tracing built-ins in service (otel and its presets), for the server's request spans. */
  tracers(): readonly CallTracer[] {
    return this.live.tracers();
  }

  /** Counts of this runtime's background logging and of its reloads. */
  stats(): RuntimeStats {
    return { ...this.dispatcher.stats(), ...this.reloads };
  }

  /** Which config serves: 1 for the first load, one more per reload that went into service. */
  get configVersion(): number {
    return this.version;
  }

  /** When the config in service was loaded. */
  get loadedAt(): Date {
    return this.loaded;
  }

  /** What this runtime's built-ins share across reloads (their `BuiltinHost.owner`): the server finds the `ui` built-in's calls by it. */
  get builtinOwner(): object {
    return this.host.owner;
  }

  /** A call on the snapshot in service, counted until it ends (a stream: until its last chunk). One promise step, no async frame. */
  private run<T>(call: (env: Live) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LiteLLMError("this runtime is closed: create a new one with createRuntime().", "RUNTIME_CLOSED"));
    const live = this.live;
    live.enter();
    let work: Promise<T>;
    try {
      work = call(live);
    } catch (err) {
      live.leave();
      return Promise.reject(err);
    }
    return work.then(
      (result) => {
        if (result instanceof CompletionStream) result.onEnd(live.leave);
        else live.leave();
        return result;
      },
      (err: unknown) => {
        live.leave();
        throw err;
      },
    );
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
      this.settling?.();
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

  private async doReload(changed: string[], settled = false): Promise<boolean> {
    let next: Snapshot;
    try {
      const loaded = await loadConfig(this.options.config, { cwd: this.options.cwd, keepIssues: true });
      // A file with problems is refused at once, with the snapshot's own problems added: buildSnapshot throws them all.
      if (loaded.issues.length > 0) await buildSnapshot(loaded, this.loader, this.live.snapshot, this.host);
      if (!settled && losesModels(this.config, loaded.config)) {
        // Likely a file caught half-written: look again once the writer has had time to finish; a newer save reloads on its own.
        await new Promise<void>((done) => {
          const timer = setTimeout(() => (this.settling = undefined, done()), this.options.settleMs ?? 1000);
          timer.unref();
          // A newer save ends the wait at once: the reload queued behind this one reads it.
          this.settling = () => (clearTimeout(timer), (this.settling = undefined), done());
        });
        return this.queued || this.closed ? false : this.doReload(changed, true);
      }
      const refused = this.guards
        .map((guard) => guard(loaded.config, this.config))
        .filter((i): i is ConfigIssue => i !== undefined)
        .map((i) => (i.file === null ? { ...i, ...loaded.locate(i.path.split(".")) } : i));
      if (refused.length > 0) throw new ConfigError(refused, loaded.file);
      await yieldToCalls();
      next = await buildSnapshot(loaded, this.loader, this.live.snapshot, this.host);
    } catch (err) {
      const error = err instanceof ConfigError ? err : new ConfigError([{ code: "CONFIG_PARSE", file: this.file, path: "", message: describeThrown(err) }]);
      this.reloads.reload_errors++;
      if (this.listenerCount("reload_error") > 0) this.emit("reload_error", error);
      else process.stderr.write(`litellm-runtime: reload failed, the previous config keeps serving:\n${error.message}\n`);
      return false;
    }
    if (this.closed) return false;
    const previous = this.live;
    this.live = new Live(next, this.dispatcher, this.hookMemory);
    this.version++;
    this.loaded = new Date();
    this.reloads.reloads++;
    // The new snapshot's callbacks may fail anew (an edited module): their first failure of each kind is printed again.
    this.dispatcher.resetReports();
    this.dispatcher.maxQueue = next.resolved.litellm.max_queue;
    this.watcher?.set([...next.files]);
    this.emit("reload", { changed } satisfies ReloadInfo);
    void this.retire(previous, next);
    return true;
  }

  /** Lets calls in flight finish on the old snapshot, then flushes and closes the callbacks that left. */
  private retire(previous: Live, next: Snapshot | undefined): Promise<void> {
    const done = releaseSnapshot(previous, next, this.options.retireGraceMs ?? 30_000, this.fault).finally(() => this.retiring.delete(done));
    this.retiring.add(done);
    return done;
  }

  /** Waits for background logging and each callback's own flush(). */
  async flush(): Promise<void> {
    await this.dispatcher.idle();
    const live = this.live;
    await Promise.all(live.snapshot.targets.map((t) => callTargetMethod(t, "flush", live, this.fault)));
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
    await Promise.all(this.retiring);
  }

  private callbackError(err: CallbackError): void {
    if (this.listenerCount("callback_error") > 0) this.emit("callback_error", err);
    else if (globalScope.dispatcher.onError) globalScope.dispatcher.report(err);
    // Printed once per kind by this runtime's own memory, which a reload clears; not the process-wide one, which never forgets.
    else this.dispatcher.printOnce(err);
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
