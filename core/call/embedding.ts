import { providerFor } from "../providers/index.ts";
import type { EmbeddingParams, EmbeddingResponse } from "../types.ts";
import { cacheApplies, cacheUse, lookup, recordHit, store, type CacheUse } from "./cache-step.ts";
import type { AttemptInfo, CallEnv, Route } from "./env.ts";
import { answered, asError, attachHidden, callbacksFor, newContext, priceSuccess, recordFailure, recordRequest, requestOptions } from "./events.ts";
import { routed } from "./routing.ts";
import { checkEmbeddingParams } from "./params.ts";

/** One input's stored embedding and what it cost in tokens. */
interface StoredEmbedding {
  embedding: number[] | string;
  tokens: number;
  model: string;
}

/**
 * One embedding call: the same events as a completion, with `input` in place of
 * messages. Each input is cached on its own: when all are stored the call is a
 * hit; otherwise only the missing inputs go to the provider.
 */
export async function runEmbedding(env: CallEnv, params: EmbeddingParams, callType: "embedding" | "aembedding"): Promise<EmbeddingResponse> {
  checkEmbeddingParams(params);
  const plan = env.plan?.(params) ?? null;
  if (!plan) return attempt(env, env.route(params), params, callType);
  return routed(plan, params, (route, info) => attempt(env, route, params, callType, info));
}

async function attempt(env: CallEnv, route: Route, params: EmbeddingParams, callType: "embedding" | "aembedding", info?: AttemptInfo): Promise<EmbeddingResponse> {
  if (route.defaults) params = { ...route.defaults, ...params };
  const callbacks = callbacksFor(env, route, params);
  const ctx = newContext(env, route, callbacks, params, callType, params.input, info);
  try {
    const target = route.target;
    if (target.error) throw target.error;
    const inputs = typeof params.input === "string" ? [params.input] : params.input;
    const cache = cacheApplies(env, params, callType);
    ctx.kwargs.litellm_params.cache_enabled = cache !== null;
    const keyed = cache ? inputs.map((input) => cacheUse(cache, params, { kind: "embedding", input, params: ctx.kwargs.optional_params })) : null;
    // One input that cannot be keyed makes the whole call a miss: no partial answers from the cache.
    const uses = keyed && keyed.every((u) => u !== null) ? (keyed as CacheUse[]) : null;
    const stored = uses ? await Promise.all(uses.map((u) => lookup<StoredEmbedding>(u))) : inputs.map(() => null);

    if (uses && stored.every((s) => s !== null)) {
      const hits = stored as StoredEmbedding[];
      const tokens = hits.reduce((n, s) => n + s.tokens, 0);
      const end = new Date();
      const response = {
        object: "list",
        data: hits.map((s, index) => ({ object: "embedding", index, embedding: s.embedding })),
        model: hits[0]!.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      } as EmbeddingResponse;
      attachHidden(response, recordHit(ctx, target, response.usage, uses.length === 1 ? uses[0]!.key : uses.map((u) => u.key).join(","), end));
      ctx.emit("success", response, end);
      return response;
    }

    // Only the inputs nobody stored go to the provider.
    const missing = inputs.flatMap((input, i) => (stored[i] ? [] : [{ input, i }]));
    const sent = typeof params.input === "string" || missing.length === inputs.length ? params.input : missing.map((m) => m.input);
    const provider = providerFor(target.transport);
    const req = provider.embeddingRequest(target, sent, ctx.kwargs.optional_params, requestOptions(params, target, false, env.settings));
    recordRequest(ctx, req);
    const answer = await answered(ctx, provider.embed(req));
    ctx.kwargs.original_response = answer.raw;
    ctx.emit("post_api_call", null, new Date());
    const end = new Date();
    const response = merge(answer.response as EmbeddingResponse, inputs.length, missing, stored);
    attachHidden(response, priceSuccess(ctx, target, answer.response.usage, params, end));
    ctx.emit("success", response, end);
    if (uses) storeEach(uses, missing, answer.response as EmbeddingResponse);
    return response;
  } catch (err) {
    const e = asError(err);
    recordFailure(ctx, e);
    throw e;
  }
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
