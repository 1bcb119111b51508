/**
 * Price lookup and the cost of one call.
 *
 * Prices come, first match wins, from: the model's `model_info` in the config, the
 * call's own `input_cost_per_token`/`output_cost_per_token`, a user cost map in
 * LiteLLM's model_prices_and_context_window.json format, the bundled table.
 */
import { readFile } from "node:fs/promises";
import { bundledPrice } from "./table.ts";

/** One model's prices, in LiteLLM's model_prices_and_context_window.json field names (USD per token). */
export interface PriceEntry {
  input_cost_per_token?: number;
  output_cost_per_token?: number;
  /** Prompt tokens read from the provider's cache; falls back to `input_cost_per_token`. */
  cache_read_input_token_cost?: number;
  /** Prompt tokens written to Anthropic's cache; falls back to `input_cost_per_token`. */
  cache_creation_input_token_cost?: number;
  litellm_provider?: string;
  mode?: string;
  max_input_tokens?: number;
  max_output_tokens?: number;
  [k: string]: unknown;
}

/** A cost map: model key (`gpt-4o`, `azure/my-gpt-4o`) to its prices. */
export type CostMap = Readonly<Record<string, PriceEntry>>;

export interface CostQuery {
  /** The provider's model name, without the provider prefix, e.g. "gpt-4o-mini" (a prefixed name is accepted too). */
  model: string;
  /** "openai" | "anthropic" | "mock" | "azure" | ... */
  provider: string;
  /** OpenAI-shaped usage; `Usage` from core/types.ts fits. */
  usage:
    | {
        prompt_tokens?: number;
        completion_tokens?: number;
        prompt_tokens_details?: { cached_tokens?: number } | null;
        cache_creation_input_tokens?: number;
        cache_read_input_tokens?: number;
      }
    | null
    | undefined;
  /** A config entry's model_info (may hold the price fields). */
  modelInfo?: Record<string, unknown> | null;
  /** The call's own prices. */
  callPrices?: { input_cost_per_token?: number; output_cost_per_token?: number } | null;
  /** A user's cost map (LiteLLM json format). */
  costMap?: CostMap | null;
  /**
   * The model to price the call as (LiteLLM's `base_model`, from `model_info` or `litellm_params`): an Azure
   * deployment's name is its own, its price is the model behind it. `azure/gpt-4o` or `gpt-4o`.
   */
  baseModel?: string | null;
}

export interface CostResult {
  /** USD, or null when the price or the usage is unknown. */
  cost: number | null;
  /** Why `cost` is null (LiteLLM's `response_cost_failure_debug_information`); null on success. */
  debug: { error_str: string; model: string; custom_llm_provider: string } | null;
  /** The prices used, or null when none was found. */
  price: PriceEntry | null;
  /** The model name the prices were looked up under: the base model when it priced the call (LiteLLM's `model_map_key`). */
  pricedAs: string;
  /** What each kind of token cost (LiteLLM's `cost_breakdown` parts); null when `cost` is. */
  breakdown: CostBreakdownParts | null;
}

/** The parts of a cost, in USD: the prompt (cached reads and writes included) and the completion. */
export interface CostBreakdownParts {
  input_cost: number;
  output_cost: number;
  /** Of `input_cost`, what the prompt tokens read from the provider's cache cost. */
  cache_read_cost: number;
  /** Of `input_cost`, what the prompt tokens written to the provider's cache cost. */
  cache_creation_cost: number;
}

/** The `code` of every error `loadCostMap` throws. */
export const COST_MAP_INVALID = "COST_MAP_INVALID";

/** What `loadCostMap` throws: the message names the file and the problem. */
export type CostMapError = Error & { code: typeof COST_MAP_INVALID; path: string };

/** LiteLLM's json documents its fields under this key; it is not a model. */
const SAMPLE_SPEC = "sample_spec";
const PRICE_FIELDS = [
  "input_cost_per_token",
  "output_cost_per_token",
  "cache_read_input_token_cost",
  "cache_creation_input_token_cost",
] as const;

const isPrice = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const tokens = (v: unknown): number => (typeof v === "number" && v > 0 ? v : 0);

