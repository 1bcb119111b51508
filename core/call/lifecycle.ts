import type { CallHooks } from "../callbacks/call-hooks.ts";
import { BadRequestError, RejectedRequestError } from "../errors.ts";
import type { CallType, ChatCompletionChunk, UserAPIKeyAuth } from "../types.ts";
import { attempt, type CallState } from "./attempt.ts";
import { routerEvent, withLoggingHooks } from "./background.ts";
import { callerOf } from "./caller.ts";
import type { CallEnv } from "./env.ts";
import { asError, callbacksFor, newContext, recordFailure } from "./events.ts";
import { runFailureHooks, runPreCallHooks, runSuccessHooks, type HookEnv } from "./hooks.ts";
import type { AnyParams, CallKind } from "./kind.ts";
import { Moderation } from "./moderation.ts";
import { callFallbacks, routed, type CallRouting, type RoutingWatch } from "./routing.ts";
import { isCallSignal } from "./signal.ts";
import { changesChunks, endHooked, hasStreamHooks, hookedChunks, type StreamHookCall } from "./stream-hooks.ts";
import { endTracesAfter, startTraces, traceAttempt } from "./tracing.ts";
import { CompletionStream, PlainStream, type ChunkSource } from "./stream.ts";

/**
 * The life of one call, whatever its type, as LiteLLM's proxy runs a request:
 *
 *   pre-call hooks      awaited in order; may change the request (a new model is routed anew), answer it or reject it
 *   moderation hooks    started beside the provider request; the answer waits for their verdict
 *   attempts            routed over deployments, retries and fallbacks; each logs its own events (attempt.ts)
 *   success hooks       awaited in order on the answer (on a stream: the stream hooks, then once on the whole)
 *   failure hooks       awaited on any failed call; may replace the error the caller gets
 *
 * A call whose callbacks define none of these hooks goes straight to its attempts.
 */
export function runCall<P extends AnyParams, R extends object>(env: CallEnv, kind: CallKind<P, R>, params: P, callType: CallType): Promise<R | CompletionStream> {
  let call: CallState<P, R>;
  try {
    kind.check(params);
    const { hooks, tracers, targets } = callbacksFor(env, env.scope(params.model), params);
    call = { env, kind, callType, hooks, seen: targets.length > 0, gate: undefined, signal: undefined, lastKwargs: undefined, traces: startTraces(tracers, params) };
    // No awaited hooks: the attempts' own promise is the call's, with none wrapped around it.
    if (!hooks.awaited) return traced(call, dispatch(call, params));
  } catch (err) {
    return Promise.reject(err);
  }
  return traced(call, hookedCall(call, params));
}

/** The call's work, its traces ended when it settles: every attempt it makes has started by then. */
function traced<T>(call: CallState<AnyParams, object>, work: Promise<T>): Promise<T> {
  if (call.traces) endTracesAfter(work, call.traces);
  return work;
}

/** A call whose callbacks define hooks the call waits for: pre-call, moderation, success, failure or stream hooks. */
async function hookedCall<P extends AnyParams, R extends object>(call: CallState<P, R>, params: P): Promise<R | CompletionStream> {
  const { env, kind, hooks } = call;
  const caller = callerOf(params);
  const hookEnv: HookEnv = { timeoutMs: env.settings.callback_timeout * 1000, dispatcher: env.dispatcher, policy: env.settings.hook_timeout_policy };
  let data = requestData(params);
  let hooked: P;
  try {
    if (hooks.pre.length > 0) {
      const out = await runPreCallHooks(hooks.pre, caller, env.hookCache, data, kind.hookCallType, hookEnv);
      if (typeof out === "string") return await answerWith(call, params, data, out, caller, hookEnv);
      data = out;
    }
    hooked = data as P;
    kind.check(hooked);
  } catch (err) {
    const e = asError(err);
    logRejection(call, params, e);
    throw await runFailureHooks(hooks.failure, data, e, caller, hookEnv);
  }

  if (hooks.moderation.length > 0) {
    call.gate = new Moderation(hooks.moderation, data, caller, kind.hookCallType, hookEnv);
    call.signal = call.gate.signal(isCallSignal(hooked.signal) ? hooked.signal : undefined);
  }
  let answer: R | CompletionStream;
  try {
    answer = await dispatch(call, hooked);
  } catch (err) {
    // The attempt logged its failure; the failure hooks may change what the caller gets.
    throw hooks.failure.length > 0 ? await runFailureHooks(hooks.failure, data, asError(err), caller, hookEnv) : err;
  }
  if (answer instanceof CompletionStream) {
    if (!hasStreamHooks(hooks)) return answer;
    const streamHooks: StreamHookCall = { hooks, data, caller, env: hookEnv };
    // Decided once per call: hooks that cannot change a chunk leave a stream able to pass its events on as sent.
    return new CompletionStream(changesChunks(hooks) ? generatorSource(hookedChunks(answer.source, streamHooks)) : endHooked(answer.source, streamHooks));
  }
  return hooks.success.length > 0 ? runSuccessHooks(hooks.success, data, caller, answer, hookEnv) : answer;
}

