import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The local files a callback module imports, so that editing any of them
 * reloads the module. Found by a regex scan of the source, not a parser: no
 * parser is a runtime dependency, and a miss or an extra only changes what is
 * watched, never what runs.
 *
 * Limits of the scan:
 * - specifiers must be string literals: `import(\`./x/${name}.ts\`)` is not seen;
 * - imports inside comments and strings are counted too (one file too many is watched);
 * - only relative (`./`, `../`), absolute and `file:` specifiers are followed; bare
 *   specifiers and anything under `node_modules` are packages, which do not change.
 */

/** Extensions a specifier without one may stand for, in the order they are tried. */
export const MODULE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".cts", ".cjs"] as const;

/** Files whose source is scanned for further imports; anything else (`.json`) is a leaf. */
const SCANNED = /\.[cm]?[jt]s$/;

const IMPORT_PATTERNS: readonly RegExp[] = [
  // import x from "./a"; import { a } from "./a"; export * from "./a"; import type { T } from "./a"
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1/g,
  // import "./side-effect"
  /\bimport\s*(['"])([^'"\n]+)\1/g,
  // import("./lazy"), require("./cjs")
  /\b(?:import|require)\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const inPackage = (file: string): boolean => file.split(sep).includes("node_modules");

/** Whether a specifier names a local file rather than a package or a builtin. */
export function isLocalSpecifier(spec: string): boolean {
  return spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("file:") || isAbsolute(spec);
}

/**
 * The file a local path names, as Node and TypeScript would find it: as written,
 * `./x.js` meaning `./x.ts` (TypeScript's ESM convention), with an extension
 * added, or as a folder's `index`. Undefined when none exists.
 */
export function resolveModuleFile(path: string): string | undefined {
  if (isFile(path)) return path;
  const js = /\.([cm]?)js$/.exec(path);
  if (js) {
    const ts = `${path.slice(0, -js[0].length)}.${js[1]}ts`;
    if (isFile(ts)) return ts;
  }
  for (const ext of MODULE_EXTENSIONS) if (isFile(path + ext)) return path + ext;
  for (const ext of MODULE_EXTENSIONS) {
    const index = join(path, `index${ext}`);
    if (isFile(index)) return index;
  }
  return undefined;
}

/** The local specifiers written in one source text, in order of appearance per pattern. */
export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) {
    for (const m of source.matchAll(pattern)) {
      const spec = m[2]!.trim();
      if (isLocalSpecifier(spec)) found.add(spec);
    }
  }
  return [...found];
}

/**
 * The module file and every local file it imports, directly or not, as absolute
 * paths, the module first. Cycles are fine; unreadable or unresolvable imports are skipped
 * (loading the module reports those).
 */
export function moduleFiles(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (!SCANNED.test(file)) continue;
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const spec of importSpecifiers(source)) {
      const path = spec.startsWith("file:") ? fileURLToPath(spec) : resolve(dirname(file), spec);
      const dep = resolveModuleFile(path);
      if (!dep || seen.has(dep) || inPackage(dep)) continue;
      seen.add(dep);
      queue.push(dep);
    }
  }
  return [...seen];
}
