/**
 * The shared store: Redis through ioredis (v6, maintained by Redis at
 * redis/ioredis). Chosen over the official `redis` package because every
 * fault behaviour the cache needs is a plain client option, the same for a
 * single server and a cluster: `commandTimeout` bounds every command without
 * an AbortSignal per call, `enableOfflineQueue: false` makes commands fail at
 * once while disconnected (nothing piles up during an outage),
 * `retryStrategy` reconnects in the background with our capped backoff,
 * `Cluster` takes the same options, and `tls` / `rediss://` give TLS.
 *
 * Outages are tracked here as a state (connecting → up ⇄ down) so they are
 * reported once each: the first failure of an outage calls `events.down`,
 * the first success after it calls `events.up`.
 */
import { createRequire } from "node:module";
import type { Cluster, ClusterOptions, Redis, RedisOptions } from "ioredis";
import type { ResolvedCacheOptions } from "./options.ts";
import type { Store } from "./store.ts";

export interface RedisStoreEvents {
  /** The first failure of an outage (connection refused, reset, a command timed out ...). */
  down(err: Error): void;
  /** Redis answers again, `downMs` after `down`. */
  up(downMs: number): void;
}

type State = "connecting" | "up" | "down";

/** Reconnection delays: 50 ms doubling to a 2 s cap, plus jitter so many processes do not reconnect in step. */
export function reconnectDelay(attempt: number): number {
  return Math.min(25 * 2 ** Math.min(attempt, 7), 2000) + Math.floor(Math.random() * 50);
}

export class RedisStore implements Store {
  readonly type = "redis";
  readonly #client: Redis | Cluster;
  readonly #events: RedisStoreEvents;
  readonly #timeoutMs: number;
  #state: State = "connecting";
  #downSince = 0;
  /** When a connection that was up closed (0: it is not lost): a server idle timeout closes it, and the reconnect is no outage. */
  #lostAt = 0;
  #closing = false;
  /** Settles at the first ready or connection error: until then, commands wait (up to the timeout) instead of failing. */
  readonly #firstContact: Promise<void>;
  #settleFirstContact!: () => void;
  /** Outages seen (each reported once). */
  outages = 0;

