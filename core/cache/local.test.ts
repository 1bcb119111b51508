import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Cache } from "./index.ts";
import { LocalStore } from "./local.ts";

const answer = (content: string) => ({ id: "chatcmpl-1", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content } }] });

describe("local cache", () => {
  it("round-trips a value with its stored_at, counts hits and misses", async () => {
    const cache = new Cache();
    const before = Date.now();
    cache.set("k", answer("4"));
    const hit = await cache.get<ReturnType<typeof answer>>("k");
    expect(hit?.value.choices[0]?.message.content).toBe("4");
    expect(hit?.stored_at).toBeGreaterThanOrEqual(before);
    expect(await cache.get("absent")).toBeNull();
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, writes: 1, write_failures: 0, corrupt: 0, outages: 0 });
    expect(await cache.ping()).toBe(true);
  });

  it("hands out copies: mutating a hit does not change the next one", async () => {
    const cache = new Cache();
    cache.set("k", answer("original"));
    const first = await cache.get<ReturnType<typeof answer>>("k");
    first!.value.choices[0]!.message.content = "mutated";
    const second = await cache.get<ReturnType<typeof answer>>("k");
    expect(second?.value.choices[0]?.message.content).toBe("original");
  });

  it("evicts the least recently used entry past max_items", async () => {
    const cache = new Cache({ max_items: 2 });
    cache.set("a", 1);
    cache.set("b", 2);
    expect(await cache.get("a")).not.toBeNull(); // a is now the most recently used
    cache.set("c", 3);
    expect(await cache.get("b")).toBeNull();
    expect((await cache.get("a"))?.value).toBe(1);
    expect((await cache.get("c"))?.value).toBe(3);
  });

  it("evicts by max_bytes (the stored strings' length) and refuses an entry larger than the limit", async () => {
    const cache = new Cache({ max_bytes: 300 });
    const store = cache.store as LocalStore;
    // Each entry is {"v":"<100 chars>","t":<13 digits>}: 126 characters, so two fit in 300 and three do not.
    cache.set("a", "x".repeat(100));
    cache.set("b", "y".repeat(100));
    expect(store.size).toBe(2);
    expect(store.bytes).toBeLessThanOrEqual(300);
    cache.set("c", "z".repeat(100));
    expect(await cache.get("a")).toBeNull();
    expect((await cache.get("c"))?.value).toBe("z".repeat(100));
    expect(store.bytes).toBeLessThanOrEqual(300);

    cache.set("huge", "h".repeat(1000));
    expect(await cache.get("huge")).toBeNull();
    expect(cache.stats().write_failures).toBe(1);
  });

  it("expires entries after the cache's ttl, and a call's ttl overrides it", async () => {
    const cache = new Cache({ ttl: 0.05 });
    cache.set("short", "s");
    cache.set("long", "l", { ttl: 60 });
    expect((await cache.get("short"))?.value).toBe("s");
    await sleep(300);
    expect(await cache.get("short")).toBeNull();
    expect((await cache.get("long"))?.value).toBe("l");
  });

  it("keeps entries without a ttl until they are evicted", async () => {
    const cache = new Cache();
    cache.set("k", "v", { ttl: 0.05 });
    cache.set("forever", "f");
    await sleep(300);
    expect(await cache.get("k")).toBeNull();
    expect((await cache.get("forever"))?.value).toBe("f");
  });

  it("serves an entry only when it is younger than s-maxage", async () => {
    const cache = new Cache();
    cache.set("k", "v");
    await sleep(150);
    expect(await cache.get("k", { "s-maxage": 0.01 })).toBeNull();
    expect((await cache.get("k", { "s-maxage": 60 }))?.value).toBe("v");
    expect((await cache.get("k"))?.value).toBe("v");
  });

  it("treats an entry that does not parse, or is not an entry, as a miss and counts it", async () => {
    const cache = new Cache();
    cache.store.set("garbage", "{not json", undefined);
    cache.store.set("wrong-shape", JSON.stringify({ value: 1 }), undefined);
    cache.store.set("no-time", JSON.stringify({ v: 1 }), undefined);
    await expect(cache.get("garbage")).resolves.toBeNull();
    await expect(cache.get("wrong-shape")).resolves.toBeNull();
    await expect(cache.get("no-time")).resolves.toBeNull();
    expect(cache.stats()).toMatchObject({ corrupt: 3, misses: 3, hits: 0 });
  });

  it("drops a value that cannot be encoded, and counts it, without throwing", async () => {
    const cache = new Cache();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => cache.set("cyclic", cyclic)).not.toThrow();
    expect(() => cache.set("big", { n: 1n })).not.toThrow();
    expect(() => cache.set("undef", undefined)).not.toThrow();
    expect(await cache.get("cyclic")).toBeNull();
    expect(cache.stats().write_failures).toBe(3);
    await cache.flush();
    await cache.close();
  });

  it("caches the call types it supports, all four by default", () => {
    expect(["completion", "acompletion", "embedding", "aembedding"].every((t) => new Cache().supports(t as "completion"))).toBe(true);
    const chatOnly = new Cache({ supported_call_types: ["acompletion"], mode: "default_off" });
    expect(chatOnly.supports("acompletion")).toBe(true);
    expect(chatOnly.supports("aembedding")).toBe(false);
    expect(chatOnly.mode).toBe("default_off");
    expect(new Cache().mode).toBe("default_on");
  });
});
