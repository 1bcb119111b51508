import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ExportResult } from "@opentelemetry/core";
import { callbackFailure, describeThrown } from "../../core/callbacks/failure.ts";
import { plural } from "../../core/callbacks/summary.ts";
import { CALLBACK_ERROR_CODES } from "../../core/errors.ts";
import { packageVersion } from "../../core/cli/version.ts";
import { atExit } from "../at-exit.ts";
import { notice, report } from "../report.ts";
import { exporterClass, otel, type Api } from "./load.ts";
import type { OtelOptions } from "./options.ts";

/**
 * Where the built-in's spans go. With an application's own tracer provider
 * registered globally, through it (its exporter, its sampler). Otherwise through
 * a provider of the built-in's own, never registered globally: a batch processor
 * and the OTLP exporter of the protocol, shared by every instance with the same
 * options (a config reload makes a new instance before it closes the old one,
 * so the provider is reused, and shut down when its last user closes).
 *
 * Loss is never silent: the queue is bounded here (the SDK's batch processor
 * drops without a word), and every span is counted as exported, lost (the
 * collector failed: reported once per outage, with a line when it recovers) or
 * dropped (queue full: reported once per episode).
 */

export interface SpanSink {
  readonly tracer: Api.Tracer;
  /** True when the spans go through the built-in's own provider. */
  readonly own: boolean;
  /** Exports what is queued (an app's provider is asked to flush too). Never throws: losses are counted and reported. */
  flush(): Promise<void>;
  /** This user is done: the own provider is shut down with its last user. */
  release(): Promise<void>;
  stats(): SinkStats;
}

export interface SinkStats {
  queued: number;
  exported: number;
  lost: number;
  dropped: number;
}

const SCOPE = "litellm-runtime";

/** Whether the process registered a tracer provider of its own (the API's global is a proxy whose delegate is the no-op until then). */
export function appProviderRegistered(api: typeof Api): boolean {
  const global = api.trace.getTracerProvider() as Api.TracerProvider & { getDelegate?: () => Api.TracerProvider };
  if (typeof global.getDelegate !== "function") return true;
  const delegate = global.getDelegate();
  const noop = new api.ProxyTracerProvider().getDelegate();
  return delegate !== noop && delegate.constructor?.name !== "NoopTracerProvider";
}

/** The sink for one built-in instance: decided at its first span, so an app may register its provider after the config loads. */
export function openSink(o: OtelOptions, exporter: SpanExporter | undefined): SpanSink {
  const { api } = otel();
  if (!exporter && appProviderRegistered(api)) {
    const provider = api.trace.getTracerProvider() as Api.TracerProvider & { getDelegate?: () => unknown };
    const app = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
    return {
      tracer: api.trace.getTracer(SCOPE, packageVersion()),
      own: false,
      flush: async () => {
        await app.forceFlush?.().catch(() => undefined);
      },
      release: () => Promise.resolve(),
      stats: () => ({ queued: 0, exported: 0, lost: 0, dropped: 0 }),
    };
  }
  return acquire(o, exporter);
}

type Entry = { pipeline: Pipeline; users: number };
const pipelines = new Map<string, Entry>();
const exporterIds = new WeakMap<object, number>();
let serials = 0;

function acquire(o: OtelOptions, exporter: SpanExporter | undefined): SpanSink {
  const { capture_content: _c, attribute_style: _s, ...shape } = o;
  let id = 0;
  if (exporter) exporterIds.set(exporter, (id = exporterIds.get(exporter) ?? ++serials));
  const key = JSON.stringify({ ...shape, exporter: id });
  let entry = pipelines.get(key);
  if (!entry) pipelines.set(key, (entry = { pipeline: new Pipeline(o, exporter), users: 0 }));
  entry.users++;
  const e = entry;
  let released = false;
  return {
    tracer: e.pipeline.tracer,
    own: true,
    flush: () => e.pipeline.flush(),
    release: async () => {
      if (released) return;
      released = true;
      if (--e.users > 0) return;
      if (pipelines.get(key) === e) pipelines.delete(key);
      await e.pipeline.shutdown();
    },
    stats: () => e.pipeline.ledger.stats(),
  };
}

/** The own provider: bounded processor → batch processor → counting exporter → OTLP exporter. */
class Pipeline {
  readonly ledger: Ledger;
  readonly tracer: Api.Tracer;
  private readonly provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  private readonly forgetAtExit: () => void;

