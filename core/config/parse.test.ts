import { resolve, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.ts";
import { formatPath, parseFile, parseYaml } from "./parse.ts";

const FIXTURES = resolve(import.meta.dirname, "../../test/fixtures");

describe("parseYaml", () => {
  it("reads YAML 1.1 values as LiteLLM's PyYAML does", () => {
    const { data } = parseYaml(
      ["tpm: 20_000", "a: True", "b: yes", "c: Off", "d: y", "e: n", "f: 2024-05-01", "g: 1e-6", "h: '20_000'", "i: ~"].join("\n"),
      null,
    );
    expect(data).toEqual({ tpm: 20000, a: true, b: true, c: false, d: "y", e: "n", f: "2024-05-01", g: 0.000001, h: "20_000", i: null });
  });

  it("locates keys and sequence items, falling back to the nearest parent", () => {
    const text = ["model_list:", "  - model_name: a", "    litellm_params:", "      model: mock/a", "      tags: [x, y]", "general_settings: {}"].join("\n");
    const { locate } = parseYaml(text, "/c.yaml");
    expect(locate(["model_list"])).toEqual({ file: "/c.yaml", line: 1, col: 1 });
    expect(locate(["model_list", 0])).toEqual({ file: "/c.yaml", line: 2, col: 5 });
    expect(locate(["model_list", 0, "litellm_params", "model"])).toEqual({ file: "/c.yaml", line: 4, col: 7 });
    expect(locate(["model_list", 0, "litellm_params", "tags", 1])).toEqual({ file: "/c.yaml", line: 5, col: 17 });
    expect(locate(["model_list", "0", "model_name"])).toEqual({ file: "/c.yaml", line: 2, col: 5 }); // string indices too
    expect(locate(["model_list", 0, "litellm_params", "api_key"])).toEqual({ file: "/c.yaml", line: 3, col: 5 });
    expect(locate(["general_settings", "port"])).toEqual({ file: "/c.yaml", line: 6, col: 1 });
    expect(locate(["nope", "deeper"])).toEqual({ file: "/c.yaml" });
  });

  it("reports every syntax error with its line and column", () => {
    const err = (() => {
      try {
        parseYaml("a: 1\na: 2\nb: [1\nc: 3\n", "/bad.yaml");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const issues = (err as ConfigError).issues;
    expect(issues.length).toBeGreaterThanOrEqual(2);
    expect(issues.every((i) => i.code === "CONFIG_PARSE" && i.file === "/bad.yaml" && typeof i.line === "number")).toBe(true);
    expect(issues[0]).toMatchObject({ line: 2, col: 1 });
    expect(issues[0]!.message).toContain("Map keys must be unique");
    expect(issues[0]!.message).not.toMatch(/at line/); // formatIssue adds the location
  });

  it("reads an empty file as an empty config", () => {
    expect(parseYaml("# only a comment\n", null).data).toEqual({});
  });
});

describe("parseFile", () => {
  it("locates inside the litellm key of package.json", async () => {
    const file = join(FIXTURES, "config-package-json", "package.json");
    const { data, locate } = await parseFile(file);
    expect(data).toMatchObject({ model_list: [{ model_name: "from-package-json" }] });
    expect(locate(["model_list", 0, "litellm_params"])).toEqual({ file, line: 6, col: 44 });
  });

  it("gives a module config's file, without lines", async () => {
    const file = join(FIXTURES, "config-mjs", "litellm.config.mjs");
    const { locate } = await parseFile(file);
    expect(locate(["model_list", 0, "model_name"])).toEqual({ file });
  });

  it("hands out a copy of a module's export, so loading twice sees the module's own values", async () => {
    const file = join(FIXTURES, "config-mjs", "litellm.config.mjs");
    const first = (await parseFile(file)).data as { model_list: Array<{ model_name: string }> };
    first.model_list[0]!.model_name = "edited by a loader";
    const second = (await parseFile(file)).data as { model_list: Array<{ model_name: string }> };
    expect(second.model_list[0]!.model_name).toBe("from-mjs");
  });
});

describe("formatPath", () => {
  it("joins keys with dots and indices with brackets", () => {
    expect(formatPath(["model_list", 2, "litellm_params", "api_key"])).toBe("model_list[2].litellm_params.api_key");
    expect(formatPath([])).toBe("");
  });
});
