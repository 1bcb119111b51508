import type { CallType } from "../types.ts";

/**
 * The response cache's contract with the call lifecycle. `core/cache/index.ts`
 * implements it (`Cache`); the lifecycle only ever calls these methods, and
 * none of them throws: a cache fault is a miss, never a failed call.
 */

/** What the cache key is made of: what changes the answer, and nothing else. */
export interface KeyParts {
  /** The model as asked for: the config alias where there is one, so deployments behind one alias share entries. */
  model: string;
  /** Chat messages (completions), or one input string (embeddings: each input is cached on its own). */
  messages?: unknown;
  input?: unknown;
  /** The provider parameters (`kwargs.optional_params`); `user`, `stream`, `stream_options` and the like are left out by `key()`. */
  params: Readonly<Record<string, unknown>>;
  /** The call type's family: "chat" or "embedding", so the two never share a key. */
  kind: "chat" | "embedding";
}

/** Per-call controls, LiteLLM's `cache={...}` (see `CacheControls` in core/types.ts). */
export interface LookupControls {
  /** Accept only an entry younger than this many seconds. */
  "s-maxage"?: number;
}

export interface StoreControls {
  /** Seconds to keep this entry (else the cache's `ttl`). */
  ttl?: number;
}

/** A cached answer: the response as it was returned, and when it was stored. */
export interface CachedValue<T = unknown> {
  value: T;
  /** Epoch milliseconds. */
  stored_at: number;
}

/** What `cache.stats()` counts since the cache was made. */
export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Writes that failed (Redis down, value too large, ...): dropped, counted. */
  write_failures: number;
  /** Reads that failed or timed out and were served as misses. */
  read_failures: number;
  /** Entries that did not parse and were served as misses. */
  corrupt: number;
}

/** The lifecycle's view of a cache. */
export interface ResponseCache {
  /** `default_on`: every supported call uses the cache unless it opts out; `default_off`: only calls that opt in (`caching: true`). */
  readonly mode: "default_on" | "default_off";
  /** Whether calls of this type are cached. */
  supports(callType: CallType): boolean;
  /** SHA-256 (hex) of a canonical encoding of `parts`: key order in objects does not change it. Prefixed by the namespace. */
  key(parts: KeyParts, namespace?: string): string;
  /** The entry, or null on a miss, a fault (within the cache's timeout), an entry too old for `s-maxage`, or a value that does not parse. Never throws. */
  get<T = unknown>(key: string, controls?: LookupControls): Promise<CachedValue<T> | null>;
  /** Stores in the background; a failure is counted and reported once per outage. Never throws. */
  set(key: string, value: unknown, controls?: StoreControls): void;
  /** Waits for writes in flight. */
  flush(): Promise<void>;
  /** True when the store answers (Redis: a PING within the timeout). */
  ping(): Promise<boolean>;
  stats(): CacheStats;
  close(): Promise<void>;
}