  constructor(o: OtelOptions, custom: SpanExporter | undefined) {
    const { sdk, resources } = otel();
    const url = new URL(o.endpoint);
    const label = custom ? "the span exporter" : `${url.origin}${url.pathname}`;
    this.ledger = new Ledger(label, Object.values(o.headers), o.max_queue_size);
    const Exporter = exporterClass(o.protocol);
    const inner = custom ?? new Exporter({ url: o.endpoint, headers: { ...o.headers }, timeoutMillis: o.export_timeout_ms });
    const batch = new sdk.BatchSpanProcessor(new CountingExporter(inner, this.ledger), {
      maxQueueSize: o.max_queue_size,
      maxExportBatchSize: Math.min(o.max_export_batch_size, o.max_queue_size),
      scheduledDelayMillis: o.scheduled_delay_ms,
      exportTimeoutMillis: o.export_timeout_ms,
    });
    const root = o.sample_rate >= 1 ? new sdk.AlwaysOnSampler() : new sdk.TraceIdRatioBasedSampler(o.sample_rate);
    const provider = new sdk.BasicTracerProvider({
      resource: resources.defaultResource().merge(resources.resourceFromAttributes({ ...o.resource_attributes, "service.name": o.service_name })),
      sampler: new sdk.ParentBasedSampler({ root }),
      spanProcessors: [new BoundedProcessor(batch, this.ledger)],
    });
    this.provider = provider;
    this.tracer = provider.getTracer(SCOPE, packageVersion());
    // A script that ends without flush() or close() still exports what is queued when its event loop runs dry.
    this.forgetAtExit = atExit(() => void (this.ledger.stats().queued > 0 && this.flush()));
  }

  async flush(): Promise<void> {
    // A failed or timed-out batch is already counted and reported by the ledger.
    await this.provider.forceFlush().catch(() => undefined);
  }

  async shutdown(): Promise<void> {
    this.ledger.closed = true;
    this.forgetAtExit();
    await this.provider.shutdown().catch(() => undefined);
  }
}

/** Bounds the batch processor's queue, counting what it would drop in silence. */
class BoundedProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly ledger: Ledger,
  ) {}
  onStart(span: Span, parent: Context): void {
    this.inner.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (!this.ledger.admit()) return;
    this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Counts each batch as it leaves the queue, and as it is taken or lost. */
class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly ledger: Ledger,
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const n = spans.length;
    this.ledger.leave(n);
    try {
      this.inner.export(spans, (result) => {
        if (result.code === otel().core.ExportResultCode.SUCCESS) this.ledger.exported(n);
        else this.ledger.lost(n, result.error);
        done(result);
      });
    } catch (err) {
      this.ledger.lost(n, err);
      done({ code: otel().core.ExportResultCode.FAILED, error: err as Error });
    }
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Every span's fate, and the reports: once per outage (with a line at recovery), once per full-queue episode. */
class Ledger {
  private queued = 0;
  private counts = { exported: 0, lost: 0, dropped: 0 };
  private outage = 0;
  private lostInOutage = 0;
  private dropEpisode = 0;
  private droppingNow = false;
  private readonly serial = ++serials;
  closed = false;

  constructor(
    private readonly label: string,
    private readonly secrets: readonly string[],
    private readonly maxQueue: number,
  ) {}

  stats(): SinkStats {
    return { queued: this.queued, ...this.counts };
  }

  /** A span asks to join the queue. */
  admit(): boolean {
    if (this.queued < this.maxQueue && !this.closed) {
      this.queued++;
      return true;
    }
    this.counts.dropped++;
    if (this.droppingNow) return false;
    this.droppingNow = true;
    const why = this.closed ? "the otel callback is closed" : `${plural(this.maxQueue, "span")} already wait for ${this.label} (max_queue_size)`;
    const err = callbackFailure(CALLBACK_ERROR_CODES.dropped, "otel", "export", { text: `otel: dropping spans because ${why}; ${this.counts.dropped} dropped so far.` });
    report(err, `${this.serial}\u0000dropped\u0000${++this.dropEpisode}`);
    return false;
  }

  leave(n: number): void {
    this.queued = Math.max(0, this.queued - n);
    if (this.queued === 0) this.droppingNow = false;
  }

  exported(n: number): void {
    this.counts.exported += n;
    if (this.lostInOutage === 0) return;
    notice("otel", `${this.label} takes spans again; ${plural(this.lostInOutage, "span")} ${this.lostInOutage === 1 ? "was" : "were"} lost while it failed.`);
    this.lostInOutage = 0;
    this.outage++;
  }

  lost(n: number, error: unknown): void {
    this.counts.lost += n;
    this.lostInOutage += n;
    const reason = this.scrub(error === undefined ? "export failed" : describeThrown(error).replace(/\.$/, ""));
    const text = `otel: ${plural(n, "span")} lost: ${this.label} did not take ${n === 1 ? "it" : "them"} (${reason}). Spans are dropped until it answers; ${plural(this.counts.lost, "span")} lost so far.`;
    report(callbackFailure(CALLBACK_ERROR_CODES.deliveryFailed, "otel", "export", { text }), `${this.serial}\u0000lost\u0000${this.outage}`);
  }

  private scrub(text: string): string {
    let out = text.length > 300 ? `${text.slice(0, 300)}...` : text;
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join("[redacted]");
    return out;
  }
}
