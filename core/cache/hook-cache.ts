import type { DualCache } from "../types.ts";
import { LocalStore } from "./local.ts";
import { decodeEntry, encodeEntry, type Store } from "./store.ts";

/**
 * The `cache` a pre-call hook gets: LiteLLM's `DualCache` calls over a store.
 * The store is the response cache's (Redis, or the in-process LRU) when one is
 * configured, so hooks of several servers on one Redis share counters; else an
 * in-memory store of the runtime. Keys are kept apart from cached answers by a
 * prefix. As with the response cache, a store that fails never fails a call:
 * a read that fails is null, a write that fails is dropped.
 */

const PREFIX = "litellm-runtime:hook:";

/** Entries an in-memory hook store keeps (the oldest go first). */
const MEMORY_ITEMS = 10_000;

export class HookCache implements DualCache {
  /** `store`: read on each call, so a cache set later (`litellm.cache = ...`) is used from then on. */
  constructor(private readonly store: () => Store) {}

  async async_get_cache(key: string): Promise<unknown> {
    try {
      const raw = await this.store().get(PREFIX + key);
      return raw === null ? null : (decodeEntry(raw)?.value ?? null);
    } catch {
      return null;
    }
  }

  async async_set_cache(key: string, value: unknown, options: { ttl?: number } = {}): Promise<void> {
    const ttl = options.ttl;
    const ttlMs = typeof ttl === "number" && Number.isFinite(ttl) && ttl > 0 ? Math.max(1, Math.round(ttl * 1000)) : undefined;
    try {
      await this.store().set(PREFIX + key, encodeEntry(value ?? null, Date.now()), ttlMs);
    } catch {
      // Dropped, as a cache write is.
    }
  }

  async async_delete_cache(key: string): Promise<void> {
    try {
      await this.store().delete(PREFIX + key);
    } catch {
      // A store that is down holds nothing we could reach.
    }
  }
}

/** An in-memory store for hooks, when no response cache is configured. */
export function memoryHookStore(): Store {
  return new LocalStore({ max_items: MEMORY_ITEMS });
}

/** The store behind a response cache (`Cache.store`), or undefined for a cache that does not expose one. */
export function storeOf(cache: unknown): Store | undefined {
  const store = (cache as { store?: unknown } | null | undefined)?.store;
  return store && typeof (store as Store).get === "function" && typeof (store as Store).delete === "function" ? (store as Store) : undefined;
}
