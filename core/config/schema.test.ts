import { fileURLToPath } from "node:url";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateConfigTypes, TYPES_FILE } from "../../scripts/gen-config-types.ts";
import { generateValidator, VALIDATOR_FILE } from "../../scripts/gen-validator.ts";
import { CONFIG_ERROR_CODES, type ConfigIssue } from "../errors.ts";
import type { Loc } from "./parse.ts";
import { CONFIG_SCHEMA, schemaText, validateShape } from "./schema.ts";
import { nearest } from "./suggest.ts";

const C = CONFIG_ERROR_CODES;
// LiteLLM's own proxy configs, copied byte for byte into the fixtures (MIT; see their README): they must validate.
const REFERENCE_DIR = fileURLToPath(new URL("../../test/fixtures/litellm-reference-configs", import.meta.url));

/** A locator that knows a few paths (by their dotted form) and falls back to the nearest known parent, as the real one does. */
function fakeLocate(lines: Record<string, number>) {
  return (path: ReadonlyArray<string | number>): Loc => {
    for (let n = path.length; n >= 0; n--) {
      const key = path.slice(0, n).reduce<string>((s, seg) => (typeof seg === "number" ? `${s}[${seg}]` : s ? `${s}.${seg}` : seg), "");
      const line = lines[key];
      if (line !== undefined) return { file: "litellm.config.yaml", line, col: 3 };
    }
    return { file: "litellm.config.yaml" };
  };
}
const nowhere = fakeLocate({});

const model = (name = "demo") => ({ model_name: name, litellm_params: { model: `mock/${name}` } });

// Every section, every key we act on, and the forms of callback reference.
const FULL = {
  model_list: [
    {
      model_name: "gpt-4o-mini",
      litellm_params: {
        model: "openai/gpt-4o-mini",
        api_key: "sk-test-1234567890abcd",
        api_base: "http://127.0.0.1:8080/v1",
        api_version: "2024-02-01",
        timeout: 30,
        stream_timeout: 10,
        max_retries: 2,
        num_retries: 1,
        organization: "org-1",
        weight: 2,
        input_cost_per_token: 0.00000015,
        output_cost_per_token: 0.0000006,
        temperature: 0.2, // a provider param: passed through
        max_tokens: 256,
      },
      model_info: {
        id: "mini-1",
        input_cost_per_token: 0.00000015,
        output_cost_per_token: 0.0000006,
        cache_read_input_token_cost: 0.000000075,
        cache_creation_input_token_cost: 0.0000002,
        max_tokens: 16384,
        max_input_tokens: 128000,
        max_output_tokens: 16384,
        mode: "chat",
        base_model: "gpt-4o-mini",
        supports_vision: true, // free-form, as in LiteLLM
      },
      callbacks: ["./callbacks/audit.ts", { callback: "./callbacks/audit.ts#strict", events: ["success", "failure"], options: { level: 2 } }],
    },
    { model_name: "demo", litellm_params: { model: "mock/demo", mock_response: "Hello" } },
  ],
  litellm_settings: {
    callbacks: ["console", "./callbacks/my_handler.ts#handler", "custom_callbacks.proxy_handler_instance"],
    input_callback: [],
    success_callback: ["file", "mixpanel", { callback: "webhook", events: ["success"] }],
    failure_callback: ["file"],
    cache: true,
    cache_params: {
      type: "redis",
      host: "localhost",
      port: 6379,
      password: "secret",
      username: "app",
      url: "rediss://localhost:6380/0",
      db: 0,
      tls: true,
      ssl: true,
      cluster_nodes: [{ host: "10.0.0.1", port: 7000 }, "10.0.0.2:7001"],
      namespace: "prod",
      ttl: 600,
      mode: "default_off",
      supported_call_types: ["acompletion", "aembedding"],
      max_items: 500,
      max_bytes: 1_000_000,
      timeout: 0.5,
    },
    turn_off_message_logging: false,
    redact_api_keys: true,
    callback_timeout: 10,
    max_queue: 10000,
    model_cost_map: "./prices.json",
    num_retries: 2,
    request_timeout: 60,
  },
  callback_settings: {
    console: { format: "json", level: "debug" },
    file: { path: "./logs/llm-events.jsonl", max_bytes: 10_000_000, max_files: 3 },
    mixpanel: { token: "tok", api_host: "https://api-eu.mixpanel.com", event_name: "LLM Response", distinct_id: "svc", batch_size: 50, flush_interval: 500, max_retries: 2 },
    webhook: { url: "https://hooks.example.com/llm", headers: { Authorization: "Bearer x" }, batch_size: 10, flush_interval: 1000, max_retries: 3 },
    my_handler: { sample_rate: 0.5 }, // a custom callback's own settings
  },
  general_settings: { master_key: "sk-master", host: "0.0.0.0", port: 4000, max_request_body_bytes: 1_048_576, shutdown_grace_seconds: 5 },
  router_settings: {
    routing_strategy: "least-busy",
    num_retries: 2,
    timeout: 30,
    retry_after: 1,
    fallbacks: [{ "gpt-4o-mini": ["demo"] }],
    context_window_fallbacks: [{ demo: ["gpt-4o-mini"] }],
    content_policy_fallbacks: [],
    cooldown_time: 30,
    allowed_fails: 3,
  },
  environment_variables: { REDIS_PORT: 6379, LOG_JSON: true, REGION: "eu" },
  include: ["./more-models.yaml"],
};

