import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../../test/support/kit.ts";
import { COST_MAP_INVALID, computeCost, findPrice, loadCostMap, type CostMap } from "./index.ts";
import { BUNDLED_PRICES } from "./table.ts";

const usage = (prompt_tokens: number, completion_tokens: number) => ({ prompt_tokens, completion_tokens });

describe("bundled table", () => {
  it("prices every model the runtime promises", () => {
    const promised = [
      "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini",
      "o1", "o3", "o3-mini", "o4-mini", "gpt-4-turbo", "gpt-4", "gpt-3.5-turbo",
      "text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002",
      "claude-opus-4-5", "claude-opus-4-1", "claude-opus-4-20250514", "claude-sonnet-4-5", "claude-sonnet-4-20250514",
      "claude-3-7-sonnet-20250219", "claude-3-5-sonnet-20241022", "claude-haiku-4-5", "claude-3-5-haiku-20241022",
      "claude-3-haiku-20240307", "claude-3-opus-20240229",
    ];
    expect(promised.filter((id) => !BUNDLED_PRICES.has(id))).toEqual([]);
  });

  it("holds only finite, non-negative per-token prices below $1 a token", () => {
    const outside = [...BUNDLED_PRICES].flatMap(([id, p]) =>
      [p.input_cost_per_token, p.output_cost_per_token, p.cache_read_input_token_cost, p.cache_creation_input_token_cost]
        .filter((v) => v !== undefined && !(Number.isFinite(v) && v >= 0 && v < 1e-3))
        .map((v) => `${id}: ${v}`),
    );
    expect(outside).toEqual([]);
  });

  it("prices gpt-4o-mini at $0.15 in / $0.60 out per million tokens", () => {
    const r = computeCost({ model: "gpt-4o-mini", provider: "openai", usage: usage(1000, 500) });
    expect(r.cost).toBeCloseTo(1000 * 0.15e-6 + 500 * 0.6e-6, 12); // 0.00045
    expect(r.debug).toBeNull();
  });

  it("prices claude-sonnet-4-5 at $3 in / $15 out per million tokens", () => {
    const r = computeCost({ model: "claude-sonnet-4-5-20250929", provider: "anthropic", usage: usage(2000, 1000) });
    expect(r.cost).toBeCloseTo(2000 * 3e-6 + 1000 * 15e-6, 12); // 0.021
  });

  it("prices embeddings on input tokens alone", () => {
    const r = computeCost({ model: "text-embedding-3-small", provider: "openai", usage: { prompt_tokens: 1000 } });
    expect(r.cost).toBeCloseTo(1000 * 0.02e-6, 14);
  });

  it("accepts a model that already carries its provider prefix", () => {
    expect(findPrice({ model: "openai/gpt-4o-mini", provider: "openai" })).toBe(BUNDLED_PRICES.get("gpt-4o-mini"));
  });

  it("prices mock models at 0", () => {
    const r = computeCost({ model: "demo", provider: "mock", usage: usage(12, 34) });
    expect(r.cost).toBe(0);
    expect(r.debug).toBeNull();
  });

  it("falls back to OpenAI's price for an azure model with no azure entry", () => {
    const r = computeCost({ model: "gpt-4o-mini", provider: "azure", usage: usage(1000, 500) });
    expect(r.price).toBe(BUNDLED_PRICES.get("gpt-4o-mini"));
    expect(r.cost).toBeCloseTo(0.00045, 12);
  });

  it("prefers an azure entry in the cost map over the OpenAI fallback", () => {
    const costMap: CostMap = { "azure/gpt-4o-mini": { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 } };
    const r = computeCost({ model: "gpt-4o-mini", provider: "azure", usage: usage(10, 10), costMap });
    expect(r.cost).toBeCloseTo(10 * 1e-6 + 10 * 2e-6, 14);
  });

  it("does not lend a table price to another host of the same model name", () => {
    expect(findPrice({ model: "gpt-4o-mini", provider: "groq" })).toBeNull();
    expect(findPrice({ model: "claude-haiku-4-5", provider: "openai" })).toBeNull();
  });
});

