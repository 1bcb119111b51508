/**
 * Every setting the runtime reads, in one table: its section, its default and
 * how its value is read. `resolveSettings` turns a validated config into one
 * deep-frozen `ResolvedSettings` per snapshot, defaults applied; the server,
 * the CLI, the router and the dispatcher read that, never the raw config.
 * settings.test.ts keeps each default equal to the schema's `default`.
 */
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES, DEFAULT_TIMEOUT_S } from "../call/params.ts";
import { DEFAULT_MAX_RECORD_BYTES } from "../callbacks/safe-json.ts";
import { ROUTER_DEFAULTS, type AllowedFailsPolicy, type FallbackMap, type RetryPolicy, type RoutingStrategy } from "../router/types.ts";

/** `general_settings`, resolved: the OpenAI-compatible server. */
export interface ResolvedGeneralSettings {
  /** Bearer token the model routes require; null: no authentication. @default null */
  readonly master_key: string | null;
  /** Interface the server listens on. @default "127.0.0.1" */
  readonly host: string;
  /** TCP port of the server (0: any free port). @default 4000 */
  readonly port: number;
  /** Largest request body accepted, in bytes; larger ones get 413. @default 1048576 */
  readonly max_request_body_bytes: number;
  /** Seconds requests in flight get to finish on shutdown. @default 10 */
  readonly shutdown_grace_seconds: number;
  /** Seconds between the checks for a change the file-system events missed, while watching; 0: none. @default 2 */
  readonly reload_poll_interval: number;
  /** Let a hot reload remove master_key while the server listens beyond loopback. @default false */
  readonly allow_unauthenticated: boolean;
  /** Let clients set what the config otherwise owns (credentials, timing, cache controls). @default false */
  readonly allow_client_side_credentials: boolean;
  /** Serve `GET /metrics` without the master key (for a Prometheus that scrapes without a token). @default false */
  readonly public_metrics: boolean;
}

/** `litellm_settings`, resolved (the callback lists and `cache_params` are loaded into the snapshot, not here). */
export interface ResolvedLiteLLMSettings {
  /** Redact messages and responses in the standard logging record. @default false */
  readonly turn_off_message_logging: boolean;
  /** Mask API keys in what callbacks receive. @default true */
  readonly redact_api_keys: boolean;
  /** Seconds one callback method may run. @default 10 */
  readonly callback_timeout: number;
  /** Seconds a callback module may take to load. @default 10 */
  readonly callback_load_timeout: number;
  /** What a pre-call hook past `callback_timeout` does to its call. @default "reject" */
  readonly hook_timeout_policy: "reject" | "allow";
  /** Most logging tasks waiting in the background queue. @default 10000 */
  readonly max_queue: number;
  /** Largest JSON answer read from a provider, in bytes. @default 33554432 */
  readonly max_response_bytes: number;
  /** Largest streamed answer read from a provider, in bytes. @default 134217728 */
  readonly max_stream_bytes: number;
  /** Largest logging record a built-in writes, in bytes. @default 1048576 */
  readonly max_record_bytes: number;
  /** Retries of a failed call, unless `router_settings.num_retries` says otherwise. @default 0 */
  readonly num_retries: number;
  /** Seconds a provider call may take when neither the call, its deployment nor `router_settings.timeout` says. @default 600 */
  readonly request_timeout: number;
  /** `router_settings.allowed_fails` unless that is set. @default 3 */
  readonly allowed_fails: number;
  /** `router_settings.cooldown_time` unless that is set. @default 5 */
  readonly cooldown_time: number;
  /** `router_settings.fallbacks` unless that is set. @default [] */
  readonly fallbacks: readonly FallbackMap[];
  /** `router_settings.context_window_fallbacks` unless that is set. @default [] */
  readonly context_window_fallbacks: readonly FallbackMap[];
  /** `router_settings.content_policy_fallbacks` unless that is set. @default [] */
  readonly content_policy_fallbacks: readonly FallbackMap[];
  /** `router_settings.default_fallbacks` unless that is set. @default [] */
  readonly default_fallbacks: readonly string[];
  /** Whether responses are cached (with `cache_params`). @default false */
  readonly cache: boolean;
  /** Path of a price table, relative to the config file; null: the bundled table only. @default null */
  readonly model_cost_map: string | null;
  /** Drop parameters a provider does not take instead of failing with UnsupportedParamsError. @default false */
  readonly drop_params: boolean;
  /** Send each provider request a W3C `traceparent`: the attempt span's when a tracing built-in records, else the caller's. @default false */
  readonly forward_traceparent_to_llm_provider: boolean;
}

