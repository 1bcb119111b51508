import { readdirSync, readFileSync, existsSync } from "node:fs";
import { utimes, writeFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { LineCounter, parseDocument, isSeq, type Node } from "yaml";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { registerBuiltin } from "../callbacks/builtins.ts";
import type { ListKind } from "../callbacks/registry.ts";
import { ConfigError } from "../errors.ts";
import { useTempDir } from "../../test/support/kit.ts";
import { ModuleLoader, type LoadedRef, type RefContext } from "./modules.ts";

const FIXTURES = fileURLToPath(new URL("../../test/fixtures/", import.meta.url));
const LISTS: readonly ListKind[] = ["callbacks", "input_callback", "success_callback", "failure_callback"];

declare global {
  // eslint-disable-next-line no-var
  var __litellmEvals: Record<string, number> | undefined;
}

/** A stand-in for the real built-ins: `console` and `file` exist and echo their options. */
function fakeBuiltin(name: string, options: Record<string, unknown>): object | undefined {
  if (name !== "console" && name !== "file") return undefined;
  return { options, log_success_event: () => `builtin:${name}` };
}

beforeAll(() => {
  // The unknown-name message lists what is registered.
  registerBuiltin("console", (o) => fakeBuiltin("console", o)!);
  registerBuiltin("file", (o) => fakeBuiltin("file", o)!);
});

/** Every entry of the config's callback lists, with the context the snapshot builder would give it. */
function refsOf(dir: string): Array<{ ref: unknown; ctx: RefContext }> {
  const file = join(dir, "litellm.config.yaml");
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter });
  const config = doc.toJS() as { litellm_settings?: Record<string, unknown[]>; callback_settings?: Record<string, Record<string, unknown>> };
  const settings = config.callback_settings ?? {};
  const out: Array<{ ref: unknown; ctx: RefContext }> = [];
  for (const list of LISTS) {
    const seq = doc.getIn(["litellm_settings", list], true);
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, i) => {
      const { line, col } = lineCounter.linePos((item as Node).range![0]);
      out.push({
        ref: config.litellm_settings![list]![i],
        ctx: {
          dir,
          path: `litellm_settings.${list}[${i}]`,
          loc: { file, line, col },
          list,
          builtin: fakeBuiltin,
          options: (name) => ({ ...(settings[name] ?? {}) }),
        },
      });
    });
  }
  return out;
}

/** Runs a loaded callback's success handler the way the dispatcher would. */
async function probe(cb: LoadedRef["callback"]): Promise<unknown> {
  const now = new Date();
  if (typeof cb === "function") return cb({}, null, now, now);
  // A handler may define either form; the other one is the base class's no-op.
  const o = cb as Record<string, ((...a: unknown[]) => unknown) | undefined>;
  return (await o.log_success_event?.call(cb, {}, null, now, now)) ?? (await o.async_log_success_event?.call(cb, {}, null, now, now));
}

interface ExpectedRef {
  path: string;
  name: string;
  files: string[];
  kind?: "object" | "function";
  returns?: string;
  events?: string[];
  options?: Record<string, unknown>;
  /** Warnings about the callback itself (a misspelt method), in the order its methods are found. */
  warnings?: Array<{ code: string; line: number; message: string[]; suggestion: string }>;
}
interface ExpectedError {
  path: string;
  code: string;
  line: number;
  message: string[];
  suggestion?: string;
}

