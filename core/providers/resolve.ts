import { UnsupportedProviderError } from "../errors.ts";
import { COMPATIBLE_PREFIXES } from "./openai/compatible-table.ts";
import { NO_OPTIONS, type ProviderOptions } from "./options.ts";
import type { ProviderEnv, ResolvedModel } from "./types.ts";

/** Provider prefixes this runtime answers for; the OpenAI-compatible hosts of LiteLLM come from their table. */
export const SUPPORTED_PROVIDERS = ["openai", "anthropic", "gemini", "mock", "azure", "ollama", "openai_compatible", ...COMPATIBLE_PREFIXES] as const;

/** Prefixes people write for providers this runtime does not have yet; a call to one fails with a clear list. */
const KNOWN_ELSEWHERE = new Set(["bedrock", "vertex_ai", "cohere", "huggingface", "mistralai"]);

// A set: resolveModel runs on every call.
const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_PROVIDERS);

export interface ModelRequest {
  model: string;
  api_base?: string | undefined;
  api_key?: string | undefined;
  /** The provider's own options (`optionsOf`): passed through as they are. @default none */
  options?: ProviderOptions | undefined;
  mock_response?: string | Error | undefined;
  model_group?: string | null;
  model_info?: Record<string, unknown> | null;
  /** Where the provider reads its default key and base: a config runtime's environment. @default process.env */
  env?: ProviderEnv | undefined;
}

/**
 * `openai/gpt-4o` → openai + gpt-4o; a bare `gpt-4o` → openai; `mock/x` → the mock.
 * With an `api_base`, an unknown prefix is part of the model name of an
 * OpenAI-compatible server (`meta-llama/Llama-3-8B`).
 */
export function resolveModel(req: ModelRequest): ResolvedModel {
  const slash = req.model.indexOf("/");
  let provider = "openai";
  let model = req.model;
  if (slash > 0) {
    const prefix = req.model.slice(0, slash);
    if (SUPPORTED.has(prefix)) {
      provider = prefix;
      model = req.model.slice(slash + 1);
    } else if (!req.api_base || KNOWN_ELSEWHERE.has(prefix)) {
      provider = prefix;
      model = req.model.slice(slash + 1);
      if (req.mock_response === undefined) return { ...target(req, provider, model, provider), error: unsupported(prefix, req.model) };
    }
  }
  const mocked = req.mock_response !== undefined || provider === "mock";
  return target(req, provider, model, mocked ? "mock" : provider);
}

// One literal, no spreads: this runs on every call.
function target(req: ModelRequest, provider: string, model: string, transport: string): ResolvedModel {
  return {
    provider,
    transport,
    model,
    api_base: req.api_base ?? null,
    api_key: req.api_key,
    options: req.options ?? NO_OPTIONS,
    model_group: req.model_group ?? null,
    model_info: req.model_info ?? null,
    mock_response: req.mock_response,
    env: req.env,
  };
}

/**
 * The provider prefix of `model` this runtime cannot serve, or undefined: what
 * `resolveModel` would fail a call with, for a config to name at load instead.
 */
export function unsupportedPrefix(model: string, api_base: string | undefined): string | undefined {
  const slash = model.indexOf("/");
  if (slash <= 0) return undefined;
  const prefix = model.slice(0, slash);
  if (SUPPORTED.has(prefix)) return undefined;
  return !api_base || KNOWN_ELSEWHERE.has(prefix) ? prefix : undefined;
}

/** What to write instead of an unsupported prefix, in one sentence. */
export function supportedProvidersText(): string {
  return `Supported: ${SUPPORTED_PROVIDERS.map((p) => `${p}/<model>`).join(", ")}, or any OpenAI-compatible server through "api_base" (then the model name is passed as it is).`;
}

function unsupported(prefix: string, model: string): UnsupportedProviderError {
  return new UnsupportedProviderError(`model "${model}" names provider "${prefix}", which this runtime does not support. ${supportedProvidersText()}`, { llm_provider: prefix, model });
}
