/**
 * A call's traces (core/tracing/seam.ts), as the lifecycle uses them: started with
 * the call, told of each attempt, ended when no attempt follows. A call whose
 * callbacks hold no tracer pays one length check.
 */
import { CALL_TRACE, type CallTrace, type CallTracer } from "../tracing/seam.ts";
import type { CallbackKwargs, ProxyServerRequest } from "../types.ts";

/** Each tracer's trace of a call that starts now; undefined when none traces it. */
export function startTraces(tracers: readonly CallTracer[], params: object): readonly CallTrace[] | undefined {
  if (tracers.length === 0) return undefined;
  let traces: CallTrace[] | undefined;
  for (const tracer of tracers) {
    const trace = tracer.startCall(params);
    if (trace) (traces ??= []).push(trace);
  }
  return traces;
}

/** Ends the traces when `work` settles: no attempt of the call starts after that. */
export function endTracesAfter(work: Promise<unknown>, traces: readonly CallTrace[]): void {
  const end = () => {
    for (const t of traces) t.end();
  };
  void work.then(end, end);
}

/**
 * An attempt starts: the traces of tracers this attempt's callbacks include learn
 * of it, and ride on its kwargs. Returns the headers its provider request adds when
 * `forward` is on: the first trace's context, else the `traceparent` (and
 * `tracestate`) the server's caller sent, as LiteLLM forwards it.
 */
export function traceAttempt(
  kwargs: CallbackKwargs,
  traces: readonly CallTrace[] | undefined,
  routeTracers: readonly CallTracer[],
  forward: boolean,
): Readonly<Record<string, string>> | undefined {
  let sent: Readonly<Record<string, string>> | undefined;
  if (traces !== undefined) {
    const mine = routeTracers.length === traces.length ? traces : traces.filter((t) => routeTracers.includes(t.tracer));
    if (mine.length > 0) {
      (kwargs as { [CALL_TRACE]?: readonly CallTrace[] })[CALL_TRACE] = mine;
      for (const t of mine) {
        const headers = t.attempt(kwargs, forward && sent === undefined);
        sent ??= headers;
      }
    }
  }
  if (!forward || sent !== undefined) return sent;
  return callerTraceHeaders(kwargs.litellm_params.proxy_server_request as ProxyServerRequest | null | undefined);
}

/** The W3C trace headers of the server request a call comes from. */
function callerTraceHeaders(request: ProxyServerRequest | null | undefined): Readonly<Record<string, string>> | undefined {
  const headers = request?.headers as Record<string, unknown> | undefined;
  const traceparent = headers?.traceparent;
  if (typeof traceparent !== "string" || traceparent === "") return undefined;
  const tracestate = headers?.tracestate;
  return typeof tracestate === "string" && tracestate !== "" ? { traceparent, tracestate } : { traceparent };
}

/** The call's own extra headers with the trace headers over them (a caller's own `traceparent` header loses to the attempt's). */
export function withTraceHeaders(extra: Readonly<Record<string, string>> | undefined, trace: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (extra === undefined) return trace;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra)) if (k.toLowerCase() !== "traceparent" && k.toLowerCase() !== "tracestate") out[k] = v;
  return Object.assign(out, trace);
}
