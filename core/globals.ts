import { Dispatcher } from "./callbacks/dispatcher.ts";
import { globalBuiltinResolver, type BuiltinHost } from "./callbacks/builtins.ts";
import { assertCallback, compileCallbacks, isObjectForm, readObjectForm, type CallbackSource, type CompiledCallbacks, type ListKind } from "./callbacks/registry.ts";
import type { CallEnv, CallScope, CallSettings, Route } from "./call/env.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES, DEFAULT_TIMEOUT_S } from "./call/params.ts";
import type { CostMap } from "./cost/index.ts";
import { DEFAULT_MAX_RECORD_BYTES } from "./callbacks/safe-json.ts";
import { Secrets } from "./secrets.ts";
import { optionsOf, resolveModel } from "./providers/index.ts";
import type { CallbackInput } from "./types.ts";
import type { CallbackError } from "./errors.ts";
import { callOwnMethod } from "./callbacks/failure.ts";
import type { ResponseCache } from "./cache/types.ts";
import { HookCache, memoryHookStore, storeOf } from "./cache/hook-cache.ts";
import type { Store } from "./cache/store.ts";

/** The background queue every call of this process reports to. */
export const dispatcher = new Dispatcher();

const LISTS: readonly ListKind[] = ["callbacks", "input_callback", "success_callback", "failure_callback"];

/**
 * The global scope behind the default `litellm` object: its four mutable
 * callback lists and its settings. Lists are compiled into per-event arrays
 * on the first call after they change, never per call.
 */
export class GlobalScope implements CallEnv {
  readonly dispatcher = dispatcher;
  // Read when a record is written: `litellm.max_record_bytes` set after a built-in was made still applies to it.
  private readonly builtins = ((self: GlobalScope) => globalBuiltinResolver({ get maxBytes() { return self.max_record_bytes; }, scrub: Secrets.none.scrub }, self.host()))(this);
  readonly resolveBuiltin = this.builtins.resolve;
  private lists: Record<ListKind, CallbackInput[]>;
  private version = 0;
  private compiledVersion = -1;
  private view!: { readonly callbacks: CompiledCallbacks; readonly sources: CallbackSource[] };
  turn_off_message_logging = false;
  redact_api_keys = true;
  callback_timeout = 10;
  hook_timeout_policy: "reject" | "allow" = "reject";
  model_cost_map: CostMap | null = null;
  max_response_bytes = DEFAULT_MAX_RESPONSE_BYTES;
  max_stream_bytes = DEFAULT_MAX_STREAM_BYTES;
  /** Bytes one serialised logging record may take. @default 1048576 */
  max_record_bytes = DEFAULT_MAX_RECORD_BYTES;
  /** Drop parameters a provider does not take instead of failing with UnsupportedParamsError. @default false */
  drop_params = false;
  /** Seconds a provider call may take when the call sets no `timeout`. @default 600 */
  request_timeout = DEFAULT_TIMEOUT_S;
  /** Send each provider request a W3C `traceparent` (the attempt span's when the otel built-in records, else none; the server forwards its caller's). @default false */
  forward_traceparent_to_llm_provider = false;
  /** `litellm.cache = new Cache({...})`; null when caching is off. */
  cache: ResponseCache | null = null;
  private hookMemory: Store | undefined;
  /** The pre-call hooks' `cache`: `litellm.cache`'s store when one is set, else one in memory for the process. */
  readonly hookCache = new HookCache(() => storeOf(this.cache) ?? (this.hookMemory ??= memoryHookStore()));

  /** What a built-in of the process-wide lists may read of this scope at scrape time (the prometheus built-in). */
  private host(): BuiltinHost {
    return {
      owner: this,
      stats: () => dispatcher.stats(),
      callbackFaults: () => dispatcher.callbackFaults(),
      cacheStats: () => this.cache?.stats() ?? null,
      targets: () => this.targets(),
      routing: () => null,
    };
  }

  constructor() {
    this.lists = { callbacks: [], input_callback: [], success_callback: [], failure_callback: [] };
    for (const list of LISTS) this.lists[list] = this.observe(list, []);
  }

  getList(list: ListKind): CallbackInput[] {
    return this.lists[list];
  }

  setList(list: ListKind, entries: readonly CallbackInput[]): void {
    if (!Array.isArray(entries)) throw new TypeError(`litellm.${list} must be an array; found ${typeof entries}.`);
    this.lists[list] = this.observe(list, entries);
    this.version++;
  }