describe("fixtures: each reference form, export kind and error code", () => {
  const cases = readdirSync(FIXTURES).filter((d) => d.startsWith("callbacks-") && existsSync(join(FIXTURES, d, "expected.json")));

  it("has the fixture folders", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { refs?: ExpectedRef[]; errors?: ExpectedError[] };
      const refs = refsOf(dir);
      const loader = new ModuleLoader();
      expect(refs.length).toBe((expected.refs ?? []).length + (expected.errors ?? []).length);

      for (const want of expected.refs ?? []) {
        const entry = refs.find((r) => r.ctx.path === want.path);
        expect(entry, want.path).toBeDefined();
        const got = await loader.load(entry!.ref, entry!.ctx);
        expect(got.name, want.path).toBe(want.name);
        expect(got.events, want.path).toEqual(want.events);
        const files = want.files.map((f) => resolve(dir, f));
        if (files.length) expect(got.files[0]).toBe(files[0]);
        expect(got.files).toEqual(expect.arrayContaining(files));
        expect(got.files.filter((f) => !f.startsWith("/") || f.includes("node_modules")), want.path).toEqual([]);
        if (want.kind) expect(typeof got.callback).toBe(want.kind);
        if (want.returns !== undefined) expect(await probe(got.callback)).toBe(want.returns);
        if (want.options) expect((got.callback as { options: unknown }).options).toEqual(want.options);
        expect((got.warnings ?? []).map((w) => ({ code: w.code, path: w.path, line: w.line, suggestion: w.suggestion })), want.path).toEqual(
          (want.warnings ?? []).map((w) => ({ code: w.code, path: want.path, line: w.line, suggestion: w.suggestion })),
        );
        (want.warnings ?? []).forEach((w, i) => {
          for (const part of w.message) expect(got.warnings![i]!.message).toContain(part);
        });
      }

      for (const want of expected.errors ?? []) {
        const entry = refs.find((r) => r.ctx.path === want.path);
        expect(entry, want.path).toBeDefined();
        const err = await loader.load(entry!.ref, entry!.ctx).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, want.path).toBeInstanceOf(ConfigError);
        const issues = (err as ConfigError).issues;
        expect(issues).toHaveLength(1);
        expect({ code: issues[0]!.code, path: issues[0]!.path, line: issues[0]!.line, file: issues[0]!.file }).toEqual({
          code: want.code,
          path: want.path,
          line: want.line,
          file: join(dir, "litellm.config.yaml"),
        });
        for (const part of want.message) expect(issues[0]!.message).toContain(part);
        if (want.suggestion) expect(issues[0]!.suggestion).toBe(want.suggestion);
        expect((err as ConfigError).code).toBe(want.code);
      }
    });
  }
});

describe("ModuleLoader: what it accepts", () => {
  const ctx = (dir: string, over: Partial<RefContext> = {}): RefContext => ({
    dir,
    path: "litellm_settings.callbacks[0]",
    loc: { file: join(dir, "litellm.config.yaml"), line: 3, col: 5 },
    list: "callbacks",
    builtin: fakeBuiltin,
    options: () => ({}),
    ...over,
  });

  it("gives the object form's events and options to a built-in", async () => {
    const got = await new ModuleLoader().load({ callback: "file", events: ["failure"], options: { path: "x.jsonl" } }, ctx(FIXTURES));
    expect(got).toMatchObject({ name: "file", events: ["failure"], files: [] });
    expect((got.callback as { options: unknown }).options).toEqual({ path: "x.jsonl" });
  });

  it("rejects an object form with an unknown event or no callback, naming what is allowed", async () => {
    const loader = new ModuleLoader();
    await expect(loader.load({ callback: "console", events: ["sucess"] }, ctx(FIXTURES))).rejects.toThrow(/"events" must be a list of pre_api_call, post_api_call, stream_event, success, failure/);
    await expect(loader.load({ events: ["success"] }, ctx(FIXTURES))).rejects.toMatchObject({ code: "CONFIG_INVALID_VALUE" });
    await expect(loader.load(42, ctx(FIXTURES))).rejects.toThrow(/found a number \(42\)/);
  });

  it("loads an absolute path", async () => {
    const file = join(FIXTURES, "callbacks-kind-plain-object", "plain.ts");
    const got = await new ModuleLoader().load(file, ctx(tmpdir()));
    expect(await probe(got.callback)).toBe("plain-object:success");
  });

  it("finds a path written without its extension", async () => {
    const got = await new ModuleLoader().load("./callbacks-kind-plain-object/plain", ctx(FIXTURES));
    expect(got.files[0]).toBe(join(FIXTURES, "callbacks-kind-plain-object", "plain.ts"));
  });
});

