import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDirForTest } from "../../test/support/kit.ts";
import { ConfigError } from "../errors.ts";
import type { InlineConfig } from "../types.ts";
import { loadConfig } from "./load.ts";

/**
 * Declarative cases: each `test/fixtures/config-<case>/` holds real config
 * files and an `expected.json`: the environment to set, where to load from,
 * and either the config values (good cases) or every `{code, path, line}`.
 */
interface ExpectedIssue {
  code: string;
  path: string;
  line?: number;
  /** Relative to the fixture folder; the root config file when omitted. */
  file?: string;
  /** Text the message must contain (a variable name, a path). */
  mentions?: string;
  variable?: string;
}
interface Case {
  description: string;
  /** Folder to load from, relative to the fixture (search upward from there). */
  cwd?: string;
  /** Explicit source, relative to `cwd`; searched for when omitted. */
  source?: string;
  env?: Record<string, string>;
  unset?: string[];
  /** The file found, relative to the fixture. */
  file?: string;
  files?: string[];
  config?: Record<string, unknown>;
  /** Compare `config` exactly rather than as a subset. */
  exact?: boolean;
  /** Variables of the loaded config's own environment (`environment_variables`); process.env keeps its values. */
  configEnv?: Record<string, string>;
  located?: Array<{ path: string; file: string; line: number }>;
  errors?: ExpectedIssue[];
}

const FIXTURES = resolve(import.meta.dirname, "../../test/fixtures");
const cases = readdirSync(FIXTURES)
  .filter((d) => d.startsWith("config-"))
  .map((name) => ({ name, dir: join(FIXTURES, name), spec: JSON.parse(readFileSync(join(FIXTURES, name, "expected.json"), "utf8")) as Case }));

let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  savedEnv = { ...process.env };
});
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** Parses "model_list[2].litellm_params.api_key" back into segments. */
function segments(path: string): Array<string | number> {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));
}

describe("loadConfig fixtures", () => {
  it("has fixtures to run", () => {
    expect(cases.length).toBeGreaterThan(10);
  });

  for (const { name, dir, spec } of cases) {
    it(`${name}: ${spec.description}`, async () => {
      for (const key of spec.unset ?? []) delete process.env[key];
      Object.assign(process.env, spec.env ?? {});
      const cwd = join(dir, spec.cwd ?? "");

      if (spec.errors) {
        const err = await loadConfig(spec.source, { cwd }).then(
          () => expect.unreachable("the config should not load"),
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ConfigError);
        const issues = (err as ConfigError).issues;
        // In document order: the root file, then its includes; by line within a file.
        expect(issues.map(({ code, path, line }) => ({ code, path, line }))).toEqual(spec.errors.map(({ code, path, line }) => ({ code, path, line })));
        spec.errors.forEach((e, i) => {
          expect(issues[i]!.file).toBe(join(dir, e.file ?? "litellm.config.yaml"));
          if (e.mentions) expect(issues[i]!.message).toContain(e.mentions);
          if (e.variable) expect(issues[i]!.message).toContain(e.variable);
        });
        return;
      }

      const before = { ...process.env };
      const loaded = await loadConfig(spec.source, { cwd });
      if (spec.file) expect(loaded.file).toBe(join(dir, spec.file));
      if (spec.files) expect(loaded.files).toEqual(spec.files.map((f) => join(dir, f)));
      if (spec.exact) expect(loaded.config).toEqual(spec.config);
      else expect(loaded.config).toMatchObject(spec.config ?? {});
      for (const [key, value] of Object.entries(spec.configEnv ?? {})) {
        expect(loaded.env[key], key).toBe(value);
        expect(process.env[key], key).toBe(before[key]);
      }
      expect(process.env).toEqual(before);
      for (const l of spec.located ?? []) {
        expect(loaded.locate(segments(l.path)), l.path).toMatchObject({ file: join(dir, l.file), line: l.line });
      }
    });
  }
});

