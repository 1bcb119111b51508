import type { CallType } from "../types.ts";
import { CACHE_ERROR_CODES, CacheError } from "../errors.ts";
import { cacheKey } from "./key.ts";
import { LocalStore } from "./local.ts";
import { describeStore, resolveCacheOptions, type CacheEnv, type CacheOptions, type ResolvedCacheOptions } from "./options.ts";
import { RedisStore } from "./redis.ts";
import { decodeEntry, encodeEntry, type Store } from "./store.ts";
import type { CacheStats, CachedValue, KeyParts, LookupControls, ResponseCache, StoreControls } from "./types.ts";

/**
 * The response cache: `litellm.cache = new Cache({ type: "redis", host, port })`
 * in code, or `cache: true` + `cache_params` in the config. Whatever the
 * backend does (down, slow, garbage), `get` answers a value or null and `set`
 * returns at once: the cache can make a call cheaper, never make it fail.
 */

export { cacheKey, canonical, KEY_IGNORED_PARAMS } from "./key.ts";
export { CACHE_CALL_TYPES, CACHE_DEFAULTS, resolveCacheOptions, sameCacheOptions } from "./options.ts";
export type { CacheEnv, CacheOptions, RedisNode, ResolvedCacheOptions } from "./options.ts";
export type { Store } from "./store.ts";
export type * from "./types.ts";

/** Where a cache's own trouble goes. Both default to one line on stderr. */
export interface CacheHooks {
  /** An outage began (`CACHE_UNAVAILABLE`): called once per outage, not once per call. */
  on_error?: (err: CacheError) => void;
  /** Something worth a line that is not an error: Redis is back. */
  on_notice?: (message: string) => void;
}

/** The counters of `stats()`: `misses` counts every null from `get`, faults and corrupt entries included. */
export interface CacheStatsSnapshot extends CacheStats {
  /** Redis outages seen (each reported once); 0 for the local cache. */
  outages: number;
}

/** The response cache: `new Cache()` (an LRU in memory) or `new Cache({ type: "redis", host, port, password })`; set it as `litellm.cache`, or use `cache: true` in a config. */
export class Cache implements ResponseCache {
  /** The options as resolved at construction (defaults, environment, what was passed): frozen. */
  readonly options: ResolvedCacheOptions;
  /** The backend (the in-memory LRU, or Redis). */
  readonly store: Store;
  readonly #supported: ReadonlySet<string>;
  readonly #inflight = new Set<Promise<void>>();
  readonly #counts = { hits: 0, misses: 0, writes: 0, write_failures: 0, read_failures: 0, corrupt: 0 };
  /** Counters when the current outage began, for the recovery line. */
  #atOutage = { read_failures: 0, write_failures: 0 };

  /** `env`: where REDIS_* are read when the options name no server (a config's own environment). @default process.env */
  constructor(options: CacheOptions = {}, hooks: CacheHooks = {}, env: CacheEnv = process.env) {
    this.options = resolveCacheOptions(options, env);
    this.#supported = new Set(this.options.supported_call_types);
    const o = this.options;
    if (o.type === "local") {
      this.store = new LocalStore({ max_items: o.max_items ?? 10_000, max_bytes: o.max_bytes });
      return;
    }
    const onError = hooks.on_error ?? ((err: CacheError) => stderr(`litellm-runtime [${err.code}] ${err.message}`));
    const onNotice = hooks.on_notice ?? ((message: string) => stderr(`litellm-runtime: ${message}`));
    const where = describeStore(o);
    this.store = new RedisStore(o, {
      down: (cause) => {
        this.#atOutage = { read_failures: this.#counts.read_failures, write_failures: this.#counts.write_failures };
        const message =
          `cache: ${where} is unavailable (${cause.message}); calls run without the cache ` +
          `(reads miss within ${o.timeout}s, writes are dropped) while it reconnects in the background. ` +
          `Check that Redis is running and reachable; if it is only slow, raise cache_params.timeout.`;
        safely(() => onError(new CacheError(message, CACHE_ERROR_CODES.unavailable, cause)));
      },
      up: (downMs) => {
        const reads = this.#counts.read_failures - this.#atOutage.read_failures;
        const writes = this.#counts.write_failures - this.#atOutage.write_failures;
        const message = `cache: ${where} is back after ${(downMs / 1000).toFixed(1)}s (${reads} reads missed, ${writes} writes dropped meanwhile).`;
        safely(() => onNotice(message));
      },
    });
  }

