import type { CallHooks } from "../callbacks/call-hooks.ts";
import type { ResponseCache } from "../cache/types.ts";
import { providerFor } from "../providers/index.ts";
import type { Provider, ProviderRequest, ResolvedModel } from "../providers/types.ts";
import type { CallbackKwargs, CallType, Usage } from "../types.ts";
import { withLoggingHooks } from "./background.ts";
import { cacheApplies, recordHit } from "./cache-step.ts";
import type { CallContext } from "./context.ts";
import type { AttemptInfo, CallEnv, Route } from "./env.ts";
import { totalTokens } from "./routing.ts";
import { asError, attachHidden, callbacksFor, newContext, noteAnswer, noteProviderError, priceQuiet, priceSuccess, recordFailure, recordRequest, requestOptions, VERBATIM } from "./events.ts";
import type { AnyParams, CacheLookup, CallKind } from "./kind.ts";
import type { Moderation } from "./moderation.ts";
import type { CallSignal } from "./signal.ts";
import { CompletionStream, LoggedStream, type StreamEnd } from "./stream.ts";
import { traceAttempt, withTraceHeaders } from "./tracing.ts";
import type { CallTrace } from "../tracing/seam.ts";

/** One call as its attempts share it: where it runs, what it is, its hooks and its moderation. */
export interface CallState<P extends AnyParams, R extends object> {
  readonly env: CallEnv;
  readonly kind: CallKind<P, R>;
  readonly callType: CallType;
  readonly hooks: CallHooks;
  /** Some callback, hook or tracer of the call's scope may see it: a failure before any attempt is then logged (lifecycle.ts). */
  readonly seen: boolean;
  /** The moderation hooks' verdict, when the call has some. */
  gate: Moderation | undefined;
  /** The provider requests' signal while moderation runs (it stops them on a rejection). */
  signal: CallSignal | undefined;
  /** The latest attempt's kwargs, for the router's events. */
  lastKwargs: CallbackKwargs | undefined;
  /** The call's traces, one per tracing built-in that traces it (core/tracing/seam.ts). */
  readonly traces: readonly CallTrace[] | undefined;
}

/**
 * One attempt, from its first event to its last: the cache, the provider
 * request, and one success or failure. Each call type brings only what differs
 * (`CallKind`); a routed call makes one attempt per deployment it tries.
 *
 * Not an async function: a whole answer from the provider (the common call) is one
 * promise chain from undici to the success event, with no frame resumed on the way.
 */
export function attempt<P extends AnyParams, R extends object>(call: CallState<P, R>, route: Route, params: P, info?: AttemptInfo): Promise<R | CompletionStream> {
  const { env, kind, callType } = call;
  if (route.defaults) params = { ...route.defaults, ...params };
  if (call.signal) params = { ...params, signal: call.signal as AbortSignal };
  const callbacks = callbacksFor(env, route, params);
  const ctx = newContext(env, route, callbacks, params, callType, kind.input(params), info);
  withLoggingHooks(ctx, syncEntry(callType) ? callbacks.hooks.logging.sync : callbacks.hooks.logging.async, env.dispatcher);
  call.lastKwargs = ctx.kwargs;
  const forward = ctx.settings.forward_traceparent;
  const traceHeaders = call.traces || forward ? traceAttempt(ctx.kwargs, call.traces, callbacks.tracers, forward) : undefined;
  try {
    const target = route.target;
    if (target.error) throw target.error;
    call.gate?.check();
    const cache = cacheApplies(env, params, callType);
    ctx.kwargs.litellm_params.cache_enabled = cache !== null;
    if (cache) return throughCache(call, ctx, target, cache, params, traceHeaders, info);
    ctx.kwargs.litellm_params.preset_cache_key = null;
    return fromProvider(call, ctx, target, params, null, traceHeaders, info);
  } catch (err) {
    return Promise.reject(failed(ctx, err));
  }
}

/** Records the attempt's one failure event; the error the caller gets. */
function failed(ctx: CallContext, err: unknown): Error {
  const e = asError(err);
  recordFailure(ctx, e);
  return e;
}

