import { CACHE_ERROR_CODES, CacheError } from "../errors.ts";

/**
 * The cache's options, with LiteLLM's names (`Cache(type="redis", host=...,
 * port=..., password=..., ttl=..., namespace=...)`), resolved once into a
 * complete frozen object: defaults ← environment ← what the caller passed.
 */

/** A Redis Cluster seed node. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Every call type LiteLLM names in `supported_call_types`; this runtime makes the first four. */
export const CACHE_CALL_TYPES = [
  "completion",
  "acompletion",
  "embedding",
  "aembedding",
  "text_completion",
  "atext_completion",
  "transcription",
  "atranscription",
  "rerank",
  "arerank",
  "responses",
  "aresponses",
] as const;

/** Options of `new Cache({...})`, with LiteLLM's names (`cache_params` in a config). */
export interface CacheOptions {
  /** Where entries live: in this process, or in Redis (shared by every process on it). @default "local" */
  type?: "local" | "redis";
  /** Redis host. With `type: "redis"` and no host, url or cluster_nodes: `REDIS_URL`, else `REDIS_HOST`/`REDIS_PORT`/`REDIS_PASSWORD`/`REDIS_USERNAME`. @default "127.0.0.1" */
  host?: string;
  /** Redis port; a numeric string is accepted (an environment value). @default 6379 */
  port?: number | string;
  password?: string;
  /** Redis ACL user. */
  username?: string;
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS); what it names wins over host, port, password, db. */
  url?: string;
  /** @default 0 */
  db?: number | string;
  /** Connect over TLS. @default false */
  tls?: boolean;
  /** LiteLLM's name for `tls`. */
  ssl?: boolean;
  /** Redis Cluster seed nodes (`{host, port}` or `"host:port"`); when set, host/port/url/db are not used. */
  cluster_nodes?: ReadonlyArray<RedisNode | { host: string; port: number | string } | string>;
  /** Prefix of every key (`<namespace>:litellm:<hash>`), so apps sharing one Redis stay apart. */
  namespace?: string;
  /** Seconds an entry lives. @default undefined: until evicted (local) or until Redis evicts it (redis), as LiteLLM does */
  ttl?: number;
  /** `default_on`: calls use the cache unless they opt out; `default_off`: only calls with `caching: true`. @default "default_on" */
  mode?: "default_on" | "default_off";
  /** Call types served from the cache. @default ["completion", "acompletion", "embedding", "aembedding"] */
  supported_call_types?: ReadonlyArray<string>;
  /** Local: most entries kept before the least recently used goes. @default 10000 */
  max_items?: number;
  /** Local: most characters of stored responses kept. @default undefined (only max_items) */
  max_bytes?: number;
  /** Seconds a Redis read or write may take before it counts as a miss / a dropped write. @default 0.25 */
  timeout?: number;
}

/** Options as the cache runs with them: complete, validated, frozen. Redis fields are undefined for `local`, local ones for `redis`. */
export interface ResolvedCacheOptions {
  readonly type: "local" | "redis";
  readonly mode: "default_on" | "default_off";
  readonly namespace: string | undefined;
  readonly ttl: number | undefined;
  readonly supported_call_types: readonly string[];
  readonly timeout: number;
  readonly max_items: number | undefined;
  readonly max_bytes: number | undefined;
  readonly url: string | undefined;
  readonly host: string | undefined;
  readonly port: number | undefined;
  readonly password: string | undefined;
  readonly username: string | undefined;
  readonly db: number | undefined;
  readonly tls: boolean;
  readonly cluster_nodes: readonly RedisNode[] | undefined;
}

export const CACHE_DEFAULTS = Object.freeze({
  type: "local" as const,
  mode: "default_on" as const,
  supported_call_types: Object.freeze(["completion", "acompletion", "embedding", "aembedding"]),
  max_items: 10_000,
  timeout: 0.25,
  host: "127.0.0.1",
  port: 6379,
});

/** Environment variables as the cache reads them (REDIS_*): process.env, or a config's own environment. */
export type CacheEnv = Readonly<Record<string, string | undefined>>;