/** `router_settings`, resolved: how an alias's deployments are served. */
export interface ResolvedRouterSettings {
  /** How a deployment is picked; a name this runtime does not implement becomes simple-shuffle, with a warning. @default "simple-shuffle" */
  readonly routing_strategy: RoutingStrategy | (string & {});
  /** Retries across the alias's deployments. @default litellm_settings.num_retries */
  readonly num_retries: number;
  /** Seconds before an attempt fails with a Timeout; null leaves it to the model's and the call's own. @default null */
  readonly timeout: number | null;
  /** Least seconds to wait before a retry. @default 0 */
  readonly retry_after: number;
  /** Aliases tried, in order, when every deployment of an alias fails. @default litellm_settings.fallbacks */
  readonly fallbacks: readonly FallbackMap[];
  /** Aliases tried when the prompt exceeds the context window; empty: `fallbacks`. @default litellm_settings.context_window_fallbacks */
  readonly context_window_fallbacks: readonly FallbackMap[];
  /** Aliases tried when the provider refuses the content; empty: `fallbacks`. @default litellm_settings.content_policy_fallbacks */
  readonly content_policy_fallbacks: readonly FallbackMap[];
  /** Aliases tried after any alias that has no `fallbacks` entry of its own (LiteLLM's `{"*": [...]}`). @default litellm_settings.default_fallbacks */
  readonly default_fallbacks: readonly string[];
  /** Seconds a deployment is skipped after more than `allowed_fails` failures in a minute. @default litellm_settings.cooldown_time */
  readonly cooldown_time: number;
  /** Failures in a minute a deployment may have before it cools down. @default litellm_settings.allowed_fails */
  readonly allowed_fails: number;
  /** Retries by error class, over `num_retries`; null: none. @default null */
  readonly retry_policy: RetryPolicy | null;
  /** Per alias, a `retry_policy` in place of the global one; null: none. @default null */
  readonly model_group_retry_policy: Readonly<Record<string, RetryPolicy>> | null;
  /** Failures allowed by error class before a cool-down, over `allowed_fails`; null: none. @default null */
  readonly allowed_fails_policy: AllowedFailsPolicy | null;
  /** No deployment is ever cooled down. @default false */
  readonly disable_cooldowns: boolean;
  /** Skip deployments whose context window the prompt exceeds, before a pick. @default false */
  readonly enable_pre_call_checks: boolean;
  /** Seconds a streamed call may wait for its next event, for every deployment without its own `stream_timeout`; null: `timeout`. @default null */
  readonly stream_timeout: number | null;
  /** Parameters added to every call; the call's own and the deployment's `litellm_params` win. @default {} */
  readonly default_litellm_params: Readonly<Record<string, unknown>>;
  /** Names that stand for another alias (`{"gpt-4": {model: "gpt-4o", hidden: false}}`); hidden ones are left out of `/v1/models`. @default {} */
  readonly model_group_alias: Readonly<Record<string, ModelGroupAlias>>;
  /** Requests in flight per deployment that sets no `max_parallel_requests`, `rpm` or `tpm`; null: no cap. @default null */
  readonly default_max_parallel_requests: number | null;
  /** LiteLLM's optional pre-call checks; `enforce_model_rate_limits` makes rpm/tpm limits under every strategy. @default [] */
  readonly optional_pre_call_checks: readonly string[];
  /** Redis whose state every instance on it shares (usage per minute, in-flight counts, cool-downs); null: each process on its own. @default null */
  readonly redis_host: string | null;
  /** Redis port (a number, or a numeric string as `os.environ/REDIS_PORT` gives). @default null (6379) */
  readonly redis_port: number | null;
  /** Redis password. @default null */
  readonly redis_password: string | null;
  /** `redis://` or `rediss://` URL, in place of host, port and password. @default null */
  readonly redis_url: string | null;
  /** Redis database number. @default null (0) */
  readonly redis_db: number | null;
}

/** One `router_settings.model_group_alias` entry, read: the alias it routes to, and whether `/v1/models` leaves it out. */
export interface ModelGroupAlias {
  readonly model: string;
  readonly hidden: boolean;
}

/** The settings of one loaded config, every default applied and deep-frozen: `runtime.settings`. */
export interface ResolvedSettings {
  readonly general: ResolvedGeneralSettings;
  readonly litellm: ResolvedLiteLLMSettings;
  readonly router: ResolvedRouterSettings;
}

