import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, posix, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "./support/kit.ts";
import { typeChecker } from "./support/typecheck.ts";

/**
 * The package as an application gets it: `npm pack`, then `npm install <tarball>`
 * into a CommonJS project (what `npm init -y` writes) and into an ES module
 * project; in each, a TypeScript file is type-checked under the module settings
 * the README names and run with plain `node` against the built-in mock model.
 */

const ROOT = resolve(import.meta.dirname, "..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

// `npm test` hands its children npm_config_local_prefix: an `npm install` run under it would install into this repository.
const { npm_config_local_prefix: _prefix, ...ENV } = process.env;

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env: ENV, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Fails with the command's own output, which says what went wrong far better than an exit code. */
async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const r = await run(command, args, cwd);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

const typecheck = typeChecker();

const MESSAGES = `[{ role: "user", content: "hi" }]`;

const CJS = {
  // What `npm init -y` writes with npm 11, scripts aside.
  "package.json": JSON.stringify({ name: "cjs-app", version: "1.0.0", main: "index.js", type: "commonjs", license: "ISC" }, null, 2),
  "index.js": `const litellm = require("litellm-runtime");
litellm.acompletion({ model: "mock/demo", messages: ${MESSAGES}, mock_response: "required from CommonJS" }).then(async (res) => {
  console.log(res.choices[0].message.content);
  await litellm.flush();
});
`,
  "app.ts": `import litellm, { createRuntime, type LiteLLMConfig } from "litellm-runtime";

const config: LiteLLMConfig = { model_list: [{ model_name: "demo", litellm_params: { model: "mock/demo", mock_response: "typed CommonJS" } }] };

async function main(): Promise<void> {
  const rt = await createRuntime({ config });
  const res = await rt.acompletion({ model: "demo", messages: ${MESSAGES} });
  console.log(res.choices[0]?.message.content, typeof litellm.acompletion);
  await rt.close();
}
void main();
`,
  // Under module node16 a CommonJS file cannot import an ES module statically (TS1479); a dynamic import is typed.
  "dynamic.ts": `export async function answer(): Promise<string | null | undefined> {
  const { acompletion } = await import("litellm-runtime");
  return (await acompletion({ model: "mock/demo", messages: ${MESSAGES}, mock_response: "dynamic" })).choices[0]?.message.content;
}
`,
};

const ESM = {
  "package.json": JSON.stringify({ name: "esm-app", version: "1.0.0", type: "module", private: true }, null, 2),
  "litellm.config.ts": `import { defineConfig } from "litellm-runtime";

export default defineConfig({
  model_list: [{ model_name: "from-ts", litellm_params: { model: "mock/ts", mock_response: "typed ESM, config from litellm.config.ts" } }],
  litellm_settings: { cache: true, cache_params: { type: "local" } },
});
`,
  "app.ts": `import { createRuntime } from "litellm-runtime";

const rt = await createRuntime({ config: "litellm.config.ts" });
const res = await rt.acompletion({ model: "from-ts", messages: ${MESSAGES} });
console.log(res.choices[0]?.message.content);
await rt.close();
`,
};

const tmp = useTempDir("litellm-pack-", { per: "suite" });
let tarball: string;
let packed: string[];
const cjs = () => join(tmp.path, "cjs");
const esm = () => join(tmp.path, "esm");

beforeAll(async () => {
  // dist/ is current: CI's `npm ci` builds it through `prepare`, and the global setup builds a working tree edited since.
  const [info] = JSON.parse(await ok("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp.path], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(tmp.path, info!.filename);
  packed = info!.files.map((f) => f.path).sort();
  const install = async (dir: string, files: Record<string, string>) => {
    await mkdir(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    // The dependencies come from the npm cache `npm ci` filled; the registry is asked only for what it lacks.
    await ok("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], dir);
  };
  await Promise.all([install(cjs(), CJS), install(esm(), ESM)]);
}, 240_000);

describe("the tarball", () => {
  it("holds the build, its types, the schema, the live page and the docs, and nothing else", () => {
    expect(new Set(packed.map((p) => p.split("/").slice(0, p.startsWith("dist/") ? 2 : 1).join("/")))).toEqual(
      new Set(["dist/core", "dist/builtin-callbacks", "docs", "schemas", "ui", "package.json", "README.md"]),
    );
    expect(packed).toEqual(expect.arrayContaining(["dist/core/index.js", "dist/core/index.d.ts", "dist/core/cli/main.js", "schemas/litellm.config.schema.json", "docs/config.md", "ui/index.html", "ui/app.js"]));
    // The README's screenshots stay in the repository: the package's docs are text.
    expect(packed.filter((p) => p.startsWith("docs/images/"))).toEqual([]);
    expect(packed.filter((p) => /(^|\/)test\/|\.test\.|fixtures/.test(p))).toEqual([]);
    // TypeScript sources stay out: only their build and declarations ship.
    expect(packed.filter((p) => p.endsWith(".ts") && !p.endsWith(".d.ts"))).toEqual([]);
  });

  it("points at no source map it does not ship", async () => {
    const installed = join(cjs(), "node_modules/litellm-runtime");
    const dangling: string[] = [];
    for (const file of packed.filter((p) => p.endsWith(".js") || p.endsWith(".d.ts"))) {
      const map = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(await readFile(join(installed, file), "utf8"))?.[1];
      if (map && !packed.includes(posix.join(posix.dirname(file), map))) dangling.push(`${file} -> ${map}`);
    }
    expect(dangling, "build again: npm run build").toEqual([]);
    expect(packed.filter((p) => p.endsWith(".map"))).toEqual([]);
  });

  it("installs as built: no TypeScript source, nothing compiled on install", () => {
    const installed = join(cjs(), "node_modules/litellm-runtime");
    expect(existsSync(join(installed, "dist/core/index.js"))).toBe(true);
    expect(existsSync(join(installed, "core"))).toBe(false);
    expect(existsSync(join(cjs(), "node_modules/typescript"))).toBe(false);
  });
});

describe("a CommonJS project", () => {
  it("require()s the package and calls the mock model", async () => {
    expect(await ok(process.execPath, ["index.js"], cjs())).toBe("required from CommonJS\n");
  }, 60_000);

  it("type-checks under module nodenext (createRuntime takes a LiteLLMConfig) and runs the compiled file", async () => {
    typecheck(cjs(), ["app.ts"], { module: "nodenext", moduleResolution: "nodenext", emit: true, libCheck: true });
    expect(await ok(process.execPath, ["out/app.js"], cjs())).toBe("typed CommonJS function\n");
  }, 60_000);

  it("type-checks a dynamic import under module node16, where a static one is TS1479 as the README says", () => {
    typecheck(cjs(), ["dynamic.ts"], { module: "node16", moduleResolution: "node16" });
    expect(() => typecheck(cjs(), ["app.ts"], { module: "node16", moduleResolution: "node16" })).toThrow(/TS1479/);
  }, 60_000);
});

describe("an ES module project", () => {
  it("type-checks under module nodenext and runs, its litellm.config.ts typed by defineConfig from the package", async () => {
    typecheck(esm(), ["app.ts", "litellm.config.ts"], { module: "nodenext", moduleResolution: "nodenext", emit: true });
    expect(await ok(process.execPath, ["out/app.js"], esm())).toBe("typed ESM, config from litellm.config.ts\n");
  }, 60_000);

  it("runs the installed command line on that config", async () => {
    const out = await ok(process.execPath, ["node_modules/.bin/litellm-runtime", "validate"], esm());
    expect(out).toBe(`ok: ${join(esm(), "litellm.config.ts")} (1 model: from-ts; 0 callbacks)\n`);
  }, 60_000);

  it.each([
    ["node16", "node16"],
    ["preserve", "bundler"],
  ])("type-checks under module %s, moduleResolution %s", (module, resolution) => {
    typecheck(esm(), ["app.ts", "litellm.config.ts"], { module, moduleResolution: resolution });
  }, 60_000);
});
