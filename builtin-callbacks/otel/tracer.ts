import type { Context, Span, SpanContext } from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { CallTrace, CallTracer, ServerSpan, TraceHeaders } from "../../core/tracing/seam.ts";
import { serverSpanOf, traceOf } from "../../core/tracing/seam.ts";
import type { CallbackKwargs } from "../../core/types.ts";
import { eventAttributes, spanName, startAttributes } from "./attributes.ts";
import { contentOf } from "./content.ts";
import { otel } from "./load.ts";
import type { OtelOptions } from "./options.ts";
import { openSink, type SpanSink } from "./pipeline.ts";
import { styleAttributes } from "./styles.ts";

/**
 * The built-in's side of core/tracing/seam.ts. The tree of one call:
 *
 *   POST /v1/chat/completions   SERVER    (the server's request, when there is one)
 *   └ litellm chat <model>      INTERNAL  (only when nothing else is the parent: no server span, no app span)
 *     ├ chat gpt-4o-mini        CLIENT    attempt 1 (failed)
 *     └ chat gpt-4o             CLIENT    attempt 2 (a fallback), a sibling under the same parent
 *
 * An attempt's span starts eagerly when its `traceparent` is forwarded (the
 * provider's span must be its child); otherwise it is built after the fact from
 * the attempt's success or failure event, with the event's times. Either way the
 * event sets its attributes and ends it: exactly one span per attempt.
 */
export class OtelTracer implements CallTracer {
  /** Where an eagerly started attempt span rides on the attempt's kwargs, and so on its events' copies (the attempts of one server request share their call id). */
  readonly spanKey: symbol = Symbol("otel attempt span");
  private opened: SpanSink | undefined;
  private readonly api = otel().api;

  constructor(
    readonly options: OtelOptions,
    private readonly exporter: SpanExporter | undefined,
    /** False for an instance built with `message_logging: false`: its events are redacted, and no content is sent. */
    private readonly contentAllowed: boolean,
  ) {}

  /** Opened at the first span: an app that registers its provider after the config loads is still found. */
  get sink(): SpanSink {
    return (this.opened ??= openSink(this.options, this.exporter));
  }

  /** The sink when a span was ever made (flush and close need not open one). */
  get openedSink(): SpanSink | undefined {
    return this.opened;
  }

  startCall(params: object): CallTrace | undefined {
    const { api } = this;
    const server = serverSpanOf(params, this);
    const base = server instanceof OtelServerSpan ? server.context : api.context.active();
    if (otel().core.isTracingSuppressed(base)) return undefined;
    const parent = api.trace.getSpanContext(base);
    if (parent && api.isSpanContextValid(parent)) return parent.traceFlags & 1 ? new OtelCallTrace(this, base, undefined) : undefined;
    // No parent: the call's own span holds its attempts together, and its sampling decision is the call's. It is opened
    // when first needed (an attempt's event, in the background; a forwarded attempt), with the call's start: not on the call's path.
    const model = typeof (params as { model?: unknown }).model === "string" ? (params as { model: string }).model : "";
    const op = "input" in params && !("messages" in params) ? "embeddings" : "chat";
    return new OtelCallTrace(this, base, { name: `litellm ${op}${model ? ` ${model}` : ""}`, model, start: Date.now() });
  }

  startServerSpan(method: string, route: string, headers: TraceHeaders): ServerSpan | undefined {
    const { api } = this;
    const active = api.context.active();
    // An app's HTTP instrumentation already made the request's span from these headers: ours is its child.
    const base = api.trace.getSpan(active) ? active : new (otel().core.W3CTraceContextPropagator)().extract(active, headers, api.defaultTextMapGetter);
    if (otel().core.isTracingSuppressed(base)) return undefined;
    const span = this.sink.tracer.startSpan(
      `${method} ${route}`,
      { kind: api.SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": route, "http.route": route } },
      base,
    );
    return new OtelServerSpan(this, span, api.trace.setSpan(base, span));
  }

  /** An attempt's success or failure event: its span gets its attributes and ends. */
  record(kwargs: CallbackKwargs, response: unknown, failed: boolean): void {
    const trace = traceOf(kwargs, this);
    if (trace instanceof OtelCallTrace) trace.finish(kwargs, response, failed);
  }

  /** The attributes of one event's span. */
  attributesOf(kwargs: CallbackKwargs, response: unknown, failed: boolean): Record<string, unknown> {
    const record = kwargs.standard_logging_object;
    const attrs: Record<string, unknown> = eventAttributes(kwargs, response, record, failed);
    const content = this.options.capture_content && this.contentAllowed ? contentOf(kwargs, failed ? undefined : response) : {};
    if (content.input) attrs["gen_ai.input.messages"] = JSON.stringify(content.input);
    if (content.output) attrs["gen_ai.output.messages"] = JSON.stringify(content.output);
    Object.assign(attrs, styleAttributes(this.options.attribute_style, kwargs, record, content, failed));
    return attrs;
  }
}

/** The W3C headers of a span: `traceparent` (and `tracestate` when there is one). */
function traceHeaders(sc: SpanContext): Readonly<Record<string, string>> {
  const traceparent = `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & 1).toString(16)}`;
  const state = sc.traceState?.serialize();
  return state ? { traceparent, tracestate: state } : { traceparent };
}

/** The call span a trace opens for itself when nothing else is its attempts' parent. */
interface OwnSpan {
  readonly name: string;
  readonly model: string;
  /** The call's start, epoch ms. */
  readonly start: number;
}

class OtelCallTrace implements CallTrace {
  /** The context attempts start under, once known; and the call's own span, once opened. */
  private under: Context | undefined;
  private callSpan: Span | undefined;
  /** Attempt spans started eagerly and not yet ended. */
  private open = 0;
  private started = 0;
  private finished = 0;
  private failures = 0;
  private ended = false;
  private lastEnd = 0;

