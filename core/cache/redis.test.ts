import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDirForTest } from "../../test/support/kit.ts";
import { REDIS_HOST as HOST, REDIS_PORT as PORT, REDIS_REQUIRED, redisAnswers, runPrefix, warnSkipped } from "../../test/support/redis.ts";
import { Cache, type CacheOptions } from "./index.ts";
import { tsArgs } from "../../test/support/run-ts.ts";

// Against a real Redis: 127.0.0.1:6379 (REDIS_TEST_HOST / REDIS_TEST_PORT to point elsewhere). Without one
// these tests are skipped with a loud warning, unless REQUIRE_REDIS is set: then its absence fails.
// The outage tests (a redis-server of our own, killed and restarted) are in redis-outage.test.ts.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Every key this run writes starts with it. */
const RUN = runPrefix();

const sharedUp = await redisAnswers(HOST, PORT);
if (!sharedUp && !REDIS_REQUIRED) warnSkipped("core/cache/redis.test.ts", `NO REDIS answers at ${HOST}:${PORT}`);

describe.runIf(REDIS_REQUIRED)("Redis is required (REQUIRE_REDIS is set)", () => {
  it(`answers at ${HOST}:${PORT}`, () => {
    expect(sharedUp, `no Redis answers PING at ${HOST}:${PORT}`).toBe(true);
  });
});

/** Options for a cache on the shared Redis in a namespace of this run. */
const shared = (name: string, extra: CacheOptions = {}): CacheOptions => ({ type: "redis", host: HOST, port: PORT, namespace: `${RUN}:${name}`, timeout: 1, ...extra });
const parts = (content: string) => ({ kind: "chat" as const, model: "gpt-4o-mini", messages: [{ role: "user", content }], params: { temperature: 0 } });
const answer = (content: string) => ({ id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content } }] });

describe.runIf(sharedUp)("Redis cache on a shared Redis", () => {
  let raw: Redis;
  const caches: Cache[] = [];
  const open = (name: string, extra?: CacheOptions) => {
    const cache = new Cache(shared(name, extra));
    caches.push(cache);
    return cache;
  };

  beforeAll(() => {
    raw = new Redis({ host: HOST, port: PORT, lazyConnect: false });
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    const keys = await raw.keys(`${RUN}:*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
  });

  it("stores and reads back an entry as {v, t} JSON", async () => {
    const cache = open("roundtrip");
    const key = cache.key(parts("round trip"));
    expect(key).toMatch(new RegExp(`^${RUN}:roundtrip:litellm:`));
    cache.set(key, answer("4"));
    await cache.flush();
    const hit = await cache.get<ReturnType<typeof answer>>(key);
    expect(hit?.value).toEqual(answer("4"));
    const stored = JSON.parse((await raw.get(key))!);
    expect(stored).toEqual({ v: answer("4"), t: hit!.stored_at });
    expect(cache.stats()).toMatchObject({ hits: 1, writes: 1, write_failures: 0, read_failures: 0 });
    expect(await cache.ping()).toBe(true);
  });

  it("sets the TTL in Redis (the cache's, or the call's) and the entry expires", async () => {
    const cache = open("ttl", { ttl: 600 });
    const withDefault = cache.key(parts("default ttl"));
    const short = cache.key(parts("short ttl"));
    cache.set(withDefault, "d");
    cache.set(short, "s", { ttl: 1 });
    await cache.flush();
    const defaultTtl = await raw.pttl(withDefault);
    expect(defaultTtl).toBeGreaterThan(590_000);
    expect(defaultTtl).toBeLessThanOrEqual(600_000);
    expect(await raw.pttl(short)).toBeLessThanOrEqual(1000);
    expect((await cache.get(short))?.value).toBe("s");
    await sleep(1500);
    expect(await cache.get(short)).toBeNull();

    const noTtl = open("no-ttl");
    const forever = noTtl.key(parts("no ttl"));
    noTtl.set(forever, "f");
    await noTtl.flush();
    expect(await raw.pttl(forever)).toBe(-1);
  });

  it("shares entries between two caches on one Redis", async () => {
    const writer = open("two");
    const reader = open("two");
    const key = writer.key(parts("shared"));
    expect(reader.key(parts("shared"))).toBe(key);
    expect(await reader.get(key)).toBeNull();
    writer.set(key, answer("from the writer"));
    await writer.flush();
    expect((await reader.get(key))?.value).toEqual(answer("from the writer"));
  });

  it("reads an entry another process wrote", async () => {
    const dir = await tempDirForTest("litellm-cache-child-");
    const script = join(dir, "write-entry.ts");
    writeFileSync(
      script,
      [
        `import { Cache } from ${JSON.stringify(join(ROOT, "core/cache/index.ts"))};`,
        `const options = JSON.parse(process.env.CACHE_OPTIONS!);`,
        `const cache = new Cache(options);`,
        `const key = cache.key(JSON.parse(process.env.CACHE_PARTS!));`,
        `cache.set(key, { written_by: process.pid });`,
        `await cache.flush();`,
        `await cache.close();`,
        `process.stdout.write(JSON.stringify({ key, pid: process.pid, stats: cache.stats() }));`,
      ].join("\n"),
    );
    const env = { ...process.env, CACHE_OPTIONS: JSON.stringify(shared("child")), CACHE_PARTS: JSON.stringify(parts("from a child")) };
    const child = spawnSync(process.execPath, tsArgs(script), { cwd: ROOT, env, encoding: "utf8", timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout) as { key: string; pid: number; stats: { writes: number } };
    expect(out.stats.writes).toBe(1);
    expect(out.pid).not.toBe(process.pid);

    const cache = open("child");
    const key = cache.key(parts("from a child"));
    expect(key).toBe(out.key);
    expect((await cache.get(key))?.value).toEqual({ written_by: out.pid });
  }, 40_000);

  it("treats a value in Redis that is not an entry as a miss, never an error", async () => {
    const cache = open("corrupt");
    const garbage = cache.key(parts("garbage"));
    const wrongShape = cache.key(parts("wrong shape"));
    await raw.set(garbage, "\u0000not json at all {");
    await raw.set(wrongShape, JSON.stringify(["v", 1]));
    await expect(cache.get(garbage)).resolves.toBeNull();
    await expect(cache.get(wrongShape)).resolves.toBeNull();
    expect(cache.stats()).toMatchObject({ corrupt: 2, misses: 2, read_failures: 0 });
  });
});