interface Expected {
  code: string;
  path: string;
  suggestion?: string;
  line?: number;
  /** Words the message must contain: what was found, what is allowed. */
  says?: string[];
}

interface Case {
  name: string;
  config: unknown;
  lines?: Record<string, number>;
  errors: Expected[];
}

const CASES: Case[] = [
  { name: "a full config using every section", config: FULL, errors: [] },
  { name: "a minimal config", config: { model_list: [model()] }, errors: [] },
  { name: "an empty config", config: {}, errors: [] },
  {
    name: "a misspelt key, with the nearest known one suggested and its line",
    config: { model_list: [model()], litellm_settings: { sucess_callback: ["console"] } },
    lines: { litellm_settings: 4, "litellm_settings.sucess_callback": 5 },
    errors: [{ code: C.unknownKey, path: "litellm_settings.sucess_callback", suggestion: "success_callback", line: 5, says: ['"sucess_callback"'] }],
  },
  {
    name: "an unknown top-level key with no near match: no suggestion, the known keys listed",
    config: { model_list: [model()], frobnicate: { a: 1 } },
    errors: [{ code: C.unknownKey, path: "frobnicate", says: ["model_list", "litellm_settings", "router_settings"] }],
  },
  {
    name: "a value outside an enum names the allowed values",
    config: { litellm_settings: { cache: true, cache_params: { type: "memcached" } } },
    lines: { "litellm_settings.cache_params.type": 9 },
    errors: [{ code: C.invalidValue, path: "litellm_settings.cache_params.type", line: 9, says: ['"memcached"', '"local"', '"redis"'] }],
  },
  {
    name: "a missing required key, located at its parent",
    config: { model_list: [model(), { litellm_params: { model: "mock/x" } }] },
    lines: { "model_list[1]": 6 },
    errors: [{ code: C.missingKey, path: "model_list[1].model_name", line: 6, says: ['"model_name"'] }],
  },
  {
    name: "a missing model inside litellm_params",
    config: { model_list: [{ model_name: "x", litellm_params: { api_key: "k" } }] },
    errors: [{ code: C.missingKey, path: "model_list[0].litellm_params.model" }],
  },
  {
    name: "a value of the wrong type says what was found and what is expected",
    config: { litellm_settings: { cache_params: { ttl: "ten" } } },
    errors: [{ code: C.invalidValue, path: "litellm_settings.cache_params.ttl", says: ['"ten"', "a string", "a number"] }],
  },
  {
    name: "a number out of range",
    config: { callback_settings: { mixpanel: { batch_size: 80 } } },
    errors: [{ code: C.invalidValue, path: "callback_settings.mixpanel.batch_size", says: ["80", "at most 50"] }],
  },
  {
    name: "an object-form callback with a bad event: one issue, at the event",
    config: { litellm_settings: { callbacks: [{ callback: "./cb.ts#handler", events: ["success", "on_success"] }] } },
    errors: [{ code: C.invalidValue, path: "litellm_settings.callbacks[0].events[1]", suggestion: "success", says: ['"on_success"', '"pre_api_call"', '"failure"'] }],
  },
  {
    name: "a single reference where a list stands, as LiteLLM's docs write it, is valid",
    config: { litellm_settings: { callbacks: "custom_callbacks.proxy_handler_instance", success_callback: { callback: "./cb.ts" } } },
    errors: [],
  },
  {
    name: "a single value that is no reference: one issue at the list",
    config: { litellm_settings: { failure_callback: 7 } },
    errors: [{ code: C.invalidValue, path: "litellm_settings.failure_callback", says: ["7"] }],
  },
  {
    name: "a callback entry of neither form: one issue naming both forms",
    config: { litellm_settings: { success_callback: ["console", 42] } },
    errors: [{ code: C.invalidValue, path: "litellm_settings.success_callback[1]", says: ["42", "a string", "an object"] }],
  },
  {
    name: "an object-form callback without its callback key",
    config: { model_list: [{ ...model(), callbacks: [{ events: ["success"] }] }] },
    errors: [{ code: C.missingKey, path: "model_list[0].callbacks[0].callback" }],
  },
  {
    name: "a built-in's options are checked; a custom callback's must be a mapping",
    config: { callback_settings: { webhook: { headers: { "X-Key": "k" } }, file: { pth: "./x.jsonl" }, mine: "on" } },
    lines: { "callback_settings.webhook": 2, "callback_settings.file.pth": 5, "callback_settings.mine": 6 },
    errors: [
      { code: C.missingKey, path: "callback_settings.webhook.url" },
      { code: C.unknownKey, path: "callback_settings.file.pth", suggestion: "path" },
      { code: C.invalidValue, path: "callback_settings.mine", says: ['"on"', "a mapping"] },
    ],
  },
  {
    name: "a fallback that is not a list of aliases",
    config: { router_settings: { fallbacks: [{ a: "b" }], routing_strategy: "least_busy" } },
    errors: [
      { code: C.invalidValue, path: "router_settings.routing_strategy", suggestion: "least-busy" },
      { code: C.invalidValue, path: "router_settings.fallbacks[0].a", says: ["a list"] },
    ],
  },
  {
    name: "several errors in one file are all reported, in file order",
    config: {
      model_lst: [],
      litellm_settings: { cache_params: { type: "memcached", port: "6379" }, callback_timeout: 0 },
      general_settings: { port: 70000 },
      model_list: [{ model_name: "a" }],
    },
    lines: { model_lst: 1, "litellm_settings.cache_params.type": 4, "litellm_settings.cache_params.port": 5, "litellm_settings.callback_timeout": 6, "general_settings.port": 8, "model_list[0]": 10 },
    errors: [
      { code: C.unknownKey, path: "model_lst", suggestion: "model_list", line: 1 },
      { code: C.invalidValue, path: "litellm_settings.cache_params.type", line: 4 },
      { code: C.invalidValue, path: "litellm_settings.cache_params.port", line: 5, says: ['"6379"', "a whole number"] },
      { code: C.invalidValue, path: "litellm_settings.callback_timeout", line: 6, says: ["greater than 0"] },
      { code: C.invalidValue, path: "general_settings.port", line: 8, says: ["at most 65535"] },
      { code: C.missingKey, path: "model_list[0].litellm_params", line: 10 },
    ],
  },
  {
    name: "a config that is not a mapping",
    config: ["model_list"],
    errors: [{ code: C.invalidValue, path: "", says: ["a list", "a mapping"] }],
  },
];

