import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { SourceMap } from "node:module";
import { isAbsolute, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Jiti, TransformOptions } from "jiti";
import { isLocalSpecifier } from "./deps.ts";

/**
 * Evaluates a module and its local imports afresh, with nothing kept in an
 * import cache: jiti transpiles them to functions run in this context
 * (`moduleCache: false`), so an edited file gives new code, and an old
 * evaluation is garbage once nobody holds its exports. Node's own ESM cache,
 * which never lets go of a module, is never used for local files.
 *
 * jiti alone hands plain ES modules (`.mjs`, `.js` in a `"type": "module"`
 * package) and plain CommonJS to Node, which caches them forever, so an edited
 * `.mjs` would never be seen again. The transform below routes every local
 * `import` of transpiled code through `freshImport`, which evaluates local
 * JavaScript through jiti too. Packages (node_modules) keep Node's loader: they
 * do not change, and a callback must share the app's instance of them.
 *
 * Limit: a synchronous `require("./x.cjs")` of a local CommonJS file goes to
 * Node's require cache (only `import` is routed).
 */

export interface FreshModule {
  /** `module.exports` as the module left it (no default-interop proxy). */
  readonly exports: unknown;
  /** Local files the evaluation imported (besides the module itself), absolute. */
  readonly imported: readonly string[];
}

interface LoadState {
  /** Local JS files this load has evaluated or is evaluating: jiti's per-load module cache holds them. */
  readonly started: Set<string>;
  readonly imported: Set<string>;
}

type ImportFn = (id: string, opts?: unknown) => Promise<unknown>;
type Hook = (original: ImportFn, importer: Jiti) => ImportFn;

const LOCAL_JS = /\.[cm]?js$/;
const HOOK_KEY = Symbol.for("litellm-runtime.freshImport");

// One store and hook per process, even if this file is evaluated twice (tests, bundles).
const shared = ((globalThis as Record<symbol, unknown>)[HOOK_KEY] ??= makeShared()) as { als: AsyncLocalStorage<LoadState>; hook: Hook };

function makeShared(): { als: AsyncLocalStorage<LoadState>; hook: Hook } {
  const als = new AsyncLocalStorage<LoadState>();
  const hook: Hook = (original, importer) => (id, opts) => {
    const state = als.getStore();
    // Outside a load (a lazy import at call time) Node's cache is right: evaluate once.
    // A bare specifier is a package, even when a workspace link puts its files outside node_modules.
    if (!state || !isLocalSpecifier(id)) return original(id, opts);
    const file = localFile(importer, id);
    if (file === undefined) return original(id, opts);
    state.imported.add(file);
    // A second import of one file in this load (a diamond, a cycle) is answered by jiti's
    // per-load cache, where evalModule put it: one evaluation, as Node would do.
    if (!LOCAL_JS.test(file) || state.started.has(file)) return original(id, opts);
    state.started.add(file);
    return Promise.resolve(importer.evalModule(readFileSync(file, "utf8"), { filename: file, async: true, forceTranspile: true }));
  };
  return { als, hook };
}

/** The absolute path of a local file an import names, or undefined for a package or builtin. */
function localFile(importer: Jiti, id: string): string | undefined {
  const resolved = importer.esmResolve(id, { try: true });
  if (typeof resolved !== "string") return undefined;
  const file = resolved.startsWith("file:") ? fileURLToPath(resolved) : resolved;
  if (!isAbsolute(file) || file.split(sep).includes("node_modules")) return undefined;
  return file;
}

// `jitiImport` is the import function jiti hands to transpiled ES module code; the
// line is added on the code's first line so stack-trace line numbers stay true.
const PREAMBLE = `jitiImport = globalThis[Symbol.for("litellm-runtime.freshImport")]?.hook(jitiImport, require) ?? jitiImport;`;
const STRICT = '"use strict";';

let jiti: Jiti | undefined;
let transformWithPreamble: ((opts: TransformOptions) => { code: string }) | undefined;

