import { createRequire } from "node:module";
import type * as Api from "@opentelemetry/api";
import type * as Core from "@opentelemetry/core";
import type * as Resources from "@opentelemetry/resources";
import type * as SdkTrace from "@opentelemetry/sdk-trace-base";
import type * as OtlpProto from "@opentelemetry/exporter-trace-otlp-proto";
import type * as OtlpHttp from "@opentelemetry/exporter-trace-otlp-http";

/**
 * OpenTelemetry, loaded when the first `otel` built-in is made, never with the
 * runtime: `builtin-callbacks/index.ts` is imported by every start-up, and the
 * SDK with its exporter costs more than the rest of the start-up together.
 * A built-in's factory is synchronous, so the packages (CommonJS, as Node
 * resolves them for `import` too: one instance either way) are required here.
 * Only types are imported statically.
 */

export interface Otel {
  readonly api: typeof Api;
  readonly core: typeof Core;
  readonly resources: typeof Resources;
  readonly sdk: typeof SdkTrace;
}

let loaded: Otel | undefined;
const require = createRequire(import.meta.url);

export function otel(): Otel {
  return (loaded ??= Object.freeze({
    api: require("@opentelemetry/api") as typeof Api,
    core: require("@opentelemetry/core") as typeof Core,
    resources: require("@opentelemetry/resources") as typeof Resources,
    sdk: require("@opentelemetry/sdk-trace-base") as typeof SdkTrace,
  }));
}

/** The OTLP exporter class of a protocol, loaded when the built-in makes its own provider (an app's provider needs none). */
export function exporterClass(protocol: "http/protobuf" | "http/json"): typeof OtlpProto.OTLPTraceExporter {
  return protocol === "http/json"
    ? (require("@opentelemetry/exporter-trace-otlp-http") as typeof OtlpHttp).OTLPTraceExporter
    : (require("@opentelemetry/exporter-trace-otlp-proto") as typeof OtlpProto).OTLPTraceExporter;
}

export type { Api, SdkTrace };
