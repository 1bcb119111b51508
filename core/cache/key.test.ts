import { describe, expect, it } from "vitest";
import { Cache, canonical, cacheKey } from "./index.ts";
import type { KeyParts } from "./types.ts";

const messages = [{ role: "user", content: "What is 2 + 2?" }];
const chat = (params: Record<string, unknown> = {}, extra: Partial<KeyParts> = {}): KeyParts => ({
  kind: "chat",
  model: "gpt-4o-mini",
  messages,
  params,
  ...extra,
});

describe("canonical encoding", () => {
  it("sorts object keys at every depth and keeps array order", () => {
    expect(canonical({ b: 1, a: { d: [3, 1], c: "x" } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(canonical([2, 1])).not.toBe(canonical([1, 2]));
  });

  it("drops undefined in objects, writes null for it in arrays and for non-finite numbers", () => {
    expect(canonical({ a: undefined, b: null, c: [undefined, Number.NaN, Infinity, 1.5] })).toBe('{"b":null,"c":[null,null,null,1.5]}');
  });

  it("never throws: cycles, BigInt and a throwing toJSON are encoded", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(canonical(cyclic)).toBe('{"a":1,"self":"[Circular]"}');
    expect(canonical({ n: 10n })).toBe('{"n":"10n"}');
    expect(canonical({ d: { toJSON: () => { throw new Error("no"); } } })).toBe('{"d":null}');
  });
});

describe("cache key", () => {
  it("is the namespace-less prefix and a SHA-256 hex digest", () => {
    expect(cacheKey(chat())).toMatch(/^litellm:[0-9a-f]{64}$/);
  });

  it("does not change with key order in objects, at any depth", () => {
    const a = cacheKey(chat({ temperature: 0.2, max_tokens: 50, response_format: { type: "json_schema", json_schema: { name: "x", strict: true } } }));
    const b = cacheKey(chat({ response_format: { json_schema: { strict: true, name: "x" }, type: "json_schema" }, max_tokens: 50, temperature: 0.2 }));
    expect(b).toBe(a);
    const reordered = cacheKey(chat({}, { messages: [{ content: "What is 2 + 2?", role: "user" }] }));
    expect(reordered).toBe(cacheKey(chat()));
  });

  it("changes with temperature, max_tokens, tools, seed, n, the model and the messages", () => {
    const base = cacheKey(chat({ temperature: 0.2 }));
    const variants = [
      chat({ temperature: 0.3 }),
      chat({ temperature: 0.2, max_tokens: 10 }),
      chat({ temperature: 0.2, tools: [{ type: "function", function: { name: "f" } }] }),
      chat({ temperature: 0.2, seed: 1 }),
      chat({ temperature: 0.2, n: 2 }),
      chat({ temperature: 0.2 }, { model: "gpt-4o" }),
      chat({ temperature: 0.2 }, { messages: [{ role: "user", content: "What is 2 + 3?" }] }),
    ];
    const keys = variants.map((v) => cacheKey(v));
    expect(new Set([base, ...keys]).size).toBe(variants.length + 1);
  });

  it("ignores metadata, user, stream, timeouts, keys, callbacks and cache controls", () => {
    const base = cacheKey(chat({ temperature: 0 }));
    const noisy = cacheKey(
      chat({
        temperature: 0,
        metadata: { request_id: "r-1", user_id: "u" },
        user: "alice",
        stream: true,
        stream_options: { include_usage: true },
        caching: true,
        cache: { ttl: 5, "s-maxage": 10 },
        timeout: 3,
        num_retries: 2,
        api_key: "sk-secret",
        mock_delay: 5,
        callbacks: ["console"],
        success_callback: [() => undefined],
        undefined_param: undefined,
      }),
    );
    expect(noisy).toBe(base);
  });

  it("keeps namespaces apart, and a call's namespace replaces the cache's", () => {
    const parts = chat();
    expect(cacheKey(parts, "team-a")).toMatch(/^team-a:litellm:[0-9a-f]{64}$/);
    expect(cacheKey(parts, "team-a")).not.toBe(cacheKey(parts, "team-b"));
    expect(cacheKey(parts, "team-a")).not.toBe(cacheKey(parts));
    const cache = new Cache({ namespace: "app" });
    expect(cache.key(parts)).toBe(cacheKey(parts, "app"));
    expect(cache.key(parts, "call-ns")).toBe(cacheKey(parts, "call-ns"));
  });

  it("never lets a chat call and an embedding share a key", () => {
    const text = "hello world";
    const asChat = cacheKey({ kind: "chat", model: "m", messages: text, params: {} });
    const asEmbedding = cacheKey({ kind: "embedding", model: "m", input: text, params: {} });
    const sameFieldOtherKind = cacheKey({ kind: "embedding", model: "m", messages: text, params: {} });
    expect(new Set([asChat, asEmbedding, sameFieldOtherKind]).size).toBe(3);
  });

  it("gives each embedding input its own key", () => {
    const one = cacheKey({ kind: "embedding", model: "text-embedding-3-small", input: "a", params: { dimensions: 256 } });
    const two = cacheKey({ kind: "embedding", model: "text-embedding-3-small", input: "b", params: { dimensions: 256 } });
    const dims = cacheKey({ kind: "embedding", model: "text-embedding-3-small", input: "a", params: { dimensions: 512 } });
    expect(new Set([one, two, dims]).size).toBe(3);
  });
});
