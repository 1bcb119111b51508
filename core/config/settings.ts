/**
 * Every setting the runtime reads, in one table: its section, its default and
 * how its value is read. `resolveSettings` turns a validated config into one
 * deep-frozen `ResolvedSettings` per snapshot, defaults applied; the server,
 * the CLI, the router and the dispatcher read that, never the raw config.
 * settings.test.ts keeps each default equal to the schema's `default`.
 */
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES } from "../call/params.ts";
import { DEFAULT_MAX_RECORD_BYTES } from "../callbacks/safe-json.ts";
import { ROUTER_DEFAULTS, type FallbackMap, type RoutingStrategy } from "../router/types.ts";

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
  /** Whether responses are cached (with `cache_params`). @default false */
  readonly cache: boolean;
  /** Path of a price table, relative to the config file; null: the bundled table only. @default null */
  readonly model_cost_map: string | null;
  /** Drop parameters a provider does not take instead of failing with UnsupportedParamsError. @default false */
  readonly drop_params: boolean;
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
  /** Aliases tried, in order, when every deployment of an alias fails. @default [] */
  readonly fallbacks: readonly FallbackMap[];
  /** Aliases tried when the prompt exceeds the context window; empty: `fallbacks`. @default [] */
  readonly context_window_fallbacks: readonly FallbackMap[];
  /** Aliases tried when the provider refuses the content; empty: `fallbacks`. @default [] */
  readonly content_policy_fallbacks: readonly FallbackMap[];
  /** Seconds a deployment is skipped after more than `allowed_fails` failures in a minute. @default 5 */
  readonly cooldown_time: number;
  /** Failures in a minute a deployment may have before it cools down. @default 3 */
  readonly allowed_fails: number;
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
const oneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown): T | undefined =>
    values.includes(v as T) ? (v as T) : undefined;
const fallbackMaps = (v: unknown): readonly FallbackMap[] | undefined => (Array.isArray(v) ? (frozenCopy(v) as FallbackMap[]) : undefined);

const NO_FALLBACKS: readonly FallbackMap[] = Object.freeze([]);

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
    cache: { default: false, read: bool },
    model_cost_map: { default: null, read: str },
    drop_params: { default: false, read: bool },
  },
  router: {
    routing_strategy: { default: "simple-shuffle", read: str },
    num_retries: { default: ROUTER_DEFAULTS.num_retries, read: num, from: ["litellm", "num_retries"] },
    timeout: { default: null, read: num },
    retry_after: { default: ROUTER_DEFAULTS.retry_after, read: num },
    fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    context_window_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    content_policy_fallbacks: { default: NO_FALLBACKS, read: fallbackMaps },
    cooldown_time: { default: ROUTER_DEFAULTS.cooldown_time, read: num },
    allowed_fails: { default: ROUTER_DEFAULTS.allowed_fails, read: num },
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
