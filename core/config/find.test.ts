import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "llrt-find-"));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it("returns null when there is nothing up to the filesystem root", async () => {
      mkdirSync(join(root, "a", "b"), { recursive: true });
      expect(await findConfig(join(root, "a", "b"))).toBeNull();
    });

    it("prefers the earlier search place within one folder", async () => {
      for (const name of [".litellmrc.json", "litellm.config.json", "litellm.config.yaml"]) writeFileSync(join(root, name), "{}\n");
      expect(await findConfig(root)).toBe(join(root, "litellm.config.yaml"));
      expect(SEARCH_PLACES.indexOf("litellm.config.yaml")).toBe(0);
    });

    it("skips a package.json without a litellm key and keeps walking up", async () => {
      mkdirSync(join(root, "app"));
      writeFileSync(join(root, "app", "package.json"), JSON.stringify({ name: "app" }));
      writeFileSync(join(root, ".litellmrc.yml"), "model_list: []\n");
      expect(await findConfig(join(root, "app"))).toBe(join(root, ".litellmrc.yml"));
    });

    it("sees a file created after an earlier search (no stale cache)", async () => {
      expect(await findConfig(root)).toBeNull();
      writeFileSync(join(root, "litellm.config.yaml"), "model_list: []\n");
      expect(await findConfig(root)).toBe(join(root, "litellm.config.yaml"));
    });

    it("does not take cosmiconfig's other names (config.yaml, litellm.config.js)", async () => {
      writeFileSync(join(root, "config.yaml"), "model_list: []\n");
      writeFileSync(join(root, ".litellmrc.js"), "export default {};\n");
      expect(await findConfig(root)).toBeNull();
    });
  });
});
