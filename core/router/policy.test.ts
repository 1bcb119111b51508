import { describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InternalServerError,
  InvalidResponseError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
} from "../errors.ts";
import { isUnwell } from "./classify.ts";
import { Router } from "./router.ts";
import type { RouterSettings } from "./types.ts";

interface Dep {
  alias: string;
  index: number;
  params: Record<string, unknown>;
}

const group = (alias: string, n: number): Dep[] => Array.from({ length: n }, (_, index) => ({ alias, index, params: { model: `mock/${alias}` } }));
const routerOf = (settings: RouterSettings = {}, random = () => 0, aliases: Record<string, number> = { a: 1, b: 1, c: 1 }) =>
  new Router(new Map(Object.entries(aliases).map(([alias, n]) => [alias, group(alias, n)])), settings, { random, warn: () => {} });

const withCode = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(code), { code, ...extra });

describe("retryable", () => {
  const cases: Array<[string, unknown, boolean]> = [
    ["APIConnectionError", new APIConnectionError("refused"), true],
    ["Timeout (408)", new Timeout("slow"), true],
    ["409", new APIError("conflict", { status: 409 }), true],
    ["RateLimitError (429)", new RateLimitError("slow down"), true],
    ["InternalServerError (500)", new InternalServerError("boom"), true],
    ["ServiceUnavailableError (503)", new ServiceUnavailableError("down"), true],
    ["529 overloaded", new ServiceUnavailableError("overloaded", { status: 529 }), true],
    ["InvalidResponseError (502)", new InvalidResponseError("garbage"), true],
    ["undici fetch failed, ECONNREFUSED in cause", new TypeError("fetch failed", { cause: withCode("ECONNREFUSED") }), true],
    ["ECONNRESET", withCode("ECONNRESET"), true],
    ["AbortSignal.timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" }), true],
    ["BadRequestError (400)", new BadRequestError("bad"), false],
    ["AuthenticationError (401)", new AuthenticationError("key"), false],
    ["PermissionDeniedError (403)", new PermissionDeniedError("no"), false],
    ["NotFoundError (404)", new NotFoundError("no such model"), false],
    ["422", new APIError("unprocessable", { status: 422 }), false],
    ["ContextWindowExceededError", new ContextWindowExceededError("too long"), false],
    ["ContentPolicyViolationError", new ContentPolicyViolationError("refused"), false],
    ["a caller's abort", Object.assign(new Error("aborted"), { name: "AbortError" }), false],
    ["a plain Error", new Error("a bug"), false],
    ["not an error", "boom", false],
  ];
  const r = routerOf();
  it.each(cases)("%s -> %s", (_, err, expected) => expect(r.retryable(err)).toBe(expected));

  it("counts toward a cool-down what says the deployment is unwell, including 401 and 404 (LiteLLM's), not other 4xx", () => {
    expect([new AuthenticationError("key"), new NotFoundError("gone"), new RateLimitError("x"), new Timeout("x"), withCode("ECONNRESET")].map(isUnwell)).toEqual([true, true, true, true, true]);
    expect([new BadRequestError("x"), new PermissionDeniedError("x"), new ContentPolicyViolationError("x"), new Error("x")].map(isUnwell)).toEqual([false, false, false, false]);
  });
});