/** The config key each part of `ResolvedSettings` is read from, in resolution order. */
export const SETTING_SECTIONS = Object.freeze({ general: "general_settings", litellm: "litellm_settings", router: "router_settings" } as const);
export type SettingSection = keyof typeof SETTING_SECTIONS;

/** One row of the table. */
export interface SettingRow<T> {
  /** The value when the config gives none; null for a setting without a default (unset means none). */
  readonly default: T;
  /** The config's value as the setting's type, or undefined when it gives no usable one. */
  readonly read: (value: unknown) => T | undefined;
  /** A setting resolved earlier whose value stands in before `default` (the schema says "Default: <that key>"). */
  readonly from?: readonly [SettingSection, string];
}

export type SettingsTable = {
  readonly [S in SettingSection]: { readonly [K in keyof ResolvedSettings[S]]-?: SettingRow<ResolvedSettings[S][K]> };
};

const bool = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** A port as a number, or a numeric string (an env reference arrives as one). */
const port = (v: unknown): number | undefined => {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
};
const oneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown): T | undefined =>
    values.includes(v as T) ? (v as T) : undefined;
const fallbackMaps = (v: unknown): readonly FallbackMap[] | undefined => (Array.isArray(v) ? (frozenCopy(v) as FallbackMap[]) : undefined);
const aliasList = (v: unknown): readonly string[] | undefined =>
  Array.isArray(v) && v.every((a) => typeof a === "string") ? Object.freeze([...(v as string[])]) : undefined;
const record = (v: unknown): Readonly<Record<string, unknown>> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (frozenCopy(v) as Record<string, unknown>) : undefined);
/** LiteLLM's two forms, `"gpt-4o"` and `{model: "gpt-4o", hidden: true}`, as one. */
const groupAliases = (v: unknown): Readonly<Record<string, ModelGroupAlias>> | undefined => {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Array<[string, ModelGroupAlias]> = [];
  for (const [name, entry] of Object.entries(v)) {
    const form = typeof entry === "string" ? { model: entry } : (entry as { model?: unknown; hidden?: unknown } | null);
    if (typeof form?.model === "string") out.push([name, Object.freeze({ model: form.model, hidden: form.hidden === true })]);
  }
  // fromEntries: a name such as "__proto__" stays a key of its own.
  return Object.freeze(Object.fromEntries(out));
};

/** A router policy (`retry_policy`, ...): the validated object, frozen; the router reads its keys. */
const policy = <T>(v: unknown): T | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (frozenCopy(v) as T) : undefined);

const NO_FALLBACKS: readonly FallbackMap[] = Object.freeze([]);
const NO_ALIASES: readonly string[] = Object.freeze([]);
const NOTHING: Readonly<Record<string, never>> = Object.freeze({});

