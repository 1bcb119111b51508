import { providerFor } from "../providers/index.ts";
import type { EmbeddingParams, EmbeddingResponse } from "../types.ts";
import { asError, attachHidden, callbacksFor, newContext, priceSuccess, recordFailure, recordRequest, requestOptions } from "./completion.ts";
import type { CallEnv } from "./env.ts";
import { checkEmbeddingParams } from "./params.ts";

/** One embedding call: the same events as a completion, with `input` in place of messages. */
export async function runEmbedding(env: CallEnv, params: EmbeddingParams, callType: "embedding" | "aembedding"): Promise<EmbeddingResponse> {
  checkEmbeddingParams(params);
  const route = env.route(params);
  if (route.defaults) params = { ...route.defaults, ...params };
  const callbacks = callbacksFor(env, route, params);
  const ctx = newContext(env, route, callbacks, params, callType, params.input);
  try {
    const target = route.target;
    if (target.error) throw target.error;
    const provider = providerFor(target.transport);
    const req = provider.embeddingRequest(target, params.input, ctx.kwargs.optional_params, requestOptions(params, target, false));
    recordRequest(ctx, req);
    const answer = await provider.embed(req);
    ctx.kwargs.original_response = answer.raw;
    ctx.emit("post_api_call", null, new Date());
    const end = new Date();
    const response = attachHidden(answer.response as EmbeddingResponse, priceSuccess(ctx, target, answer.response.usage, params, end));
    ctx.emit("success", response, end);
    return response;
  } catch (err) {
    const e = asError(err);
    recordFailure(ctx, e);
    throw e;
  }
}
