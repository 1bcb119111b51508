/**
 * The bundled price table: OpenAI, Anthropic and Gemini list prices (see table-openai.ts,
 * table-anthropic.ts and table-gemini.ts for sources), plus the free `mock` provider.
 *
 * Built once into a Map keyed by model id, so a lookup is one hash probe.
 */
import type { PriceEntry } from "./index.ts";
import { ANTHROPIC_PRICES } from "./table-anthropic.ts";
import { GEMINI_PRICES } from "./table-gemini.ts";
import { OPENAI_PRICES } from "./table-openai.ts";

/** One price and every model id billed at it (aliases and dated snapshots). */
export interface PriceGroup {
  ids: readonly string[];
  price: PriceEntry;
}

/** Every `mock/<name>` model: the offline demo must report a cost of 0, not "unknown". */
export const MOCK_PRICE: PriceEntry = Object.freeze({
  input_cost_per_token: 0,
  output_cost_per_token: 0,
  litellm_provider: "mock",
  mode: "chat",
});

function buildTable(groups: readonly PriceGroup[]): ReadonlyMap<string, PriceEntry> {
  const table = new Map<string, PriceEntry>();
  for (const { ids, price } of groups) {
    const frozen = Object.freeze({ ...price });
    for (const id of ids) {
      // Two entries for one id would make the price depend on list order.
      if (table.has(id)) throw new Error(`core/cost: model id "${id}" is priced twice in the bundled table`);
      table.set(id, frozen);
    }
  }
  return table;
}

/** Bundled prices by bare model id (`gpt-4o-mini`, `claude-sonnet-4-5`). */
export const BUNDLED_PRICES: ReadonlyMap<string, PriceEntry> = buildTable([...OPENAI_PRICES, ...ANTHROPIC_PRICES, ...GEMINI_PRICES]);

/**
 * The bundled price of `model` (without provider prefix) at `provider`, or null.
 * A table entry counts only for its own provider: the same model name on another
 * host (groq, openrouter, ...) bills at that host's price, which we do not know.
 */
export function bundledPrice(provider: string, model: string): PriceEntry | null {
  if (provider === "mock") return MOCK_PRICE;
  const entry = BUNDLED_PRICES.get(model);
  if (entry === undefined) return null;
  if (entry.litellm_provider === provider) return entry;
  // Azure OpenAI sells OpenAI's models under the same names at OpenAI's list price (global
  // deployments), so with no azure entry we use OpenAI's; regional deployments cost more:
  // price those with an `azure/<model>` entry in the cost map or in model_info.
  if (provider === "azure" && entry.litellm_provider === "openai") return entry;
  return null;
}
