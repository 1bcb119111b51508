import { InvalidCallbackError } from "../../core/errors.ts";

/**
 * The `otel` built-in's options, resolved once: defaults, then the standard
 * OpenTelemetry variables (read from the config's own environment, else the
 * process's), then `callback_settings.otel` / the object form's options, which win.
 * Nothing here loads OpenTelemetry: a bad option fails the config load cheaply.
 */

export type OtelProtocol = "http/protobuf" | "http/json";
export type AttributeStyle = "genai" | "langfuse" | "openinference" | "traceloop";

export interface OtelOptions {
  /** Where spans are POSTed: the option or OTEL_EXPORTER_OTLP_ENDPOINT plus /v1/traces (unless it ends so), or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is. @default "http://localhost:4318/v1/traces" */
  readonly endpoint: string;
  /** Sent with every export. @default {} (OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_HEADERS) */
  readonly headers: Readonly<Record<string, string>>;
  /** @default "http/protobuf" (OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) */
  readonly protocol: OtelProtocol;
  /** @default "litellm-runtime" (OTEL_SERVICE_NAME) */
  readonly service_name: string;
  /** Resource attributes beside service.name. @default {} (OTEL_RESOURCE_ATTRIBUTES) */
  readonly resource_attributes: Readonly<Record<string, string>>;
  /** Share of calls traced when no parent decides: 0..1, parent-based. @default 1 */
  readonly sample_rate: number;
  /** Prompts and answers as gen_ai.input.messages / gen_ai.output.messages. @default false (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true) */
  readonly capture_content: boolean;
  /** Extra attribute names for one tool, beside the GenAI ones. @default "genai" */
  readonly attribute_style: AttributeStyle;
  /** Spans waiting for export; past it new spans are dropped, counted and reported. @default 2048 */
  readonly max_queue_size: number;
  /** @default 512 */
  readonly max_export_batch_size: number;
  /** @default 1000 */
  readonly scheduled_delay_ms: number;
  /** @default 10000 */
  readonly export_timeout_ms: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const STYLES: readonly AttributeStyle[] = ["genai", "langfuse", "openinference", "traceloop"];
const PROTOCOLS: readonly string[] = ["http/protobuf", "http/json"];
const KNOWN = new Set([
  "endpoint",
  "headers",
  "protocol",
  "service_name",
  "resource_attributes",
  "sample_rate",
  "capture_content",
  "attribute_style",
  "max_queue_size",
  "max_export_batch_size",
  "scheduled_delay_ms",
  "export_timeout_ms",
  "message_logging",
  "span_exporter",
]);

/** Reads a variable from the config's environment, then the process's; "" counts as unset, as the OpenTelemetry spec says. */
function variable(env: Env | undefined, name: string): string | undefined {
  const v = env?.[name] ?? process.env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

export function resolveOtelOptions(options: Record<string, unknown>, env?: Env): OtelOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidCallbackError(`otel: unknown option "${key}". Options: ${[...KNOWN].filter((k) => k !== "span_exporter").join(", ")}.`);
  }
  const protocol = resolveProtocol(options, env);
  const resource = resolveResource(options, env);
  const batch = int(options, "max_export_batch_size", 512, 1);
  const queue = int(options, "max_queue_size", 2048, 1);
  if (batch > queue) throw new InvalidCallbackError(`otel: max_export_batch_size (${batch}) must not exceed max_queue_size (${queue}).`);
  return Object.freeze({
    endpoint: resolveEndpoint(options, env),
    headers: Object.freeze(resolveHeaders(options, env)),
    protocol,
    // The spec's order: OTEL_SERVICE_NAME over a service.name in OTEL_RESOURCE_ATTRIBUTES.
    service_name: str(options, "service_name") ?? variable(env, "OTEL_SERVICE_NAME") ?? resource["service.name"] ?? "litellm-runtime",
    resource_attributes: Object.freeze(resource),
    sample_rate: resolveRate(options),
    capture_content: resolveCapture(options, env),
    attribute_style: resolveStyle(options),
    max_queue_size: queue,
    max_export_batch_size: batch,
    scheduled_delay_ms: int(options, "scheduled_delay_ms", 1000, 1),
    export_timeout_ms: int(options, "export_timeout_ms", 10_000, 1),
  });
}