/** Every setting the runtime reads. A default that lives with its code (the call path's, the router's) is referenced, not repeated. */
export const SETTINGS: SettingsTable = Object.freeze({
  general: {
    master_key: { default: null, read: str },
    host: { default: "127.0.0.1", read: str },
    port: { default: 4000, read: num },
    // 1 MiB: far above any chat request, far below what would hurt to hold in memory per request.
    max_request_body_bytes: { default: 1024 * 1024, read: num },
    shutdown_grace_seconds: { default: 10, read: num },
    reload_poll_interval: { default: 2, read: num },
    allow_unauthenticated: { default: false, read: bool },
    allow_client_side_credentials: { default: false, read: bool },
    public_metrics: { default: false, read: bool },
  },
  litellm: {
    turn_off_message_logging: { default: false, read: bool },
    redact_api_keys: { default: true, read: bool },
    callback_timeout: { default: 10, read: num },
    callback_load_timeout: { default: 10, read: num },
    hook_timeout_policy: { default: "reject", read: oneOf("reject", "allow") },
    max_queue: { default: 10_000, read: num },
    max_response_bytes: { default: DEFAULT_MAX_RESPONSE_BYTES, read: num },
    max_stream_bytes: { default: DEFAULT_MAX_STREAM_BYTES, read: num },
    max_record_bytes: { default: DEFAULT_MAX_RECORD_BYTES, read: num },
    num_retries: { default: ROUTER_DEFAULTS.num_retries, read: num },
    request_timeout: { default: DEFAULT_TIMEOUT_S, read: num },
    // LiteLLM's reliability docs put the router's keys here; router_settings' namesakes take these as their default.
    allowed_fails: { default: ROUTER_DEFAULTS.allowed_fails, read: num },
    cooldown_time: { default: ROUTER_DEFAULTS.cooldown_time, read: num },
    fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    context_window_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    content_policy_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    default_fallbacks: { default: NO_ALIASES, read: aliasList },
    cache: { default: false, read: bool },
    model_cost_map: { default: null, read: str },
    drop_params: { default: false, read: bool },
    forward_traceparent_to_llm_provider: { default: false, read: bool },
  },
  router: {
    routing_strategy: { default: "simple-shuffle", read: str },
    num_retries: { default: ROUTER_DEFAULTS.num_retries, read: num, from: ["litellm", "num_retries"] },
    timeout: { default: null, read: num },
    retry_after: { default: ROUTER_DEFAULTS.retry_after, read: num },
    fallbacks: { default: NO_FALLBACKS, read: fallbackMaps, from: ["litellm", "fallbacks"] },
    context_window_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps, from: ["litellm", "context_window_fallbacks"] },
    content_policy_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps, from: ["litellm", "content_policy_fallbacks"] },
    default_fallbacks: { default: NO_ALIASES, read: aliasList, from: ["litellm", "default_fallbacks"] },
    cooldown_time: { default: ROUTER_DEFAULTS.cooldown_time, read: num, from: ["litellm", "cooldown_time"] },
    allowed_fails: { default: ROUTER_DEFAULTS.allowed_fails, read: num, from: ["litellm", "allowed_fails"] },
    retry_policy: { default: null, read: (v) => policy<RetryPolicy>(v) },
    model_group_retry_policy: { default: null, read: (v) => policy<Record<string, RetryPolicy>>(v) },
    allowed_fails_policy: { default: null, read: (v) => policy<AllowedFailsPolicy>(v) },
    disable_cooldowns: { default: false, read: bool },
    enable_pre_call_checks: { default: false, read: bool },
    stream_timeout: { default: null, read: num },
    default_litellm_params: { default: NOTHING, read: record },
    model_group_alias: { default: NOTHING, read: groupAliases },
    default_max_parallel_requests: { default: null, read: num },
    optional_pre_call_checks: { default: NO_ALIASES, read: aliasList },
    redis_host: { default: null, read: str },
    redis_port: { default: null, read: port },
    redis_password: { default: null, read: str },
    redis_url: { default: null, read: str },
    redis_db: { default: null, read: num },
  },
} satisfies SettingsTable);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/** A frozen copy of plain data, so nothing reachable from the settings can change under a reader. */
function frozenCopy(v: unknown): unknown {
  if (Array.isArray(v)) return Object.freeze(v.map(frozenCopy));
  if (v && typeof v === "object") return Object.freeze(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, frozenCopy(x)])));
  return v;
}

/**
 * The `litellm_settings` keys a config sets that `router_settings` sets too, in
 * table order: the rows that take their default from a namesake, given a usable
 * value in both sections. `router_settings` wins; the caller warns.
 */
export function overriddenSettings(config: unknown): string[] {
  const root = obj(config);
  const out: string[] = [];
  for (const [section, rows] of Object.entries(SETTINGS) as Array<[SettingSection, Record<string, SettingRow<unknown>>]>) {
    const own = obj(root[SETTING_SECTIONS[section]]);
    for (const [key, row] of Object.entries(rows)) {
      if (!row.from || row.from[1] !== key) continue;
      const other = obj(root[SETTING_SECTIONS[row.from[0]]]);
      if (row.read(own[key]) !== undefined && row.read(other[key]) !== undefined) out.push(`${SETTING_SECTIONS[row.from[0]]}.${key}`);
    }
  }
  return out;
}

/** The settings of a (validated) config: every row of the table read, defaults applied, deep-frozen. Never changes `config`. */
export function resolveSettings(config: unknown): ResolvedSettings {
  const root = obj(config);
  const out: Record<string, Obj> = {};
  for (const section of Object.keys(SETTINGS) as SettingSection[]) {
    const given = obj(root[SETTING_SECTIONS[section]]);
    const resolved: Obj = {};
    for (const [key, row] of Object.entries(SETTINGS[section]) as Array<[string, SettingRow<unknown>]>) {
      const value = row.read(given[key]);
      resolved[key] = value !== undefined ? value : row.from ? out[row.from[0]]![row.from[1]] : row.default;
    }
    out[section] = Object.freeze(resolved);
  }
  return Object.freeze(out) as unknown as ResolvedSettings;
}
