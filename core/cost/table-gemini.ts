/**
 * Gemini API (Google AI Studio) list prices, USD per token, in LiteLLM's field names.
 *
 * Source for every group below: https://ai.google.dev/gemini-api/docs/pricing (paid tier,
 * standard, not batch or priority), as mirrored in LiteLLM's
 * https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json
 * (read 2026; each group's numbers match that file's `gemini/<first id>` entry). Gemini 1.5,
 * retired by Google in September 2025 and absent from that file as a chat model, is not
 * priced. Prices for prompts over 200k tokens (2.5 Pro), audio input and context-cache
 * storage are not modelled here.
 * The comment on each group gives $ per million tokens: input / cached input / output.
 */
import type { PriceGroup } from "./table.ts";

const gemini = (mode: "chat" | "embedding") => ({ litellm_provider: "gemini", mode }) as const;

export const GEMINI_PRICES: readonly PriceGroup[] = [
  // Gemini 2.5 Pro: $1.25 / $0.125 / $10 (prompts up to 200k tokens; output includes thinking)
  {
    ids: ["gemini-2.5-pro"],
    price: {
      ...gemini("chat"), input_cost_per_token: 1.25e-6, cache_read_input_token_cost: 1.25e-7, output_cost_per_token: 1e-5,
      max_input_tokens: 1_048_576, max_output_tokens: 65_535,
    },
  },
  // Gemini 2.5 Flash: $0.30 / $0.03 / $2.50
  {
    ids: ["gemini-2.5-flash"],
    price: {
      ...gemini("chat"), input_cost_per_token: 3e-7, cache_read_input_token_cost: 3e-8, output_cost_per_token: 2.5e-6,
      max_input_tokens: 1_048_576, max_output_tokens: 65_535,
    },
  },
  // Gemini 2.5 Flash-Lite: $0.10 / $0.01 / $0.40
  {
    ids: ["gemini-2.5-flash-lite"],
    price: {
      ...gemini("chat"), input_cost_per_token: 1e-7, cache_read_input_token_cost: 1e-8, output_cost_per_token: 4e-7,
      max_input_tokens: 1_048_576, max_output_tokens: 65_535,
    },
  },
  // Gemini 2.0 Flash: $0.10 / $0.025 / $0.40
  {
    ids: ["gemini-2.0-flash", "gemini-2.0-flash-001"],
    price: {
      ...gemini("chat"), input_cost_per_token: 1e-7, cache_read_input_token_cost: 2.5e-8, output_cost_per_token: 4e-7,
      max_input_tokens: 1_048_576, max_output_tokens: 8192,
    },
  },
  // Gemini 2.0 Flash-Lite: $0.075 / $0.01875 / $0.30
  {
    ids: ["gemini-2.0-flash-lite"],
    price: {
      ...gemini("chat"), input_cost_per_token: 7.5e-8, cache_read_input_token_cost: 1.875e-8, output_cost_per_token: 3e-7,
      max_input_tokens: 1_048_576, max_output_tokens: 8192,
    },
  },
  // gemini-embedding-001: $0.15 per million input tokens (Gemini reports no counts for embeddings: the runtime estimates them)
  {
    ids: ["gemini-embedding-001"],
    price: { ...gemini("embedding"), input_cost_per_token: 1.5e-7, output_cost_per_token: 0, max_input_tokens: 2048 },
  },
];
