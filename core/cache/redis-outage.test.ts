import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useTempDir } from "../../test/support/kit.ts";
import { freePort, REDIS_REQUIRED, redisServerInstalled, runPrefix, startRedisServer, stopProcess, until, warnSkipped } from "../../test/support/redis.ts";
import { CACHE_ERROR_CODES, type CacheError } from "../errors.ts";
import { Cache } from "./index.ts";

// The cache through Redis faults, on a redis-server of our own (a free port, no persistence) that the tests
// kill, stop and restart. Skipped with a loud warning when redis-server is not installed, unless REQUIRE_REDIS is set.

const RUN = runPrefix();
const installed = redisServerInstalled();
const canSpawn = installed.ok;
if (!canSpawn && !REDIS_REQUIRED) warnSkipped("core/cache/redis-outage.test.ts", `redis-server is NOT INSTALLED (${installed.why})`);

describe.runIf(REDIS_REQUIRED)("redis-server is required (REQUIRE_REDIS is set)", () => {
  it("is installed", () => {
    expect(canSpawn, `redis-server --version failed: ${installed.why}`).toBe(true);
  });
});

const parts = (content: string) => ({ kind: "chat" as const, model: "gpt-4o-mini", messages: [{ role: "user", content }], params: { temperature: 0 } });
const answer = (content: string) => ({ id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content } }] });

describe.runIf(canSpawn)("Redis cache through an outage (our own redis-server, killed and restarted)", () => {
  let port: number;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    port = await freePort();
    server = await startRedisServer(port);
  });
  afterAll(async () => {
    await stopProcess(server);
  });

  it("misses while Redis is down, reports the outage once, and hits again after the restart", async () => {
    const errors: CacheError[] = [];
    const notices: string[] = [];
    const cache = new Cache({ type: "redis", host: "127.0.0.1", port, namespace: RUN, timeout: 0.25 }, { on_error: (e) => errors.push(e), on_notice: (m) => notices.push(m) });
    // A second cache with the default reporting: its lines go to stderr, once per outage as well.
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      // This test's lines are kept (and asserted on); everything else goes through.
      if (String(chunk).includes(`127.0.0.1:${port}`)) return lines.push(String(chunk)) > 0;
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    const plain = new Cache({ type: "redis", host: "127.0.0.1", port, namespace: RUN, timeout: 0.25 });

    // The load: gets and sets back to back, as calls would make them, all through the outage.
    let stop = false;
    let thrown: unknown;
    let phase: "up" | "down" | "restarted" = "up";
    const seen = { up: { hits: 0, gets: 0 }, down: { hits: 0, gets: 0 }, restarted: { hits: 0, gets: 0 } };
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        try {
          const key = cache.key(parts(`loop ${i % 20}`));
          cache.set(key, answer(`loop ${i}`));
          plain.set(key, answer(`loop ${i}`));
          const at = phase;
          const [a] = await Promise.all([cache.get(key), plain.get(key)]);
          seen[at].gets++;
          if (a !== null) seen[at].hits++;
        } catch (err) {
          thrown = err;
        }
        await sleep(10);
      }
    })();

    try {
      expect(await until(() => seen.up.hits >= 5, 5000), "hits before the outage").toBe(true);

      await stopProcess(server);
      phase = "down";
      expect(await until(() => errors.length > 0 && seen.down.gets >= 20, 10_000), "gets keep resolving while Redis is down").toBe(true);
      await sleep(1000); // more calls into the same outage: still one report
      expect(seen.down.hits).toBe(0);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe(CACHE_ERROR_CODES.unavailable);
      expect(errors[0]!.message).toContain(`127.0.0.1:${port}`);
      expect(lines.filter((l) => l.includes(CACHE_ERROR_CODES.unavailable))).toHaveLength(1);
      expect(cache.stats().read_failures).toBeGreaterThan(0);
      expect(cache.stats().write_failures).toBeGreaterThan(0);
      expect(await cache.ping()).toBe(false);

      server = await startRedisServer(port);
      phase = "restarted";
      expect(await until(() => seen.restarted.hits >= 3, 15_000), "hits resume after the restart").toBe(true);
      expect(await until(() => notices.length === 1 && lines.some((l) => l.includes("is back")), 5000), "one line that Redis is back").toBe(true);
      expect(notices[0]).toMatch(/is back after [0-9.]+s/);
      expect(errors).toHaveLength(1);
      expect(cache.stats().outages).toBe(1);
      expect(await cache.ping()).toBe(true);

      // A second outage is a second report: once per outage, not once per process.
      await stopProcess(server);
      expect(await until(() => errors.length === 2, 10_000), "the second outage is reported").toBe(true);
      server = await startRedisServer(port);
      expect(await until(() => notices.length === 2, 15_000), "and its end").toBe(true);
      expect(cache.stats().outages).toBe(2);
    } finally {
      stop = true;
      await loop;
      spy.mockRestore();
    }
    expect(thrown).toBeUndefined();
    await cache.close();
    await plain.close();
  }, 60_000);

  it("serves misses from a Redis that is stopped (hung), and hits once it runs again", async () => {
    const errors: CacheError[] = [];
    const notices: string[] = [];
    const cache = new Cache({ type: "redis", host: "127.0.0.1", port, namespace: `${RUN}:hung`, timeout: 0.25 }, { on_error: (e) => errors.push(e), on_notice: (m) => notices.push(m) });
    const key = cache.key(parts("hung"));
    cache.set(key, "before");
    await cache.flush();
    expect((await cache.get(key))?.value).toBe("before");

    server!.kill("SIGSTOP");
    try {
      const results = await Promise.all(Array.from({ length: 10 }, () => cache.get(key)));
      expect(results).toEqual(Array(results.length).fill(null));
      cache.set(key, "during");
      await cache.flush();
      expect(cache.stats().write_failures).toBeGreaterThan(0);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.code).toBe(CACHE_ERROR_CODES.unavailable);
    } finally {
      server!.kill("SIGCONT");
    }
    expect(await until(async () => (await cache.get(key)) !== null, 15_000), "hits resume once Redis runs again").toBe(true);
    expect(await until(() => notices.length === 1, 5000)).toBe(true);
    expect(errors).toHaveLength(1);
    await cache.close();
  }, 40_000);

  it("takes a dropped idle connection (CLIENT KILL) as no outage: it reconnects and hits resume without a report", async () => {
    const errors: CacheError[] = [];
    // A timeout far above a loopback reconnect: on a loaded machine a 0.25 s one reads the reconnect itself as an outage.
    const cache = new Cache({ type: "redis", host: "127.0.0.1", port, namespace: `${RUN}:idle`, timeout: 3 }, { on_error: (e) => errors.push(e) });
    const key = cache.key(parts("idle"));
    cache.set(key, "v");
    await cache.flush();
    expect((await cache.get(key))?.value).toBe("v");
    const admin = new Redis({ host: "127.0.0.1", port });
    try {
      expect(await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
    }
    expect(await until(async () => (await cache.get(key)) !== null, 5000), "hits resume after the reconnect").toBe(true);
    expect(errors).toHaveLength(0);
    await cache.close();
  });

  it("starts against a Redis that is not there: misses, one report, and close() does not hang", async () => {
    const errors: CacheError[] = [];
    const cache = new Cache({ type: "redis", host: "127.0.0.1", port: await freePort(), timeout: 0.25 }, { on_error: (e) => errors.push(e) });
    const key = cache.key(parts("nobody home"));
    for (let i = 0; i < 5; i++) {
      cache.set(key, "v");
      await expect(cache.get(key)).resolves.toBeNull();
    }
    await cache.flush();
    expect(await cache.ping()).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe(CACHE_ERROR_CODES.unavailable);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 5, writes: 0, write_failures: 5 });
    await cache.close();
  });
});

