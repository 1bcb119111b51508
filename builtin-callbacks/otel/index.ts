import { registerReadOnlyBuiltin, type BuiltinContext } from "../../core/callbacks/builtins.ts";
import { CustomLogger } from "../../core/callbacks/custom-logger.ts";
import { OWN_EVENTS, type EventName } from "../../core/callbacks/registry.ts";
import { InvalidCallbackError } from "../../core/errors.ts";
import { TRACER } from "../../core/tracing/seam.ts";
import type { CallbackKwargs } from "../../core/types.ts";
import type { SpanExporter } from "@opentelemetry/sdk-trace-base";
import { resolveOtelOptions, type OtelOptions } from "./options.ts";
import type { SinkStats } from "./pipeline.ts";
import { OtelTracer } from "./tracer.ts";

/**
 * The `otel` built-in (also `opentelemetry`): one OpenTelemetry span per
 * attempt, after the GenAI semantic conventions, sent over OTLP/HTTP to a
 * collector, or through the app's own tracer provider when it registered one.
 * The core and the server reach it through `TRACER` (core/tracing/seam.ts);
 * the spans are finished from the success and failure events, in the background.
 * OpenTelemetry itself is loaded when the first instance is made (./load.ts).
 */
export class OtelLogger extends CustomLogger {
  readonly settings: OtelOptions;
  readonly [TRACER]: OtelTracer;
  /** Success and failure from whichever list names it: an attempt whose event never came would hold its call's span open. */
  readonly [OWN_EVENTS]: readonly EventName[] = ["success", "failure"];
  private closing: Promise<void> | undefined;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    super(options);
    this.settings = resolveOtelOptions(options, context?.env);
    this[TRACER] = new OtelTracer(this.settings, spanExporter(options.span_exporter), this.message_logging);
  }

  override log_success_event(kwargs: CallbackKwargs, response_obj: unknown): void {
    this[TRACER].record(kwargs, response_obj, false);
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    this[TRACER].record(kwargs, null, true);
  }

  /** Exports every span queued so far; losses are counted and reported, never thrown. */
  async flush(): Promise<void> {
    await this[TRACER].openedSink?.flush();
  }

  /** Flushes, then lets go of the provider (shut down with its last user; an app's provider is only flushed). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const sink = this[TRACER].openedSink;
      await sink?.flush();
      await sink?.release();
    })();
    return this.closing;
  }

  /** Spans exported, lost (the collector failed) and dropped (queue full), for this instance's provider. */
  stats(): SinkStats {
    return this[TRACER].sink.stats();
  }
}

/** `span_exporter`: a SpanExporter object, for code and tests only (a config file cannot hold one). */
function spanExporter(value: unknown): SpanExporter | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof (value as SpanExporter).export !== "function" || typeof (value as SpanExporter).shutdown !== "function") {
    throw new InvalidCallbackError("otel: span_exporter must be an OpenTelemetry SpanExporter (an object with export() and shutdown()).");
  }
  return value as SpanExporter;
}

const factory = (options: Record<string, unknown>, context: BuiltinContext) => new OtelLogger(options, context);
registerReadOnlyBuiltin("otel", factory);
registerReadOnlyBuiltin("opentelemetry", factory);
