import { describe, expect, it } from "vitest";
import { CACHE_ERROR_CODES, CacheError } from "../errors.ts";
import { Cache, cacheFromSettings, resolveCacheOptions, sameCacheOptions } from "./index.ts";

describe("cache options", () => {
  it("resolves the local defaults into a frozen object", () => {
    const o = resolveCacheOptions({});
    expect(o).toMatchObject({ type: "local", mode: "default_on", max_items: 10_000, timeout: 0.25, ttl: undefined, host: undefined });
    expect(o.supported_call_types).toEqual(["completion", "acompletion", "embedding", "aembedding"]);
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(o.supported_call_types)).toBe(true);
  });

  it("does not touch what the caller passed", () => {
    const passed = { type: "redis" as const, port: "6380", ssl: true, cluster_nodes: ["a:1"] };
    const copy = structuredClone(passed);
    resolveCacheOptions(passed, {});
    expect(passed).toEqual(copy);
  });

  it("accepts a port and db given as strings (environment values), and ssl as tls", () => {
    const o = resolveCacheOptions({ type: "redis", host: "redis.internal", port: "6380", db: "2", ssl: true }, {});
    expect(o).toMatchObject({ host: "redis.internal", port: 6380, db: 2, tls: true, max_items: undefined });
  });

  it("falls back to REDIS_HOST / REDIS_PORT / REDIS_PASSWORD when the options name no server, as LiteLLM does", () => {
    const env = { REDIS_HOST: "10.0.0.5", REDIS_PORT: "6390", REDIS_PASSWORD: "pw" };
    expect(resolveCacheOptions({ type: "redis" }, env)).toMatchObject({ host: "10.0.0.5", port: 6390, password: "pw", url: undefined });
    expect(resolveCacheOptions({ type: "redis", host: "explicit" }, env)).toMatchObject({ host: "explicit", port: 6379, password: undefined });
    expect(resolveCacheOptions({ type: "redis" }, { REDIS_URL: "rediss://u:p@h:1/3" })).toMatchObject({ url: "rediss://u:p@h:1/3", tls: true });
    expect(resolveCacheOptions({ type: "redis" }, {})).toMatchObject({ host: "127.0.0.1", port: 6379 });
    expect(resolveCacheOptions({ type: "local" }, env).host).toBeUndefined();
  });

  it('reads cluster nodes as {host, port} or "host:port"', () => {
    const o = resolveCacheOptions({ type: "redis", cluster_nodes: [{ host: "a", port: 7000 }, "b:7001"] }, {});
    expect(o.cluster_nodes).toEqual([
      { host: "a", port: 7000 },
      { host: "b", port: 7001 },
    ]);
    expect(o.host).toBeUndefined();
  });

  it("throws CACHE_INVALID_OPTIONS naming the option, what was found and what is allowed", () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: "memcached" }, /"type": found "memcached", expected "local" or "redis"/],
      [{ type: "redis", port: "abc" }, /"port": found "abc", expected an integer from 1 to 65535/],
      [{ ttl: -1 }, /"ttl"/],
      [{ mode: "always" }, /"mode"/],
      [{ supported_call_types: ["speech"] }, /"supported_call_types"/],
      [{ type: "redis", cluster_nodes: ["no-port"] }, /"cluster_nodes\[0\]"/],
      [{ type: "redis", url: "http://x" }, /"url"/],
      [{ type: "redis", password: 42 }, /"password": found \(hidden\)/],
    ];
    for (const [options, message] of cases) {
      let caught: unknown;
      try {
        new Cache(options as never);
      } catch (err) {
        caught = err;
      }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(CacheError);
      expect((caught as CacheError).code).toBe(CACHE_ERROR_CODES.invalidOptions);
      expect((caught as CacheError).message).toMatch(message);
    }
  });

  it("builds a cache from the config only when cache is true", async () => {
    expect(cacheFromSettings(undefined, { type: "local" })).toBeNull();
    expect(cacheFromSettings(false, undefined)).toBeNull();
    const cache = cacheFromSettings(true, { ttl: 60, namespace: "prod", max_connections: 10 });
    expect(cache).toBeInstanceOf(Cache);
    expect(cache?.options).toMatchObject({ type: "local", ttl: 60, namespace: "prod" });
    await cache?.close();
  });

  it("tells a reload whether the cache can be kept", () => {
    expect(sameCacheOptions(undefined, {})).toBe(true);
    expect(sameCacheOptions({}, { type: "local", max_items: 10_000 })).toBe(true);
    expect(sameCacheOptions({ type: "redis", host: "h", port: 6379 }, { type: "redis", host: "h", port: "6379" })).toBe(true);
    expect(sameCacheOptions({ type: "redis", host: "h", ssl: true }, { type: "redis", host: "h", tls: true })).toBe(true);
    expect(sameCacheOptions(new Cache({ ttl: 5 }).options, { ttl: 5 })).toBe(true);
    expect(sameCacheOptions({ ttl: 5 }, { ttl: 6 })).toBe(false);
    expect(sameCacheOptions({ type: "redis", host: "h" }, { type: "redis", host: "h2" })).toBe(false);
    expect(sameCacheOptions({}, { type: "redis" })).toBe(false);
    expect(sameCacheOptions({ type: "bogus" } as never, { type: "bogus" } as never)).toBe(false);
  });
});
