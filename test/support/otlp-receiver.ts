// A loopback OTLP/HTTP trace receiver: decodes what an exporter sends (protobuf or JSON, gzip or not) with the
// protobufjs code the OpenTelemetry JS project generated from the official opentelemetry-proto definitions.
import { createRequire } from "node:module";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync, inflateSync } from "node:zlib";
import { listenLoopback } from "./loopback.ts";

/** The part of the generated module used here (its .d.ts types the root as a bare protobufjs Root). */
interface GeneratedMessage<T> {
  decode(bytes: Uint8Array): T;
  fromObject(object: Record<string, unknown>): T;
}
type Request = { resourceSpans?: unknown[] | null };
type Root = { opentelemetry: { proto: { collector: { trace: { v1: { ExportTraceServiceRequest: GeneratedMessage<Request> } } } } } };
// The package has no "exports" map, but the generated file is CommonJS: loaded by path through require.
const root = createRequire(import.meta.url)("otlp-proto-definitions/build/src/generated/root.js") as Root;
const { ExportTraceServiceRequest } = root.opentelemetry.proto.collector.trace.v1;

/** An attribute value as OTLP's AnyValue carries it; an int64 beyond 2^53 stays exact as a bigint. */
export type AttributeValue = string | number | bigint | boolean | Uint8Array | AttributeValue[] | { [key: string]: AttributeValue } | null;
export type Attributes = Record<string, AttributeValue>;

