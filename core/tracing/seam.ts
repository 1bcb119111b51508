/**
 * Where a tracing built-in (`otel` and its presets) meets the call path. The core
 * imports nothing of OpenTelemetry: it finds a handler that carries `TRACER`
 * (decided when the callback lists compile), and calls it at three points of a
 * call, each cheap. Everything else a tracer needs (times, usage, errors) it reads
 * from the success and failure events it handles like any built-in, where the
 * kwargs carry the call's traces under `CALL_TRACE`.
 *
 * Several tracers may serve one call (`otel` to a collector and `langfuse` beside it):
 * each gets its own `startCall`, and finds its own trace among a kwargs copy's with
 * `traceOf(kwargs, tracer)`. Only the first tracer's context is sent upstream.
 */
import type { CallbackKwargs } from "../types.ts";

/** The key under which a tracing built-in exposes its `CallTracer`. */
export const TRACER: unique symbol = Symbol.for("litellm-runtime.tracer");

/** The key under which every kwargs copy of a traced call carries its `CallTrace`s, one per tracer (a symbol: never serialised, never a field a LiteLLM callback reads). */
export const CALL_TRACE: unique symbol = Symbol.for("litellm-runtime.call-trace");

/** The key under which the server puts a request's `ServerSpan`s (one per tracer) in the call's parameters (no JSON body can hold a symbol key). */
export const SERVER_SPAN: unique symbol = Symbol.for("litellm-runtime.server-span");

/** The request headers a server span reads: the W3C trace context. */
export interface TraceHeaders {
  readonly traceparent?: string;
  readonly tracestate?: string;
}

/** A tracing built-in, as the core and the server see it. */
export interface CallTracer {
  /**
   * At the start of a call, on its path (before any hook or attempt): what its spans hang
   * under, read from this tracer's span in `params[SERVER_SPAN]` (`serverSpanOf`) when the
   * server opened one, else from the active OpenTelemetry context. Undefined: the call is
   * not traced (sampled out).
   */
  startCall(params: object): CallTrace | undefined;
  /**
   * The server's span of one request (`POST /v1/chat/completions`, kind SERVER), opened
   * as the child of the caller's `traceparent` when it sent one. Undefined: not traced.
   */
  startServerSpan(method: string, route: string, headers: TraceHeaders): ServerSpan | undefined;
}

/** One call's trace, shared by its attempts. */
export interface CallTrace {
  /** The tracer that made it. */
  readonly tracer: CallTracer;
  /**
   * An attempt starts, on the call path, with the kwargs the call has built so far
   * (`litellm_params.metadata.attempt`, `model_group`, ... for a routed attempt).
   * Returns the headers to add to its provider request when `forward` is on
   * (`traceparent`, and `tracestate` when there is one), else undefined.
   */
  attempt(kwargs: CallbackKwargs, forward: boolean): Readonly<Record<string, string>> | undefined;
  /** No attempt of this call starts after this one: the call's span may end with its last attempt's. */
  end(): void;
}

/** The server's span of one request. */
export interface ServerSpan {
  /** The tracer that made it. */
  readonly tracer: CallTracer;
  /** The trace's id (32 hex digits), for `x-litellm-trace-id`. */
  readonly traceId: string;
  /** Ends the span with the response's status (an error status marks it failed). */
  end(status: number, error?: unknown): void;
}

/** The tracer a handler exposes, if it is one. */
export function tracerOf(handler: unknown): CallTracer | undefined {
  if (handler === null || (typeof handler !== "object" && typeof handler !== "function")) return undefined;
  const t = (handler as { [TRACER]?: unknown })[TRACER];
  return t && typeof t === "object" ? (t as CallTracer) : undefined;
}

/** `tracer`'s trace of the call a kwargs copy belongs to, if it traces it. */
export function traceOf(kwargs: object, tracer: CallTracer): CallTrace | undefined {
  const traces = (kwargs as { [CALL_TRACE]?: readonly CallTrace[] })[CALL_TRACE];
  if (traces === undefined) return undefined;
  for (const t of traces) if (t.tracer === tracer) return t;
  return undefined;
}

/** `tracer`'s span of the server request a call's parameters come from, if there is one. */
export function serverSpanOf(params: object, tracer: CallTracer): ServerSpan | undefined {
  const spans = (params as { [SERVER_SPAN]?: readonly ServerSpan[] })[SERVER_SPAN];
  if (spans === undefined) return undefined;
  for (const s of spans) if (s.tracer === tracer) return s;
  return undefined;
}