/** jiti, imported with the first callback module: a config of built-ins only never pays its ~50 ms. */
async function instance(): Promise<Jiti> {
  if (jiti) return jiti;
  const { createJiti } = await import("jiti");
  if (jiti) return jiti;
  // Used only for its transform: the stock babel transform, then the preamble.
  const plain = createJiti(import.meta.url, { fsCache: false, moduleCache: false, interopDefault: false });
  const transform = (opts: TransformOptions) => {
    const code = plain.transform(opts);
    if (!opts.async || !code.includes("jitiImport(")) return { code };
    return { code: code.startsWith(STRICT) ? STRICT + PREAMBLE + code.slice(STRICT.length) : PREAMBLE + code };
  };
  transformWithPreamble = transform;
  // No source maps on load: an inline map only trails the code, so sourcePosition() makes one when an error is reported.
  jiti = createJiti(import.meta.url, { moduleCache: false, interopDefault: false, fsCache: cacheDir(), sourceMaps: false, transform });
  return jiti;
}

/** Our own transpile cache: its files carry the preamble, so they must not mix with another jiti's (or an older preamble). */
function cacheDir(): string | false {
  const dir = join(tmpdir(), `litellm-runtime-jiti-${createHash("sha256").update(PREAMBLE).digest("hex").slice(0, 8)}`);
  try {
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return false;
  }
}

/** Runs `file` and its local imports anew; throws what the module threw (or jiti's parse error). */
export async function importFresh(file: string): Promise<FreshModule> {
  const state: LoadState = { started: new Set([file]), imported: new Set() };
  const source = readFileSync(file, "utf8");
  // forceTranspile: an .mjs entry would otherwise go to Node's never-emptied ESM cache.
  const loader = await instance();
  try {
    const exports = await shared.als.run(state, () => loader.evalModule(source, { filename: file, async: true, forceTranspile: true }));
    state.imported.delete(file);
    return { exports, imported: [...state.imported] };
  } finally {
    transpiled.add(file);
    for (const f of state.imported) transpiled.add(f);
  }
}

// ---------------------------------------------------------------- positions in the user's source

/** Files this loader transpiled: the only ones whose stack positions need mapping. */
const transpiled = new Set<string>();

// jiti runs transpiled ES module code inside this function header, on the code's first line (jiti 2's evalModule).
const WRAPPER = "(async function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { ";
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=[^;,]+;)?base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * Where a 1-based `line:col` of a stack trace in a transpiled module stands in
 * the file as written (types stripped, imports rewritten move columns).
 * Node applies no source map to code jiti evaluates, so the module is
 * transpiled again, as it was (same transform, same options: the same output),
 * and its inline map read: only when an error is reported, never per load.
 * Undefined when the file was not transpiled here or the place has no mapping.
 */
export function sourcePosition(file: string, line: number, col: number): { line: number; col: number } | undefined {
  if (!transpiled.has(file) || !transformWithPreamble) return undefined;
  try {
    const source = readFileSync(file, "utf8");
    const babel = { sourceFileName: file, sourceMaps: "inline" };
    const opts = { source, filename: file, ts: /\.[cm]?tsx?$/.test(file), async: true, jsx: false, interopDefault: false, babel } as TransformOptions;
    const code = transformWithPreamble(opts).code;
    const payload = INLINE_MAP.exec(code)?.[1];
    if (!payload) return undefined;
    let column = col - 1;
    if (line === 1) {
      column -= WRAPPER.length;
      const at = code.startsWith(STRICT + PREAMBLE) ? STRICT.length : code.startsWith(PREAMBLE) ? 0 : -1;
      if (at >= 0 && column >= at + PREAMBLE.length) column -= PREAMBLE.length;
      else if (at >= 0 && column >= at) return undefined; // inside our own preamble
      if (column < 0) return undefined;
    }
    const map = new SourceMap(JSON.parse(Buffer.from(payload, "base64").toString("utf8")) as ConstructorParameters<typeof SourceMap>[0]);
    const entry = map.findEntry(line - 1, column) as { generatedLine?: number; originalLine?: number; originalColumn?: number };
    // An entry from an earlier line is a guess: keep the transpiled position rather than point elsewhere.
    if (entry.generatedLine !== line - 1 || entry.originalLine === undefined || entry.originalColumn === undefined) return undefined;
    return { line: entry.originalLine + 1, col: entry.originalColumn + 1 };
  } catch {
    return undefined; // a position is a help, never a reason for the report itself to fail
  }
}
