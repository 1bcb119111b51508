import { createBuiltin, isBuiltin, registerReadOnlyBuiltin, type BuiltinContext } from "../../core/callbacks/builtins.ts";
import { InvalidCallbackError } from "../../core/errors.ts";
import { parseHeaderList, stringOption, headersOption } from "./options.ts";

/**
 * LiteLLM's OpenTelemetry-based callbacks by their LiteLLM names (`langfuse`,
 * `langfuse_otel`, `arize_phoenix`, `traceloop`): each is the `otel` built-in
 * with the endpoint, auth header and attribute style the tool wants, read from
 * the variables LiteLLM reads. `callback_settings.<name>` wins over them.
 */

/** The options the `otel` built-in takes (builtin-callbacks/otel). */
export interface OtelOptions {
  /** Base URL; the exporter appends /v1/traces unless the URL already ends with it. */
  endpoint?: string;
  headers?: Record<string, string>;
  protocol?: "http/protobuf" | "http/json";
  service_name?: string;
  sample_rate?: number;
  capture_content?: boolean;
  attribute_style?: "genai" | "langfuse" | "openinference" | "traceloop";
  resource_attributes?: Record<string, string>;
}

export const OTEL_PRESETS = ["langfuse", "langfuse_otel", "arize_phoenix", "traceloop"] as const;
export type OtelPresetName = (typeof OTEL_PRESETS)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** Options handed to otel unchanged when given in callback_settings.<preset>. */
const PASSED = ["protocol", "service_name", "sample_rate", "capture_content", "attribute_style", "resource_attributes"] as const;

/**
 * The otel options a preset stands for: `options` (its callback_settings) over
 * the tool's variables in `env` over the tool's defaults. Pure: reads nothing else.
 */
export function presetOptions(name: OtelPresetName, options: Record<string, unknown>, env: Env): OtelOptions {
  const built = BUILD[name](options, env, name);
  const out: OtelOptions = { ...built };
  for (const key of PASSED) if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  if (built.resource_attributes && out.resource_attributes !== built.resource_attributes) out.resource_attributes = { ...built.resource_attributes, ...out.resource_attributes };
  const headers = headersOption(name, options);
  if (headers || built.headers) out.headers = { ...built.headers, ...headers };
  return out;
}

/** Per preset: endpoint, auth headers and attribute style from the tool's variables; `endpoint` and the tool's own keys in options win. */
const BUILD: Record<OtelPresetName, (options: Record<string, unknown>, env: Env, name: OtelPresetName) => OtelOptions> = {
  langfuse: langfuse,
  langfuse_otel: langfuse,
  arize_phoenix: arizePhoenix,
  traceloop: traceloop,
};

/**
 * LiteLLM's langfuse_otel reads LANGFUSE_OTEL_HOST, then LANGFUSE_HOST, and
 * defaults to Langfuse's US cloud; its `langfuse` (the Langfuse SDK) defaults to
 * the EU cloud. Each name keeps its own default, so spans land where LiteLLM sent them.
 */
const LANGFUSE_DEFAULT_HOST: Record<string, { host: string; scheme: string }> = {
  langfuse: { host: "https://cloud.langfuse.com", scheme: "http://" },
  langfuse_otel: { host: "https://us.cloud.langfuse.com", scheme: "https://" },
};

