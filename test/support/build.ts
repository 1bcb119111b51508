import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { tsArgs } from "./run-ts.ts";

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * A source newer than its build, or one not built: what reads `dist/` (the
 * packed tarball, a project that imports "litellm-runtime") would run old code.
 * A build that links source maps came from another tsconfig than
 * tsconfig.build.json (which makes none) and is made again too.
 */
export function buildIsStale(root = ROOT): boolean {
  const index = join(root, "dist/core/index.js");
  if (!existsSync(index) || readFileSync(index, "utf8").includes("sourceMappingURL")) return true;
  for (const top of ["core", "builtin-callbacks"]) {
    for (const file of readdirSync(join(root, top), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const built = join(root, "dist", top, file.replace(/\.ts$/, ".js"));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, top, file)).mtimeMs) return true;
    }
  }
  return false;
}

/** Loads the runtime once through jiti's CLI, as the tests' children do (test/support/run-ts.ts), so they start from its file cache. */
async function warmChildCache(): Promise<void> {
  await promisify(execFile)(process.execPath, tsArgs(join(ROOT, "test/support/warm.ts")), { cwd: ROOT }).catch((err: { stderr?: string }) => {
    throw new Error(`loading the runtime through jiti failed:\n${err.stderr ?? String(err)}`);
  });
}

/**
 * Vitest's global setup, before any test file starts: warms jiti's cache,
 * then runs `npm run build` when the working tree is newer than `dist/`.
 * CI's `npm ci` builds through `prepare`, so there the second step costs one
 * directory walk.
 */
export default async function setup(): Promise<void> {
  await warmChildCache();
  if (!buildIsStale()) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, maxBuffer: 16 << 20 }).catch((err: { stdout?: string }) => {
    throw new Error(`npm run build failed, and the tests that read dist/ need it:\n${err.stdout ?? String(err)}`);
  });
}
