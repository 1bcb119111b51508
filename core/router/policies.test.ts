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
import { ERROR_CLASS, errorClass } from "./classify.ts";
import { Router } from "./router.ts";
import type { RouterSettings } from "./types.ts";

// retry_policy, model_group_retry_policy, allowed_fails_policy and disable_cooldowns, with an injected clock.

interface Dep {
  alias: string;
  index: number;
  params: Record<string, unknown>;
}

const group = (alias: string, n: number): Dep[] => Array.from({ length: n }, (_, index) => ({ alias, index, params: { model: `mock/${alias}-${index}` } }));

function routerOf(settings: RouterSettings, aliases: Record<string, number> = { g: 2 }) {
  let t = 1_000_000;
  const groups = new Map(Object.entries(aliases).map(([alias, n]) => [alias, group(alias, n)]));
  const router = new Router(groups, settings, { now: () => t, random: () => 0, warn: () => {} });
  return { router, deps: groups.get(Object.keys(aliases)[0]!)!, advance: (ms: number) => void (t += ms) };
}

/** Fails `d` with each error in turn and says, after each, whether it is cooling down. */
const coolingAfter = (r: Router<Dep>, d: Dep, errors: unknown[]): boolean[] => errors.map((e) => (r.failed(d, e), r.coolingDown(d)));
const times = (n: number, make: () => unknown): unknown[] => Array.from({ length: n }, make);

describe("errorClass", () => {
  const C = ERROR_CLASS;
  const cases: Array<[string, unknown, number]> = [
    ["BadRequestError (400)", new BadRequestError("bad"), C.badRequest],
    ["ContextWindowExceededError (a BadRequestError in LiteLLM)", new ContextWindowExceededError("long"), C.badRequest],
    ["ContentPolicyViolationError (400, kept apart)", new ContentPolicyViolationError("refused"), C.contentPolicy],
    ["AuthenticationError (401)", new AuthenticationError("key"), C.authentication],
    ["Timeout", new Timeout("slow"), C.timeout],
    ["408 from a provider", new APIError("timeout", { status: 408 }), C.timeout],
    ["AbortSignal.timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" }), C.timeout],
    ["RateLimitError (429)", new RateLimitError("slow down"), C.rateLimit],
    ["InternalServerError (500)", new InternalServerError("boom"), C.internalServer],
    ["InvalidResponseError (502)", new InvalidResponseError("garbage"), C.internalServer],
    ["ServiceUnavailableError (503)", new ServiceUnavailableError("down"), C.internalServer],
    ["529", new ServiceUnavailableError("overloaded", { status: 529 }), C.internalServer],
    ["APIConnectionError", new APIConnectionError("refused"), C.other],
    ["PermissionDeniedError (403)", new PermissionDeniedError("no"), C.other],
    ["NotFoundError (404)", new NotFoundError("gone"), C.other],
    ["422", new APIError("unprocessable", { status: 422 }), C.other],
    ["a plain Error", new Error("bug"), C.other],
  ];
  it.each(cases)("%s", (_, err, expected) => expect(errorClass(err)).toEqual(expected));
});

describe("retry_policy", () => {
  const policy: RouterSettings["retry_policy"] = {
    BadRequestErrorRetries: 2,
    AuthenticationErrorRetries: 1,
    RateLimitErrorRetries: 0,
    ContentPolicyViolationErrorRetries: 1,
  };

  it("without one: num_retries for what is worth retrying, none for 400, 401 or a content-policy refusal", () => {
    const { router } = routerOf({});
    const errors = [new RateLimitError("x"), new InternalServerError("x"), new Timeout("x"), new BadRequestError("x"), new AuthenticationError("x"), new ContentPolicyViolationError("x")];
    expect(errors.map((e) => router.retriesFor("g", e, 3))).toEqual([3, 3, 3, 0, 0, 0]);
  });

  it("gives each class it names its own count, 400s and 401s included; the classes it leaves out keep num_retries", () => {
    const { router } = routerOf({ retry_policy: policy });
    const errors = [new BadRequestError("x"), new AuthenticationError("x"), new RateLimitError("x"), new ContentPolicyViolationError("x"), new InternalServerError("x"), new Timeout("x"), new NotFoundError("x")];
    expect(errors.map((e) => router.retriesFor("g", e, 3))).toEqual([2, 1, 0, 1, 3, 3, 0]);
  });

  it("never retries a context-window error, even with BadRequestErrorRetries: the same prompt cannot fit", () => {
    const { router } = routerOf({ retry_policy: policy });
    expect(router.retriesFor("g", new ContextWindowExceededError("long"), 3)).toEqual(0);
  });

  it("takes model_group_retry_policy's entry for its alias in place of retry_policy, not merged with it", () => {
    const { router } = routerOf({ retry_policy: policy, model_group_retry_policy: { a: { TimeoutErrorRetries: 4 } } }, { a: 1, b: 1 });
    const at = (alias: string) => [new Timeout("x"), new BadRequestError("x"), new RateLimitError("x")].map((e) => router.retriesFor(alias, e, 3));
    expect({ a: at("a"), b: at("b") }).toEqual({ a: [4, 0, 3], b: [3, 2, 0] });
  });

  it("applies model_group_retry_policy without a retry_policy, and ignores counts that are not whole numbers", () => {
    const { router } = routerOf({ model_group_retry_policy: { a: { RateLimitErrorRetries: 5, TimeoutErrorRetries: -1, InternalServerErrorRetries: 1.5 } } }, { a: 1, b: 1 });
    const errors = [new RateLimitError("x"), new Timeout("x"), new InternalServerError("x")];
    expect({ a: errors.map((e) => router.retriesFor("a", e, 1)), b: errors.map((e) => router.retriesFor("b", e, 1)) }).toEqual({ a: [5, 1, 1], b: [1, 1, 1] });
  });
});

