import { describe, expect, it } from "vitest";
import { CACHE_DEFAULTS } from "../cache/index.ts";
import { Dispatcher } from "../callbacks/dispatcher.ts";
import { GlobalScope } from "../globals.ts";
import { CONFIG_SCHEMA } from "./schema.ts";
import { resolveSettings, SETTING_SECTIONS, SETTINGS, type SettingRow, type SettingSection } from "./settings.ts";

type Node = { $ref?: string; default?: unknown; properties?: Record<string, Node>; "x-litellm-ignored"?: boolean };
const root = CONFIG_SCHEMA as unknown as Node & { $defs: Record<string, Node> };
const deref = (node: Node): Node => (node.$ref ? root.$defs[node.$ref.replace("#/$defs/", "")]! : node);

/** The schema's properties of a config section (`general_settings`, ...), ignored LiteLLM keys left out. */
function schemaKeys(path: string[]): Record<string, Node> {
  let node: Node = root;
  for (const key of path) node = deref(node.properties![key]!);
  return Object.fromEntries(Object.entries(node.properties ?? {}).filter(([, n]) => n["x-litellm-ignored"] !== true));
}

const sections = Object.keys(SETTINGS) as SettingSection[];
const rows = sections.flatMap((section) =>
  (Object.entries(SETTINGS[section]) as Array<[string, SettingRow<unknown>]>).map(([key, row]) => ({ section, key, row, at: `${SETTING_SECTIONS[section]}.${key}` })),
);

/** Schema keys with a `default` that are not settings of the table, and why. */
const NOT_IN_TABLE: Readonly<Record<string, string>> = {
  "litellm_settings.callbacks": "callback references: loaded into the snapshot's chains",
  "litellm_settings.input_callback": "callback references: loaded into the snapshot's chains",
  "litellm_settings.success_callback": "callback references: loaded into the snapshot's chains",
  "litellm_settings.failure_callback": "callback references: loaded into the snapshot's chains",
};

describe("the settings table", () => {
  it.each(rows)("$at: its default is the schema's", ({ section, key, row, at }) => {
    const node = schemaKeys([SETTING_SECTIONS[section]])[key];
    expect(node, `${at} is not in the schema (or is an ignored LiteLLM key)`).toBeDefined();
    if (row.from) {
      // "Default: <other key>": the schema states none of its own; the table's stands for the other key's.
      expect(node!.default, `${at} takes ${row.from.join(".")}'s value: the schema must not give a default`).toBeUndefined();
      expect(row.default).toEqual((SETTINGS[row.from[0]] as Record<string, SettingRow<unknown>>)[row.from[1]]!.default);
    } else if (row.default === null) {
      expect(node!.default, `${at} has no default in the table`).toBeUndefined();
    } else {
      expect(node!.default, `the schema's default of ${at}`).toEqual(row.default);
    }
  });

  it("holds every key of general_settings, litellm_settings and router_settings that has a schema default", () => {
    const missing: string[] = [];
    for (const section of sections) {
      for (const [key, node] of Object.entries(schemaKeys([SETTING_SECTIONS[section]]))) {
        const at = `${SETTING_SECTIONS[section]}.${key}`;
        if (node.default !== undefined && !(key in SETTINGS[section]) && !(at in NOT_IN_TABLE)) missing.push(at);
      }
    }
    expect(missing, "add a row to SETTINGS (core/config/settings.ts), or a reason to NOT_IN_TABLE").toEqual([]);
  });

  it("names only keys the schema has in NOT_IN_TABLE, none of them also in the table", () => {
    for (const at of Object.keys(NOT_IN_TABLE)) {
      const [section, key] = at.split(".") as [string, string];
      expect(schemaKeys([section])[key], at).toBeDefined();
      expect(rows.map((r) => r.at)).not.toContain(at);
    }
  });

  it("agrees with the defaults kept where no config is read: litellm.* in library use, the dispatcher, the cache", () => {
    const scope = new GlobalScope();
    for (const key of ["turn_off_message_logging", "redact_api_keys", "callback_timeout", "hook_timeout_policy", "max_response_bytes", "max_stream_bytes", "max_record_bytes", "request_timeout"] as const) {
      expect(scope[key], `litellm.${key}`).toEqual(SETTINGS.litellm[key].default);
    }
    expect(new Dispatcher().maxQueue).toBe(SETTINGS.litellm.max_queue.default);
    const cacheParams = schemaKeys(["litellm_settings", "cache_params"]);
    for (const [key, value] of Object.entries(CACHE_DEFAULTS)) {
      const node = cacheParams[key];
      if (node?.default !== undefined) expect(value, `cache_params.${key}`).toEqual(node.default);
    }
  });
});

describe("resolveSettings", () => {
  it("applies every default to an empty config", () => {
    const s = resolveSettings({});
    const at = (section: string, key: string) => (s as unknown as Record<string, Record<string, unknown>>)[section]![key];
    for (const { section, key, row } of rows) expect(at(section, key), `${section}.${key}`).toEqual(row.from ? at(...row.from) : row.default);
    expect(s.general).toMatchObject({ host: "127.0.0.1", port: 4000, master_key: null, shutdown_grace_seconds: 10 });
    expect(s.router.timeout).toBeNull();
  });

  it("takes the config's values, and never changes the config", () => {
    const config = {
      general_settings: { master_key: "sk-master", port: 0, allow_client_side_credentials: true, max_request_body_bytes: 2048 },
      litellm_settings: { callback_timeout: 2.5, hook_timeout_policy: "allow", redact_api_keys: false, max_queue: 5, cache: true, model_cost_map: "./prices.json" },
      router_settings: { routing_strategy: "least-busy", timeout: 30, fallbacks: [{ a: ["b"] }], cooldown_time: 0 },
    };
    const before = structuredClone(config);
    const s = resolveSettings(config);
    expect(s.general).toMatchObject({ master_key: "sk-master", port: 0, allow_client_side_credentials: true, max_request_body_bytes: 2048, host: "127.0.0.1" });
    expect(s.litellm).toMatchObject({ callback_timeout: 2.5, hook_timeout_policy: "allow", redact_api_keys: false, max_queue: 5, cache: true, model_cost_map: "./prices.json", turn_off_message_logging: false });
    expect(s.router).toMatchObject({ routing_strategy: "least-busy", timeout: 30, fallbacks: [{ a: ["b"] }], cooldown_time: 0, allowed_fails: 3, context_window_fallbacks: [] });
    expect(config).toEqual(before);
  });

  it("retries as litellm_settings.num_retries says unless router_settings.num_retries does", () => {
    expect(resolveSettings({ litellm_settings: { num_retries: 2 } }).router.num_retries).toBe(2);
    expect(resolveSettings({ litellm_settings: { num_retries: 2 }, router_settings: { num_retries: 0 } }).router.num_retries).toBe(0);
    expect(resolveSettings({}).router.num_retries).toBe(0);
  });

  it("is deep-frozen, down to the fallback lists", () => {
    const s = resolveSettings({ router_settings: { fallbacks: [{ a: ["b"] }] } });
    expect(Object.isFrozen(s)).toBe(true);
    for (const section of sections) expect(Object.isFrozen(s[section]), section).toBe(true);
    expect(Object.isFrozen(s.router.fallbacks)).toBe(true);
    expect(Object.isFrozen(s.router.fallbacks[0])).toBe(true);
    expect(Object.isFrozen(s.router.fallbacks[0]!.a)).toBe(true);
  });
});
