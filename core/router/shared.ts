import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import { ROUTER_ERROR_CODES } from "../errors.ts";
import type { RoutableDeployment } from "./types.ts";

/**
 * The router's state in Redis, shared by every instance pointed at it (LiteLLM's
 * router cache with `redis_host`): requests and tokens per deployment per
 * minute, in-flight counts and cool-downs, under keys named by the deployment's
 * id (`model_info.id`, else a hash of its alias and `litellm_params`, so the
 * same config on N servers names the same keys).
 *
 * One call costs one awaited round trip: a Lua script reads every deployment
 * of the alias (as LiteLLM's `batch_get_cache`) and, for a strategy that
 * enforces limits, picks and counts the request atomically, so N instances
 * never pass a joint `rpm`. Tokens, in-flight counts and cool-downs are written
 * without waiting. A Redis that fails or does not answer within the timeout
 * is reported once; the router then goes on with its own counts, and picks up
 * the shared ones again when Redis answers.
 */

/** Where the router's Redis is, from `router_settings`. */
export interface SharedOptions {
  readonly redis_host?: string | null;
  readonly redis_port?: number | string | null;
  readonly redis_password?: string | null;
  readonly redis_url?: string | null;
  readonly redis_db?: number | null;
}

/** What a shared read gives back, per deployment in the alias's order. */
export interface SharedCounts {
  /** Index of the deployment the script picked and counted (limited strategies), else -1. */
  picked: number;
  /** rpm, tpm, cool-down end (ms, the routers' clock), in flight: four numbers a deployment. */
  values: number[];
}

/** Seconds a command may take before Redis counts as down (the cache's default). */
export const SHARED_TIMEOUT_MS = 250;
const KEY_ROOT = "litellm-runtime:router:";
/** Counters of a minute outlive it a little, so a late reader still sees them. */
const MINUTE_TTL_MS = 120_000;
/** An in-flight count not decremented (a process that died mid-call) is forgotten after this. */
const INFLIGHT_TTL_MS = 600_000;

/**
 * KEYS: rpm, tpm, cool, inflight of each deployment. ARGV: mode (0 read only, 1 fewest tokens,
 * 2 cheapest), n, prompt tokens, a random number in [0,1), now, then per deployment: rpm limit,
 * tpm limit (-1: none), price, flags (1: its window takes the prompt, 2: this call tried it).
 * Picks as router.ts does: the best not cooling and not tried, else not cooling, else back soonest;
 * always under its limits. Counts the pick's request. Returns [picked (1-based, 0: none), values...].
 */
const PICK = `
local mode, n, input, rand, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out, rpm, tpm, cool = {0}, {}, {}, {}
for i = 1, n do
  local k = (i - 1) * 4
  rpm[i] = tonumber(redis.call('GET', KEYS[k + 1]) or '0')
  tpm[i] = tonumber(redis.call('GET', KEYS[k + 2]) or '0')
  cool[i] = tonumber(redis.call('GET', KEYS[k + 3]) or '0')
  out[#out + 1] = rpm[i]; out[#out + 1] = tpm[i]; out[#out + 1] = cool[i]
  out[#out + 1] = tonumber(redis.call('GET', KEYS[k + 4]) or '0')
end
if mode == 0 then return out end
local function arg(i, j) return tonumber(ARGV[5 + (i - 1) * 4 + j]) end
local function ok(i, free, untried)
  local rl, tl, flags = arg(i, 1), arg(i, 2), arg(i, 4)
  if flags % 2 ~= 1 then return false end
  if untried and flags >= 2 then return false end
  if free and cool[i] > now then return false end
  return (rl < 0 or rpm[i] < rl) and (tl < 0 or tpm[i] + input <= tl)
end
local function key(i) if mode == 1 then return tpm[i] end return arg(i, 3) end
local function best(free, untried)
  local b, bk, ties = 0, 0, 0
  for i = 1, n do
    if ok(i, free, untried) then
      local k = key(i)
      if b == 0 or k < bk then b, bk, ties = i, k, 1 elseif k == bk then ties = ties + 1 end
    end
  end
  if mode == 2 or ties < 2 then return b end
  local nth = math.floor(rand * ties)
  for i = 1, n do
    if ok(i, free, untried) and key(i) == bk then
      if nth == 0 then return i end
      nth = nth - 1
    end
  end
  return b
end
local c = best(true, true)
if c == 0 then c = best(true, false) end
if c == 0 then
  for i = 1, n do if ok(i, false, false) and (c == 0 or cool[i] < cool[c]) then c = i end end
end
if c > 0 then
  local k = (c - 1) * 4
  out[(c - 1) * 4 + 2] = redis.call('INCR', KEYS[k + 1])
  redis.call('PEXPIRE', KEYS[k + 1], ARGV[#ARGV])
end
out[1] = c
return out
`;

/** A deployment's id in the keys: `model_info.id`, else a hash of what makes it this deployment (LiteLLM hashes model_name and litellm_params). */
export function sharedId(d: RoutableDeployment): string {
  const id = d.model_info?.id;
  if (typeof id === "string" && id !== "") return id;
  return createHash("sha256").update(JSON.stringify([d.alias, d.params])).digest("hex").slice(0, 24);
}