describe("allowed_fails_policy", () => {
  it("cools a deployment down after more failures of a class than the policy allows for it", () => {
    const { router, deps } = routerOf({ allowed_fails: 1, allowed_fails_policy: { RateLimitErrorAllowedFails: 4 } });
    expect(coolingAfter(router, deps[0]!, times(5, () => new RateLimitError("x")))).toEqual([false, false, false, false, true]);
    expect(router.coolingDown(deps[1]!)).toEqual(false);
  });

  it("with 0, cools down on the first failure of that class", () => {
    const { router, deps } = routerOf({ allowed_fails_policy: { TimeoutErrorAllowedFails: 0 } });
    expect(coolingAfter(router, deps[0]!, [new Timeout("x")])).toEqual([true]);
  });

  it("counts each named class apart: many allowed rate limits do not hide a timeout allowed once", () => {
    const { router, deps } = routerOf({ allowed_fails_policy: { RateLimitErrorAllowedFails: 100, TimeoutErrorAllowedFails: 1 } });
    const errors = [...times(3, () => new RateLimitError("x")), new Timeout("x"), new RateLimitError("x"), new Timeout("x")];
    expect(coolingAfter(router, deps[0]!, errors)).toEqual([false, false, false, false, false, true]);
  });

  it("counts the classes it leaves out together, against allowed_fails", () => {
    const { router, deps } = routerOf({ allowed_fails: 2, allowed_fails_policy: { RateLimitErrorAllowedFails: 100 } });
    const errors = [new InternalServerError("x"), new RateLimitError("x"), new ServiceUnavailableError("x"), new Timeout("x")];
    expect(coolingAfter(router, deps[0]!, errors)).toEqual([false, false, false, true]);
  });

  it("counts 400s only when it names them, since a 400 alone says nothing of the deployment", () => {
    const without = routerOf({ allowed_fails: 0 });
    expect(coolingAfter(without.router, without.deps[0]!, times(3, () => new BadRequestError("x")))).toEqual([false, false, false]);
    const named = routerOf({ allowed_fails_policy: { BadRequestErrorAllowedFails: 1, ContentPolicyViolationErrorAllowedFails: 0 } });
    expect(coolingAfter(named.router, named.deps[0]!, times(2, () => new BadRequestError("x")))).toEqual([false, true]);
    expect(coolingAfter(named.router, named.deps[1]!, [new ContentPolicyViolationError("x")])).toEqual([true]);
  });

  it("counts in a minute, and the cool-down ends after cooldown_time", () => {
    const { router, deps, advance } = routerOf({ cooldown_time: 10, allowed_fails_policy: { RateLimitErrorAllowedFails: 1 } });
    const d = deps[0]!;
    router.failed(d, new RateLimitError("x"));
    advance(61_000);
    expect(coolingAfter(router, d, [new RateLimitError("x")])).toEqual([false]);
    expect(coolingAfter(router, d, [new RateLimitError("x")])).toEqual([true]);
    advance(10_000);
    expect(router.coolingDown(d)).toEqual(false);
  });
});

describe("disable_cooldowns", () => {
  it("never cools a deployment down, whatever allowed_fails and the policy say", () => {
    const { router, deps } = routerOf({ disable_cooldowns: true, allowed_fails: 0, allowed_fails_policy: { RateLimitErrorAllowedFails: 0 } });
    expect(coolingAfter(router, deps[0]!, [new RateLimitError("x"), new InternalServerError("x"), new Timeout("x"), new AuthenticationError("x")])).toEqual([false, false, false, false]);
    // random() is 0: the first deployment is picked every time, failures or not.
    expect([router.pick("g"), router.pick("g")]).toEqual([deps[0], deps[0]]);
  });

  it("is off by default: the same failures cool it down", () => {
    const { router, deps } = routerOf({ allowed_fails: 0 });
    expect(coolingAfter(router, deps[0]!, [new RateLimitError("x")])).toEqual([true]);
    expect(router.pick("g")).toEqual(deps[1]);
  });
});