/** `openai/gpt-4o` with provider `openai` is `gpt-4o`; anything else is kept as given. */
function bareModel(model: string, provider: string): string {
  const n = provider.length;
  return n > 0 && model.length > n && model.charCodeAt(n) === 47 /* "/" */ && model.startsWith(provider)
    ? model.slice(n + 1)
    : model;
}

function mapEntry(map: CostMap, key: string): PriceEntry | null {
  if (key === SAMPLE_SPEC || !Object.hasOwn(map, key)) return null;
  const entry = map[key];
  return typeof entry === "object" && entry !== null ? entry : null;
}

function mapPrice(map: CostMap, provider: string, model: string): PriceEntry | null {
  return (
    mapEntry(map, `${provider}/${model}`) ??
    mapEntry(map, model) ??
    // Same fallback as the bundled table: an azure model without its own entry bills as OpenAI's.
    (provider === "azure" ? mapEntry(map, `openai/${model}`) : null)
  );
}

type PriceQuery = Pick<CostQuery, "model" | "provider" | "modelInfo" | "callPrices" | "costMap" | "baseModel">;

/** The prices for one model, first match wins: model_info, call prices, then the base model's and the model's own in the cost map and the bundled table. */
export function findPrice(q: PriceQuery): PriceEntry | null {
  return lookup(q).price;
}

function lookup(q: PriceQuery): { price: PriceEntry | null; pricedAs: string } {
  const info = q.modelInfo;
  if (info != null && (isPrice(info.input_cost_per_token) || isPrice(info.output_cost_per_token))) {
    return { price: info as PriceEntry, pricedAs: q.model };
  }
  const call = q.callPrices;
  if (call != null && (isPrice(call.input_cost_per_token) || isPrice(call.output_cost_per_token))) return { price: call, pricedAs: q.model };
  // As LiteLLM: a base model, when one is given, is what the call is priced as.
  if (typeof q.baseModel === "string" && q.baseModel !== "") {
    const base = baseOf(q.baseModel, q.provider);
    const price = tablePrice(q.costMap, base.provider, base.model);
    if (price !== null) return { price, pricedAs: base.model };
  }
  const model = bareModel(q.model, q.provider);
  return { price: tablePrice(q.costMap, q.provider, model), pricedAs: model };
}

function tablePrice(costMap: CostMap | null | undefined, provider: string, model: string): PriceEntry | null {
  return (costMap != null ? mapPrice(costMap, provider, model) : null) ?? bundledPrice(provider, model);
}

/** `azure/gpt-4o` names its provider; a bare `gpt-4o` is the deployment's provider's. */
function baseOf(base: string, provider: string): { provider: string; model: string } {
  const slash = base.indexOf("/");
  if (slash <= 0) return { provider, model: base };
  return { provider: base.slice(0, slash), model: base.slice(slash + 1) };
}

function notFound(q: CostQuery, model: string): string {
  const keys = [`"${q.provider}/${model}"`, `"${model}"`];
  if (q.provider === "azure") keys.push(`"openai/${model}"`);
  const map = q.costMap != null ? `the cost map (keys ${keys.join(", ")})` : "the cost map (none loaded)";
  return (
    `No price found for "${q.provider}/${model}". Looked in: the model's model_info, the call's ` +
    `input_cost_per_token/output_cost_per_token, ${map}, and the bundled price table (OpenAI, Azure OpenAI, Anthropic and Gemini models only). ` +
    (q.baseModel ? `Its base_model "${q.baseModel}" has no price either. ` : "") +
    `To fix it, set model_info.base_model to the model this deployment serves (an Azure deployment: base_model: azure/gpt-4o), ` +
    `add input_cost_per_token and output_cost_per_token (USD per token) to this model's ` +
    `model_info in the config, or set litellm_settings.model_cost_map to a JSON file in LiteLLM's ` +
    `model_prices_and_context_window.json format with a "${q.provider}/${model}" entry.`
  );
}

/**
 * The cost of one call in USD. Prompt tokens count once each: the uncached part at
 * the input price, cache reads and cache writes at their own prices (or the input price).
 */
