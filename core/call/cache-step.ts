import type { KeyParts, ResponseCache } from "../cache/types.ts";
import { ANSWER_ROUTING } from "./param-registry.ts";
import { computeCost } from "../cost/index.ts";
import type { ResolvedModel } from "../providers/types.ts";
import { maskKey } from "../secrets.ts";
import type { CacheControls, CallType, CompletionParams, EmbeddingParams, HiddenParams, Usage } from "../types.ts";
import type { CallContext } from "./context.ts";
import type { CallEnv } from "./env.ts";

/** The cache as one call uses it: which key, and what the call asked of it. */
export interface CacheUse {
  readonly cache: ResponseCache;
  readonly key: string;
  readonly controls: CacheControls;
}

type AnyParams = CompletionParams | EmbeddingParams;

/** Whether this call reads and writes the cache at all: the cache's mode, its call types, and `caching`. */
export function cacheApplies(env: CallEnv, params: AnyParams, callType: CallType): ResponseCache | null {
  const cache = env.cache;
  if (!cache || params.caching === false || !cache.supports(callType)) return null;
  if (cache.mode === "default_off" && params.caching !== true && (params.cache as { "use-cache"?: boolean } | undefined)?.["use-cache"] !== true) return null;
  return cache;
}

/**
 * The call's own parameters outside `optional_params` that change the answer (the parameter
 * registry's keyed routing rows): a mocked answer, or one from another server, API version or
 * provider, is never served for the config's model (nor the other way round).
 */
const ANSWER_PARAMS = ANSWER_ROUTING;

/** The key of one answer: the model as asked for (the alias), what it is asked, and the parameters that change the answer. */
export function cacheUse(cache: ResponseCache, params: AnyParams, parts: Omit<KeyParts, "model">): CacheUse | null {
  const controls = (params.cache ?? {}) as CacheControls;
  let keyed = parts.params;
  for (const name of ANSWER_PARAMS) {
    const value = (params as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (keyed === parts.params) keyed = { ...parts.params };
    (keyed as Record<string, unknown>)[name] = value;
  }
  let key: string;
  try {
    key = cache.key({ model: params.model, ...parts, params: keyed }, controls.namespace);
  } catch {
    // Too deep or too big to key (or a value that throws when read): a miss that is not stored, never a failed call.
    return null;
  }
  return { cache, key, controls };
}

/** The stored answer, unless the call said `no-cache`. It is decoded anew on each read: a caller that changes it never changes the cache. */
export async function lookup<T>(use: CacheUse): Promise<T | null> {
  if (use.controls["no-cache"]) return null;
  const hit = await use.cache.get<T>(use.key, { "s-maxage": use.controls["s-maxage"] });
  return hit ? hit.value : null;
}

/** Stores the answer in the background, unless the call said `no-store`. */
export function store(use: CacheUse, value: unknown): void {
  if (!use.controls["no-store"]) use.cache.set(use.key, value, { ttl: use.controls.ttl });
}

/**
 * The success kwargs of a hit: no cost, what it would have cost, and the key;
 * and, as LiteLLM's caching handler sets them, `input` (the messages, or the
 * embedding input), `api_key` (masked) and `original_response` (the stored answer as text).
 */
export function recordHit(ctx: CallContext, target: ResolvedModel, usage: Partial<Usage> | undefined, key: string, end: Date, answer?: unknown): HiddenParams {
  const saved = computeCost({ model: target.model, provider: target.provider, usage, modelInfo: target.model_info, costMap: ctx.settings.model_cost_map, baseModel: ctx.kwargs.litellm_params.base_model }).cost;
  const k = ctx.kwargs;
  // kwargs.messages holds the embedding input for embeddings, as LiteLLM's logging object does.
  k.input = k.messages;
  k.api_key = target.api_key === undefined ? null : ctx.settings.redact_api_keys ? maskKey(target.api_key) : target.api_key;
  if (answer !== undefined) k.original_response = JSON.stringify(answer);
  k.end_time = end;
  k.cache_hit = true;
  k.cache_key = key;
  k.response_cost = 0;
  k.saved_cache_cost = saved ?? 0;
  k.completion_start_time ??= end;
  return { response_cost: 0, cache_hit: true, api_base: target.api_base, custom_llm_provider: target.provider, cache_key: key };
}
