import { UnsupportedProviderError } from "../errors.ts";
import type { Provider } from "../providers/types.ts";
import type { EmbeddingParams, EmbeddingResponse } from "../types.ts";
import { cacheUse, lookup, store, type CacheUse } from "./cache-step.ts";
import type { CallEnv } from "./env.ts";
import type { CacheLookup, CallKind } from "./kind.ts";
import { runCall } from "./lifecycle.ts";
import { checkEmbeddingParams } from "./params.ts";

/** One input's stored embedding and what it cost in tokens. */
interface StoredEmbedding {
  embedding: number[] | string;
  tokens: number;
  model: string;
}

/**
 * What an embedding call brings to the call lifecycle: the same events as a
 * completion, with `input` in place of messages. Each input is cached on its
 * own: when all are stored the call is a hit; otherwise only the missing inputs
 * go to the provider, and the answer merges both.
 */
export const EMBEDDING: CallKind<EmbeddingParams, EmbeddingResponse> = {
  hookCallType: "embeddings",
  check: checkEmbeddingParams,
  input: (params) => params.input,
  payload: (params) => params.input,
  lookup: cached,
  request: (provider, target, input, optional, options) => embedder(provider, target.model).embeddingRequest(target, input as string | string[], optional, options),
  send: (provider, req) => embedder(provider, req.target.model).embed(req) as ReturnType<CallKind<EmbeddingParams, EmbeddingResponse>["send"]>,
  usage: (response) => response.usage,
};

/** The provider's embeddings, or the error of one that has none (Anthropic). */
function embedder(provider: Provider, model: string): Required<Pick<Provider, "embeddingRequest" | "embed">> {
  if (provider.embeddingRequest && provider.embed) return provider as Required<Pick<Provider, "embeddingRequest" | "embed">>;
  throw new UnsupportedProviderError(
    `${provider.name} has no embeddings API, so "${provider.name}/${model}" cannot embed. Use an embedding model of another provider, e.g. "openai/text-embedding-3-small".`,
    { llm_provider: provider.name, model },
  );
}

async function cached(cache: Parameters<CallKind<EmbeddingParams, EmbeddingResponse>["lookup"]>[0], params: EmbeddingParams, optional: Record<string, unknown>): Promise<CacheLookup<EmbeddingResponse> | null> {
  const inputs = typeof params.input === "string" ? [params.input] : params.input;
  const keyed = inputs.map((input) => cacheUse(cache, params, { kind: "embedding", input, params: optional }));
  // One input that cannot be keyed makes the whole call a miss: no partial answers from the cache.
  if (!keyed.every((u) => u !== null)) return null;
  const uses = keyed as CacheUse[];
  const stored = await Promise.all(uses.map((u) => lookup<StoredEmbedding>(u)));
  if (stored.every((s) => s !== null)) {
    const hits = stored as StoredEmbedding[];
    const tokens = hits.reduce((n, s) => n + s.tokens, 0);
    const response = {
      object: "list",
      data: hits.map((s, index) => ({ object: "embedding", index, embedding: s.embedding })),
      model: hits[0]!.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    } as EmbeddingResponse;
    const key = uses.length === 1 ? uses[0]!.key : uses.map((u) => u.key).join(",");
    return { hit: { response, key }, send: params.input, key: null, finish: (r) => r, store: () => undefined };
  }
  // Only the inputs nobody stored go to the provider.
  const missing = inputs.flatMap((input, i) => (stored[i] ? [] : [{ input, i }]));
  return {
    hit: null,
    send: typeof params.input === "string" || missing.length === inputs.length ? params.input : missing.map((m) => m.input),
    key: null,
    finish: (fromProvider) => merge(fromProvider, inputs.length, missing, stored),
    store: (fromProvider) => storeEach(uses, missing, fromProvider),
  };
}

/** The provider's vectors for the missing inputs, with the stored ones, in the caller's order. */
function merge(fromProvider: EmbeddingResponse, count: number, missing: Array<{ i: number }>, stored: Array<StoredEmbedding | null>): EmbeddingResponse {
  if (missing.length === count) return fromProvider;
  const data: EmbeddingResponse["data"] = new Array(count);
  missing.forEach((m, j) => (data[m.i] = { object: "embedding", index: m.i, embedding: fromProvider.data[j]!.embedding }));
  stored.forEach((s, i) => {
    if (s) data[i] = { object: "embedding", index: i, embedding: s.embedding };
  });
  return { ...fromProvider, data };
}

/** Each new vector under its own input's key, with its share of the tokens. */
function storeEach(uses: CacheUse[], missing: Array<{ i: number }>, fromProvider: EmbeddingResponse): void {
  const tokens = Math.round((fromProvider.usage?.prompt_tokens ?? 0) / Math.max(1, missing.length));
  missing.forEach((m, j) => {
    const item = fromProvider.data[j];
    if (item) store(uses[m.i]!, { embedding: item.embedding, tokens, model: fromProvider.model } satisfies StoredEmbedding);
  });
}

/** One embedding call: to a config alias through its router, else straight to its model. */
export function runEmbedding(env: CallEnv, params: EmbeddingParams, callType: "embedding" | "aembedding"): Promise<EmbeddingResponse> {
  return runCall(env, EMBEDDING, params, callType) as Promise<EmbeddingResponse>;
}
