import { LRUCache } from "lru-cache";
import type { Store } from "./store.ts";

/**
 * The embedded store: an LRU in this process, bounded by entry count and by
 * the total length of the stored strings, with a TTL per entry. Values are
 * kept as the encoded strings, so a caller that mutates a response it got
 * from the cache cannot change what the next hit sees.
 */

export interface LocalStoreOptions {
  /** Most entries kept. */
  max_items: number;
  /** Most characters of stored strings kept (UTF-16 length: close to bytes for JSON); undefined: only max_items bounds it. */
  max_bytes?: number | undefined;
}

export class LocalStore implements Store {
  readonly type = "local";
  readonly #lru: LRUCache<string, string>;

  constructor(options: LocalStoreOptions) {
    this.#lru = new LRUCache<string, string>({
      max: options.max_items,
      ...(options.max_bytes ? { maxSize: options.max_bytes, sizeCalculation: (v: string) => Math.max(1, v.length) } : {}),
    });
  }

  get(key: string): string | null {
    return this.#lru.get(key) ?? null;
  }

  /** False when the entry is larger than max_bytes on its own (lru-cache refuses it). */
  set(key: string, value: string, ttlMs: number | undefined): boolean {
    const status: LRUCache.Status<string, string> = {};
    this.#lru.set(key, value, ttlMs ? { ttl: ttlMs, status } : { status });
    return status.maxEntrySizeExceeded !== true;
  }

  delete(key: string): boolean {
    this.#lru.delete(key);
    return true;
  }

  /** Entries held now (expired ones count until they are next touched or evicted). */
  get size(): number {
    return this.#lru.size;
  }

  /** Characters held now (0 when max_bytes is not set). */
  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.#lru.clear();
    return Promise.resolve();
  }
}
