// The receiver against the official OTLP exporters: what the protobuf and the JSON exporter send decodes the same.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.ts";

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

type Encoding = "protobuf" | "json";
const CONTENT_TYPE: Record<Encoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };

function exporter(encoding: Encoding, options: { gzip?: boolean; timeoutMillis?: number } = {}): SpanExporter {
  const config = {
    url: `${receiver.url}/v1/traces`,
    headers: { authorization: "Basic cGs6c2s=", "x-tenant": "t1" },
    compression: (options.gzip ? "gzip" : "none") as never,
    timeoutMillis: options.timeoutMillis ?? 5000,
  };
  return encoding === "protobuf" ? new ProtoExporter(config) : new JsonExporter(config);
}

/** Two spans, a client child under an internal parent, through a real tracer provider and a SimpleSpanProcessor. */
async function emit(exp: SpanExporter): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "receiver-test", "deployment.environment": "ci" }),
    spanProcessors: [new SimpleSpanProcessor(exp)],
  });
  const tracer = provider.getTracer("litellm-runtime-test", "1.2.3");
  const parent = tracer.startSpan("litellm_request", { kind: SpanKind.INTERNAL, attributes: { "call.id": "c-1" } });
  const child = tracer.startSpan(
    "raw_gen_ai_request",
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 7,
        "gen_ai.request.temperature": 0.25,
        "llm.is_streaming": false,
        "gen_ai.response.finish_reasons": ["stop", "length"],
        "big.count": 2 ** 53 + 2,
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.addEvent("gen_ai.choice", { index: 0, "finish.reason": "stop" });
  child.setStatus({ code: SpanStatusCode.ERROR, message: "RateLimitError: slow down" });
  child.end();
  parent.setStatus({ code: SpanStatusCode.OK });
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
}

/** Keeps the finished spans (InMemorySpanExporter forgets them when the provider shuts down). */
function collector(): SpanExporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    export: (batch, done) => {
      spans.push(...batch);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
}

