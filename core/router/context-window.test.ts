import { describe, expect, it } from "vitest";
import { ERROR_CODES, RateLimitError } from "../errors.ts";
import { BUNDLED_PRICES } from "../cost/table.ts";
import { FALLBACK_KIND, fallbackKind } from "./classify.ts";
import { contextWindowOf, estimatePromptTokens } from "./context-window.ts";
import { Router } from "./router.ts";
import type { RouterSettings } from "./types.ts";

// enable_pre_call_checks: the prompt estimate, each deployment's window, and picks that skip the deployments too small.

interface Dep {
  alias: string;
  index: number;
  params: Record<string, unknown>;
  model_info?: Record<string, unknown> | null;
}

const dep = (alias: string, index: number, model: string, model_info?: Record<string, unknown>): Dep => ({ alias, index, params: { model }, model_info: model_info ?? null });
/** A prompt of about `tokens` tokens by the estimate (one message: 3 + 3 of overhead). */
const promptOf = (tokens: number) => [{ role: "user", content: "x".repeat((tokens - 6) * 4) }];

function routerOf(list: Dep[], settings: RouterSettings = { enable_pre_call_checks: true }, random = () => 0) {
  let t = 1_000_000;
  const byAlias = new Map<string, Dep[]>();
  for (const d of list) byAlias.set(d.alias, [...(byAlias.get(d.alias) ?? []), d]);
  return { router: new Router(byAlias, settings, { now: () => t, random, warn: () => {} }), advance: (ms: number) => void (t += ms) };
}

describe("estimatePromptTokens", () => {
  it("counts four characters a token per message, plus 3 a message and 3 for the reply", () => {
    expect(estimatePromptTokens([{ role: "user", content: "abcdefgh" }])).toEqual(3 + 3 + 2);
    expect(estimatePromptTokens([{ role: "system", content: "abc" }, { role: "user", content: "abcde" }])).toEqual(3 + (3 + 1) + (3 + 2));
  });

  it("reads text parts, a message's name and its tool calls; not images", () => {
    const messages = [
      { role: "user", name: "abcd", content: [{ type: "text", text: "abcdefgh" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] },
      { role: "assistant", content: null, tool_calls: [{ id: "1", type: "function", function: { name: "look", arguments: '{"q":"x"}' } }] },
    ];
    expect(estimatePromptTokens(messages)).toEqual(3 + (3 + 3) + (3 + Math.ceil(13 / 4)));
  });

  it("is 0 for what is not a list of messages", () => {
    expect([estimatePromptTokens(undefined), estimatePromptTokens("hi"), estimatePromptTokens([])]).toEqual([0, 0, 0]);
  });
});

describe("contextWindowOf", () => {
  const table = (id: string) => BUNDLED_PRICES.get(id)!.max_input_tokens;

  it("takes model_info.max_input_tokens first, then the bundled table for the model or its base_model", () => {
    expect(table("gpt-4o-mini")).toBeGreaterThan(0);
    const windows = [
      contextWindowOf(dep("a", 0, "openai/gpt-4o-mini", { max_input_tokens: 4096 }), null),
      contextWindowOf(dep("a", 0, "openai/gpt-4o-mini"), null),
      contextWindowOf(dep("a", 0, "gpt-4o"), null),
      contextWindowOf(dep("a", 0, "azure/prod-chat-eu", { base_model: "azure/gpt-4o" }), null),
    ];
    expect(windows).toEqual([4096, table("gpt-4o-mini"), table("gpt-4o"), table("gpt-4o")]);
  });

  it("looks in a user cost map before the bundled table, and is Infinity when nothing is known", () => {
    const costMap = { "openai/house-model": { max_input_tokens: 42 } };
    expect([contextWindowOf(dep("a", 0, "openai/house-model"), costMap), contextWindowOf(dep("a", 0, "openai/house-model"), null), contextWindowOf(dep("a", 0, "mock/x"), null)]).toEqual([42, Infinity, Infinity]);
  });
});

describe("enable_pre_call_checks", () => {
  const small = dep("chat", 0, "openai/small", { max_input_tokens: 100 });
  const large = dep("chat", 1, "openai/large", { max_input_tokens: 1000 });

  it("estimates the prompt only when on, and some deployment has a window", () => {
    const messages = promptOf(500);
    expect(routerOf([small, large]).router.promptTokens({ messages })).toEqual(500);
    expect(routerOf([small, large], {}).router.promptTokens({ messages })).toEqual(0);
    expect(routerOf([dep("chat", 0, "mock/x")]).router.promptTokens({ messages })).toEqual(0);
  });

  it("picks only deployments whose window takes the prompt; any of them when it fits every one", () => {
    const { router } = routerOf([small, large]);
    // random() is 0: without the check the first deployment (small) is picked.
    expect([router.pick("chat", undefined, 500), router.pick("chat", undefined, 1000), router.pick("chat", undefined, 100), router.pick("chat")]).toEqual([large, large, small, small]);
  });

  it("skips a too-small deployment even when the one that fits is cooling down or was tried", () => {
    const { router } = routerOf([small, large], { enable_pre_call_checks: true, allowed_fails: 0 });
    router.failed(large, new RateLimitError("x"));
    expect(router.coolingDown(large)).toEqual(true);
    expect([router.pick("chat", undefined, 500), router.pick("chat", new Set([large]), 500), router.pick("chat", undefined, 50)]).toEqual([large, large, small]);
  });

  it("skips the only deployment of an alias when it is too small, and picks none when nothing fits", () => {
    const { router } = routerOf([small, large, dep("solo", 0, "openai/solo", { max_input_tokens: 10 })]);
    expect([router.pick("solo", undefined, 5), router.pick("solo", undefined, 50), router.pick("chat", undefined, 5000)]).toEqual([expect.objectContaining({ alias: "solo" }), null, null]);
  });

  it("gives a ContextWindowExceededError when no deployment takes the prompt, naming the windows, so context_window_fallbacks apply", () => {
    const { router } = routerOf([small, large]);
    expect(router.contextWindowError("chat", 1000)).toEqual(null);
    const err = router.contextWindowError("chat", 1001)!;
    expect({ name: err.name, code: (err as { code?: string }).code, kind: fallbackKind(err) }).toEqual({
      name: "ContextWindowExceededError",
      code: ERROR_CODES.ContextWindowExceededError,
      kind: FALLBACK_KIND.contextWindow,
    });
    expect(err.message).toContain("about 1001 tokens");
    expect(err.message).toContain("openai/small: 100, openai/large: 1000");
    expect(router.contextWindowError("not-an-alias", 1001)).toEqual(null);
  });

  it("never skips a deployment whose window is unknown", () => {
    const unknown = dep("chat", 2, "mock/anything");
    const { router } = routerOf([small, unknown]);
    expect([router.pick("chat", undefined, 1_000_000), router.contextWindowError("chat", 1_000_000)]).toEqual([unknown, null]);
  });

  it("does nothing when off: every deployment stays a candidate", () => {
    const { router } = routerOf([small, large], {});
    expect([router.pick("chat", undefined, 500), router.contextWindowError("chat", 5000)]).toEqual([small, null]);
  });
});