/** The call's attempts: through the router for a config alias, else one attempt at the model. */
function dispatch<P extends AnyParams, R extends object>(call: CallState<P, R>, params: P): Promise<R | CompletionStream> {
  const plan = call.env.plan?.(params) ?? null;
  if (!plan) return attempt(call, call.env.route(params), params);
  const p = params as AnyParams & { fallbacks?: unknown; mock_testing_fallbacks?: unknown };
  if (p.num_retries === undefined && p.fallbacks === undefined && p.mock_testing_fallbacks === undefined) {
    return routed(plan, params, (route, info) => attempt(call, route, params, info), watchOf(call, params));
  }
  // A call's own num_retries, fallbacks and mock_testing_fallbacks are the router's, as LiteLLM's router.completion(...) takes
  // them: each retry is an attempt the callbacks see, so it is not also spent inside the attempt, and none is sent to a provider.
  const { num_retries, fallbacks, mock_testing_fallbacks, ...once } = p;
  const own: CallRouting = {
    numRetries: typeof num_retries === "number" ? num_retries : undefined,
    fallbacks: callFallbacks(fallbacks),
    mockTestingFallbacks: mock_testing_fallbacks === true,
  };
  return routed(plan, params, (route, info) => attempt(call, route, once as P, info), watchOf(call, params), own);
}

/**
 * What the routing of a call reports: moderation's verdict stops it; fallbacks and failing groups reach the router
 * hooks; a call that fails before any attempt gets its one failure event here. A call nobody sees needs none of it.
 */
function watchOf<P extends AnyParams, R extends object>(call: CallState<P, R>, params: P): RoutingWatch | undefined {
  const { hooks, env } = call;
  const gate = call.gate;
  const unattempted = call.seen ? (err: unknown) => logRejection(call, params, asError(err)) : undefined;
  if (!gate && hooks.successFallback.length + hooks.failureFallback.length + hooks.rateLimit.length === 0) return unattempted && { unattempted };
  const timeoutMs = env.settings.callback_timeout * 1000;
  const kwargs = () => ({ ...call.lastKwargs! });
  const send = (list: CallHooks["rateLimit"], args: unknown[]) => routerEvent(list, args, env.dispatcher, timeoutMs, env.tasks);
  return {
    stop: gate ? (err) => err === gate.rejected : undefined,
    fallbackSucceeded: (group, err) => send(hooks.successFallback, [group, kwargs(), asError(err)]),
    fallbackFailed: (group, err) => send(hooks.failureFallback, [group, kwargs(), asError(err)]),
    groupFailed: (group, err) => send(hooks.rateLimit, [asError(err), group, kwargs()]),
    unattempted,
  };
}

/**
 * The request as the hooks see and change it: a copy, so a hook that edits
 * `data.messages[0].content` in place changes the call, not the caller's objects.
 */
function requestData(params: AnyParams): Record<string, unknown> {
  const data: Record<string, unknown> = { ...params };
  if (Array.isArray(params.messages)) data.messages = params.messages.map((m) => (m && typeof m === "object" ? { ...m } : m));
  if (Array.isArray(params.input)) data.input = [...params.input];
  if (params.metadata && typeof params.metadata === "object") data.metadata = { ...params.metadata };
  return data;
}

/**
 * A pre-call hook answered with a string. Chat: the call is answered with it (as
 * chunks for a stream) and nothing is sent; as in LiteLLM it is a rejection, so
 * it is logged as a failure and the failure hooks see it. Embeddings: a 400.
 */
async function answerWith<P extends AnyParams, R extends object>(
  call: CallState<P, R>,
  params: P,
  data: Record<string, unknown>,
  text: string,
  caller: UserAPIKeyAuth,
  hookEnv: HookEnv,
): Promise<R | CompletionStream> {
  const { kind, hooks } = call;
  const model = typeof data.model === "string" ? data.model : params.model;
  const err = kind.answer ? new RejectedRequestError(text, { model }) : new BadRequestError(text, { model });
  logRejection(call, params, err);
  const replaced = await runFailureHooks(hooks.failure, data, err, caller, hookEnv);
  if (!kind.answer) throw replaced;
  const response = kind.answer(text, data as P);
  if (data.stream !== true || !kind.stream) return response;
  const source = new PlainStream(kind.stream.replay(response));
  // The stream hooks change what is sent, as LiteLLM's run on a rejection's stream; no success or failure hooks: the call already failed.
  const streamHooks: StreamHookCall = { hooks: { ...hooks, success: [], failure: [] }, data, caller, env: hookEnv };
  return new CompletionStream(hasStreamHooks(streamHooks.hooks) ? generatorSource(hookedChunks(source, streamHooks)) : source);
}

/** A call that fails before any attempt (a pre-call hook's rejection, or routing with nothing to try): one failure event, with the callbacks of the route the caller asked for. */
function logRejection<P extends AnyParams, R extends object>(call: CallState<P, R>, params: P, err: Error): void {
  const { env, kind, callType } = call;
  const route = env.route(params);
  const callbacks = callbacksFor(env, route, params);
  const ctx = newContext(env, route, callbacks, params, callType, kind.input(params));
  // A rejection is the call's only "attempt": its tracers give it a span.
  if (call.traces) traceAttempt(ctx.kwargs, call.traces, callbacks.tracers, false);
  const sync = callType === "completion" || callType === "embedding";
  withLoggingHooks(ctx, sync ? callbacks.hooks.logging.sync : callbacks.hooks.logging.async, env.dispatcher);
  recordFailure(ctx, err);
}

/** An async generator as a stream's source. */
function generatorSource(gen: AsyncGenerator<ChatCompletionChunk>): ChunkSource {
  return { next: () => gen.next(), return: () => gen.return(undefined), fail: () => void gen.return(undefined) };
}