describe("otlp receiver", () => {
  for (const encoding of ["protobuf", "json"] as const) {
    for (const gzip of [false, true]) {
      it(`decodes what the ${encoding} exporter sends${gzip ? ", gzipped" : ""}`, async () => {
        await emit(exporter(encoding, { gzip }));
        const spans = await receiver.waitForSpans(2);
        // Each span is its own export: two POSTs may arrive in either order.
        const child = spans.find((s) => s.name === "raw_gen_ai_request")!;
        const parent = spans.find((s) => s.name !== "raw_gen_ai_request")!;

        expect(child.name).toBe("raw_gen_ai_request");
        expect(child.kind).toBe(3);
        expect(parent.kind).toBe(1);
        expect(child.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(child.traceId).toBe(parent.traceId);
        expect(child.parentSpanId).toBe(parent.spanId);
        expect(parent.parentSpanId).toBe("");
        expect(child.attributes).toEqual({
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 7,
          "gen_ai.request.temperature": 0.25,
          "llm.is_streaming": false,
          "gen_ai.response.finish_reasons": ["stop", "length"],
          // An integer past 2^53 goes out as an int64 and comes back exact, as a bigint.
          "big.count": 9007199254740994n,
        });
        expect(child.events).toEqual([{ name: "gen_ai.choice", timeUnixNano: expect.any(BigInt), attributes: { index: 0, "finish.reason": "stop" } }]);
        expect(child.status).toEqual({ code: 2, message: "RateLimitError: slow down" });
        expect(parent.status).toEqual({ code: 1, message: "" });
        expect(child.resource).toMatchObject({ "service.name": "receiver-test", "deployment.environment": "ci" });
        expect(child.scope).toEqual({ name: "litellm-runtime-test", version: "1.2.3" });
        expect(typeof child.startTimeUnixNano).toBe("bigint");
        expect(child.endTimeUnixNano >= child.startTimeUnixNano).toBe(true);
        // A real clock reading in nanoseconds, exact: past 2^53, so a lossy parse would show.
        expect(child.startTimeUnixNano > 1_600_000_000_000_000_000n).toBe(true);

        const post = receiver.requests.at(-1)!;
        expect(post.contentType).toBe(CONTENT_TYPE[encoding]);
        expect(post.contentEncoding).toBe(gzip ? "gzip" : "");
        expect(post.headers.authorization).toBe("Basic cGs6c2s=");
        expect(post.headers["x-tenant"]).toBe("t1");
        expect(post.status).toBe(200);
      });
    }
  }

  it("gives one shape for both encodings of the same spans", async () => {
    const memory = collector();
    await emit(memory);
    const finished = memory.spans;
    const send = (exp: SpanExporter, spans: ReadableSpan[]) => new Promise<ExportResult>((resolve) => exp.export(spans, resolve));

    expect((await send(exporter("protobuf"), finished)).code).toBe(ExportResultCode.SUCCESS);
    const viaProto = (await receiver.waitForSpans(2)).slice();
    expect((await send(exporter("json"), finished)).code).toBe(ExportResultCode.SUCCESS);
    const viaJson = (await receiver.waitForSpans(4)).slice(2);

    // Same spans sent twice: everything, ids and nanosecond times included, decodes equal.
    expect(viaJson).toEqual(viaProto);
  });

  it("takes enum names and decimal strings in OTLP/JSON, as the spec allows", async () => {
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "hand-made" } }] },
          scopeSpans: [
            {
              scope: { name: "s", version: "0" },
              spans: [
                {
                  traceId: "5b8efff798038103d269b633813fc60c",
                  spanId: "eee19b7ec3c1b174",
                  name: "op",
                  kind: "SPAN_KIND_SERVER",
                  startTimeUnixNano: "1544712660000000000",
                  endTimeUnixNano: "1544712661000000000",
                  attributes: [{ key: "n", value: { intValue: "9007199254740993" } }],
                  status: { code: "STATUS_CODE_ERROR", message: "x" },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${receiver.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    const [span] = await receiver.waitForSpans(1);
    expect(span).toMatchObject({
      traceId: "5b8efff798038103d269b633813fc60c",
      spanId: "eee19b7ec3c1b174",
      kind: 2,
      startTimeUnixNano: 1544712660000000000n,
      attributes: { n: 9007199254740993n },
      status: { code: 2, message: "x" },
      resource: { "service.name": "hand-made" },
    });
  });

  it("refuse() makes the exporter report a failure and records no span; accept() takes them again", async () => {
    const memory = collector();
    await emit(memory);
    const finished = memory.spans;
    const send = (exp: SpanExporter) => new Promise<ExportResult>((resolve) => exp.export(finished, resolve));

    receiver.refuse(400);
    expect((await send(exporter("protobuf"))).code).toBe(ExportResultCode.FAILED);
    // 503 is retryable: the exporter retries until its timeout, then reports the failure.
    receiver.refuse();
    expect((await send(exporter("json", { timeoutMillis: 800 }))).code).toBe(ExportResultCode.FAILED);
    expect(receiver.spans).toEqual([]);
    expect(receiver.requests.map((r) => r.status)).toContain(503);
    expect(receiver.requests[0]!.status).toBe(400);

    receiver.accept();
    expect((await send(exporter("protobuf"))).code).toBe(ExportResultCode.SUCCESS);
    expect(await receiver.waitForSpans(2)).toHaveLength(2);
  });

  it("waitForSpans rejects after its timeout, saying how many arrived", async () => {
    await expect(receiver.waitForSpans(1, 50)).rejects.toThrow(/waited 50 ms for 1 span\(s\), got 0 in 0 POST/);
  });

  it("answers 404 off /v1/traces and 415 for another content type", async () => {
    expect((await fetch(`${receiver.url}/v1/metrics`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await fetch(`${receiver.url}/v1/traces`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" })).status).toBe(415);
  });
});