/** The four keys of a deployment in a minute. */
export function keysOf(id: string, minute: number): [string, string, string, string] {
  const base = `${KEY_ROOT}{${id}}`;
  return [`${base}:rpm:${minute}`, `${base}:tpm:${minute}`, `${base}:cool`, `${base}:inflight`];
}

type Picker = Redis & { routerPick(...args: Array<string | number>): Promise<number[]> };

interface Connection {
  readonly client: Picker;
  readonly where: string;
  state: "up" | "down";
  downSince: number;
  /** Where outages are told; the last router made on this connection says. */
  report: (line: string) => void;
  /** Settles at the first ready or error: until then a read waits for it (up to the timeout) rather than going local. */
  readonly firstContact: Promise<void>;
  contacted: boolean;
}

// One connection per Redis a process routes through, kept across reloads (a reload builds a new router, not a new socket).
const connections = new Map<string, Connection>();

function where(o: SharedOptions): string {
  if (o.redis_url) return o.redis_url.replace(/\/\/[^@/]*@/, "//***@");
  return `${o.redis_host}:${o.redis_port ?? 6379}`;
}

/** The shared connection for `o`, made on first use; null when `router_settings` names no Redis. */
export function connect(o: SharedOptions, report: (line: string) => void): Connection | null {
  if (!o.redis_url && !o.redis_host) return null;
  const id = JSON.stringify([o.redis_url, o.redis_host, o.redis_port, o.redis_password, o.redis_db]);
  let c = connections.get(id);
  if (c !== undefined) {
    c.report = report;
    return c;
  }
  // Loaded only when a router shares state: ioredis costs ~100 ms to import.
  const ioredis = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  const options = {
    password: o.redis_password ?? undefined,
    db: o.redis_db ?? undefined,
    commandTimeout: SHARED_TIMEOUT_MS,
    connectTimeout: 2000,
    // While disconnected a command fails at once: a call falls back to local counts instead of waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (n: number) => Math.min(25 * 2 ** Math.min(n, 6), 1000),
    connectionName: "litellm-runtime-router",
    lazyConnect: false,
  };
  const port = typeof o.redis_port === "string" ? Number(o.redis_port) : (o.redis_port ?? 6379);
  const client = (o.redis_url ? new ioredis.Redis(o.redis_url, options) : new ioredis.Redis({ ...options, host: o.redis_host!, port })) as Picker;
  client.defineCommand("routerPick", { lua: PICK });
  let settle!: () => void;
  const firstContact = new Promise<void>((resolve) => (settle = resolve));
  c = { client, where: where(o), state: "up", downSince: 0, report, firstContact, contacted: false };
  const conn = c;
  const contact = (): void => {
    conn.contacted = true;
    settle();
  };
  unrefWhenIdle(client);
  client.on("error", (err: Error) => (contact(), down(conn, err)));
  client.on("ready", () => (contact(), up(conn)));
  connections.set(id, c);
  return c;
}

function down(c: Connection, err: Error): void {
  if (c.state === "down") return;
  c.state = "down";
  c.downSince = Date.now();
  const why = /timed out/i.test(err.message) ? `no answer within ${SHARED_TIMEOUT_MS / 1000}s` : err.message;
  c.report(
    `litellm-runtime [${ROUTER_ERROR_CODES.redisUnavailable}] router: Redis at ${c.where} is unavailable (${why}); ` +
      `each instance now routes on its own counts (rpm/tpm limits and cool-downs per process, no call fails) until it answers again. ` +
      `Check that Redis is running and reachable from every instance.`,
  );
}

function up(c: Connection): void {
  if (c.state === "up") return;
  c.state = "up";
  c.report(`litellm-runtime: router: Redis at ${c.where} is back after ${((Date.now() - c.downSince) / 1000).toFixed(1)}s; usage and cool-downs are shared again.`);
}

/** An idle connection must not keep a process alive after its last call. */
function unrefWhenIdle(client: Redis): void {
  type Handles = { stream?: { unref?: () => void }; reconnectTimeout?: { unref?: () => void } | null };
  const unref = (): void => {
    const h = client as unknown as Handles;
    h.stream?.unref?.();
    h.reconnectTimeout?.unref?.();
  };
  for (const status of ["connect", "ready", "reconnecting"]) client.on(status, unref);
}

/** The script's read (and pick): null when Redis failed or did not answer, and the caller goes on with local counts. */
export async function readShared(c: Connection, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<SharedCounts | null> {
  if (!c.contacted) await waitFirstContact(c);
  if (c.client.status !== "ready") return null;
  try {
    const out = await c.client.routerPick(keys.length, ...keys, ...args);
    up(c);
    return { picked: Number(out[0]) - 1, values: out.slice(1).map(Number) };
  } catch (err) {
    down(c, err as Error);
    return null;
  }
}

function waitFirstContact(c: Connection): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHARED_TIMEOUT_MS * 4)));
  return Promise.race([c.firstContact, expired]).finally(() => clearTimeout(timer));
}

/** A write the call does not wait for (tokens, in-flight counts, a cool-down): a failure is an outage, reported once. */
export function writeShared(c: Connection, write: (client: Redis) => Promise<unknown>): void {
  if (c.client.status !== "ready") return;
  write(c.client).then(
    () => up(c),
    (err: Error) => down(c, err),
  );
}

export { MINUTE_TTL_MS, INFLIGHT_TTL_MS };
export type { Connection };
