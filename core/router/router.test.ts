import { describe, expect, it } from "vitest";
import { APIConnectionError, BadRequestError, ContextWindowExceededError, InternalServerError, InvalidParamsError, RateLimitError, Timeout } from "../errors.ts";
import { Router } from "./router.ts";
import type { RouterOptions, RouterSettings } from "./types.ts";

interface Dep {
  alias: string;
  index: number;
  params: Record<string, unknown>;
}

const deps = (alias: string, params: Record<string, unknown>[]): Dep[] => params.map((p, index) => ({ alias, index, params: { model: `mock/${alias}-${index}`, ...p } }));
const routerOf = (list: Dep[], settings: RouterSettings = {}, options: RouterOptions = {}) =>
  new Router(new Map([[list[0]!.alias, list]]), settings, { warn: () => {}, ...options });

/** random() walking evenly through [0, 1) in `n` steps: `n` picks land exactly in proportion to the weights. */
function evenly(n: number): () => number {
  let i = 0;
  return () => ((i++ % n) + 0.5) / n;
}

/** A clock the test moves. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function tally(router: Router<Dep>, alias: string, n: number): number[] {
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = router.pick(alias)!;
    counts[d.index] = (counts[d.index] ?? 0) + 1;
  }
  return counts;
}

describe("simple-shuffle", () => {
  it("spreads picks by weight: exactly, given an even random", () => {
    const r = routerOf(deps("g", [{ weight: 1 }, { weight: 2 }, { weight: 3 }]), {}, { random: evenly(3000) });
    expect(tally(r, "g", 3000)).toEqual([500, 1000, 1500]);
  });

  it("spreads 30,000 picks within 10% of the weights with Math.random (7.7 sigma for the smallest share: it does not flake)", () => {
    // Weight 1 of 6: expected 5,000, sd sqrt(30000 * 1/6 * 5/6) = 64.5, so 10% (500) is 7.7 sd.
    const r = routerOf(deps("g", [{ weight: 1 }, { weight: 2 }, { weight: 3 }]));
    const counts = tally(r, "g", 30_000);
    [5_000, 10_000, 15_000].forEach((expected, i) => expect(Math.abs(counts[i]! - expected)).toBeLessThan(expected * 0.1));
  });

  it("uses rpm as the weight when no deployment has one, then tpm; weight wins over rpm", () => {
    expect(tally(routerOf(deps("g", [{ rpm: 100 }, { rpm: 300 }]), {}, { random: evenly(400) }), "g", 400)).toEqual([100, 300]);
    expect(tally(routerOf(deps("g", [{ tpm: 3000 }, { tpm: 1000 }]), {}, { random: evenly(400) }), "g", 400)).toEqual([300, 100]);
    expect(tally(routerOf(deps("g", [{ weight: 3, rpm: 1 }, { rpm: 1000 }]), {}, { random: evenly(400) }), "g", 400)).toEqual([300, 100]);
  });

  it("gives a deployment without `weight` the default 1, one without `rpm` no share, and all-zero weights an even split", () => {
    expect(tally(routerOf(deps("g", [{ weight: 3 }, {}]), {}, { random: evenly(400) }), "g", 400)).toEqual([300, 100]);
    expect(tally(routerOf(deps("g", [{ rpm: 10 }, {}]), {}, { random: evenly(400) }), "g", 400)).toEqual([400]);
    expect(tally(routerOf(deps("g", [{ weight: 0 }, { weight: 0 }]), {}, { random: evenly(400) }), "g", 400)).toEqual([200, 200]);
  });

  it("returns null for an unknown alias and the only deployment of a one-deployment alias", () => {
    const list = deps("solo", [{}]);
    const r = routerOf(list);
    expect(r.pick("nope")).toBeNull();
    expect(r.pick("solo", new Set(list))).toBe(list[0]);
  });

  it("warns once for a strategy it does not implement, and shuffles", () => {
    const warnings: string[] = [];
    const r = routerOf(deps("g", [{ weight: 1 }, { weight: 1 }]), { routing_strategy: "round-robin" }, { warn: (m) => warnings.push(m), random: evenly(2) });
    expect(r.strategy).toBe("simple-shuffle");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"round-robin" is not implemented');
    expect(tally(r, "g", 2)).toEqual([1, 1]);
  });
});

describe("least-busy", () => {
  it("picks the deployment with the fewest attempts in flight", () => {
    const list = deps("g", [{}, {}, {}]);
    const r = routerOf(list, { routing_strategy: "least-busy" });
    r.started(list[0]!);
    r.started(list[1]!);
    r.started(list[1]!);
    expect(r.pick("g")).toBe(list[2]);
    r.started(list[2]!);
    r.started(list[2]!);
    expect(r.pick("g")).toBe(list[0]);
    r.succeeded(list[1]!, 10);
    r.failed(list[1]!, new BadRequestError("bad"));
    expect(r.pick("g")).toBe(list[1]);
  });

  it("breaks ties at random, so sequential calls still spread", () => {
    const r = routerOf(deps("g", [{}, {}, {}]), { routing_strategy: "least-busy" });
    expect(new Set(Array.from({ length: 200 }, () => r.pick("g")!.index)).size).toBe(3);
  });
});

describe("latency-based-routing", () => {
  it("tries every deployment first, then picks the fastest, and follows it when it slows down", () => {
    const list = deps("g", [{}, {}, {}]);
    const r = routerOf(list, { routing_strategy: "latency-based-routing" });
    const seen = new Set<Dep>();
    const latency = [300, 100, 200];
    for (let i = 0; i < 3; i++) {
      const d = r.pick("g")!;
      seen.add(d);
      r.started(d);
      r.succeeded(d, latency[d.index]!);
    }
    expect(seen.size).toBe(3);
    expect(r.pick("g")).toBe(list[1]);
    for (let i = 0; i < 10; i++) r.succeeded(list[1]!, 400);
    expect(r.pick("g")).toBe(list[2]);
  });

  it("puts a deployment that timed out behind the others, and measures it again once its samples are an hour old", () => {
    const t = clock();
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, { routing_strategy: "latency-based-routing", cooldown_time: 0 }, { now: t.now });
    r.succeeded(list[0]!, 50);
    r.succeeded(list[1]!, 500);
    r.failed(list[0]!, new Timeout("slow"));
    expect(r.pick("g")).toBe(list[1]);
    t.advance(59 * 60_000);
    r.succeeded(list[1]!, 500);
    t.advance(2 * 60_000);
    expect(r.pick("g")).toBe(list[0]);
  });
});

describe("cool-down", () => {
  it("cools a deployment down after more than allowed_fails failures in a minute, and brings it back after cooldown_time", () => {
    const t = clock();
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, { allowed_fails: 2, cooldown_time: 30 }, { now: t.now, random: evenly(100) });
    r.failed(list[0]!, new InternalServerError("boom"));
    r.failed(list[0]!, new RateLimitError("slow down"));
    expect(r.coolingDown(list[0]!)).toBe(false);
    r.failed(list[0]!, new APIConnectionError("refused"));
    expect(r.coolingDown(list[0]!)).toBe(true);
    expect(tally(r, "g", 100)).toEqual([undefined, 100]);
    t.advance(30_000);
    expect(r.coolingDown(list[0]!)).toBe(false);
    expect(tally(r, "g", 100)).toEqual([50, 50]);
  });

  it("counts within a minute: failures spread wider never add up to a cool-down", () => {
    const t = clock();
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, { allowed_fails: 1 }, { now: t.now });
    for (let i = 0; i < 5; i++) {
      r.failed(list[0]!, new Timeout("slow"));
      t.advance(61_000);
    }
    expect(r.coolingDown(list[0]!)).toBe(false);
  });

  it("defaults to LiteLLM's: the 4th failure cools for 5 s", () => {
    const t = clock();
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, {}, { now: t.now });
    for (let i = 0; i < 3; i++) r.failed(list[0]!, new InternalServerError("boom"));
    expect(r.coolingDown(list[0]!)).toBe(false);
    r.failed(list[0]!, new InternalServerError("boom"));
    expect(r.coolingDown(list[0]!)).toBe(true);
    t.advance(4_999);
    expect(r.coolingDown(list[0]!)).toBe(true);
    t.advance(1);
    expect(r.coolingDown(list[0]!)).toBe(false);
  });

  it("cools for the provider's Retry-After when it gives one", () => {
    const t = clock();
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, { allowed_fails: 0, cooldown_time: 5 }, { now: t.now });
    r.failed(list[0]!, new RateLimitError("slow down", { retry_after: 20 }));
    t.advance(19_000);
    expect(r.coolingDown(list[0]!)).toBe(true);
    t.advance(1_000);
    expect(r.coolingDown(list[0]!)).toBe(false);
  });

  it("does not count errors that are the request's fault (400s), nor anything when cooldown_time is 0", () => {
    const list = deps("g", [{}, {}]);
    const r = routerOf(list, { allowed_fails: 0 });
    r.failed(list[0]!, new BadRequestError("bad"));
    r.failed(list[0]!, new ContextWindowExceededError("too long"));
    r.failed(list[0]!, new InvalidParamsError("no messages"));
    r.failed(list[0]!, new Error("a bug of our own"));
    expect(r.coolingDown(list[0]!)).toBe(false);
    const off = routerOf(list, { allowed_fails: 0, cooldown_time: 0 });
    off.failed(list[0]!, new InternalServerError("boom"));
    expect(off.coolingDown(list[0]!)).toBe(false);
  });

  it("when every deployment is cooling, picks the one whose cool-down ends first", () => {
    const t = clock();
    const list = deps("g", [{}, {}, {}]);
    const r = routerOf(list, { allowed_fails: 0, cooldown_time: 10 }, { now: t.now });
    r.failed(list[1]!, new InternalServerError("boom"));
    t.advance(1_000);
    r.failed(list[0]!, new InternalServerError("boom"));
    r.failed(list[2]!, new InternalServerError("boom"));
    expect(r.pick("g")).toBe(list[1]);
    expect(r.pick("g", new Set([list[1]!]))).toBe(list[1]);
  });
});

describe("exclude", () => {
  it("prefers deployments this call has not tried, then a well one it has, before a cooling one", () => {
    const t = clock();
    const list = deps("g", [{ weight: 100 }, { weight: 1 }, { weight: 1 }]);
    const r = routerOf(list, { allowed_fails: 0 }, { now: t.now, random: evenly(50) });
    for (let i = 0; i < 50; i++) expect(r.pick("g", new Set([list[0]!]))).not.toBe(list[0]);
    expect(r.pick("g", new Set(list.slice(0, 2)))).toBe(list[2]);
    expect(list).toContain(r.pick("g", new Set(list)));
    r.failed(list[2]!, new Timeout("slow"));
    expect(r.pick("g", new Set(list.slice(0, 2)))).not.toBe(list[2]);
  });

  it("works the same under least-busy and latency-based-routing", () => {
    for (const routing_strategy of ["least-busy", "latency-based-routing"]) {
      const list = deps("g", [{}, {}, {}]);
      const r = routerOf(list, { routing_strategy });
      expect(r.pick("g", new Set([list[0]!, list[2]!]))).toBe(list[1]);
    }
  });
});
