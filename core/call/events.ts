/** The steps every call type shares: its callbacks, its context, and the kwargs each event adds. */
import { compileCallbacks, type CallbackSource, type CompiledCallbacks } from "../callbacks/registry.ts";
import { maskKey, safeHeaders } from "../callbacks/kwargs.ts";
import { maskUrl } from "../secrets.ts";
import { describeThrown, isReadableError, safeCause } from "../callbacks/failure.ts";
import { computeCost } from "../cost/index.ts";
import { notePricing } from "../callbacks/standard-logging.ts";
import type { ProviderRequest, ResolvedModel } from "../providers/types.ts";
import type { CallType, CompletionParams, EmbeddingParams, HiddenParams, ProxyServerRequest, Usage } from "../types.ts";
import { CallContext } from "./context.ts";
import type { AttemptInfo, CallEnv, CallSettings, Route } from "./env.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES, DEFAULT_TIMEOUT_S, dropParamsOf, extraHeadersOf, optionalParams } from "./params.ts";
import { isCallSignal } from "./signal.ts";

type AnyParams = CompletionParams | EmbeddingParams;

/** Set by the server on a call's parameters: it reads the answer's hidden params itself, under `HIDDEN`. */
export const SERVED: unique symbol = Symbol("litellm-runtime.served");

/** Where a served call that no callback sees keeps its hidden params: a symbol key, which JSON never writes. */
export const HIDDEN: unique symbol = Symbol("litellm-runtime.hidden");

/** A served call that no callback sees, answered whole by an OpenAI-format upstream (a chat completion or embeddings): the text it sent, which the server writes as it is. */
export const VERBATIM: unique symbol = Symbol("litellm-runtime.verbatim");

/** The callbacks of a call: its route's, plus its own lists when it brings some. */
export function callbacksFor(env: CallEnv, route: Pick<Route, "sources" | "callbacks">, params: AnyParams): CompiledCallbacks {
  const { callbacks, input_callback, success_callback, failure_callback } = params;
  if (!callbacks && !input_callback && !success_callback && !failure_callback) return route.callbacks;
  const own: CallbackSource[] = [];
  if (callbacks) own.push({ list: "callbacks", entries: callbacks });
  if (input_callback) own.push({ list: "input_callback", entries: input_callback });
  if (success_callback) own.push({ list: "success_callback", entries: success_callback });
  if (failure_callback) own.push({ list: "failure_callback", entries: failure_callback });
  return compileCallbacks([...route.sources, ...own], env.resolveBuiltin);
}

/** A new call's context, with the kwargs every event shares. */
export function newContext(
  env: CallEnv,
  route: Route,
  callbacks: CompiledCallbacks,
  params: AnyParams,
  callType: CallType,
  messages: CallContextInputMessages,
  attempt?: AttemptInfo,
): CallContext {
  const sync = callType === "completion" || callType === "embedding";
  const target = route.target;
  // Read once: the process-wide scope builds its settings object on each read.
  const settings = env.settings;
  // Credentials inside an api_base (user:pass@, ?api-key=) are masked in what callbacks see.
  const apiBase = settings.redact_api_keys ? maskUrl(target.api_base) : target.api_base;
  const quiet = callbacks.targets.length === 0 && (params as { [SERVED]?: boolean })[SERVED] === true;
  return new CallContext(
    {
      // LiteLLM's kwargs["model"]: the deployment's model without its provider prefix; the alias is model_group.
      model: target.model,
      messages,
      optional_params: optionalParams(params),
      // A routed attempt says which deployment it was, in the keys LiteLLM's router adds, and (ours) which attempt.
      metadata: attempt && !quiet
        ? { ...params.metadata, model_group: attempt.model_group, deployment: attempt.deployment, deployment_model_name: attempt.model_group, model_info: target.model_info, api_base: apiBase, attempt: attempt.attempt }
        : params.metadata,
      model_info: target.model_info,
      // A string, as LiteLLM's: "" until the request names its URL (recordRequest), and for the mock.
      api_base: apiBase ?? "",
      custom_llm_provider: target.provider,
      model_group: target.model_group,
      // What a log line names: the deployment the router picked, and whether a cache miss is news (set by the cache step, after the hooks).
      litellm_model_name: `${target.provider}/${target.model}`,
      cache_enabled: false,
      stream: params.stream === true,
      call_type: callType,
      user: typeof params.user === "string" ? params.user : undefined,
      call_id: text(params.litellm_call_id),
      // Nobody reads a quiet call's kwargs: its routed trace id (a new UUID) is not made.
      trace_id: quiet ? undefined : (attempt?.trace_id ?? text(params.litellm_trace_id)),
      caller_trace_id: text(params.litellm_trace_id),
      session_id: text(params.litellm_session_id),
      base_model: text(params.base_model) ?? null,
      proxy_server_request: (params.proxy_server_request as ProxyServerRequest | undefined) ?? null,
      input_cost_per_token: price(params.input_cost_per_token),
      output_cost_per_token: price(params.output_cost_per_token),
      start_time: new Date(),
    },
    sync ? callbacks.sync : callbacks.async,
    env.dispatcher,
    settings,
    env.tasks,
    quiet,
  );
}
type CallContextInputMessages = CompletionParams["messages"] | string | string[];