  constructor(options: ResolvedCacheOptions, events: RedisStoreEvents) {
    this.#events = events;
    this.#timeoutMs = Math.max(1, Math.round(options.timeout * 1000));
    this.#firstContact = new Promise((resolve) => (this.#settleFirstContact = resolve));
    this.#client = createClient(options, this.#timeoutMs);
    letProcessExit(this.#client);
    this.#client.on("ready", () => {
      this.#lostAt = 0;
      this.#settleFirstContact();
      this.#succeeded();
    });
    this.#client.on("close", () => {
      if (this.#state === "up" && this.#lostAt === 0) this.#lostAt = Date.now();
    });
    // Without an "error" listener ioredis prints every failed reconnect; here they feed the outage state.
    this.#client.on("error", (err: Error) => this.#failed(err, true));
    this.#client.on("node error", (err: Error) => this.#failed(err, true));
  }

  async get(key: string): Promise<string | null> {
    if (this.#state === "connecting") await this.#waitFirstContact();
    try {
      const value = await this.#client.get(key);
      this.#succeeded();
      return value;
    } catch (err) {
      this.#failed(err as Error, false);
      throw err;
    }
  }

  async set(key: string, value: string, ttlMs: number | undefined): Promise<boolean> {
    if (this.#state === "connecting") await this.#waitFirstContact();
    try {
      const reply = ttlMs ? await this.#client.set(key, value, "PX", ttlMs) : await this.#client.set(key, value);
      this.#succeeded();
      return reply === "OK";
    } catch (err) {
      this.#failed(err as Error, false);
      throw err;
    }
  }

  async delete(key: string): Promise<boolean> {
    if (this.#state === "connecting") await this.#waitFirstContact();
    try {
      await this.#client.del(key);
      this.#succeeded();
      return true;
    } catch (err) {
      this.#failed(err as Error, false);
      throw err;
    }
  }

  /** True when Redis answers PING within the timeout. */
  async ping(): Promise<boolean> {
    if (this.#state === "connecting") await this.#waitFirstContact();
    try {
      const reply = await this.#client.ping();
      this.#succeeded();
      return reply === "PONG";
    } catch (err) {
      this.#failed(err as Error, false);
      return false;
    }
  }

  /** QUIT when connected (bounded by the command timeout), then drop the socket and stop reconnecting: never hangs on a dead Redis. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    this.#settleFirstContact();
    try {
      if (this.#client.status === "ready") await this.#client.quit();
    } catch {
      // A Redis that does not answer QUIT is dropped below all the same.
    } finally {
      this.#client.disconnect();
    }
  }

  /** The client's connection state ("ready", "reconnecting", ...): for diagnostics. */
  get status(): string {
    return this.#client.status;
  }

  #waitFirstContact(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs)));
    return Promise.race([this.#firstContact, expired]).finally(() => clearTimeout(timer));
  }

  #succeeded(): void {
    if (this.#state === "up" || this.#closing) return;
    const wasDown = this.#state === "down";
    this.#state = "up";
    if (wasDown) this.#events.up(Date.now() - this.#downSince);
  }

  /** `connection`: an error of the connection itself; a command refused while the first connection is still being made is not an outage. */
  #failed(err: Error, connection: boolean): void {
    if (connection) this.#settleFirstContact();
    if (this.#closing || this.#state === "down") return;
    if (this.#state === "connecting" && !connection) return;
    if (!connection && NOT_CONNECTED.test(err.message)) {
      // A command can meet the closed socket before its "close" event: the connection is lost from now.
      if (this.#lostAt === 0) this.#lostAt = Date.now();
      // Refused while reconnecting for less than the timeout: a quick reconnect (an idle timeout, a failover) is not worth a report; a refused reconnect is, through "error".
      if (Date.now() - this.#lostAt < this.#timeoutMs) return;
    }
    this.#state = "down";
    this.#downSince = Date.now();
    this.outages++;
    this.#events.down(readable(err, this.#timeoutMs));
  }
}

/**
 * An idle connection must not keep a script alive after its last call (a
 * script ends by itself after `await litellm.flush()`): the socket is
 * unref'd once connected, and so are the reconnect and slot-refresh timers.
 * A command in flight still holds the process, through its commandTimeout timer.
 */
function letProcessExit(client: Redis | Cluster): void {
  type Handles = { stream?: { unref?: () => void }; reconnectTimeout?: { unref?: () => void } | null; slotsTimer?: { unref?: () => void } | null };
  const unrefAll = (c: Handles): void => {
    c.stream?.unref?.();
    c.reconnectTimeout?.unref?.();
    c.slotsTimer?.unref?.();
  };
  // ioredis emits status events on the next tick, after it has set the socket or the timer they are about.
  for (const status of ["connect", "ready", "reconnecting"]) client.on(status, () => unrefAll(client as unknown as Handles));
  // A cluster talks through one client per node: each is unref'd the same way.
  client.on("+node", (node: Redis) => {
    for (const status of ["connect", "ready", "reconnecting"]) node.on(status, () => unrefAll(node as unknown as Handles));
  });
}

/** The client's own wording ("Stream isn't writeable and enableOfflineQueue options is false") says little to an operator. */
const NOT_CONNECTED = /enableOfflineQueue|Connection is closed|MaxRetriesPerRequest/i;

function readable(err: Error, timeoutMs: number): Error {
  const m = err.message ?? String(err);
  let why: string | undefined;
  if (NOT_CONNECTED.test(m)) why = "the connection was lost";
  else if (/Command timed out/i.test(m)) why = `no answer within ${timeoutMs / 1000}s`;
  return why ? new Error(why, { cause: err }) : err;
}

function createClient(o: ResolvedCacheOptions, timeoutMs: number): Redis | Cluster {
  const common: RedisOptions = {
    username: o.username,
    password: o.password,
    ...(o.tls ? { tls: {} } : {}),
    // Every command (GET, SET, PING, QUIT) fails after the cache's timeout instead of waiting on a slow Redis.
    commandTimeout: timeoutMs,
    // A socket with commands pending and no byte back for this long is dead (a hung or unreachable Redis): drop it and reconnect.
    socketTimeout: Math.max(1000, timeoutMs * 4),
    connectTimeout: Math.max(2000, timeoutMs * 8),
    // Commands cut off by a disconnect fail at once and are not replayed after the reconnect: by then the call has moved on.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // GET/SET/PING need nothing of RESP3; RESP2 works with every Redis and Redis-compatible server.
    protocol: 2,
    connectionName: "litellm-runtime-cache",
  };
  // Loaded here, when a Redis cache is made: ioredis costs ~100 ms to import, which a runtime without one never pays.
  const ioredis = createRequire(import.meta.url)("ioredis") as typeof import("ioredis");
  if (o.cluster_nodes) {
    const options: ClusterOptions = {
      redisOptions: common,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      slotsRefreshTimeout: Math.max(1000, timeoutMs * 4),
    };
    return new ioredis.Cluster(
      o.cluster_nodes.map((n) => ({ host: n.host, port: n.port })),
      options,
    );
  }
  const single: RedisOptions = { ...common, enableOfflineQueue: false, retryStrategy: reconnectDelay };
  // A URL's host, port, credentials and db win over the separate fields (ioredis fills only what the URL leaves out).
  if (o.url) return new ioredis.Redis(o.url, { ...single, db: o.db });
  return new ioredis.Redis({ ...single, host: o.host, port: o.port, db: o.db });
}