function check(issues: ConfigIssue[], expected: Expected[]): void {
  expect(issues.map((i) => ({ code: i.code, path: i.path }))).toEqual(expected.map((e) => ({ code: e.code, path: e.path })));
  issues.forEach((issue, n) => {
    const want = expected[n]!;
    expect(issue.suggestion).toBe(want.suggestion);
    if (want.line !== undefined) expect([issue.file, issue.line, issue.col]).toEqual(["litellm.config.yaml", want.line, 3]);
    for (const word of want.says ?? []) expect(issue.message).toContain(word);
    expect(issue.message).not.toMatch(/litellm\.config\.yaml|:\d+:\d+/); // the location is formatIssue's job
  });
}

describe("validateShape", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { errors } = validateShape(c.config, fakeLocate(c.lines ?? {}));
      check(errors, c.errors);
    });
  }

  it("accepts callbacks an inline config puts in its lists (functions, CustomLogger instances, handler objects)", () => {
    class Handler {
      log_success_event(): void {}
    }
    const config = {
      litellm_settings: {
        callbacks: [new Handler(), { async_log_success_event: async () => undefined }],
        success_callback: [() => undefined, { callback: new Handler(), events: ["success"] }],
      },
      model_list: [{ ...model(), callbacks: [new Handler()] }],
    };
    expect(validateShape(config, nowhere)).toEqual({ errors: [], warnings: [] });
    // ...but not where a value belongs.
    expect(validateShape({ litellm_settings: { cache: () => true } }, nowhere).errors.map((e) => e.path)).toEqual(["litellm_settings.cache"]);
  });

  it("gives one warning naming every ignored key, located at the first", () => {
    const config = {
      model_list: [{ ...model(), litellm_params: { model: "mock/x", tags: ["teamA"] } }],
      litellm_settings: { modify_params: true, set_verbose: false },
      router_settings: { enable_tag_filtering: true },
      guardrails: [{ guardrail_name: "g" }],
    };
    const { errors, warnings } = validateShape(config, fakeLocate({ "model_list[0].litellm_params.tags": 3, "litellm_settings.modify_params": 8 }));
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    const [w] = warnings;
    expect(w).toMatchObject({ code: C.ignoredKeys, path: "", file: "litellm.config.yaml", line: 3 });
    expect(ignoredIn(w!)).toEqual(
      new Set(["model_list[0].litellm_params.tags", "litellm_settings.modify_params", "litellm_settings.set_verbose", "router_settings.enable_tag_filtering", "guardrails"]),
    );
    expect(w!.message).toContain("LiteLLM compatibility");
    expect(w!.message).toContain("no effect");
    expect(validateShape({ model_list: [model()] }, nowhere).warnings).toEqual([]);
  });
});