function resolveEndpoint(options: Record<string, unknown>, env: Env | undefined): string {
  const given = str(options, "endpoint");
  const traces = variable(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const base = variable(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
  // The signal-specific variable is the full URL; the generic one is a base the signal's path is added to (the spec's rule).
  const [url, source] = given
    ? [given.replace(/\/+$/, "").endsWith("/v1/traces") ? given : `${given.replace(/\/+$/, "")}/v1/traces`, "callback_settings.otel.endpoint"]
    : traces
      ? [traces, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
      : [`${(base ?? "http://localhost:4318").replace(/\/+$/, "")}/v1/traces`, base ? "OTEL_EXPORTER_OTLP_ENDPOINT" : "the default"];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidCallbackError(`otel: ${source} "${url}" is not a valid URL (expected http://host:4318/v1/traces).`, { option: "endpoint", example: '"http://localhost:4318/v1/traces"' });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InvalidCallbackError(`otel: ${source} must start with http:// or https://; found "${parsed.protocol}". OTLP over gRPC is not supported: use the collector's OTLP/HTTP port (4318).`);
  }
  return url;
}

function resolveProtocol(options: Record<string, unknown>, env: Env | undefined): OtelProtocol {
  const given = str(options, "protocol");
  const value = given ?? variable(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? variable(env, "OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf";
  const where = given ? "callback_settings.otel.protocol" : "OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL";
  if (value === "grpc") {
    throw new InvalidCallbackError(
      `otel: ${where} is "grpc", which this runtime does not send. Use "http/protobuf" (the default) and the collector's OTLP/HTTP port: endpoint http://<collector>:4318/v1/traces.`,
      { option: "protocol", example: '"http/protobuf"' },
    );
  }
  if (!PROTOCOLS.includes(value)) throw new InvalidCallbackError(`otel: ${where} must be "http/protobuf" or "http/json"; found ${JSON.stringify(value)}.`, { option: "protocol", example: '"http/protobuf"' });
  return value as OtelProtocol;
}

function resolveHeaders(options: Record<string, unknown>, env: Env | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const fromEnv = (name: string) => {
    const raw = variable(env, name);
    if (raw) Object.assign(out, parseKeyValues(raw, name));
  };
  fromEnv("OTEL_EXPORTER_OTLP_HEADERS");
  fromEnv("OTEL_EXPORTER_OTLP_TRACES_HEADERS");
  const given = options.headers;
  if (given === undefined) return out;
  if (!given || typeof given !== "object" || Array.isArray(given)) throw new InvalidCallbackError("otel: headers must be a mapping of header names to strings.");
  for (const [name, value] of Object.entries(given)) {
    // The value may be a token: the message names the header, never its value.
    if (typeof value !== "string") throw new InvalidCallbackError(`otel: header "${name}" must be a string.`);
    out[name] = value;
  }
  return out;
}

/** The spec's `key1=value1,key2=value2` list (W3C Baggage-like), keys and values percent-decoded. */
export function parseKeyValues(raw: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? "" : decode(part.slice(0, eq).trim(), name);
    // A malformed entry names its position, never its value: it may be a token.
    if (key === "") throw new InvalidCallbackError(`${name}: an entry has no "key=value" form (entries are separated by commas; values percent-encoded).`);
    out[key] = decode(part.slice(eq + 1).trim(), name);
  }
  return out;
}

function decode(text: string, name: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidCallbackError(`${name}: an entry is not valid percent-encoding (write "%20" for a space, "%2C" for a comma).`);
  }
}

function resolveResource(options: Record<string, unknown>, env: Env | undefined): Record<string, string> {
  const raw = variable(env, "OTEL_RESOURCE_ATTRIBUTES");
  const out = raw ? parseKeyValues(raw, "OTEL_RESOURCE_ATTRIBUTES") : {};
  const given = options.resource_attributes;
  if (given === undefined) return out;
  if (!given || typeof given !== "object" || Array.isArray(given)) throw new InvalidCallbackError("otel: resource_attributes must be a mapping of attribute names to strings.");
  for (const [k, v] of Object.entries(given)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw new InvalidCallbackError(`otel: resource_attributes.${k} must be a string, number or boolean.`);
    out[k] = String(v);
  }
  return out;
}

function resolveRate(options: Record<string, unknown>): number {
  const v = options.sample_rate ?? 1;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InvalidCallbackError(`otel: sample_rate must be a number from 0 to 1 (1: every call); found ${JSON.stringify(v)}.`, { option: "sample_rate", example: "0.1" });
  }
  return v;
}

function resolveCapture(options: Record<string, unknown>, env: Env | undefined): boolean {
  const v = options.capture_content;
  if (v !== undefined) {
    if (typeof v !== "boolean") throw new InvalidCallbackError(`otel: capture_content must be true or false; found ${JSON.stringify(v)}.`);
    return v;
  }
  return variable(env, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")?.toLowerCase() === "true";
}

function resolveStyle(options: Record<string, unknown>): AttributeStyle {
  const v = options.attribute_style ?? "genai";
  if (!STYLES.includes(v as AttributeStyle)) throw new InvalidCallbackError(`otel: attribute_style must be one of ${STYLES.join(", ")}; found ${JSON.stringify(v)}.`);
  return v as AttributeStyle;
}

function str(options: Record<string, unknown>, key: string): string | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new InvalidCallbackError(`otel: ${key} must be a non-empty string; found ${JSON.stringify(v)}.`);
  return v.trim();
}

function int(options: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new InvalidCallbackError(`otel: ${key} must be an integer of at least ${min}; found ${JSON.stringify(v)}.`);
  return v;
}
