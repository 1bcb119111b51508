import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "../core/error-docs.ts";
import { ERRORS_DOCS_FILE, generateErrorDocs } from "../scripts/gen-error-docs.ts";

// The catalogue, docs/errors.md and the code stay in step (fastify's errors test): every code
// the source uses is catalogued and documented, and a test somewhere produces it.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);

/** Every `.ts` file under `dir`, skipping node_modules, dist and dot-folders. */
function tsFiles(dir: string): string[] {
  return files(dir).filter((f) => f.endsWith(".ts"));
}

/** Every file under `dir`, skipping node_modules, dist and dot-folders. */
function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "dist") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

const catalogue = new Map<string, string>();
for (const family of ERROR_CATALOGUE) for (const code of Object.keys(family.codes)) catalogue.set(code, family.name);

/** A quoted string that looks like a code (`"CONFIG_PARSE"`), or any string given as a `code` (`code: "x"`, `err.code = "x"`). */
const CODE_LIKE =
  /["'`]((?:LLM|CONFIG|CALLBACK|CACHE|SERVER|CLI|FILE|DELIVERY|RUNTIME|COST|ROUTER|PROVIDER)_[A-Z0-9_]+)["'`]|\bcode(?::|\s*=)\s*["']([A-Za-z][A-Za-z0-9_]*)["']/g;
/** The names of the catalogue's constants, which look like codes and are not. */
const FAMILY_NAMES = new Set(ERROR_CATALOGUE.map((f) => f.name));

describe("the error catalogue (core/errors.ts, described in core/error-docs.ts)", () => {
  it("docs/errors.md is what scripts/gen-error-docs.ts generates", () => {
    expect(readFileSync(ERRORS_DOCS_FILE, "utf8"), "out of date: run `npm run gen:errors`").toBe(generateErrorDocs());
  });

  it("holds every code the runtime's source uses", () => {
    const sources = [...tsFiles(join(ROOT, "core")), ...tsFiles(join(ROOT, "builtin-callbacks"))].filter((f) => !f.endsWith(".test.ts"));
    expect(sources.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const file of sources) {
      for (const m of readFileSync(file, "utf8").matchAll(CODE_LIKE)) {
        const code = m[1] ?? m[2]!;
        if (!catalogue.has(code) && !FAMILY_NAMES.has(code)) missing.push(`${relative(ROOT, file)}: ${code}`);
      }
    }
    expect(missing, "add these codes, with a meaning and a fix, to core/errors.ts and core/error-docs.ts; then `npm run gen:errors`").toEqual([]);
  });

  it("has every code produced by at least one test", () => {
    // Tests, and the declarative fixtures they run (`test/fixtures/<case>/expected.json`).
    const tests = [...files(join(ROOT, "core")), ...files(join(ROOT, "builtin-callbacks")), ...files(join(ROOT, "test"))].filter(
      (f) => (f.endsWith(".test.ts") || /[/\\]fixtures[/\\].*expected[^/\\]*\.json$/.test(f)) && f !== THIS_FILE,
    );
    const texts = tests.map((f) => readFileSync(f, "utf8"));
    const untested: string[] = [];
    for (const family of ERROR_CATALOGUE) {
      const constants = (Object.entries(family.codes) as [string, unknown][]).map(([code]) => code);
      // A test names a code literally, or by its key in the family's constant (also through a local alias: `const C = CONFIG_ERROR_CODES`).
      const keyOf = keysByCode(family.name);
      for (const code of constants) {
        const key = keyOf.get(code);
        const produced = texts.some((text) => {
          // An UPPER_CASE code is found anywhere (`"[FILE_WRITE_FAILED]"`); a lower_case one only quoted.
          if (new RegExp(/^[A-Z0-9_]+$/.test(code) ? `\\b${code}\\b` : `["'\`]${code}["'\`]`).test(text)) return true;
          if (key === undefined) return false;
          const names = [family.name, ...[...text.matchAll(new RegExp(`\\bconst (\\w+) = ${family.name}\\b`, "g"))].map((m) => m[1]!)];
          return names.some((n) => new RegExp(`\\b${n}\\.${key}\\b`).test(text));
        });
        if (!produced) untested.push(`${family.name}: ${code}`);
      }
    }
    expect(untested, "write a test that produces each of these codes").toEqual([]);
  });
});

/** code → its key in the exported constant of that name (`CONFIG_PARSE` → `parse`). */
function keysByCode(constant: string): Map<string, string> {
  const source = readFileSync(join(ROOT, "core/error-codes.ts"), "utf8");
  const block = new RegExp(`export const ${constant} = \\{([\\s\\S]*?)\\} as const;`).exec(source)?.[1] ?? "";
  return new Map([...block.matchAll(/^\s*(\w+):\s*"([^"]+)"/gm)].map((m) => [m[2]!, m[1]!]));
}
