/**
 * OpenAI list prices, USD per token, in LiteLLM's field names.
 *
 * Source for every group below: https://openai.com/api/pricing/ (standard tier,
 * not batch/flex/priority), as mirrored in LiteLLM's
 * https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json
 * (read 2026; each group's numbers match that file's entry of the first id).
 * The comment on each group gives the price per million tokens: input / cached input / output.
 */
import type { PriceGroup } from "./table.ts";

const openai = (mode: "chat" | "embedding") => ({ litellm_provider: "openai", mode }) as const;

export const OPENAI_PRICES: readonly PriceGroup[] = [
  // GPT-5: $1.25 / $0.125 / $10
  {
    ids: ["gpt-5", "gpt-5-2025-08-07"],
    price: {
      ...openai("chat"), input_cost_per_token: 1.25e-6, cache_read_input_token_cost: 1.25e-7, output_cost_per_token: 1e-5,
      max_input_tokens: 272_000, max_output_tokens: 128_000,
    },
  },
  // GPT-5 mini: $0.25 / $0.025 / $2
  {
    ids: ["gpt-5-mini", "gpt-5-mini-2025-08-07"],
    price: {
      ...openai("chat"), input_cost_per_token: 2.5e-7, cache_read_input_token_cost: 2.5e-8, output_cost_per_token: 2e-6,
      max_input_tokens: 272_000, max_output_tokens: 128_000,
    },
  },
  // GPT-5 nano: $0.05 / $0.005 / $0.40
  {
    ids: ["gpt-5-nano", "gpt-5-nano-2025-08-07"],
    price: {
      ...openai("chat"), input_cost_per_token: 5e-8, cache_read_input_token_cost: 5e-9, output_cost_per_token: 4e-7,
      max_input_tokens: 272_000, max_output_tokens: 128_000,
    },
  },
  // GPT-4.1: $2 / $0.50 / $8
  {
    ids: ["gpt-4.1", "gpt-4.1-2025-04-14"],
    price: {
      ...openai("chat"), input_cost_per_token: 2e-6, cache_read_input_token_cost: 5e-7, output_cost_per_token: 8e-6,
      max_input_tokens: 1_047_576, max_output_tokens: 32_768,
    },
  },
  // GPT-4.1 mini: $0.40 / $0.10 / $1.60
  {
    ids: ["gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"],
    price: {
      ...openai("chat"), input_cost_per_token: 4e-7, cache_read_input_token_cost: 1e-7, output_cost_per_token: 1.6e-6,
      max_input_tokens: 1_047_576, max_output_tokens: 32_768,
    },
  },
  // GPT-4.1 nano: $0.10 / $0.025 / $0.40
  {
    ids: ["gpt-4.1-nano", "gpt-4.1-nano-2025-04-14"],
    price: {
      ...openai("chat"), input_cost_per_token: 1e-7, cache_read_input_token_cost: 2.5e-8, output_cost_per_token: 4e-7,
      max_input_tokens: 1_047_576, max_output_tokens: 32_768,
    },
  },
  // GPT-4o: $2.50 / $1.25 / $10
  {
    ids: ["gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20"],
    price: {
      ...openai("chat"), input_cost_per_token: 2.5e-6, cache_read_input_token_cost: 1.25e-6, output_cost_per_token: 1e-5,
      max_input_tokens: 128_000, max_output_tokens: 16_384,
    },
  },
  // GPT-4o, first snapshot: $5 / (no caching) / $15
  {
    ids: ["gpt-4o-2024-05-13"],
    price: {
      ...openai("chat"), input_cost_per_token: 5e-6, output_cost_per_token: 1.5e-5,
      max_input_tokens: 128_000, max_output_tokens: 4_096,
    },
  },
  // GPT-4o mini: $0.15 / $0.075 / $0.60
  {
    ids: ["gpt-4o-mini", "gpt-4o-mini-2024-07-18"],
    price: {
      ...openai("chat"), input_cost_per_token: 1.5e-7, cache_read_input_token_cost: 7.5e-8, output_cost_per_token: 6e-7,
      max_input_tokens: 128_000, max_output_tokens: 16_384,
    },
  },
  // o1: $15 / $7.50 / $60
  {
    ids: ["o1", "o1-2024-12-17"],
    price: {
      ...openai("chat"), input_cost_per_token: 1.5e-5, cache_read_input_token_cost: 7.5e-6, output_cost_per_token: 6e-5,
      max_input_tokens: 200_000, max_output_tokens: 100_000,
    },
  },
  // o3: $2 / $0.50 / $8
  {
    ids: ["o3", "o3-2025-04-16"],
    price: {
      ...openai("chat"), input_cost_per_token: 2e-6, cache_read_input_token_cost: 5e-7, output_cost_per_token: 8e-6,
      max_input_tokens: 200_000, max_output_tokens: 100_000,
    },
  },
  // o3-mini: $1.10 / $0.55 / $4.40
  {
    ids: ["o3-mini", "o3-mini-2025-01-31"],
    price: {
      ...openai("chat"), input_cost_per_token: 1.1e-6, cache_read_input_token_cost: 5.5e-7, output_cost_per_token: 4.4e-6,
      max_input_tokens: 200_000, max_output_tokens: 100_000,
    },
  },
  // o4-mini: $1.10 / $0.275 / $4.40
  {
    ids: ["o4-mini", "o4-mini-2025-04-16"],
    price: {
      ...openai("chat"), input_cost_per_token: 1.1e-6, cache_read_input_token_cost: 2.75e-7, output_cost_per_token: 4.4e-6,
      max_input_tokens: 200_000, max_output_tokens: 100_000,
    },
  },
  // GPT-4 Turbo (and its previews): $10 / - / $30
  {
    ids: ["gpt-4-turbo", "gpt-4-turbo-2024-04-09", "gpt-4-turbo-preview", "gpt-4-0125-preview", "gpt-4-1106-preview"],
    price: {
      ...openai("chat"), input_cost_per_token: 1e-5, output_cost_per_token: 3e-5,
      max_input_tokens: 128_000, max_output_tokens: 4_096,
    },
  },
  // GPT-4: $30 / - / $60
  {
    ids: ["gpt-4", "gpt-4-0613", "gpt-4-0314"],
    price: {
      ...openai("chat"), input_cost_per_token: 3e-5, output_cost_per_token: 6e-5,
      max_input_tokens: 8_192, max_output_tokens: 4_096,
    },
  },
  // GPT-3.5 Turbo: $0.50 / - / $1.50
  {
    ids: ["gpt-3.5-turbo", "gpt-3.5-turbo-0125"],
    price: {
      ...openai("chat"), input_cost_per_token: 5e-7, output_cost_per_token: 1.5e-6,
      max_input_tokens: 16_385, max_output_tokens: 4_096,
    },
  },
  // Embeddings bill input only: 3-small $0.02, 3-large $0.13, ada-002 $0.10.
  {
    ids: ["text-embedding-3-small"],
    price: {
      ...openai("embedding"), input_cost_per_token: 2e-8, output_cost_per_token: 0,
      max_input_tokens: 8_191,
    },
  },
  {
    ids: ["text-embedding-3-large"],
    price: {
      ...openai("embedding"), input_cost_per_token: 1.3e-7, output_cost_per_token: 0,
      max_input_tokens: 8_191,
    },
  },
  {
    ids: ["text-embedding-ada-002"],
    price: {
      ...openai("embedding"), input_cost_per_token: 1e-7, output_cost_per_token: 0,
      max_input_tokens: 8_191,
    },
  },
];
