import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { extractSnippets } from "../scripts/extract-snippets.ts";

// The examples, tests, benchmarks and the docs' snippets compile against the public types: what `npm run typecheck` checks, run by CI.
describe("npm run typecheck", () => {
  it("compiles the code, the examples, the tests, the benchmarks and every ```ts block of the docs with no error", async () => {
    // One tsc run for all: the snippets of README.md and docs/*.md are written to test/.snippets/ first.
    const snippets = extractSnippets();
    expect(snippets.length).toBeGreaterThan(0);
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, "-p", "tsconfig.json", "--noEmit"], { maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(out).toBe("");
    expect(code).toBe(0);
  }, 120_000);
});