const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const price = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Records the request at pre_api_call: the exact body, and the key and headers masked. */
export function recordRequest(ctx: CallContext, req: ProviderRequest): void {
  // A served call with no callback to read them: the request's masked copies are not made (nor the event, which no handler takes).
  if (ctx.quiet) return;
  const redact = ctx.settings.redact_api_keys;
  const k = ctx.kwargs;
  k.input = req.input;
  k.api_key = req.apiKey === undefined ? null : redact ? maskKey(req.apiKey) : req.apiKey;
  const apiBase = redact ? maskUrl(req.target.api_base ?? req.url) : (req.target.api_base ?? req.url);
  k.additional_args = { complete_input_dict: req.body, api_base: apiBase, headers: safeHeaders(req.headers, redact) };
  // As LiteLLM's pre_call: litellm_params.api_base is where the request goes, once that is known.
  if (!k.litellm_params.api_base && apiBase) k.litellm_params.api_base = apiBase;
  ctx.emit("pre_api_call", null, new Date());
}

/** The call's own prices (`input_cost_per_token`, `output_cost_per_token`), or null when it gives none. */
function callPricesOf(params: AnyParams): { input_cost_per_token: number | undefined; output_cost_per_token: number | undefined } | null {
  return params.input_cost_per_token !== undefined || params.output_cost_per_token !== undefined
    ? { input_cost_per_token: params.input_cost_per_token as number | undefined, output_cost_per_token: params.output_cost_per_token as number | undefined }
    : null;
}

/**
 * The success of a quiet call (from the server, seen by no callback, hook or tracer): priced, and given
 * the hidden params the server's headers read. Its kwargs are not filled, since nothing reads them.
 */
export function priceQuiet(ctx: CallContext, target: ResolvedModel, usage: Partial<Usage> | undefined, params: AnyParams, cacheKey: string | null): HiddenParams {
  const { cost } = computeCost({
    model: target.model,
    provider: target.provider,
    usage,
    modelInfo: target.model_info,
    callPrices: callPricesOf(params),
    costMap: ctx.settings.model_cost_map,
    baseModel: ctx.kwargs.litellm_params.base_model,
  });
  return { response_cost: cost, cache_hit: false, api_base: target.api_base, custom_llm_provider: target.provider, cache_key: cacheKey };
}

