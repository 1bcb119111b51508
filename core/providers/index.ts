import { UnsupportedProviderError } from "../errors.ts";
import { azureProvider } from "./azure/index.ts";
import { anthropicProvider } from "./anthropic/index.ts";
import { geminiProvider } from "./gemini/index.ts";
import { mockProvider } from "./mock/index.ts";
import { ollamaProvider, openaiCompatibleProvider } from "./openai/compat.ts";
import { COMPATIBLE_PROVIDER_IMPLS } from "./openai/compatible-table.ts";
import { openaiProvider } from "./openai/index.ts";
import type { Provider } from "./types.ts";

const PROVIDERS: Readonly<Record<string, Provider>> = { mock: mockProvider, openai: openaiProvider, anthropic: anthropicProvider, gemini: geminiProvider, azure: azureProvider, ollama: ollamaProvider, openai_compatible: openaiCompatibleProvider, ...COMPATIBLE_PROVIDER_IMPLS };

/** The provider that answers a resolved model. */
export function providerFor(transport: string): Provider {
  const p = PROVIDERS[transport];
  if (!p) throw new UnsupportedProviderError(`no provider "${transport}"; supported: ${Object.keys(PROVIDERS).join(", ")}.`, { llm_provider: transport });
  return p;
}

export { resolveModel, SUPPORTED_PROVIDERS, supportedProvidersText, unsupportedPrefix } from "./resolve.ts";
export { optionsOf, type ProviderOptions } from "./options.ts";
export type * from "./types.ts";