/** The key paths a CONFIG_IGNORED_KEYS warning names. */
function ignoredIn(w: ConfigIssue): Set<string> {
  const list = /no effect here: (.*)\. Remove/.exec(w.message)?.[1];
  return new Set(list ? list.split(", ") : []);
}

describe("LiteLLM's own proxy configs", () => {
  // What each reference file holds that LiteLLM knows and this runtime does not act on.
  const IGNORED: Record<string, string[]> = {
    // litellm_params.tpm weights simple-shuffle here, so it is not ignored.
    "azure_config.yaml": [],
    "enterprise_config.yaml": ["model_list[0].litellm_params.tags", "router_settings.enable_tag_filtering"],
    // litellm_settings.drop_params is a setting of this runtime too; the entries' top-level tpm / rpm are limits.
    "load_balancer.yaml": [],
    "multi_instance_simple_config.yaml": [],
    "simple_config.yaml": [],
    "spend_tracking_config.yaml": ["general_settings.use_redis_transaction_buffer"],
  };
  const files = readdirSync(REFERENCE_DIR).filter((f) => f.endsWith(".yaml"));

  it("are all covered here", () => {
    expect(files.sort()).toEqual(Object.keys(IGNORED).sort());
  });

  for (const file of files) {
    it(`${file} has the right shape, with one warning naming its ignored keys`, () => {
      // YAML 1.1, as LiteLLM's PyYAML reads it (`20_000` is a number, `True` a boolean).
      const data: unknown = parse(readFileSync(join(REFERENCE_DIR, file), "utf8"), { version: "1.1" });
      const { errors, warnings } = validateShape(data, nowhere);
      expect(errors).toEqual([]);
      const want = IGNORED[file] ?? [];
      expect(warnings).toHaveLength(want.length > 0 ? 1 : 0);
      if (want.length > 0) expect(ignoredIn(warnings[0]!)).toEqual(new Set(want));
    });
  }
});