/** Prices a response and fills the success kwargs. */
export function priceSuccess(ctx: CallContext, target: ResolvedModel, usage: Partial<Usage> | undefined, params: AnyParams, end: Date): HiddenParams {
  const callPrices = callPricesOf(params);
  const k = ctx.kwargs;
  const { cost, debug, price, pricedAs, breakdown } = computeCost({
    model: target.model,
    provider: target.provider,
    usage,
    modelInfo: target.model_info,
    callPrices,
    costMap: ctx.settings.model_cost_map,
    baseModel: k.litellm_params.base_model,
  });
  k.end_time = end;
  k.cache_hit = false;
  k.cache_key = null;
  k.response_cost = cost;
  k.response_cost_failure_debug_information = debug && {
    ...debug,
    traceback_str: "",
    cache_hit: false,
    base_model: k.litellm_params.base_model,
    call_type: k.call_type,
    custom_pricing: callPrices !== null || hasPrices(target.model_info),
  };
  k.completion_start_time ??= end;
  const answer = ctx.answer;
  const hidden: HiddenParams = {
    response_cost: cost,
    cache_hit: false,
    api_base: target.api_base,
    custom_llm_provider: target.provider,
    cache_key: null,
    model_id: typeof target.model_info?.id === "string" ? target.model_info.id : null,
    litellm_model_name: `${target.provider}/${target.model}`,
    additional_headers: answer?.headers ? { ...answer.headers } : null,
    // The runtime's own time: to the answer (a stream's opening; a whole answer's end) less the wait for the provider.
    litellm_overhead_time_ms: answer ? Math.max(0, (k.stream ? answer.at : end.getTime()) - ctx.start.getTime() - answer.waitMs) : null,
  };
  const chat = k.call_type === "completion" || k.call_type === "acompletion";
  notePricing(k, { model_map_key: pricedAs, model_map_value: price, breakdown: chat ? breakdown : null });
  return hidden;
}

const hasPrices = (info: Record<string, unknown> | null): boolean => info != null && (typeof info.input_cost_per_token === "number" || typeof info.output_cost_per_token === "number");

/**
 * Gives the response its `_hidden_params`, not enumerable, so it serialises exactly as the provider's.
 * A call from the server that no callback, hook or tracer sees (`quiet`) keeps them under `HIDDEN`
 * instead: only the server's headers read them, and defining a hidden property costs more per call
 * than the rest of pricing.
 */
export function attachHidden<T extends object>(response: T, hidden: HiddenParams, quiet = false): T {
  if (quiet) (response as { [HIDDEN]?: HiddenParams })[HIDDEN] = hidden;
  else Object.defineProperty(response, "_hidden_params", { value: hidden, enumerable: false, writable: true, configurable: true });
  return response;
}

/** Fills the failure kwargs and emits the failure event. */
export function recordFailure(ctx: CallContext, err: Error): void {
  const k = ctx.kwargs;
  const end = new Date();
  k.exception = err;
  k.traceback_exception = err.stack ?? String(err);
  k.end_time = end;
  k.response_cost = 0;
  ctx.emit("failure", null, end);
}

/** The call's error: an Error that can be read as it is, else one that describes what was thrown (whatever it was). */
export function asError(err: unknown): Error {
  return isReadableError(err) ? err : new Error(describeThrown(err), { cause: safeCause(err) });
}

export function requestOptions(params: AnyParams, target: ResolvedModel, stream: boolean, settings: CallSettings) {
  const streamTimeout = stream ? (params as { stream_timeout?: unknown }).stream_timeout : undefined;
  const fallback = settings.request_timeout > 0 ? settings.request_timeout : DEFAULT_TIMEOUT_S;
  const timeout =
    typeof streamTimeout === "number" && streamTimeout > 0 ? streamTimeout : typeof params.timeout === "number" && params.timeout > 0 ? params.timeout : fallback;
  return {
    stream,
    timeoutMs: timeout * 1000,
    maxRetries: typeof params.num_retries === "number" ? params.num_retries : 0,
    signal: isCallSignal(params.signal) ? params.signal : undefined,
    maxResponseBytes: settings.max_response_bytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxStreamBytes: settings.max_stream_bytes ?? DEFAULT_MAX_STREAM_BYTES,
    mock: { response: (params.mock_response ?? target.mock_response) as string | Error | undefined, delayMs: typeof params.mock_delay === "number" ? params.mock_delay : 0 },
    extraHeaders: extraHeadersOf(params),
    dropParams: dropParamsOf(params, settings.drop_params),
  };
}


/** When the provider's answer came, how long since it was asked (`performance.now()` then), and its rate-limit headers. */
export function noteAnswer(ctx: CallContext, asked: number, headers: Readonly<Record<string, string>> | undefined): void {
  ctx.answer = { at: Date.now(), waitMs: performance.now() - asked, headers };
}

/** The provider answered with an error (or none came): its text as `original_response`, and the post_api_call event; returns `err`. */
export function noteProviderError(ctx: CallContext, err: unknown): unknown {
  ctx.kwargs.original_response = err instanceof Error ? err.message : String(err);
  ctx.emit("post_api_call", null);
  return err;
}