/** Resolves (and validates) options; `env` is read only for a Redis that names no server. Throws CacheError CACHE_INVALID_OPTIONS. */
export function resolveCacheOptions(options: CacheOptions = {}, env: CacheEnv = process.env): ResolvedCacheOptions {
  const o = options;
  const type = oneOf("type", o.type, ["local", "redis"] as const) ?? CACHE_DEFAULTS.type;
  const common = {
    type,
    mode: oneOf("mode", o.mode, ["default_on", "default_off"] as const) ?? CACHE_DEFAULTS.mode,
    namespace: optString("namespace", o.namespace) || undefined,
    ttl: positive("ttl", o.ttl),
    supported_call_types: Object.freeze(callTypes(o.supported_call_types)),
    timeout: positive("timeout", o.timeout) ?? CACHE_DEFAULTS.timeout,
  };
  if (type === "local") {
    return Object.freeze({
      ...common,
      max_items: integer("max_items", o.max_items, 1) ?? CACHE_DEFAULTS.max_items,
      max_bytes: integer("max_bytes", o.max_bytes, 1),
      ...NO_REDIS,
    });
  }
  const tls = bool("tls", o.tls) ?? bool("ssl", o.ssl) ?? false;
  const base = { ...common, max_items: undefined, max_bytes: undefined, tls };
  if (o.cluster_nodes !== undefined) {
    if (!Array.isArray(o.cluster_nodes) || o.cluster_nodes.length === 0) invalid("cluster_nodes", o.cluster_nodes, 'a non-empty list of {host, port} or "host:port"');
    const nodes = Object.freeze(o.cluster_nodes.map((n, i) => Object.freeze(node(n, i))));
    return Object.freeze({ ...base, ...NO_REDIS, tls, cluster_nodes: nodes, password: optString("password", o.password), username: optString("username", o.username) });
  }
  // LiteLLM reads REDIS_* when the options name no server at all.
  const fromEnv = o.url === undefined && o.host === undefined;
  const url = optString("url", o.url) ?? (fromEnv ? env.REDIS_URL || undefined : undefined);
  if (url !== undefined && !/^rediss?:\/\//i.test(url)) invalid("url", redactUrl(url), "a redis:// or rediss:// URL");
  return Object.freeze({
    ...base,
    url,
    host: optString("host", o.host) ?? (fromEnv ? env.REDIS_HOST || undefined : undefined) ?? CACHE_DEFAULTS.host,
    port: integer("port", o.port ?? (fromEnv ? env.REDIS_PORT || undefined : undefined), 1, 65535) ?? CACHE_DEFAULTS.port,
    password: optString("password", o.password) ?? (fromEnv ? env.REDIS_PASSWORD || undefined : undefined),
    username: optString("username", o.username) ?? (fromEnv ? env.REDIS_USERNAME || undefined : undefined),
    db: integer("db", o.db, 0) ?? 0,
    tls: tls || /^rediss:/i.test(url ?? ""),
    cluster_nodes: undefined,
  });
}

/**
 * True when both sets of options resolve to the same cache, so a reload can keep the one it has (and its Redis
 * connection); each side with its own environment (a reload's config may set other REDIS_* variables).
 */
export function sameCacheOptions(
  a: CacheOptions | ResolvedCacheOptions | null | undefined,
  b: CacheOptions | ResolvedCacheOptions | null | undefined,
  envA: CacheEnv = process.env,
  envB: CacheEnv = envA,
): boolean {
  try {
    return JSON.stringify(resolveCacheOptions(a ?? {}, envA)) === JSON.stringify(resolveCacheOptions(b ?? {}, envB));
  } catch {
    return false;
  }
}

/** Where the cache lives, for messages: never the password. */
export function describeStore(o: ResolvedCacheOptions): string {
  if (o.type === "local") return "the local cache";
  if (o.cluster_nodes) return `Redis Cluster ${o.cluster_nodes.map((n) => `${n.host}:${n.port}`).join(",")}`;
  if (o.url) return `Redis at ${redactUrl(o.url)}`;
  return `Redis at ${o.host}:${o.port}`;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

const NO_REDIS = {
  url: undefined,
  host: undefined,
  port: undefined,
  password: undefined,
  username: undefined,
  db: undefined,
  tls: false,
  cluster_nodes: undefined,
} as const;

function node(n: unknown, i: number): RedisNode {
  const path = `cluster_nodes[${i}]`;
  if (typeof n === "string") {
    const m = /^([^:\s]+):([0-9]+)$/.exec(n);
    if (!m) invalid(path, n, '"host:port"');
    return { host: m[1]!, port: integer(path, m[2], 1, 65535)! };
  }
  if (typeof n === "object" && n !== null && typeof (n as RedisNode).host === "string" && (n as RedisNode).host !== "") {
    return { host: (n as RedisNode).host, port: integer(`${path}.port`, (n as { port: unknown }).port, 1, 65535) ?? CACHE_DEFAULTS.port };
  }
  invalid(path, n, '{host, port} or "host:port"');
}

function callTypes(v: unknown): string[] {
  if (v === undefined) return [...CACHE_DEFAULTS.supported_call_types];
  const known: readonly string[] = CACHE_CALL_TYPES;
  if (!Array.isArray(v) || v.some((t) => !known.includes(t as string))) invalid("supported_call_types", v, `a list of ${known.join(", ")}`);
  return [...new Set(v as string[])];
}

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) invalid(name, v, allowed.map((a) => `"${a}"`).join(" or "));
  return v as T;
}

function optString(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") invalid(name, v, "a string");
  return v;
}

function bool(name: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") invalid(name, v, "true or false");
  return v;
}

function positive(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) invalid(name, v, "a number of seconds above 0");
  return n;
}

/** An integer in range; numeric strings are accepted (LiteLLM users pass os.environ values). */
function integer(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    invalid(name, v, max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`);
  }
  return n;
}

function invalid(name: string, found: unknown, allowed: string): never {
  const shown = name === "password" ? "(hidden)" : JSON.stringify(found) ?? String(found);
  throw new CacheError(`cache option "${name}": found ${shown}, expected ${allowed}.`, CACHE_ERROR_CODES.invalidOptions);
}