describe.runIf(canSpawn)("Redis Cluster (a one-node cluster of our own)", () => {
  let server: ChildProcess | undefined;
  const tmp = useTempDir("litellm-cache-cluster-", { per: "suite" });
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // announce-ip: a lone node otherwise lists itself with an empty address in CLUSTER SLOTS.
    server = await startRedisServer(port, ["--cluster-enabled", "yes", "--cluster-announce-ip", "127.0.0.1", "--cluster-config-file", join(tmp.path, "nodes.conf"), "--dir", tmp.path]);
    const admin = new Redis({ host: "127.0.0.1", port });
    try {
      await admin.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      expect(await until(async () => String(await admin.call("CLUSTER", "INFO")).includes("cluster_state:ok"), 10_000), "the cluster comes up").toBe(true);
    } finally {
      admin.disconnect();
    }
  }, 20_000);
  afterAll(async () => {
    await stopProcess(server);
  });

  it("stores and reads entries through a cluster client (cluster_nodes)", async () => {
    const cache = new Cache({ type: "redis", cluster_nodes: [`127.0.0.1:${port}`], namespace: `${RUN}:cluster`, timeout: 1 });
    const key = cache.key(parts("cluster"));
    cache.set(key, answer("from the cluster"));
    await cache.flush();
    expect((await cache.get(key))?.value).toEqual(answer("from the cluster"));
    expect(await cache.ping()).toBe(true);
    expect(cache.stats()).toMatchObject({ writes: 1, hits: 1, write_failures: 0, read_failures: 0 });
    await cache.close();
  });
});