describe("ModuleLoader: reuse by modification time", () => {
  const tmp = useTempDir("litellm-modules-");
  const ctx = (): RefContext => ({
    dir: tmp.path,
    path: "litellm_settings.callbacks[0]",
    loc: { file: join(tmp.path, "litellm.config.yaml"), line: 2 },
    list: "callbacks",
    builtin: () => undefined,
    options: () => ({}),
  });
  const evals = (key: string): number => globalThis.__litellmEvals?.[key] ?? 0;
  /** A module that counts its evaluations and answers `label` + what its local import says. */
  const moduleText = (key: string, label: string, imports = "./dep.ts") => `
import { part } from "${imports}";
(globalThis.__litellmEvals ??= {})[${JSON.stringify(key)}] = ((globalThis.__litellmEvals ?? {})[${JSON.stringify(key)}] ?? 0) + 1;
export class Counter {
  log_success_event() { return "${label}:" + part; }
}
export default new Counter();
`;

  beforeEach(() => {
    globalThis.__litellmEvals = {};
  });

  it("returns the same exports while nothing changed, and fresh code after an edit", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep-1";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();

    const first = await loader.load("./m.ts", ctx());
    const again = await loader.load("./m.ts", ctx());
    expect(again.callback).toBe(first.callback);
    expect(evals("m")).toBe(1);
    expect(first.files).toEqual([join(tmp.path, "m.ts"), join(tmp.path, "dep.ts")]);
    expect(await probe(first.callback)).toBe("v1:dep-1");

    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v2-longer"));
    const edited = await loader.load("./m.ts", ctx());
    expect(edited.callback).not.toBe(first.callback);
    expect(await probe(edited.callback)).toBe("v2-longer:dep-1");
    expect(evals("m")).toBe(2);
  });

  it("imports fresh after a touch (same content, new mtime)", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep-1";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();
    const first = await loader.load("./m.ts", ctx());
    const later = new Date(Date.now() + 5_000);
    await utimes(join(tmp.path, "m.ts"), later, later);
    const touched = await loader.load("./m.ts", ctx());
    expect(touched.callback).not.toBe(first.callback);
    expect(evals("m")).toBe(2);
  });

  it("imports fresh when a local import changed", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep-1";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();
    const first = await loader.load("./m.ts", ctx());
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep-2-changed";\n`);
    const next = await loader.load("./m.ts", ctx());
    expect(next.callback).not.toBe(first.callback);
    expect(await probe(next.callback)).toBe("v1:dep-2-changed");
  });

  it("sees an edit to a local .mjs imported by an .mjs module (not only TypeScript)", async () => {
    await mkdir(join(tmp.path, "lib"));
    await writeFile(join(tmp.path, "lib", "dep.mjs"), `export const part = "mjs-1";\n`);
    await writeFile(join(tmp.path, "m.mjs"), `import { part } from "./lib/dep.mjs";\nexport default { log_success_event: () => "mjs:" + part };\n`);
    const loader = new ModuleLoader();
    const first = await loader.load("./m.mjs", ctx());
    expect(await probe(first.callback)).toBe("mjs:mjs-1");
    expect(first.files).toEqual([join(tmp.path, "m.mjs"), join(tmp.path, "lib", "dep.mjs")]);
    await writeFile(join(tmp.path, "lib", "dep.mjs"), `export const part = "mjs-2-changed";\n`);
    expect(await probe((await loader.load("./m.mjs", ctx())).callback)).toBe("mjs:mjs-2-changed");
  });

  it("evaluates a local .mjs imported twice (a diamond) once, and survives an import cycle", async () => {
    await writeFile(join(tmp.path, "a.mjs"), `import { b } from "./b.mjs";\nimport { c } from "./c.mjs";\nexport default { log_success_event: () => b + "|" + c };\n`);
    await writeFile(join(tmp.path, "b.mjs"), `import { d } from "./d.mjs";\nexport const b = "b:" + d;\n`);
    await writeFile(join(tmp.path, "c.mjs"), `import { d } from "./d.mjs";\nimport * as a from "./a.mjs";\nexport const c = "c:" + d + ":" + typeof a;\n`);
    await writeFile(join(tmp.path, "d.mjs"), `(globalThis.__litellmEvals ??= {}).d = (globalThis.__litellmEvals.d ?? 0) + 1;\nexport const d = "d" + globalThis.__litellmEvals.d;\n`);
    const got = await new ModuleLoader().load("./a.mjs", ctx());
    expect(await probe(got.callback)).toBe("b:d1|c:d1:object");
    expect(evals("d")).toBe(1);
    expect(new Set(got.files)).toEqual(new Set(["a.mjs", "b.mjs", "c.mjs", "d.mjs"].map((f) => join(tmp.path, f))));
  });

  it("evaluates a module once for concurrent loads, and keeps one instance of an exported class per options", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();
    const all = await Promise.all([1, 2, 3].map(() => loader.load("./m.ts#Counter", ctx())));
    expect(evals("m")).toBe(1);
    expect(all[1]!.callback).toBe(all[0]!.callback);
    expect(all[2]!.callback).toBe(all[0]!.callback);
    const other = await loader.load({ callback: "./m.ts#Counter", options: { a: 1 } }, ctx());
    expect(other.callback).not.toBe(all[0]!.callback);
    expect((await loader.load({ callback: "./m.ts#Counter", options: { a: 1 } }, ctx())).callback).toBe(other.callback);
  });

  it("reports a broken module at each entry that names it, even when loaded concurrently", async () => {
    await writeFile(join(tmp.path, "bad.ts"), `export default {\n  log_success_event( {\n};\n`);
    const loader = new ModuleLoader();
    const at = (path: string, line: number): RefContext => ({ ...ctx(), path, loc: { file: join(tmp.path, "litellm.config.yaml"), line } });
    const errs = await Promise.all([
      loader.load("./bad.ts", at("litellm_settings.callbacks[0]", 3)).then(() => undefined, (e: ConfigError) => e.issues[0]),
      loader.load("./bad.ts", at("litellm_settings.failure_callback[2]", 9)).then(() => undefined, (e: ConfigError) => e.issues[0]),
    ]);
    expect(errs.map((e) => [e?.code, e?.path, e?.line])).toEqual([
      ["CONFIG_CALLBACK_LOAD", "litellm_settings.callbacks[0]", 3],
      ["CONFIG_CALLBACK_LOAD", "litellm_settings.failure_callback[2]", 9],
    ]);
    expect(errs[1]!.message).toMatch(/^\.\/bad\.ts failed to load: ParseError: .*\(bad\.ts:\d+:\d+\)$/);
  });

  it("forget() makes the next load import fresh", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();
    const first = await loader.load("./m.ts", ctx());
    loader.forget(join(tmp.path, "dep.ts"));
    expect((await loader.load("./m.ts", ctx())).callback).not.toBe(first.callback);
    expect(evals("m")).toBe(2);
  });

  it("keeps serving nothing stale after a failed edit: the next good edit loads", async () => {
    await writeFile(join(tmp.path, "dep.ts"), `export const part = "dep";\n`);
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v1"));
    const loader = new ModuleLoader();
    await loader.load("./m.ts", ctx());
    await writeFile(join(tmp.path, "m.ts"), `export default {\n  log_success_event() {\n`);
    await expect(loader.load("./m.ts", ctx())).rejects.toMatchObject({ code: "CONFIG_CALLBACK_LOAD" });
    await writeFile(join(tmp.path, "m.ts"), moduleText("m", "v3"));
    expect(await probe((await loader.load("./m.ts", ctx())).callback)).toBe("v3:dep");
  });

  it("reports a constructor that throws, with its line", async () => {
    await writeFile(join(tmp.path, "ctor.ts"), `export default class Strict {\n  constructor(options: { key?: string }) {\n    if (!options.key) throw new Error("options.key is required");\n  }\n  log_success_event() {}\n}\n`);
    const err = await new ModuleLoader().load("./ctor.ts", ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues[0]).toMatchObject({ code: "CONFIG_CALLBACK_LOAD", path: "litellm_settings.callbacks[0]", line: 2 });
    expect((err as ConfigError).issues[0]!.message).toContain("./ctor.ts: new Strict(options) threw: options.key is required (ctor.ts:3:");
    const ok = await new ModuleLoader().load({ callback: "./ctor.ts", options: { key: "k" } }, ctx());
    expect(ok.name).toBe("Strict");
  });

  it("does not grow memory or any import cache across 200 reloads of one file", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const file = join(tmp.path, "big.ts");
    // Each evaluation holds ~800 KB: 200 kept evaluations would be ~160 MB.
    const text = (i: number) => `export const blob = new Array(100_000).fill(${i});\nexport default { log_success_event: () => ${i} + blob.length };\n`;
    const loader = new ModuleLoader();
    const requireCache = createRequire(import.meta.url).cache;
    // jiti's transpile cache on disk: one file per source path, rewritten, not one per version.
    const cacheFiles = () =>
      readdirSync(tmpdir())
        .filter((d) => d.startsWith("litellm-runtime-jiti"))
        .flatMap((d) => readdirSync(join(tmpdir(), d)))
        .filter((f) => f.startsWith(`${basename(tmp.path)}-big`)).length;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };

    let baseline = 0;
    for (let i = 0; i < 200; i++) {
      await writeFile(file, text(i));
      const later = new Date(Date.now() + i * 1000);
      await utimes(file, later, later);
      const got = await loader.load("./big.ts", ctx());
      expect(await probe(got.callback)).toBe(i + 100_000);
      if (i === 19) baseline = heap();
    }
    const growth = heap() - baseline;
    if (process.env.SHOW_HEAP) console.log("heap growth over 180 reloads:", (growth / 1024 / 1024).toFixed(1), "MB");
    expect(growth).toBeLessThan(40 * 1024 * 1024);
    expect(Object.keys(requireCache).filter((k) => k.startsWith(tmp.path))).toEqual([]);
    expect(cacheFiles()).toBe(1);
  });
});