  /** An array that notices every change, so a `push` after start-up is seen by the next call. */
  private observe(list: ListKind, entries: readonly CallbackInput[]): CallbackInput[] {
    entries.forEach((e, i) => this.checkEntry(e, list, `litellm.${list}[${i}]`));
    return new Proxy([...entries], {
      set: (target, key, value) => {
        if (typeof key === "string" && /^\d+$/.test(key)) this.checkEntry(value, list, `litellm.${list}[${key}]`);
        (target as unknown as Record<PropertyKey, unknown>)[key] = value;
        this.version++;
        return true;
      },
      deleteProperty: (target, key) => {
        delete (target as unknown as Record<PropertyKey, unknown>)[key];
        this.version++;
        return true;
      },
    });
  }

  /** A bad entry throws here, at the assignment or push; a built-in is made now, so its missing options do too. */
  private checkEntry(entry: unknown, list: ListKind, where: string): void {
    assertCallback(entry, where);
    if (typeof entry === "string") this.resolveBuiltin(entry, list, {}, where);
    else if (isObjectForm(entry)) {
      const form = readObjectForm(entry);
      this.resolveBuiltin(form.spec, list, form.options, where);
    }
  }

  /** The callbacks `litellm.flush()` and `close()` reach: those in the lists now, and every built-in they made. */
  targets(): object[] {
    return [...new Set([...this.current().callbacks.targets, ...this.builtins.instances()])];
  }

  /** Flushes, then closes every process-wide callback and the cache's connection; a failing close() is reported, not thrown. */
  async close(): Promise<void> {
    const targets = this.targets();
    await flushTargets(targets);
    await this.cache?.flush();
    // Side by side, each within callback_timeout: one hanging close() cannot hold up the others or the end of the script.
    await Promise.all(targets.map((t) => callOwnMethod(t, "close", this.callback_timeout * 1000, fault)));
    // Closed built-ins serve no more: a call after close() makes fresh ones.
    this.builtins.clear();
    this.version++;
    await this.cache?.close();
  }

  get settings(): CallSettings {
    return {
      turn_off_message_logging: this.turn_off_message_logging,
      redact_api_keys: this.redact_api_keys,
      callback_timeout: this.callback_timeout,
      hook_timeout_policy: this.hook_timeout_policy,
      model_cost_map: this.model_cost_map,
      max_response_bytes: this.max_response_bytes,
      max_stream_bytes: this.max_stream_bytes,
      max_record_bytes: this.max_record_bytes,
      drop_params: this.drop_params,
      request_timeout: this.request_timeout,
      forward_traceparent: this.forward_traceparent_to_llm_provider,
      secrets: Secrets.none,
    };
  }

  /** The lists as compiled for calls, made again only after a list changed: one object until then (every call reads it). */
  current(): { readonly callbacks: CompiledCallbacks; readonly sources: CallbackSource[] } {
    if (this.compiledVersion !== this.version) {
      const sources = LISTS.map((list) => ({ list, entries: [...this.lists[list]] }));
      this.view = { callbacks: compileCallbacks(sources, this.resolveBuiltin), sources };
      this.compiledVersion = this.version;
    }
    return this.view;
  }

  /** Every call of the process takes its hooks from the process-wide lists. */
  scope(_model: string): CallScope {
    return this.current();
  }

  route(params: { model: string; api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route {
    const { callbacks, sources } = this.current();
    const target = resolveModel({
      model: params.model,
      api_base: typeof params.api_base === "string" ? params.api_base : undefined,
      api_key: typeof params.api_key === "string" ? params.api_key : undefined,
      options: optionsOf(params),
      mock_response: params.mock_response as string | Error | undefined,
    });
    return { target, sources, callbacks };
  }

  setErrorHandler(fn: ((err: CallbackError) => void) | undefined): void {
    dispatcher.onError = fn;
  }
}

/** Waits for all background logging, then for every callback's own `flush()`, each for at most `callback_timeout`; failures are reported. */
export async function flushTargets(targets: readonly object[]): Promise<void> {
  await dispatcher.idle();
  const timeoutMs = globalScope.callback_timeout * 1000;
  await Promise.all(targets.map((t) => callOwnMethod(t, "flush", timeoutMs, fault)));
  await dispatcher.idle();
}

/** A failing or hanging flush() / close() of a process-wide callback: counted and reported like any callback failure. */
const fault = (err: CallbackError): void => dispatcher.fault(err);

/** The scope of the default `litellm` object and the named `completion`/`acompletion` exports. */
export const globalScope = new GlobalScope();
