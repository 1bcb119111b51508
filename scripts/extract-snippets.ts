import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Writes every ```ts block of README.md and docs/*.md to test/.snippets/ (git-ignored),
 * one module a block, so the one `tsc -p tsconfig.json --noEmit` run type-checks the
 * docs' code with the rest; tsconfig.json maps `litellm-runtime` to core/index.ts.
 * `npm run typecheck` and test/typecheck.test.ts run this first.
 */

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const SNIPPETS_DIR = join(ROOT, "test", ".snippets");

export interface Snippet {
  /** Where it is written, e.g. `test/.snippets/docs-callbacks-3.ts`. */
  file: string;
  /** Where it comes from, `docs/callbacks.md:42` (the line of its opening fence). */
  source: string;
  code: string;
}

/** The Markdown files whose snippets are checked: the README and every guide. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(ROOT, "docs", f));
  return [join(ROOT, "README.md"), ...docs];
}

/** The ```ts / ```typescript blocks of one Markdown text, with the line of each fence. */
export function tsBlocks(markdown: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
    out.push({ line: i + 1, code: body.join("\n") });
    i = j;
  }
  return out;
}

/** Every snippet of the docs, as the modules that will be written. */
export function collectSnippets(): Snippet[] {
  const out: Snippet[] = [];
  for (const doc of docFiles()) {
    const rel = relative(ROOT, doc).replace(/\\/g, "/");
    const stem = rel.replace(/\.md$/, "").replace(/[^A-Za-z0-9]+/g, "-");
    tsBlocks(readFileSync(doc, "utf8")).forEach((block, n) => {
      // `export {}` makes a block without imports a module, so blocks never share names.
      const code = `// ${rel}:${block.line} (extracted by scripts/extract-snippets.ts; edit the doc, not this file)\n${block.code}\nexport {};\n`;
      out.push({ file: join(SNIPPETS_DIR, `${stem}-${n + 1}.ts`), source: `${rel}:${block.line}`, code });
    });
  }
  return out;
}

/** Brings test/.snippets/ in step with the docs: stale files removed, changed ones written (unchanged ones left alone). */
export function extractSnippets(): Snippet[] {
  const snippets = collectSnippets();
  mkdirSync(SNIPPETS_DIR, { recursive: true });
  const keep = new Set(snippets.map((s) => s.file));
  for (const name of readdirSync(SNIPPETS_DIR)) {
    const file = join(SNIPPETS_DIR, name);
    if (!keep.has(file)) rmSync(file, { recursive: true, force: true });
  }
  for (const s of snippets) {
    if (existsSync(s.file) && readFileSync(s.file, "utf8") === s.code) continue;
    writeFileSync(s.file, s.code);
  }
  return snippets;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const snippets = extractSnippets();
  console.log(`wrote ${snippets.length} snippets to ${relative(ROOT, SNIPPETS_DIR)}`);
}
