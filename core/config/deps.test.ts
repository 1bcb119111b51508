import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "../../test/support/kit.ts";
import { importSpecifiers, moduleFiles, resolveModuleFile } from "./deps.ts";

const tmp = useTempDir("litellm-deps-");
const put = async (rel: string, text: string) => {
  await mkdir(dirname(join(tmp.path, rel)), { recursive: true });
  await writeFile(join(tmp.path, rel), text);
};

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
    expect(resolveModuleFile(join(tmp.path, "a.ts"))).toBe(join(tmp.path, "a.ts"));
    expect(resolveModuleFile(join(tmp.path, "a.js"))).toBe(join(tmp.path, "a.ts"));
    expect(resolveModuleFile(join(tmp.path, "b.mjs"))).toBe(join(tmp.path, "b.mts"));
    expect(resolveModuleFile(join(tmp.path, "a"))).toBe(join(tmp.path, "a.ts"));
    expect(resolveModuleFile(join(tmp.path, "c"))).toBe(join(tmp.path, "c.mjs"));
    expect(resolveModuleFile(join(tmp.path, "lib"))).toBe(join(tmp.path, "lib", "index.ts"));
    expect(resolveModuleFile(join(tmp.path, "missing"))).toBeUndefined();
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
    expect(moduleFiles(join(tmp.path, "entry.ts"))).toEqual([
      join(tmp.path, "entry.ts"),
      join(tmp.path, "a.ts"),
      join(tmp.path, "lib", "index.ts"),
      join(tmp.path, "cycle.ts"),
      join(tmp.path, "lib", "data.json"),
    ]);
  });

  it("skips an import that does not resolve (loading reports it)", async () => {
    await put("entry.ts", `import x from "./gone.ts";\n`);
    expect(moduleFiles(join(tmp.path, "entry.ts"))).toEqual([join(tmp.path, "entry.ts")]);
  });
});