/** An attempt the cache applies to: a hit delivers only its success event; a miss goes to the provider and is stored. */
async function throughCache<P extends AnyParams, R extends object>(
  call: CallState<P, R>,
  ctx: CallContext,
  target: ResolvedModel,
  cache: ResponseCache,
  params: P,
  traceHeaders: Record<string, string> | undefined,
  info: AttemptInfo | undefined,
): Promise<R | CompletionStream> {
  const { kind } = call;
  let found: CacheLookup<R> | null;
  try {
    found = await kind.lookup(cache, params, ctx.kwargs.optional_params);
    // LiteLLM's litellm_params.preset_cache_key: the key the cache looked under, before the call.
    ctx.kwargs.litellm_params.preset_cache_key = found?.key ?? found?.hit?.key ?? null;
    if (found?.hit) {
      // A hit delivers only its success event: no pre or post API call, no chunks. Moderation still has its say.
      await call.gate?.passed();
      const { response, key } = found.hit;
      const streams = params.stream === true ? kind.stream : undefined;
      if (!streams) return succeed(ctx, target, response, kind.usage(response), params, { hit: key });
      const end = streamEnd(ctx, target, params, { hit: key });
      return new CompletionStream(new LoggedStream(streams.replay(response), ctx, streams.messages(params), streams.includeUsage(params), end, false));
    }
  } catch (err) {
    throw failed(ctx, err);
  }
  return fromProvider(call, ctx, target, params, found, traceHeaders, info);
}

/** The provider request of an attempt (a cache miss, or no cache): a stream opened, or a whole answer priced and logged. */
function fromProvider<P extends AnyParams, R extends object>(
  call: CallState<P, R>,
  ctx: CallContext,
  target: ResolvedModel,
  params: P,
  found: CacheLookup<R> | null,
  traceHeaders: Record<string, string> | undefined,
  info: AttemptInfo | undefined,
): Promise<R | CompletionStream> {
  const { kind } = call;
  const streams = params.stream === true ? kind.stream : undefined;
  let req: ProviderRequest;
  let provider: Provider;
  try {
    provider = providerFor(target.transport);
    const options = requestOptions(params, target, streams !== undefined, ctx.settings);
    if (traceHeaders) options.extraHeaders = withTraceHeaders(options.extraHeaders, traceHeaders);
    req = kind.request(provider, target, found ? found.send : kind.payload(params), ctx.kwargs.optional_params, options);
    recordRequest(ctx, req);
  } catch (err) {
    return Promise.reject(failed(ctx, err));
  }
  if (streams) return openStream(call, ctx, target, params, provider, req, streams, found, info);

  let work: ReturnType<typeof kind.send>;
  try {
    work = kind.send(provider, req);
    if (call.gate) work = call.gate.guard(work);
  } catch (err) {
    return Promise.reject(failed(ctx, err));
  }
  const asked = performance.now();
  return work.then(
    (answer) => {
      try {
        // What the answer was, when, and how long it took: for the kwargs and the hidden params, which a quiet call does not fill.
        if (!ctx.quiet) {
          noteAnswer(ctx, asked, answer.headers);
          ctx.kwargs.original_response = answer.raw;
        }
        ctx.emit("post_api_call", null);
        const response = found ? found.finish(answer.response) : answer.response;
        succeed(ctx, target, response, kind.usage(answer.response), params, { key: found?.key ?? null });
        // Nothing can change what nobody but the server sees: it sends the upstream's text on, as a stream's events are (sse.ts).
        if (ctx.quiet && answer.verbatim === true && response === answer.response) (response as { [VERBATIM]?: string })[VERBATIM] = answer.raw;
        found?.store(answer.response);
        return response;
      } catch (err) {
        throw failed(ctx, err);
      }
    },
    (err: unknown) => {
      throw failed(ctx, noteProviderError(ctx, err));
    },
  );
}

/**
 * A streamed attempt: resolves when the provider's stream opens; its end is logged when the stream ends.
 * One promise step from the provider's stream to the attempt's, as for a whole answer.
 */
