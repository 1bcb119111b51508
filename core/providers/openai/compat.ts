import type { ResolvedModel } from "../types.ts";
import { bearerStyle, openaiStyleProvider } from "./provider.ts";

/**
 * Shortcuts for local OpenAI-compatible servers: `ollama/<model>` and
 * `openai_compatible/<model>`. The model name goes out without the prefix, a key
 * only when one is given (never OPENAI_API_KEY: it is not theirs to see).
 */

/** Ollama's OpenAI-compatible API on its default port. */
export const OLLAMA_DEFAULT_BASE = "http://127.0.0.1:11434/v1";
/** `vllm serve`'s default address; llama.cpp, LM Studio and others need `api_base`. */
export const OPENAI_COMPATIBLE_DEFAULT_BASE = "http://127.0.0.1:8000/v1";

const trimmed = (url: string): string => url.replace(/\/+$/, "");

/** LiteLLM's ollama provider takes the server root (http://host:11434); the OpenAI API lives under /v1 there. */
export function ollamaBase(target: ResolvedModel): string {
  const base = trimmed(target.api_base ?? (target.env ?? process.env).OLLAMA_API_BASE ?? OLLAMA_DEFAULT_BASE);
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(base) ? `${base}/v1` : base;
}

const givenKey = (t: ResolvedModel): string | undefined => t.api_key;

export const ollamaProvider = openaiStyleProvider(bearerStyle("ollama", ollamaBase, givenKey));

export const openaiCompatibleProvider = openaiStyleProvider(
  bearerStyle("openai_compatible", (t) => trimmed(t.api_base ?? OPENAI_COMPATIBLE_DEFAULT_BASE), givenKey),
);
