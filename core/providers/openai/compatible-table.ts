import { InvalidParamsError } from "../../errors.ts";
import type { Provider, ProviderEnv, ResolvedModel } from "../types.ts";
import { bearerStyle, openaiStyleProvider } from "./provider.ts";

/**
 * LiteLLM's OpenAI-compatible providers, by prefix: `groq/llama-3.1-8b-instant`
 * goes to Groq's base with GROQ_API_KEY, the model name without the prefix.
 * One table, one request path (provider.ts): a provider here differs from the
 * next only in where it lives and which variables name its base and key.
 *
 * Bases and variables are LiteLLM's (its `_get_openai_compatible_provider_info`
 * of each provider): the call's or config's `api_base` wins, then the first base
 * variable set, then the default; the same order for the key. Where LiteLLM reads
 * several key variables, the list keeps its order.
 */

/** One OpenAI-compatible provider: where it lives and where its key comes from. */
export interface CompatibleProvider {
  /** LiteLLM's default base URL, or null for a server of the user's own: then `api_base` (or a base variable) is required. */
  readonly base: string | null;
  /** Environment variables that name the base, first set wins. */
  readonly baseEnv: readonly string[];
  /** Environment variables that hold the key, first set wins. No key: no Authorization header. */
  readonly keyEnv: readonly string[];
  /** A path the base must end with, added when a given base lacks it (Mistral's `/v1`, as LiteLLM adds it). */
  readonly basePath?: string;
}

/** Every prefix of the table, with LiteLLM's base and variables. */
export const COMPATIBLE_PROVIDERS = Object.freeze({
  groq: { base: "https://api.groq.com/openai/v1", baseEnv: ["GROQ_API_BASE"], keyEnv: ["GROQ_API_KEY"] },
  deepseek: { base: "https://api.deepseek.com/beta", baseEnv: ["DEEPSEEK_API_BASE"], keyEnv: ["DEEPSEEK_API_KEY"] },
  // LiteLLM reads the Azure AI variables first: a Mistral model hosted on Azure AI.
  mistral: { base: "https://api.mistral.ai/v1", baseEnv: ["MISTRAL_AZURE_API_BASE"], keyEnv: ["MISTRAL_AZURE_API_KEY", "MISTRAL_API_KEY"], basePath: "/v1" },
  together_ai: {
    base: "https://api.together.xyz/v1",
    baseEnv: ["TOGETHER_AI_API_BASE"],
    keyEnv: ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"],
  },
  fireworks_ai: {
    base: "https://api.fireworks.ai/inference/v1",
    baseEnv: ["FIREWORKS_API_BASE"],
    keyEnv: ["FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"],
  },
  openrouter: { base: "https://openrouter.ai/api/v1", baseEnv: ["OPENROUTER_API_BASE"], keyEnv: ["OPENROUTER_API_KEY", "OR_API_KEY"] },
  xai: { base: "https://api.x.ai/v1", baseEnv: ["XAI_API_BASE"], keyEnv: ["XAI_API_KEY"] },
  perplexity: { base: "https://api.perplexity.ai", baseEnv: ["PERPLEXITY_API_BASE"], keyEnv: ["PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"] },
  deepinfra: { base: "https://api.deepinfra.com/v1/openai", baseEnv: ["DEEPINFRA_API_BASE"], keyEnv: ["DEEPINFRA_API_KEY"] },
  cerebras: { base: "https://api.cerebras.ai/v1", baseEnv: ["CEREBRAS_API_BASE"], keyEnv: ["CEREBRAS_API_KEY"] },
  nvidia_nim: { base: "https://integrate.api.nvidia.com/v1", baseEnv: ["NVIDIA_NIM_API_BASE"], keyEnv: ["NVIDIA_NIM_API_KEY"] },
  // Servers of one's own: vLLM and LM Studio have no default in LiteLLM; llamafile listens on 8080 by default.
  hosted_vllm: { base: null, baseEnv: ["HOSTED_VLLM_API_BASE"], keyEnv: ["HOSTED_VLLM_API_KEY"] },
  lm_studio: { base: null, baseEnv: ["LM_STUDIO_API_BASE"], keyEnv: ["LM_STUDIO_API_KEY"] },
  llamafile: { base: "http://127.0.0.1:8080/v1", baseEnv: ["LLAMAFILE_API_BASE"], keyEnv: ["LLAMAFILE_API_KEY"] },
} satisfies Record<string, CompatibleProvider>);

export type CompatiblePrefix = keyof typeof COMPATIBLE_PROVIDERS;

/** The table's prefixes, in table order. */
export const COMPATIBLE_PREFIXES = Object.freeze(Object.keys(COMPATIBLE_PROVIDERS) as CompatiblePrefix[]);

const spec = (prefix: string): CompatibleProvider | undefined =>
  Object.hasOwn(COMPATIBLE_PROVIDERS, prefix) ? (COMPATIBLE_PROVIDERS as Record<string, CompatibleProvider>)[prefix] : undefined;

// `||`: an empty variable (NAME= in a .env file) is no setting.
const firstSet = (env: ProviderEnv, names: readonly string[]): string | undefined => {
  for (const name of names) if (env[name]) return env[name];
  return undefined;
};

/**
 * True when a model of `prefix` has somewhere to go without an `api_base`:
 * a default base, or a base variable set in `env`. False for `hosted_vllm/...`
 * and `lm_studio/...` with neither (a config names this at load).
 */
export function hasBase(prefix: string, env: ProviderEnv): boolean {
  const p = spec(prefix);
  return p === undefined || p.base !== null || firstSet(env, p.baseEnv) !== undefined;
}

/** Where a model of `prefix` goes: the given api_base, a base variable, or the default; without a trailing slash. */
export function compatibleBase(prefix: string, target: ResolvedModel): string {
  const p = spec(prefix)!;
  const raw = target.api_base || firstSet(target.env ?? process.env, p.baseEnv) || p.base;
  if (!raw)
    throw new InvalidParamsError(
      `${prefix}/${target.model}: no server to send to. Set "api_base" to the server's OpenAI-compatible URL (such as http://127.0.0.1:8000/v1), or the ${p.baseEnv.join(" or ")} environment variable.`,
      { llm_provider: prefix, model: target.model },
    );
  const base = raw.replace(/\/+$/, "");
  return p.basePath && !base.endsWith(p.basePath) ? `${base}${p.basePath}` : base;
}

/** The key a request of `prefix` carries: the given api_key, else the first key variable set; never OPENAI_API_KEY. */
export function compatibleKey(prefix: string, target: ResolvedModel): string | undefined {
  return target.api_key || firstSet(target.env ?? process.env, spec(prefix)!.keyEnv);
}

/** One provider per prefix, over the shared OpenAI-style request path. */
export const COMPATIBLE_PROVIDER_IMPLS: Readonly<Record<CompatiblePrefix, Provider>> = Object.freeze(
  Object.fromEntries(
    COMPATIBLE_PREFIXES.map((prefix) => [
      prefix,
      openaiStyleProvider(
        bearerStyle(
          prefix,
          (t) => compatibleBase(prefix, t),
          (t) => compatibleKey(prefix, t),
        ),
      ),
    ]),
  ) as Record<CompatiblePrefix, Provider>,
);
