import { providerFor } from "../providers/index.ts";
import type { ResolvedModel } from "../providers/types.ts";
import type { CompletionParams, ModelResponse } from "../types.ts";
import { cacheApplies, cacheUse, lookup, recordHit, store, type CacheUse } from "./cache-step.ts";
import type { CallContext } from "./context.ts";
import type { AttemptInfo, CallEnv, Route } from "./env.ts";
import { answered, asError, attachHidden, callbacksFor, newContext, priceSuccess, recordFailure, recordRequest, requestOptions } from "./events.ts";
import { runPostCallHooks, runPreCallHooks } from "./hooks.ts";
import { checkCompletionParams, optionalParams } from "./params.ts";
import { replay } from "./replay.ts";
import { routed } from "./routing.ts";
import { CompletionStream, type StreamEnd } from "./stream.ts";

type Stored = Omit<ModelResponse, "_hidden_params">;

type Answer = ModelResponse | CompletionStream;

/** One chat completion: to a config alias through its router (retries, fallbacks), else straight to its model. */
export async function runCompletion(env: CallEnv, params: CompletionParams, callType: "completion" | "acompletion"): Promise<Answer> {
  checkCompletionParams(params);
  const plan = env.plan?.(params) ?? null;
  if (!plan) return attempt(env, env.route(params), params, callType);
  return routed<Answer>(plan, params, (route, info) => attempt(env, route, params, callType, info));
}

/** One attempt, from its first event to its last. */
async function attempt(env: CallEnv, route: Route, params: CompletionParams, callType: "completion" | "acompletion", info?: AttemptInfo): Promise<Answer> {
  if (route.defaults) params = { ...route.defaults, ...params };
  const callbacks = callbacksFor(env, route, params);
  const ctx = newContext(env, route, callbacks, params, callType, params.messages, info);
  const timeoutMs = env.settings.callback_timeout * 1000;
  try {
    let target = route.target;
    if (callbacks.preCallHooks.length > 0) {
      const data = await runPreCallHooks(callbacks.preCallHooks, { ...params }, callType, timeoutMs, env.dispatcher, env.settings.hook_timeout_policy);
      if (data.model !== params.model) {
        target = env.route(data as CompletionParams).target;
        ctx.kwargs.litellm_params.litellm_model_name = `${target.provider}/${target.model}`;
      }
      params = data as CompletionParams;
      checkCompletionParams(params);
      ctx.kwargs.messages = params.messages;
      ctx.kwargs.optional_params = optionalParams(params);
    }
    if (target.error) throw target.error;
    const stream = params.stream === true;
    const includeUsage = (params.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;

    const cache = cacheApplies(env, params, callType);
    ctx.kwargs.litellm_params.cache_enabled = cache !== null;
    const use = cache ? cacheUse(cache, params, { kind: "chat", messages: params.messages, params: ctx.kwargs.optional_params }) : null;
    const hit = use ? await lookup<Stored>(use) : null;
    if (hit && use) {
      // A hit delivers only its success event: no pre or post API call, no chunks.
      if (stream) return new CompletionStream(replay(hit), ctx, params.messages, includeUsage, hitEnd(ctx, target, use), false);
      const end = new Date();
      const response = attachHidden(hit as ModelResponse, recordHit(ctx, target, hit.usage, use.key, end));
      ctx.emit("success", response, end);
      return callbacks.postCallHooks.length === 0 ? response : await runPostCallHooks(callbacks.postCallHooks, params, response, timeoutMs, env.dispatcher);
    }

    const provider = providerFor(target.transport);
    const req = provider.chatRequest(target, params.messages, ctx.kwargs.optional_params, requestOptions(params, target, stream, env.settings));
    recordRequest(ctx, req);

    if (stream) {
      const upstream = await answered(ctx, provider.chatStream(req));
      ctx.kwargs.original_response = "<stream>";
      ctx.emit("post_api_call", null, new Date());
      return new CompletionStream(upstream, ctx, params.messages, includeUsage, missEnd(ctx, target, params, use));
    }

    const answer = await answered(ctx, provider.chat(req));
    ctx.kwargs.original_response = answer.raw;
    ctx.emit("post_api_call", null, new Date());
    const end = new Date();
    const response = attachHidden(answer.response as ModelResponse, withKey(ctx, priceSuccess(ctx, target, answer.response.usage, params, end), use));
    ctx.emit("success", response, end);
    if (use) store(use, answer.response);
    return callbacks.postCallHooks.length === 0 ? response : await runPostCallHooks(callbacks.postCallHooks, params, response, timeoutMs, env.dispatcher);
  } catch (err) {
    const e = asError(err);
    recordFailure(ctx, e);
    throw e;
  }
}

function withKey<T extends { cache_key?: string | null }>(ctx: CallContext, hidden: T, use: CacheUse | null): T {
  if (use) ctx.kwargs.cache_key = hidden.cache_key = use.key;
  return hidden;
}

function failure(ctx: CallContext): StreamEnd["failure"] {
  return (err) => {
    const e = asError(err);
    recordFailure(ctx, e);
    return e;
  };
}

/** The end of a streamed answer from the provider: priced, logged, and stored whole (never a part). */
function missEnd(ctx: CallContext, target: ResolvedModel, params: CompletionParams, use: CacheUse | null): StreamEnd {
  return {
    success: (complete, aborted, first) => {
      const end = new Date();
      if (first) ctx.kwargs.completion_start_time = first;
      const full = attachHidden(complete as ModelResponse, withKey(ctx, priceSuccess(ctx, target, complete.usage, params, end), use));
      ctx.kwargs.complete_streaming_response = full;
      if (aborted) ctx.kwargs.stream_aborted = true;
      ctx.emit("success", full, end);
      if (use && !aborted) store(use, complete);
    },
    failure: failure(ctx),
  };
}

/** The end of a streamed cache hit: one success event, marked as a hit. */
function hitEnd(ctx: CallContext, target: ResolvedModel, use: CacheUse): StreamEnd {
  return {
    success: (complete, aborted, first) => {
      const end = new Date();
      if (first) ctx.kwargs.completion_start_time = first;
      const full = attachHidden(complete as ModelResponse, recordHit(ctx, target, complete.usage, use.key, end));
      ctx.kwargs.complete_streaming_response = full;
      if (aborted) ctx.kwargs.stream_aborted = true;
      ctx.emit("success", full, end);
    },
    failure: failure(ctx),
  };
}