function langfuse(options: Record<string, unknown>, env: Env, name: OtelPresetName): OtelOptions {
  const base = { attribute_style: "langfuse" } as const;
  const defaults = LANGFUSE_DEFAULT_HOST[name]!;
  let host = stringOption(name, options, "host") ?? env.LANGFUSE_OTEL_HOST ?? env.LANGFUSE_HOST ?? defaults.host;
  // LiteLLM takes a host without a scheme (a private-network name) and adds one.
  if (!/^https?:\/\//.test(host)) host = defaults.scheme + host;
  const endpoint = stringOption(name, options, "endpoint") ?? `${host.replace(/\/+$/, "")}/api/public/otel`;
  if (hasAuthorization(options)) return { ...base, endpoint };
  const publicKey = stringOption(name, options, "public_key") ?? env.LANGFUSE_PUBLIC_KEY;
  const secretKey = stringOption(name, options, "secret_key") ?? env.LANGFUSE_SECRET_KEY;
  if (!publicKey || !secretKey) {
    const missing = [!publicKey && "LANGFUSE_PUBLIC_KEY", !secretKey && "LANGFUSE_SECRET_KEY"].filter(Boolean).join(" and ");
    throw new InvalidCallbackError(
      `${name}: ${missing} not set. Export LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (your Langfuse project's keys), ` +
        `or set callback_settings.${name}.public_key and secret_key (os.environ/NAME reads a variable).`,
      { option: !publicKey ? "public_key" : "secret_key", example: !publicKey ? '"pk-lf-..."' : '"sk-lf-..."' },
    );
  }
  const token = Buffer.from(`${publicKey}:${secretKey}`, "utf8").toString("base64");
  return { ...base, endpoint, headers: { Authorization: `Basic ${token}` } };
}

const PHOENIX_LOCAL = "http://localhost:6006/v1/traces";

/** As LiteLLM's ArizePhoenixLogger.get_arize_phoenix_config, less gRPC (this runtime exports OTLP over HTTP only). */
function arizePhoenix(options: Record<string, unknown>, env: Env, name: OtelPresetName): OtelOptions {
  const base: OtelOptions = { attribute_style: "openinference" };
  const given = stringOption(name, options, "endpoint") ?? env.PHOENIX_COLLECTOR_HTTP_ENDPOINT ?? env.PHOENIX_COLLECTOR_ENDPOINT;
  const collector = given ?? PHOENIX_LOCAL;
  if (collector.startsWith("grpc://") || (/:4317(\/|$)/.test(collector) && !collector.includes("/v1/traces"))) {
    throw new InvalidCallbackError(
      `${name}: "${collector}" is a gRPC collector address; this runtime sends OTLP over HTTP only. ` +
        `Set PHOENIX_COLLECTOR_HTTP_ENDPOINT (or callback_settings.${name}.endpoint) to Phoenix's HTTP endpoint, e.g. http://localhost:6006/v1/traces.`,
      { option: "endpoint", example: '"http://localhost:6006/v1/traces"' },
    );
  }
  const endpoint = tracesUrl(collector);
  // Phoenix files spans under the project its resource names (LiteLLM sets the same key per span).
  const project = stringOption(name, options, "project_name") ?? env.PHOENIX_PROJECT_NAME;
  if (project) base.resource_attributes = { "openinference.project.name": project };
  if (hasAuthorization(options)) return { ...base, endpoint };
  const apiKey = stringOption(name, options, "api_key") ?? env.PHOENIX_API_KEY;
  if (!apiKey) {
    if (new URL(endpoint).hostname === "app.phoenix.arize.com") {
      throw new InvalidCallbackError(
        `${name}: PHOENIX_API_KEY not set; Phoenix Cloud (app.phoenix.arize.com) needs it. Export PHOENIX_API_KEY or set callback_settings.${name}.api_key.`,
        { option: "api_key", example: '"os.environ/PHOENIX_API_KEY"' },
      );
    }
    return { ...base, endpoint };
  }
  return { ...base, endpoint, headers: { Authorization: `Bearer ${apiKey}` } };
}

const TRACELOOP_CLOUD = "https://api.traceloop.com";

/** As the Traceloop SDK LiteLLM's `traceloop` starts: TRACELOOP_BASE_URL, TRACELOOP_API_KEY, TRACELOOP_HEADERS, TRACELOOP_TRACE_CONTENT. */
function traceloop(options: Record<string, unknown>, env: Env, name: OtelPresetName): OtelOptions {
  const base: OtelOptions = { attribute_style: "traceloop" };
  const content = env.TRACELOOP_TRACE_CONTENT;
  if (content !== undefined && content !== "") base.capture_content = content.trim().toLowerCase() !== "false";
  const given = stringOption(name, options, "endpoint") ?? stringOption(name, options, "base_url") ?? env.TRACELOOP_BASE_URL;
  const endpoint = (given ?? TRACELOOP_CLOUD).replace(/\/+$/, "");
  if (hasAuthorization(options)) return { ...base, endpoint };
  // The SDK sends TRACELOOP_HEADERS when set, else the API key as a bearer token.
  const envHeaders = env.TRACELOOP_HEADERS ? parseHeaderList(env.TRACELOOP_HEADERS, true) : undefined;
  if (envHeaders && Object.keys(envHeaders).length) return { ...base, endpoint, headers: envHeaders };
  const apiKey = stringOption(name, options, "api_key") ?? env.TRACELOOP_API_KEY;
  if (apiKey) return { ...base, endpoint, headers: { Authorization: `Bearer ${apiKey}` } };
  if (endpoint === TRACELOOP_CLOUD) {
    throw new InvalidCallbackError(
      `${name}: TRACELOOP_API_KEY not set; Traceloop's cloud (${TRACELOOP_CLOUD}) needs it. Export TRACELOOP_API_KEY or set callback_settings.${name}.api_key, ` +
        `or point TRACELOOP_BASE_URL at your own OTLP collector.`,
      { option: "api_key", example: '"os.environ/TRACELOOP_API_KEY"' },
    );
  }
  return { ...base, endpoint };
}

/** An OTLP/HTTP traces URL as LiteLLM builds Phoenix's: `/v1/traces` added unless there, `/traces` after a bare `/v1`. */
function tracesUrl(collector: string): string {
  if (collector.includes("/v1/traces")) return collector;
  if (collector.endsWith("/v1")) return `${collector}/traces`;
  return `${collector.replace(/\/+$/, "")}/v1/traces`;
}

function hasAuthorization(options: Record<string, unknown>): boolean {
  const headers = options.headers;
  return !!headers && typeof headers === "object" && Object.keys(headers).some((k) => k.toLowerCase() === "authorization");
}

/** Builds the otel built-in with the preset's options: otel is looked up by name when the preset is made, never imported. */
export function createOtelPreset(name: OtelPresetName, options: Record<string, unknown>, context: BuiltinContext): object {
  if (!isBuiltin("otel")) throw new InvalidCallbackError(`${name}: it sends through the otel built-in, which is not registered in this build (builtin-callbacks/otel).`);
  return createBuiltin("otel", presetOptions(name, options, context.env ?? process.env) as Record<string, unknown>, context);
}

for (const name of OTEL_PRESETS) registerReadOnlyBuiltin(name, (options, context) => createOtelPreset(name, options, context));