function openStream<P extends AnyParams, R extends object>(
  call: CallState<P, R>,
  ctx: CallContext,
  target: ResolvedModel,
  params: P,
  provider: Provider,
  req: ProviderRequest,
  streams: NonNullable<CallKind<P, R>["stream"]>,
  found: CacheLookup<R> | null,
  info: AttemptInfo | undefined,
): Promise<CompletionStream> {
  let open: ReturnType<typeof streams.open>;
  try {
    open = streams.open(provider, req);
    if (call.gate) open = call.gate.guard(open, (s) => s.abort());
  } catch (err) {
    return Promise.reject(failed(ctx, err));
  }
  const asked = performance.now();
  return open.then(
    (upstream) => {
      try {
        if (!ctx.quiet) {
          noteAnswer(ctx, asked, upstream.headers);
          ctx.kwargs.original_response = "<stream>";
        }
        ctx.emit("post_api_call", null);
        const end = streamEnd(ctx, target, params, { miss: found }, info);
        return new CompletionStream(new LoggedStream(upstream, ctx, streams.messages(params), streams.includeUsage(params), end));
      } catch (err) {
        throw failed(ctx, err);
      }
    },
    (err: unknown) => {
      throw failed(ctx, noteProviderError(ctx, err));
    },
  );
}

/** How a success came: from the cache (its key), or from the provider (the key it is stored under, if any). */
type Source = { hit: string } | { key: string | null };

/** Stream details of a success. */
interface Streamed {
  first: Date | undefined;
  aborted: boolean;
}

/**
 * The one step that records a success, for a provider's answer and a cache hit
 * alike: priced (or marked a hit, with what it would have cost), the response's
 * `_hidden_params`, the success kwargs, and the success event.
 */
function succeed<R extends object>(ctx: CallContext, target: ResolvedModel, response: R, usage: Partial<Usage> | undefined, params: AnyParams, source: Source, streamed?: Streamed): R {
  // Nothing but the server reads a quiet call's success: its price and hidden params, no kwargs and no event (no handler would take it).
  if (ctx.quiet && "key" in source) return attachHidden(response, priceQuiet(ctx, target, usage, params, source.key), true);
  const end = new Date();
  if (streamed?.first) ctx.kwargs.completion_start_time = streamed.first;
  const hidden = "hit" in source ? recordHit(ctx, target, usage, source.hit, end, response) : priceSuccess(ctx, target, usage, params, end);
  if ("key" in source && source.key !== null) ctx.kwargs.cache_key = hidden.cache_key = source.key;
  attachHidden(response, hidden, ctx.quiet);
  if (streamed) {
    ctx.kwargs.complete_streaming_response = response as unknown as CallbackKwargs["complete_streaming_response"];
    if (streamed.aborted) ctx.kwargs.stream_aborted = true;
  }
  ctx.emit("success", response, end);
  return response;
}

/** The end of a streamed answer: one success (stored whole when it came from the provider, never a part), or one failure. */
function streamEnd<R extends object>(
  ctx: CallContext,
  target: ResolvedModel,
  params: AnyParams,
  from: { hit: string } | { miss: CacheLookup<R> | null },
  info?: AttemptInfo,
): StreamEnd {
  return {
    wantsWhole: ("miss" in from && from.miss !== null) || info?.used !== undefined,
    success: (complete, aborted, first) => {
      const source: Source = "hit" in from ? { hit: from.hit } : { key: from.miss?.key ?? null };
      succeed(ctx, target, complete as R, complete.usage, params, source, { first, aborted });
      if ("miss" in from && from.miss && !aborted) from.miss.store(complete as R);
      // The provider's tokens count against the deployment's tpm (a stored answer's were counted when it was made).
      if ("miss" in from && info?.used) info.used(totalTokens(complete));
    },
    failure: (err) => {
      const e = asError(err);
      recordFailure(ctx, e);
      return e;
    },
  };
}

function syncEntry(callType: CallType): boolean {
  return callType === "completion" || callType === "embedding";
}
