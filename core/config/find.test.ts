import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../../test/support/kit.ts";
import { findConfig, SEARCH_PLACES } from "./find.ts";

const FIXTURES = resolve(import.meta.dirname, "../../test/fixtures");

describe("findConfig", () => {
  it.each([
    ["config-yml", "litellm.config.yml"],
    ["config-json", "litellm.config.json"],
    ["config-rc-yaml", ".litellmrc"],
    ["config-rc-json", ".litellmrc"],
    ["config-package-json", "package.json"],
    ["config-ts", "litellm.config.ts"],
    ["config-mjs", "litellm.config.mjs"],
    ["config-yaml-syntax", "litellm.config.yaml"], // found even though it does not parse
  ])("finds %s/%s", async (fixture, file) => {
    expect(await findConfig(join(FIXTURES, fixture))).toBe(join(FIXTURES, fixture, file));
  });

  it("walks up from a nested folder", async () => {
    const dir = join(FIXTURES, "config-discovery");
    expect(await findConfig(join(dir, "nested", "deeper"))).toBe(join(dir, "litellm.config.yaml"));
  });

  describe("in a scratch folder", () => {
    const tmp = useTempDir("llrt-find-");

    it("returns null when there is nothing up to the filesystem root", async () => {
      mkdirSync(join(tmp.path, "a", "b"), { recursive: true });
      expect(await findConfig(join(tmp.path, "a", "b"))).toBeNull();
    });

    it("prefers the earlier search place within one folder", async () => {
      for (const name of [".litellmrc.json", "litellm.config.json", "litellm.config.yaml"]) writeFileSync(join(tmp.path, name), "{}\n");
      expect(await findConfig(tmp.path)).toBe(join(tmp.path, "litellm.config.yaml"));
      expect(SEARCH_PLACES.indexOf("litellm.config.yaml")).toBe(0);
    });

    it("skips a package.json without a litellm key and keeps walking up", async () => {
      mkdirSync(join(tmp.path, "app"));
      writeFileSync(join(tmp.path, "app", "package.json"), JSON.stringify({ name: "app" }));
      writeFileSync(join(tmp.path, ".litellmrc.yml"), "model_list: []\n");
      expect(await findConfig(join(tmp.path, "app"))).toBe(join(tmp.path, ".litellmrc.yml"));
    });

    it("sees a file created after an earlier search (no stale cache)", async () => {
      expect(await findConfig(tmp.path)).toBeNull();
      writeFileSync(join(tmp.path, "litellm.config.yaml"), "model_list: []\n");
      expect(await findConfig(tmp.path)).toBe(join(tmp.path, "litellm.config.yaml"));
    });

    it("does not take cosmiconfig's other names (config.yaml, litellm.config.js)", async () => {
      writeFileSync(join(tmp.path, "config.yaml"), "model_list: []\n");
      writeFileSync(join(tmp.path, ".litellmrc.js"), "export default {};\n");
      expect(await findConfig(tmp.path)).toBeNull();
    });
  });
});