export function computeCost(q: CostQuery): CostResult {
  const { price, pricedAs } = lookup(q);
  if (price === null) {
    const model = bareModel(q.model, q.provider);
    return { cost: null, debug: { error_str: notFound(q, model), model: q.model, custom_llm_provider: q.provider }, price, pricedAs, breakdown: null };
  }
  const u = q.usage;
  if (u == null || (u.prompt_tokens == null && u.completion_tokens == null)) {
    const model = bareModel(q.model, q.provider);
    const error_str =
      `No cost for "${q.provider}/${model}": the provider reported no usage (token counts), so there is ` +
      `nothing to price. For a stream, ask for it with stream_options: { include_usage: true }.`;
    return { cost: null, debug: { error_str, model: q.model, custom_llm_provider: q.provider }, price, pricedAs, breakdown: null };
  }

  // OpenAI counts cached tokens inside prompt_tokens; the Anthropic adapter reports prompt_tokens
  // as the whole input (uncached + cache read + cache write), so both subtract the same way.
  const prompt = tokens(u.prompt_tokens);
  const cacheRead = tokens(u.cache_read_input_tokens ?? u.prompt_tokens_details?.cached_tokens);
  const cacheWrite = tokens(u.cache_creation_input_tokens);
  const uncached = Math.max(0, prompt - cacheRead - cacheWrite);

  const input = isPrice(price.input_cost_per_token) ? price.input_cost_per_token : 0;
  const output = isPrice(price.output_cost_per_token) ? price.output_cost_per_token : 0;
  const readPrice = isPrice(price.cache_read_input_token_cost) ? price.cache_read_input_token_cost : input;
  const writePrice = isPrice(price.cache_creation_input_token_cost) ? price.cache_creation_input_token_cost : input;

  const cache_read_cost = cacheRead * readPrice;
  const cache_creation_cost = cacheWrite * writePrice;
  const input_cost = uncached * input + cache_read_cost + cache_creation_cost;
  const output_cost = tokens(u.completion_tokens) * output;
  return { cost: input_cost + output_cost, debug: null, price, pricedAs, breakdown: { input_cost, output_cost, cache_read_cost, cache_creation_cost } };
}

// ---------------------------------------------------------------- cost map files

const FORMAT = "a JSON file in LiteLLM's model_prices_and_context_window.json format";
const FIX_FILE = `Fix the file, or point litellm_settings.model_cost_map at ${FORMAT}.`;
const FIX_PATH = `Check litellm_settings.model_cost_map: it must name ${FORMAT}.`;

function costMapError(path: string, where: string, problem: string, fix: string, cause?: unknown): CostMapError {
  const err = new Error(`Cost map ${where}: ${problem}. ${fix}`, cause === undefined ? undefined : { cause }) as CostMapError;
  err.code = COST_MAP_INVALID;
  err.path = path;
  return err;
}

/** `path:line:col` for a JSON.parse error that names a character position. */
function jsonWhere(path: string, text: string, err: unknown): string {
  const pos = /at position (\d+)/.exec(err instanceof Error ? err.message : "");
  if (pos === null) return path;
  const before = text.slice(0, Number(pos[1]));
  const line = before.split("\n").length;
  return `${path}:${line}:${before.length - before.lastIndexOf("\n")}`;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return typeof v === "string" ? `the string ${JSON.stringify(v)}` : `${typeof v} ${String(v)}`;
}

function validate(path: string, data: unknown): CostMap {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw costMapError(path, path, `the file must hold a JSON object keyed by model name, found ${describe(data)}`, FIX_FILE);
  }
  const out: Record<string, PriceEntry> = {};
  for (const [key, entry] of Object.entries(data)) {
    if (key === SAMPLE_SPEC) continue;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw costMapError(path, path, `"${key}" must be an object of prices, found ${describe(entry)}`, FIX_FILE);
    }
    for (const field of PRICE_FIELDS) {
      const v: unknown = (entry as Record<string, unknown>)[field];
      if (v !== undefined && !isPrice(v)) {
        const problem = `"${key}".${field} must be a non-negative number (USD per token), found ${describe(v)}`;
        throw costMapError(path, path, problem, FIX_FILE);
      }
    }
    out[key] = Object.freeze(entry as PriceEntry);
  }
  return Object.freeze(out);
}

/** Reads a cost map file in LiteLLM's model_prices_and_context_window.json format. */
export async function loadCostMap(path: string): Promise<CostMap> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? String(err)})`;
    throw costMapError(path, path, problem, FIX_PATH, err);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw costMapError(path, jsonWhere(path, text, err), `invalid JSON (${(err as Error).message})`, FIX_FILE, err);
  }
  return validate(path, data);
}
