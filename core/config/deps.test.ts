import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { importSpecifiers, moduleFiles, resolveModuleFile } from "./deps.ts";

let dir: string;
const put = async (rel: string, text: string) => {
  await mkdir(dirname(join(dir, rel)), { recursive: true });
  await writeFile(join(dir, rel), text);
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "litellm-deps-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("importSpecifiers", () => {
  it("finds every local import form and skips packages", () => {
    const source = `
import a from "./a.ts";
import { b,
  c } from '../b';
import type { T } from "./types.ts";
import * as ns from "./ns.js";
import "./side-effect.mjs";
export * from "./re.ts";
export { x } from "./re2";
const lazy = await import("./lazy.ts");
const cjs = require("./legacy.cjs");
import OpenAI from "openai";
import { readFile } from "node:fs";
import abs from "/abs/path.ts";
`;
    expect(importSpecifiers(source).sort()).toEqual(
      ["./a.ts", "../b", "./types.ts", "./ns.js", "./side-effect.mjs", "./re.ts", "./re2", "./lazy.ts", "./legacy.cjs", "/abs/path.ts"].sort(),
    );
  });
});

describe("resolveModuleFile", () => {
  it("resolves as written, ./x.js to x.ts, added extensions and folder index", async () => {
    await put("a.ts", "");
    await put("b.mts", "");
    await put("lib/index.ts", "");
    await put("c.mjs", "");
    expect(resolveModuleFile(join(dir, "a.ts"))).toBe(join(dir, "a.ts"));
    expect(resolveModuleFile(join(dir, "a.js"))).toBe(join(dir, "a.ts"));
    expect(resolveModuleFile(join(dir, "b.mjs"))).toBe(join(dir, "b.mts"));
    expect(resolveModuleFile(join(dir, "a"))).toBe(join(dir, "a.ts"));
    expect(resolveModuleFile(join(dir, "c"))).toBe(join(dir, "c.mjs"));
    expect(resolveModuleFile(join(dir, "lib"))).toBe(join(dir, "lib", "index.ts"));
    expect(resolveModuleFile(join(dir, "missing"))).toBeUndefined();
  });
});

describe("moduleFiles", () => {
  it("follows local imports recursively, through cycles, and not into node_modules", async () => {
    await put("entry.ts", `import { a } from "./a.ts";\nimport pkg from "some-pkg";\nimport local from "./node_modules/some-pkg/index.js";\n`);
    await put("a.ts", `import { b } from "./lib";\nexport const a = 1;\n`);
    await put("lib/index.ts", `export * from "../cycle.ts";\nconst data = require("./data.json");\n`);
    await put("cycle.ts", `import { a } from "./a.js";\nexport const b = 2;\n`);
    await put("lib/data.json", `{}`);
    await put("node_modules/some-pkg/index.js", `import "../../a.ts";\n`);
    expect(moduleFiles(join(dir, "entry.ts"))).toEqual([
      join(dir, "entry.ts"),
      join(dir, "a.ts"),
      join(dir, "lib", "index.ts"),
      join(dir, "cycle.ts"),
      join(dir, "lib", "data.json"),
    ]);
  });

  it("skips an import that does not resolve (loading reports it)", async () => {
    await put("entry.ts", `import x from "./gone.ts";\n`);
    expect(moduleFiles(join(dir, "entry.ts"))).toEqual([join(dir, "entry.ts")]);
  });
});
