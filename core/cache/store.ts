import type { CachedValue } from "./types.ts";

/**
 * What `Cache` needs of a backend (the in-memory LRU or Redis): strings in,
 * strings out. Encoding, TTL defaults, s-maxage and stats live in `Cache`, so
 * both backends behave the same and each stays small.
 */
export interface Store {
  readonly type: "local" | "redis";
  /** The stored string, or null when absent. Local answers synchronously; Redis rejects on a fault (Cache turns it into a miss). */
  get(key: string): string | null | Promise<string | null>;
  /** `ttlMs` undefined: no expiry. Returns false (or rejects) when the value was not stored. */
  set(key: string, value: string, ttlMs: number | undefined): boolean | Promise<boolean>;
  /** Removes the entry; false (or a rejection) when the store could not. */
  delete(key: string): boolean | Promise<boolean>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The stored form, shared by both backends (and by other processes on one Redis): `{"v": value, "t": stored_at}`. */
export function encodeEntry(value: unknown, storedAt: number): string {
  return JSON.stringify({ v: value, t: storedAt });
}

/** The entry, or undefined when the string is not one (a miss counted as corrupt, never an error). */
export function decodeEntry<T>(raw: string): CachedValue<T> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const { v, t } = parsed as { v?: unknown; t?: unknown };
  if (typeof t !== "number" || !Number.isFinite(t) || v === undefined) return undefined;
  return { value: v as T, stored_at: t };
}
