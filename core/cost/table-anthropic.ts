/**
 * Anthropic list prices, USD per token, in LiteLLM's field names.
 *
 * Source for every group below: https://platform.claude.com/docs/en/about-claude/pricing
 * ("Model pricing": base input, 5-minute cache write, cache hit, output), as mirrored in
 * LiteLLM's https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json
 * (read 2026; each group's numbers match that file's entry of the first id).
 * `cache_creation_input_token_cost` is the 5-minute write (1.25x input); the 1-hour write
 * (2x input) and the over-200k-token long-context rates are not modelled here.
 * The comment on each group gives $ per million tokens: input / cache write / cache hit / output.
 */
import type { PriceGroup } from "./table.ts";

const anthropic = { litellm_provider: "anthropic", mode: "chat" } as const;

export const ANTHROPIC_PRICES: readonly PriceGroup[] = [
  // Claude Opus 4.5: $5 / $6.25 / $0.50 / $25
  {
    ids: ["claude-opus-4-5", "claude-opus-4-5-20251101"],
    price: {
      ...anthropic, input_cost_per_token: 5e-6, cache_creation_input_token_cost: 6.25e-6, cache_read_input_token_cost: 5e-7,
      output_cost_per_token: 2.5e-5, max_input_tokens: 200_000, max_output_tokens: 64_000,
    },
  },
  // Claude Opus 4.1: $15 / $18.75 / $1.50 / $75
  {
    ids: ["claude-opus-4-1", "claude-opus-4-1-20250805"],
    price: {
      ...anthropic, input_cost_per_token: 1.5e-5, cache_creation_input_token_cost: 1.875e-5, cache_read_input_token_cost: 1.5e-6,
      output_cost_per_token: 7.5e-5, max_input_tokens: 200_000, max_output_tokens: 32_000,
    },
  },
  // Claude Opus 4: $15 / $18.75 / $1.50 / $75 ("claude-4-opus-20250514" is LiteLLM's older key for it)
  {
    ids: ["claude-opus-4-0", "claude-opus-4-20250514", "claude-4-opus-20250514"],
    price: {
      ...anthropic, input_cost_per_token: 1.5e-5, cache_creation_input_token_cost: 1.875e-5, cache_read_input_token_cost: 1.5e-6,
      output_cost_per_token: 7.5e-5, max_input_tokens: 200_000, max_output_tokens: 32_000,
    },
  },
  // Claude Sonnet 4.5: $3 / $3.75 / $0.30 / $15
  {
    ids: ["claude-sonnet-4-5", "claude-sonnet-4-5-20250929"],
    price: {
      ...anthropic, input_cost_per_token: 3e-6, cache_creation_input_token_cost: 3.75e-6, cache_read_input_token_cost: 3e-7,
      output_cost_per_token: 1.5e-5, max_input_tokens: 200_000, max_output_tokens: 64_000,
    },
  },
  // Claude Sonnet 4: $3 / $3.75 / $0.30 / $15 (LiteLLM lists 1M input tokens: that is the context-1m beta)
  {
    ids: ["claude-sonnet-4-0", "claude-sonnet-4-20250514", "claude-4-sonnet-20250514"],
    price: {
      ...anthropic, input_cost_per_token: 3e-6, cache_creation_input_token_cost: 3.75e-6, cache_read_input_token_cost: 3e-7,
      output_cost_per_token: 1.5e-5, max_input_tokens: 200_000, max_output_tokens: 64_000,
    },
  },
  // Claude Sonnet 3.7: $3 / $3.75 / $0.30 / $15
  {
    ids: ["claude-3-7-sonnet-latest", "claude-3-7-sonnet-20250219"],
    price: {
      ...anthropic, input_cost_per_token: 3e-6, cache_creation_input_token_cost: 3.75e-6, cache_read_input_token_cost: 3e-7,
      output_cost_per_token: 1.5e-5, max_input_tokens: 200_000, max_output_tokens: 64_000,
    },
  },
  // Claude Sonnet 3.5 (both snapshots): $3 / $3.75 / $0.30 / $15
  {
    ids: ["claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620"],
    price: {
      ...anthropic, input_cost_per_token: 3e-6, cache_creation_input_token_cost: 3.75e-6, cache_read_input_token_cost: 3e-7,
      output_cost_per_token: 1.5e-5, max_input_tokens: 200_000, max_output_tokens: 8_192,
    },
  },
  // Claude Haiku 4.5: $1 / $1.25 / $0.10 / $5
  {
    ids: ["claude-haiku-4-5", "claude-haiku-4-5-20251001"],
    price: {
      ...anthropic, input_cost_per_token: 1e-6, cache_creation_input_token_cost: 1.25e-6, cache_read_input_token_cost: 1e-7,
      output_cost_per_token: 5e-6, max_input_tokens: 200_000, max_output_tokens: 64_000,
    },
  },
  // Claude Haiku 3.5: $0.80 / $1 / $0.08 / $4 (LiteLLM prices its "-latest" key at $1/$5; Anthropic's table says $0.80/$4)
  {
    ids: ["claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"],
    price: {
      ...anthropic, input_cost_per_token: 8e-7, cache_creation_input_token_cost: 1e-6, cache_read_input_token_cost: 8e-8,
      output_cost_per_token: 4e-6, max_input_tokens: 200_000, max_output_tokens: 8_192,
    },
  },
  // Claude Haiku 3: $0.25 / $0.30 / $0.03 / $1.25
  {
    ids: ["claude-3-haiku-20240307"],
    price: {
      ...anthropic, input_cost_per_token: 2.5e-7, cache_creation_input_token_cost: 3e-7, cache_read_input_token_cost: 3e-8,
      output_cost_per_token: 1.25e-6, max_input_tokens: 200_000, max_output_tokens: 4_096,
    },
  },
  // Claude Opus 3: $15 / $18.75 / $1.50 / $75
  {
    ids: ["claude-3-opus-latest", "claude-3-opus-20240229"],
    price: {
      ...anthropic, input_cost_per_token: 1.5e-5, cache_creation_input_token_cost: 1.875e-5, cache_read_input_token_cost: 1.5e-6,
      output_cost_per_token: 7.5e-5, max_input_tokens: 200_000, max_output_tokens: 4_096,
    },
  },
];