describe("backoffMs", () => {
  it("doubles from 0.5 s per retry, capped at 8 s, when the provider says nothing", () => {
    const r = routerOf();
    const err = new InternalServerError("boom");
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => r.backoffMs(n, err))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("adds up to 0.75 s of jitter", () => {
    const r = routerOf({}, () => 0.999);
    const ms = r.backoffMs(1, new InternalServerError("boom"));
    expect(ms).toBeGreaterThan(1240);
    expect(ms).toBeLessThan(1250);
  });

  it("honours the provider's Retry-After up to 60 s, and backs off as usual past it", () => {
    const r = routerOf();
    expect(r.backoffMs(1, new RateLimitError("slow down", { retry_after: 3 }))).toBe(3000);
    expect(r.backoffMs(4, new RateLimitError("slow down", { retry_after: 0.25 }))).toBe(250);
    expect(r.backoffMs(2, new RateLimitError("slow down", { retry_after: 3600 }))).toBe(1000);
  });

  it("never waits less than router_settings.retry_after; a longer Retry-After wins", () => {
    const r = routerOf({ retry_after: 2 });
    expect(r.backoffMs(1, new InternalServerError("boom"))).toBe(2000);
    expect(r.backoffMs(5, new InternalServerError("boom"))).toBe(8000);
    expect(r.backoffMs(1, new RateLimitError("x", { retry_after: 1 }))).toBe(2000);
    expect(r.backoffMs(1, new RateLimitError("x", { retry_after: 5 }))).toBe(5000);
    expect(routerOf({ retry_after: 12 }).backoffMs(6, new Timeout("slow"))).toBe(12000);
  });

  it("retries at once when a well deployment of the alias is left to try (LiteLLM: more than one healthy)", () => {
    const [g, solo] = [group("g", 2), group("solo", 1)];
    const now = () => 1_000_000;
    const r = new Router(new Map([["g", g], ["solo", solo]]), { allowed_fails: 0 }, { now, random: () => 0, warn: () => {} });
    const err = new RateLimitError("slow down", { retry_after: 3 });
    expect(r.backoffMs(1, err, "g")).toBe(0);
    expect(r.backoffMs(1, err, "g", new Set([g[0]!]))).toBe(0);
    expect(r.backoffMs(1, err, "g", new Set(g))).toBe(3000);
    expect(r.backoffMs(1, err, "solo")).toBe(3000);
    r.failed(g[1]!, err);
    expect(r.backoffMs(1, err, "g", new Set([g[0]!]))).toBe(3000);
  });
});

describe("fallbacksFor", () => {
  const settings: RouterSettings = {
    fallbacks: [{ a: ["b", "c"] }, { "*": ["c", "a"] }],
    context_window_fallbacks: [{ a: ["big"] }],
    content_policy_fallbacks: [{ "*": ["claude"] }],
  };
  const r = routerOf(settings);

  it("uses context_window_fallbacks for a context-window error and content_policy_fallbacks for a content-policy one", () => {
    expect(r.fallbacksFor("a", new ContextWindowExceededError("too long"))).toEqual(["big"]);
    expect(r.fallbacksFor("a", new ContentPolicyViolationError("refused"))).toEqual(["claude"]);
    expect(r.fallbacksFor("a", new RateLimitError("slow down"))).toEqual(["b", "c"]);
  });

  it("takes a `*` entry for aliases without their own, never falling back to the alias itself", () => {
    expect(r.fallbacksFor("b", new InternalServerError("boom"))).toEqual(["c", "a"]);
    expect(r.fallbacksFor("c", new InternalServerError("boom"))).toEqual(["a"]);
    expect(r.fallbacksFor("not-in-config", new Timeout("slow"))).toEqual(["c", "a"]);
  });

  it("gives none for a context-window error of an alias its configured list leaves out", () => {
    expect(r.fallbacksFor("b", new ContextWindowExceededError("too long"))).toEqual([]);
  });

  it("falls back to `fallbacks` for a context-window error when no context_window_fallbacks are configured, and gives none without any list", () => {
    const generic = routerOf({ fallbacks: [{ a: ["b"] }] });
    expect(generic.fallbacksFor("a", new ContextWindowExceededError("too long"))).toEqual(["b"]);
    expect(generic.fallbacksFor("b", new ContextWindowExceededError("too long"))).toEqual([]);
    expect(routerOf().fallbacksFor("a", new InternalServerError("boom"))).toEqual([]);
  });

  it("takes the first map naming an alias, and several aliases in one map", () => {
    const multi = routerOf({ fallbacks: [{ a: ["b"], b: ["c"] }, { a: ["c"] }] });
    expect(multi.fallbacksFor("a", new Timeout("x"))).toEqual(["b"]);
    expect(multi.fallbacksFor("b", new Timeout("x"))).toEqual(["c"]);
  });
});

describe("settings", () => {
  it("retries only when told to (LiteLLM would retry twice), and has no timeout of its own", () => {
    const r = routerOf();
    expect(r.numRetries).toBe(0);
    expect(r.timeoutS).toBeUndefined();
    expect(r.maxFallbacks).toBe(5);
    const set = routerOf({ num_retries: 3, timeout: 12.5 });
    expect(set.numRetries).toBe(3);
    expect(set.timeoutS).toBe(12.5);
  });
});