/** One span, the same whichever encoding carried it. Ids are lowercase hex; `parentSpanId` is "" for a root span. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: Attributes;
  events: Array<{ name: string; timeUnixNano: bigint; attributes: Attributes }>;
  links: Array<{ traceId: string; spanId: string; attributes: Attributes }>;
  /** OTLP's StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Attributes;
  scope: { name: string; version: string };
}

/** One POST as it arrived (recorded whether it was taken or refused). */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  contentType: string;
  contentEncoding: string;
  /** The status answered. */
  status: number;
  /** Spans it carried (0 for a refused or undecodable one). */
  spans: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. http://127.0.0.1:41234; exporters POST to `${url}/v1/traces`. */
  readonly url: string;
  /** Every span taken, in arrival order. */
  readonly spans: ReceivedSpan[];
  /** Every POST, refused ones included. */
  readonly requests: ReceivedRequest[];
  /** Answers `status` to every POST, recording no span, until accept(). */
  refuse(status?: number): void;
  accept(): void;
  /** Resolves with the spans once at least `n` arrived; rejects after `timeoutMs` saying how many did. */
  waitForSpans(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const TRACES_PATH = "/v1/traces";

/** Starts a receiver on 127.0.0.1 (any free port) taking `POST /v1/traces` (or any path ending so, as Langfuse's /api/public/otel/v1/traces). */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  let refusal: number | undefined;

  const answer = (res: ServerResponse, record: ReceivedRequest, status: number, body: string, type = "application/json") => {
    record.status = status;
    res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readRaw(req);
    const contentType = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const contentEncoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
    const record: ReceivedRequest = { path: req.url ?? "", headers: req.headers, contentType, contentEncoding, status: 0, spans: 0 };
    requests.push(record);
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method !== "POST") return answer(res, record, 405, JSON.stringify({ error: "POST only" }));
    if (!path.endsWith(TRACES_PATH)) return answer(res, record, 404, JSON.stringify({ error: `no endpoint ${path}; POST to ${TRACES_PATH}` }));
    if (refusal !== undefined) return answer(res, record, refusal, JSON.stringify({ error: "refused on purpose" }));

    let decoded: Request;
    try {
      const body = contentEncoding === "gzip" ? gunzipSync(raw) : contentEncoding === "deflate" ? inflateSync(raw) : raw;
      if (contentType === "application/x-protobuf") decoded = ExportTraceServiceRequest.decode(body);
      else if (contentType === "application/json") decoded = fromOtlpJson(JSON.parse(body.toString("utf8")));
      else return answer(res, record, 415, JSON.stringify({ error: `unsupported content-type "${contentType}"` }));
    } catch (err) {
      return answer(res, record, 400, JSON.stringify({ error: `undecodable body: ${(err as Error).message}` }));
    }
    const taken = flatten(decoded);
    record.spans = taken.length;
    spans.push(...taken);
    for (const wake of waiters) wake();
    // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf.
    if (contentType === "application/json") answer(res, record, 200, "{}");
    else answer(res, record, 200, "", "application/x-protobuf");
  };

  const server = await listenLoopback(handle, (res, err) => {
    res.writeHead(500, { "content-type": "text/plain" });
    res.end(`otlp receiver error: ${(err as Error).message}`);
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    requests,
    refuse: (status = 503) => {
      refusal = status;
    },
    accept: () => {
      refusal = undefined;
    },
    waitForSpans: (n, timeoutMs = 5000) =>
      new Promise<ReceivedSpan[]>((resolve, reject) => {
        const check = () => {
          if (spans.length < n) return;
          cleanup();
          resolve(spans.slice());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`otlp receiver: waited ${timeoutMs} ms for ${n} span(s), got ${spans.length} in ${requests.length} POST(s)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => server.close(),
  };
}

function readRaw(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * OTLP/JSON differs from protobuf's canonical JSON in one way that matters to
 * fromObject: trace and span ids are hex, not base64. Enums (names or ints),
 * int64 as strings or numbers and lowerCamelCase keys it takes as they are.
 */
function fromOtlpJson(json: unknown): Request {
  return ExportTraceServiceRequest.fromObject(hexIdsToBase64(json) as Record<string, unknown>);
}

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);

function hexIdsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBase64);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = ID_KEYS.has(key) && typeof v === "string" ? Buffer.from(v, "hex").toString("base64") : hexIdsToBase64(v);
  }
  return out;
}

type Decoded = Record<string, any>;

function flatten(request: Request): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of (request.resourceSpans ?? []) as Decoded[]) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of (rs.scopeSpans ?? []) as Decoded[]) {
      const scope = { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" };
      for (const s of (ss.spans ?? []) as Decoded[]) {
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name ?? "",
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano: nanos(s.endTimeUnixNano),
          attributes: attributes(s.attributes),
          events: ((s.events ?? []) as Decoded[]).map((e) => ({ name: e.name ?? "", timeUnixNano: nanos(e.timeUnixNano), attributes: attributes(e.attributes) })),
          links: ((s.links ?? []) as Decoded[]).map((l) => ({ traceId: hex(l.traceId), spanId: hex(l.spanId), attributes: attributes(l.attributes) })),
          status: { code: Number(s.status?.code ?? 0), message: s.status?.message ?? "" },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length ? Buffer.from(bytes).toString("hex") : "";
}

/** fixed64 arrives as a Long (protobufjs with `long` installed), a number or a string. */
function nanos(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "object" && "low" in v && "high" in v) {
    const { low, high } = v as { low: number; high: number };
    return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
  }
  return BigInt(String(v));
}

function attributes(list: Decoded[] | null | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: Decoded | null | undefined): AttributeValue {
  if (!v) return null;
  // `value` is the oneof getter of the generated class: the name of the field that is set.
  switch (v.value as string | undefined) {
    case "stringValue":
      return v.stringValue;
    case "boolValue":
      return v.boolValue;
    case "intValue": {
      const n = typeof v.intValue === "number" ? BigInt(v.intValue) : BigInt.asIntN(64, nanos(v.intValue));
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case "doubleValue":
      return v.doubleValue;
    case "arrayValue":
      return ((v.arrayValue?.values ?? []) as Decoded[]).map(anyValue);
    case "kvlistValue":
      return attributes(v.kvlistValue?.values);
    case "bytesValue":
      return new Uint8Array(v.bytesValue);
    default:
      return null;
  }
}