describe("lookup order", () => {
  const modelInfo = { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 };
  const callPrices = { input_cost_per_token: 2e-6, output_cost_per_token: 2e-6 };
  const costMap: CostMap = { "gpt-4o-mini": { input_cost_per_token: 3e-6, output_cost_per_token: 3e-6 } };
  const q = { model: "gpt-4o-mini", provider: "openai" };

  it("model_info beats call prices, cost map and table", () => {
    expect(findPrice({ ...q, modelInfo, callPrices, costMap })?.input_cost_per_token).toBe(1e-6);
  });
  it("call prices beat cost map and table", () => {
    expect(findPrice({ ...q, callPrices, costMap })?.input_cost_per_token).toBe(2e-6);
  });
  it("cost map beats the table", () => {
    expect(findPrice({ ...q, costMap })?.input_cost_per_token).toBe(3e-6);
  });
  it("the table answers last", () => {
    expect(findPrice(q)?.input_cost_per_token).toBe(1.5e-7);
  });
  it("model_info without a price does not stop the lookup", () => {
    expect(findPrice({ ...q, modelInfo: { id: "deployment-1" }, callPrices })?.input_cost_per_token).toBe(2e-6);
  });
  it("a provider/model key beats a bare model key", () => {
    const map: CostMap = {
      "gpt-4o-mini": { input_cost_per_token: 3e-6 },
      "openai/gpt-4o-mini": { input_cost_per_token: 4e-6 },
    };
    expect(findPrice({ ...q, costMap: map })?.input_cost_per_token).toBe(4e-6);
  });
  it("prices a model only the cost map knows", () => {
    const map: CostMap = { "acme/widget-1": { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6 } };
    const r = computeCost({ model: "widget-1", provider: "acme", usage: usage(100, 50), costMap: map });
    expect(r.cost).toBeCloseTo(100 * 1e-6 + 50 * 4e-6, 14);
  });
});

describe("cached tokens", () => {
  it("prices OpenAI cached prompt tokens at cache_read_input_token_cost", () => {
    const r = computeCost({
      model: "gpt-4o-mini",
      provider: "openai",
      usage: { prompt_tokens: 1000, completion_tokens: 100, prompt_tokens_details: { cached_tokens: 400 } },
    });
    expect(r.cost).toBeCloseTo(600 * 0.15e-6 + 400 * 0.075e-6 + 100 * 0.6e-6, 12); // 0.00018
  });

  it("prices Anthropic cache reads and cache writes at their own rates", () => {
    const r = computeCost({
      model: "claude-sonnet-4-5",
      provider: "anthropic",
      // prompt_tokens is the whole input: 1000 uncached + 1500 read + 500 written.
      usage: { prompt_tokens: 3000, completion_tokens: 200, cache_read_input_tokens: 1500, cache_creation_input_tokens: 500 },
    });
    expect(r.cost).toBeCloseTo(1000 * 3e-6 + 1500 * 0.3e-6 + 500 * 3.75e-6 + 200 * 15e-6, 12); // 0.008325
  });

  it("falls back to the input price when a cache price is absent", () => {
    const r = computeCost({
      model: "x",
      provider: "acme",
      modelInfo: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
      usage: { prompt_tokens: 100, completion_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 },
    });
    expect(r.cost).toBeCloseTo(100 * 1e-6 + 10 * 2e-6, 14);
  });

  it("never counts uncached tokens below zero", () => {
    const r = computeCost({
      model: "gpt-4o-mini",
      provider: "openai",
      usage: { prompt_tokens: 10, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 50 } },
    });
    expect(r.cost).toBeCloseTo(50 * 0.075e-6, 14);
  });
});

describe("no cost", () => {
  it("an unknown model gives null and says where it looked and how to fix it", () => {
    const r = computeCost({ model: "gpt-unknown", provider: "openai", usage: usage(1, 1) });
    expect(r.cost).toBeNull();
    expect(r.price).toBeNull();
    expect(r.debug).toMatchObject({ model: "gpt-unknown", custom_llm_provider: "openai" });
    const msg = r.debug?.error_str ?? "";
    expect(msg).toContain('"openai/gpt-unknown"');
    for (const part of ["model_info", "cost map", "bundled price table", "input_cost_per_token", "output_cost_per_token", "litellm_settings.model_cost_map"]) {
      expect(msg).toContain(part);
    }
  });

  it("missing usage gives null and says the provider reported none", () => {
    for (const u of [undefined, null, {}]) {
      const r = computeCost({ model: "gpt-4o-mini", provider: "openai", usage: u });
      expect(r.cost).toBeNull();
      expect(r.price).toBe(BUNDLED_PRICES.get("gpt-4o-mini"));
      expect(r.debug?.error_str).toMatch(/reported no usage/);
    }
  });
});