describe("the schema", () => {
  type Node = Record<string, unknown>;
  const defs = CONFIG_SCHEMA.$defs as Record<string, Node>;
  const resolve = (n: Node): Node => (typeof n.$ref === "string" ? { ...defs[n.$ref.replace("#/$defs/", "")], ...n } : n);

  /** Every key the schema declares, with its path and schema. */
  function keys(node: Node, path: string, out: Array<[string, Node]> = []): Array<[string, Node]> {
    const n = resolve(node);
    for (const [k, v] of Object.entries((n.properties ?? {}) as Record<string, Node>)) {
      out.push([`${path}${k}`, v]);
      keys(v, `${path}${k}.`, out);
    }
    for (const child of [n.items, n.additionalProperties, ...((n.anyOf as Node[] | undefined) ?? [])]) {
      if (child !== null && typeof child === "object") keys(child as Node, path, out);
    }
    return out;
  }
  const all = keys(CONFIG_SCHEMA as Node, "");

  it("describes every key (hover text in editors)", () => {
    expect(all.length).toBeGreaterThan(100);
    const undescribed = all.filter(([, s]) => typeof resolve(s).description !== "string").map(([p]) => p);
    expect(undescribed).toEqual([]);
  });

  it("says of every ignored key that it has no effect here", () => {
    const ignored = all.filter(([, s]) => s["x-litellm-ignored"] === true);
    expect(ignored.length).toBeGreaterThan(50);
    for (const [path, s] of ignored) expect([path, s.description]).toEqual([path, expect.stringContaining("has no effect in this runtime")]);
  });

  it("closes every object it owns, so a misspelt key is an error", () => {
    // A callback list is reached through both forms of CallbackList (one reference, or a list): count each place once.
    const open = [...new Set(all.filter(([, s]) => resolve(s).type === "object" && resolve(s).additionalProperties === undefined).map(([p]) => p))];
    // Free-form on purpose: the options an object-form callback passes to its callback.
    expect(open).toEqual(["model_list.callbacks.options", ...["callbacks", "input_callback", "success_callback", "failure_callback"].map((l) => `litellm_settings.${l}.options`)]);
  });

  it("schemaText() is the schema as pretty JSON", () => {
    const text = schemaText();
    expect(JSON.parse(text)).toEqual(CONFIG_SCHEMA);
    expect(text).toContain('\n  "properties": {');
  });

  it("types.generated.ts is what `npm run gen:types` makes of it (types cannot drift)", async () => {
    expect(readFileSync(TYPES_FILE, "utf8"), "out of date: run `npm run gen:types`").toBe(await generateConfigTypes());
  });

  it("validator.generated.ts is what `npm run gen:validator` makes of it (the validator cannot drift)", () => {
    // Compared as a boolean: a diff of 190 kB of generated code helps no one.
    expect(readFileSync(VALIDATOR_FILE, "utf8") === generateValidator(), "out of date: run `npm run gen:validator`").toBe(true);
  });

  it("validator.generated.ts needs neither ajv nor require() at run time", () => {
    expect(readFileSync(VALIDATOR_FILE, "utf8")).not.toMatch(/^import |\brequire\("|"ajv\//m);
  });
});

describe("nearest", () => {
  it.each([
    ["sucess_callback", ["callbacks", "success_callback", "failure_callback"], "success_callback"],
    ["mdoel", ["model", "model_info"], "model"],
    ["CACHE", ["cache", "cache_params"], "cache"],
    ["memcached", ["local", "redis"], undefined],
    ["foo", ["model_list", "include"], undefined],
  ])("%s → %s", (word, candidates, want) => {
    expect(nearest(word, candidates)).toBe(want);
  });
});
