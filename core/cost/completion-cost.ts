/**
 * LiteLLM's `completion_cost()` and `cost_per_token()`, as its Custom Callbacks
 * page uses them (`completion_cost({ completion_response: response_obj })`),
 * in keyword-object form: the cost of a response, or of a model and its tokens.
 */
import { countTokens } from "../providers/mock/index.ts";
import type { ChatMessage } from "../types.ts";
import { computeCost, type CostMap, type CostQuery } from "./index.ts";

/** The arguments of `completion_cost`, LiteLLM's names; the common cases of its signature. */
export interface CompletionCostArgs {
  /** A response of a call (chat completion or embeddings): its `usage` and `model` are priced. */
  completion_response?: unknown;
  /** The model to price as, `provider/model` or bare; default: the response's. */
  model?: string;
  /** Prompt text, counted when there is no response (about four characters a token). */
  prompt?: string;
  /** Prompt messages, counted when there is no response and no `prompt`. */
  messages?: ChatMessage[];
  /** Completion text, counted when there is no response. */
  completion?: string;
  /** The provider; default: the response's, else the model's prefix, else `openai`. */
  custom_llm_provider?: string;
  /** Prices to use instead of any table (USD per token). */
  custom_cost_per_token?: { input_cost_per_token?: number; output_cost_per_token?: number };
  /** The model to look the price up as, when the deployment's own name is not in the table. */
  base_model?: string;
}

/** The arguments of `cost_per_token`. */
export interface CostPerTokenArgs {
  model: string;
  prompt_tokens?: number;
  completion_tokens?: number;
  custom_llm_provider?: string;
  custom_cost_per_token?: { input_cost_per_token?: number; output_cost_per_token?: number };
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === "object";
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * USD for one call. A response this runtime returned carries the cost it was
 * priced at (its `_hidden_params.response_cost`, the call's `kwargs.response_cost`,
 * with the config's `model_info` prices): that is the answer unless `model` or
 * `custom_cost_per_token` asks for another price. Otherwise its usage (or the
 * counted text) is priced like a call: the cost map, then the bundled table.
 * Throws, saying what to set, when no price is known.
 */
export function completionCost(args: CompletionCostArgs, costMap: CostMap | null = null): number {
  const response = isObject(args.completion_response) ? args.completion_response : null;
  const hidden = response && isObject(response._hidden_params) ? response._hidden_params : null;
  const repriced = args.model !== undefined || args.custom_cost_per_token !== undefined || args.base_model !== undefined;
  if (!repriced && typeof hidden?.response_cost === "number") return hidden.response_cost;

  const named = text(args.model) ?? text(response?.model);
  if (!named) throw new TypeError("completion_cost: no model to price. Pass a completion_response (with its model), or model.");
  const { provider, model } = split(named, text(args.custom_llm_provider) ?? text(hidden?.custom_llm_provider));
  const usage = response && isObject(response.usage) ? (response.usage as CostQuery["usage"]) : counted(args);
  return priced({ model: args.base_model ?? model, provider, usage, callPrices: args.custom_cost_per_token ?? null, costMap });
}

/** LiteLLM's `cost_per_token`: `[prompt cost, completion cost]` in USD for a model and its token counts. */
export function costPerToken(args: CostPerTokenArgs, costMap: CostMap | null = null): [number, number] {
  const { provider, model } = split(args.model, text(args.custom_llm_provider));
  const q: CostQuery = { model, provider, usage: { prompt_tokens: args.prompt_tokens ?? 0, completion_tokens: args.completion_tokens ?? 0 }, callPrices: args.custom_cost_per_token ?? null, costMap };
  const { breakdown, debug } = computeCost(q);
  if (!breakdown) throw new Error(`cost_per_token: ${debug?.error_str ?? "no price"}`);
  return [breakdown.input_cost, breakdown.output_cost];
}

function priced(q: CostQuery): number {
  const { cost, debug } = computeCost(q);
  if (cost === null) throw new Error(`completion_cost: ${debug?.error_str ?? "no price"}`);
  return cost;
}

/** `openai/gpt-4o` → openai and gpt-4o; a bare name is the given provider's, else OpenAI's (LiteLLM's default). */
function split(named: string, provider: string | undefined): { provider: string; model: string } {
  const slash = named.indexOf("/");
  if (provider) return { provider, model: slash > 0 && named.startsWith(`${provider}/`) ? named.slice(slash + 1) : named };
  return slash > 0 ? { provider: named.slice(0, slash), model: named.slice(slash + 1) } : { provider: "openai", model: named };
}

/** Token counts of the text given, for a cost without a response. */
function counted(args: CompletionCostArgs): { prompt_tokens: number; completion_tokens: number } {
  let prompt = args.prompt ? countTokens(args.prompt) : 0;
  if (!args.prompt && args.messages) {
    for (const m of args.messages) prompt += 3 + countTokens(typeof m.content === "string" ? m.content : "");
    prompt += 3;
  }
  return { prompt_tokens: prompt, completion_tokens: args.completion ? countTokens(args.completion) : 0 };
}