describe("loadConfig", () => {
  const azure = join(FIXTURES, "config-litellm-azure");

  it("returns a deep-frozen config that cannot be mutated", async () => {
    process.env.LLRT_TEST_AZURE_KEY = "azure-key-0123456789";
    const loaded = await loadConfig("litellm.config.yaml", { cwd: azure });
    const entry = loaded.config.model_list![0]!;
    expect([loaded, loaded.config, entry.litellm_params].map(Object.isFrozen)).toEqual([true, true, true]);
    expect(() => {
      (entry.litellm_params as Record<string, unknown>).api_key = "changed";
    }).toThrow(TypeError);
    expect(() => (loaded.config.model_list as unknown[]).push({})).toThrow(TypeError);
    expect(entry.litellm_params.api_key).toBe("azure-key-0123456789");
  });

  it("loads an inline object without touching it, relative to cwd", async () => {
    process.env.LLRT_TEST_INLINE_KEY = "sk-inline-0123456789";
    const inline = {
      model_list: [{ model_name: "inline", litellm_params: { model: "mock/inline", api_key: "os.environ/LLRT_TEST_INLINE_KEY" } }],
    };
    const loaded = await loadConfig(inline, { cwd: azure });
    expect(loaded.file).toBeNull();
    expect(loaded.dir).toBe(azure);
    expect(loaded.files).toEqual([]);
    expect(loaded.config.model_list![0]!.litellm_params.api_key).toBe("sk-inline-0123456789");
    expect(inline.model_list[0]!.litellm_params.api_key).toBe("os.environ/LLRT_TEST_INLINE_KEY");
    expect(Object.isFrozen(inline)).toBe(false);
    expect(loaded.locate(["model_list", 0, "litellm_params", "api_key"])).toEqual({ file: null });
  });

  it("reports an inline config's unset variable with its path and no file", async () => {
    delete process.env.LLRT_TEST_INLINE_UNSET;
    const err = await loadConfig({ general_settings: { master_key: "${LLRT_TEST_INLINE_UNSET}" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toMatchObject([{ code: "CONFIG_ENV_MISSING", file: null, path: "general_settings.master_key" }]);
    expect((err as ConfigError).message).toContain("${LLRT_TEST_INLINE_UNSET:-value}");
  });

  it("names the absolute path of a config file that does not exist", async () => {
    const err = await loadConfig("nope/litellm.config.yaml", { cwd: azure }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toMatchObject([{ code: "CONFIG_NOT_FOUND", file: join(azure, "nope/litellm.config.yaml") }]);
  });

  it("says where it looked and how to create a config when none is found", async () => {
    const empty = await tempDirForTest("llrt-noconfig-");
    const err = await loadConfig(undefined, { cwd: empty }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const [issue] = (err as ConfigError).issues;
    expect(issue).toMatchObject({ code: "CONFIG_NOT_FOUND", file: null });
    expect(issue!.message).toContain(empty);
    expect(issue!.message).toContain("litellm.config.yaml");
    expect(issue!.message).toContain("litellm-runtime init");
  });

  it("keeps environment_variables in the config's own frozen environment, over process.env and out of a log of it", async () => {
    process.env.LLRT_TEST_OUTER = "from-the-process";
    process.env.LLRT_TEST_OVERRIDDEN = "process-value";
    process.env.LLRT_TEST_PROCESS_ONLY = "only-in-the-process";
    delete process.env.LLRT_TEST_OWN;
    const before = { ...process.env };
    const loaded = await loadConfig({
      environment_variables: { LLRT_TEST_OWN: "${LLRT_TEST_OUTER}-and-more", LLRT_TEST_OVERRIDDEN: "config-value" },
      general_settings: { master_key: "os.environ/LLRT_TEST_OVERRIDDEN" },
    });
    expect(loaded.env).toMatchObject({ LLRT_TEST_OUTER: "from-the-process", LLRT_TEST_OWN: "from-the-process-and-more", LLRT_TEST_OVERRIDDEN: "config-value" });
    expect(loaded.config.general_settings?.master_key).toBe("config-value");
    expect(Object.isFrozen(loaded.env)).toBe(true);
    expect(Object.keys(loaded)).not.toContain("env");
    expect(loaded.env.LLRT_TEST_PROCESS_ONLY).toBe("only-in-the-process");
    expect(JSON.stringify(loaded)).not.toContain("only-in-the-process");
    expect(process.env).toEqual(before);
  });

  it("returns the file's problems instead of throwing them with keepIssues, values of unset variables left as written", async () => {
    delete process.env.LLRT_TEST_UNSET_PORT;
    // Wrong on purpose: a string where the schema wants a number.
    const inline = { general_settings: { port: "${LLRT_TEST_UNSET_PORT}" }, litellm_settings: { callback_timeout: "soon" } } as unknown as InlineConfig;
    const loaded = await loadConfig(inline, { keepIssues: true });
    expect(loaded.issues.map((i) => [i.code, i.path])).toEqual([
      ["CONFIG_ENV_MISSING", "general_settings.port"],
      ["CONFIG_INVALID_VALUE", "litellm_settings.callback_timeout"],
    ]);
    expect(loaded.config.general_settings?.port).toBe("${LLRT_TEST_UNSET_PORT}");
  });

  it("searches a folder given as the source", async () => {
    const loaded = await loadConfig("config-yml", { cwd: FIXTURES });
    expect(loaded.file).toBe(join(FIXTURES, "config-yml", "litellm.config.yml"));
  });
});