describe("loadCostMap", () => {
  const tmp = useTempDir("litellm-cost-", { per: "suite" });

  async function file(name: string, text: string): Promise<string> {
    const path = join(tmp.path, name);
    await writeFile(path, text);
    return path;
  }

  async function rejection(path: string): Promise<Error & { code?: string; path?: string }> {
    const err: unknown = await loadCostMap(path).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return err as Error & { code?: string };
  }

  it("reads LiteLLM's format and skips sample_spec", async () => {
    const path = await file(
      "prices.json",
      JSON.stringify({
        sample_spec: { input_cost_per_token: 0.0, max_input_tokens: "max input tokens, if the provider specifies it" },
        "acme/widget-1": { input_cost_per_token: 1e-6, output_cost_per_token: 4e-6, litellm_provider: "acme", mode: "chat" },
      }),
    );
    const map = await loadCostMap(path);
    expect(Object.keys(map)).toEqual(["acme/widget-1"]);
    const r = computeCost({ model: "widget-1", provider: "acme", usage: usage(100, 50), costMap: map });
    expect(r.cost).toBeCloseTo(100 * 1e-6 + 50 * 4e-6, 14);
    expect(findPrice({ model: "sample_spec", provider: "acme", costMap: map })).toBeNull();
  });

  it("a missing file throws COST_MAP_INVALID naming the path", async () => {
    const path = join(tmp.path, "nope.json");
    const err = await rejection(path);
    expect(err.code).toBe(COST_MAP_INVALID);
    expect(err.path).toBe(path);
    expect(err.message).toContain(path);
    expect(err.message).toContain("file not found");
  });

  it("invalid JSON throws COST_MAP_INVALID naming the path and where", async () => {
    const path = await file("broken.json", '{\n  "gpt-x": { "input_cost_per_token": 1e-6\n}');
    const err = await rejection(path);
    expect(err.code).toBe(COST_MAP_INVALID);
    expect(err.message).toContain(path);
    expect(err.message).toContain("invalid JSON");
  });

  it("a price that is not a number throws COST_MAP_INVALID naming the key", async () => {
    const path = await file("string-price.json", JSON.stringify({ "gpt-x": { input_cost_per_token: "0.000001" } }));
    const err = await rejection(path);
    expect(err.code).toBe(COST_MAP_INVALID);
    expect(err.message).toContain(path);
    expect(err.message).toContain('"gpt-x".input_cost_per_token');
  });

  it("a file that is not an object of entries throws COST_MAP_INVALID", async () => {
    for (const [name, text] of [["array.json", "[]"], ["entry.json", '{"gpt-x": 5}']] as const) {
      const err = await rejection(await file(name, text));
      expect(err.code).toBe(COST_MAP_INVALID);
      expect(err.message).toContain(join(tmp.path, name));
    }
  });
});

describe("base_model", () => {
  it("prices a deployment by its base model, with or without the base's provider prefix", () => {
    const own = computeCost({ model: "my-gpt4o-deployment", provider: "azure", usage: usage(1000, 500), baseModel: "azure/gpt-4o" });
    expect(own.price).toBe(BUNDLED_PRICES.get("gpt-4o"));
    expect(own.pricedAs).toBe("gpt-4o");
    expect(own.cost).toBeCloseTo(1000 * BUNDLED_PRICES.get("gpt-4o")!.input_cost_per_token! + 500 * BUNDLED_PRICES.get("gpt-4o")!.output_cost_per_token!, 12);
    const bare = computeCost({ model: "ft:gpt-4o-mini:acme::x1", provider: "openai", usage: usage(10, 5), baseModel: "gpt-4o-mini" });
    expect(bare.price).toBe(BUNDLED_PRICES.get("gpt-4o-mini"));
  });

  it("loses to prices written in model_info or given by the call, as in LiteLLM", () => {
    const modelInfo = { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 };
    expect(computeCost({ model: "d", provider: "azure", usage: usage(10, 10), modelInfo, baseModel: "azure/gpt-4o" }).cost).toBeCloseTo(3e-5, 12);
    const callPrices = { input_cost_per_token: 3e-6, output_cost_per_token: 0 };
    expect(computeCost({ model: "d", provider: "azure", usage: usage(10, 10), callPrices, baseModel: "azure/gpt-4o" }).cost).toBeCloseTo(3e-5, 12);
  });

  it("is looked up in a user cost map first, under the base model's keys", () => {
    const costMap: CostMap = { "azure/gpt-4o": { input_cost_per_token: 5e-6, output_cost_per_token: 0 } };
    expect(computeCost({ model: "deployment-1", provider: "azure", usage: usage(2, 0), costMap, baseModel: "azure/gpt-4o" }).cost).toBeCloseTo(1e-5, 12);
  });

  it("falls back to the model's own name when the base has no price, and names base_model in the message when neither has one", () => {
    expect(computeCost({ model: "gpt-4o-mini", provider: "openai", usage: usage(1, 1), baseModel: "no-such-base" }).price).toBe(BUNDLED_PRICES.get("gpt-4o-mini"));
    const none = computeCost({ model: "deployment-1", provider: "azure", usage: usage(1, 1), baseModel: "azure/no-such-model" });
    expect(none.cost).toBeNull();
    expect(none.debug?.error_str).toContain('Its base_model "azure/no-such-model" has no price either');
    const plain = computeCost({ model: "deployment-1", provider: "azure", usage: usage(1, 1) });
    expect(plain.debug?.error_str).toContain("set model_info.base_model to the model this deployment serves");
  });
});