  constructor(
    readonly tracer: OtelTracer,
    /** The server's span or the app's active context; the attempts hang under it, or under the call's own span opened in it. */
    private readonly base: Context,
    /** The call's own span to open, when nothing else is the parent. */
    private readonly own: OwnSpan | undefined,
  ) {}

  /** What the attempts hang under: the base, or the call's own span, opened on first use. */
  private get parent(): Context {
    if (this.under) return this.under;
    if (!this.own) return (this.under = this.base);
    const { api } = otel();
    const { name, model, start } = this.own;
    this.callSpan = this.tracer.sink.tracer.startSpan(name, { kind: api.SpanKind.INTERNAL, startTime: start, attributes: { "litellm.requested_model": model } }, this.base);
    return (this.under = api.trace.setSpan(this.base, this.callSpan));
  }

  attempt(kwargs: CallbackKwargs, forward: boolean): Readonly<Record<string, string>> | undefined {
    this.started++;
    if (!forward) return undefined;
    const api = otel().api;
    const span = this.tracer.sink.tracer.startSpan(spanName(kwargs), { kind: api.SpanKind.CLIENT, startTime: kwargs.start_time, attributes: startAttributes(kwargs) }, this.parent);
    (kwargs as unknown as Record<symbol, unknown>)[this.tracer.spanKey] = span;
    this.open++;
    return traceHeaders(span.spanContext());
  }

  end(): void {
    this.ended = true;
    this.settle();
  }

  finish(kwargs: CallbackKwargs, response: unknown, failed: boolean): void {
    const api = otel().api;
    let span = (kwargs as unknown as Record<symbol, Span | undefined>)[this.tracer.spanKey];
    if (span) this.open--;
    else span = this.tracer.sink.tracer.startSpan(spanName(kwargs), { kind: api.SpanKind.CLIENT, startTime: kwargs.start_time }, this.parent);
    try {
      span.setAttributes(this.tracer.attributesOf(kwargs, response, failed) as Record<string, string>);
      if (kwargs.stream === true && kwargs.completion_start_time instanceof Date && !failed) span.addEvent("gen_ai.first_token", kwargs.completion_start_time);
      if (failed) span.setStatus({ code: api.SpanStatusCode.ERROR, message: statusMessage(kwargs) });
    } finally {
      const end = kwargs.end_time instanceof Date ? kwargs.end_time : new Date();
      span.end(end);
      this.finished++;
      if (failed) this.failures++;
      this.lastEnd = Math.max(this.lastEnd, end.getTime());
      this.settle();
    }
  }

  /** The call's span ends once no attempt will start and every started one has had its event (in either order). */
  private settle(): void {
    const span = this.callSpan;
    if (!span || !this.ended || this.open > 0 || this.finished < this.started || !span.isRecording()) return;
    span.setAttribute("litellm.attempts", this.finished);
    if (this.finished > 0 && this.failures === this.finished) span.setStatus({ code: otel().api.SpanStatusCode.ERROR });
    span.end(this.lastEnd > 0 ? new Date(this.lastEnd) : new Date());
  }
}

/** The error's class and its message as the record has it (secrets scrubbed), kept short. */
function statusMessage(kwargs: CallbackKwargs): string {
  const r = kwargs.standard_logging_object;
  const cls = r?.error_information?.error_class || kwargs.exception?.name || "Error";
  const msg = r?.error_str ?? "";
  const text = msg ? `${cls}: ${msg}` : cls;
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}

class OtelServerSpan implements ServerSpan {
  readonly traceId: string;
  private done = false;

  constructor(
    readonly tracer: OtelTracer,
    private readonly span: Span,
    /** The context a call under this request starts from. */
    readonly context: Context,
  ) {
    this.traceId = span.spanContext().traceId;
  }

  end(status: number, error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.span.setAttribute("http.response.status_code", status);
    if (status >= 500) {
      this.span.setAttribute("error.type", String(status));
      const name = error instanceof Error ? error.name : undefined;
      this.span.setStatus({ code: otel().api.SpanStatusCode.ERROR, ...(name && { message: name }) });
    }
    this.span.end();
  }
}