  get mode(): "default_on" | "default_off" {
    return this.options.mode;
  }

  supports(callType: CallType): boolean {
    return this.#supported.has(callType);
  }

  /** The call's namespace (`cache: { namespace }`) replaces the cache's, as in LiteLLM. */
  key(parts: KeyParts, namespace?: string): string {
    return cacheKey(parts, namespace || this.options.namespace);
  }

  get<T = unknown>(key: string, controls?: LookupControls): Promise<CachedValue<T> | null> {
    let raw: string | null | Promise<string | null>;
    try {
      raw = this.store.get(key);
    } catch {
      return Promise.resolve(this.#readFailed());
    }
    // The local store answers synchronously: no extra promise on its hits.
    if (raw === null || typeof raw === "string") return Promise.resolve(this.#found<T>(raw, controls));
    return raw.then(
      (value) => this.#found<T>(value, controls),
      () => this.#readFailed(),
    );
  }

  set(key: string, value: unknown, controls?: StoreControls): void {
    let raw: string;
    try {
      if (value === undefined) throw new TypeError("undefined is not cacheable");
      raw = encodeEntry(value, Date.now());
    } catch {
      // Not JSON-encodable (a cycle, a BigInt): nothing to store.
      this.#counts.write_failures++;
      return;
    }
    const ttl = validSeconds(controls?.ttl) ?? this.options.ttl;
    const ttlMs = ttl === undefined ? undefined : Math.max(1, Math.round(ttl * 1000));
    let stored: boolean | Promise<boolean>;
    try {
      stored = this.store.set(key, raw, ttlMs);
    } catch {
      this.#counts.write_failures++;
      return;
    }
    if (typeof stored === "boolean") {
      this.#counted(stored);
      return;
    }
    const pending: Promise<void> = stored
      .then(
        (ok) => this.#counted(ok),
        () => this.#counted(false),
      )
      .finally(() => this.#inflight.delete(pending));
    this.#inflight.add(pending);
  }

  /** Waits until every write started so far has been stored or dropped (each bounded by the timeout). */
  async flush(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  ping(): Promise<boolean> {
    return this.store.ping().catch(() => false);
  }

  stats(): CacheStatsSnapshot {
    return { ...this.#counts, outages: this.store instanceof RedisStore ? this.store.outages : 0 };
  }

  /** Flushes writes in flight, then closes the store (Redis: QUIT, or drop the socket when it does not answer). */
  async close(): Promise<void> {
    await this.flush();
    await this.store.close();
  }

  #found<T>(raw: string | null, controls: LookupControls | undefined): CachedValue<T> | null {
    if (raw === null) return this.#miss();
    const entry = decodeEntry<T>(raw);
    if (entry === undefined) {
      this.#counts.corrupt++;
      return this.#miss();
    }
    // s-maxage 0 accepts only an entry stored this very millisecond, as LiteLLM's `age > s-maxage` check does.
    const maxAge = controls?.["s-maxage"];
    if (typeof maxAge === "number" && maxAge >= 0 && Date.now() - entry.stored_at > maxAge * 1000) return this.#miss();
    this.#counts.hits++;
    return entry;
  }

  #readFailed(): null {
    this.#counts.read_failures++;
    return this.#miss();
  }

  #miss(): null {
    this.#counts.misses++;
    return null;
  }

  #counted(ok: boolean): void {
    if (ok) this.#counts.writes++;
    else this.#counts.write_failures++;
  }
}

/**
 * The config's cache: `litellm_settings.cache: true` with `cache_params`,
 * REDIS_* read from the config's environment (`env`, else process.env).
 * Null when `cache` is not true. Throws CacheError CACHE_INVALID_OPTIONS for
 * params the schema would have refused (validation normally catches them first).
 */
export function cacheFromSettings(cache: boolean | undefined, params: Record<string, unknown> | undefined, hooks?: CacheHooks, env?: CacheEnv): Cache | null {
  if (cache !== true) return null;
  return new Cache((params ?? {}) as CacheOptions, hooks, env);
}

/** A positive finite number of seconds, or undefined (absent or unusable: the default applies). */
function validSeconds(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A report hook that throws must not turn a cache fault into a failed call.
  }
}

function stderr(line: string): void {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}
