import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

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

/**
 * Vitest's global setup: `npm run build` once, before any test file starts,
 * when the working tree is newer than `dist/`. CI's `npm ci` builds through
 * `prepare`, so there this costs one directory walk.
 */
export default async function setup(): Promise<void> {
  if (!buildIsStale()) return;
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, maxBuffer: 16 << 20 }).catch((err: { stdout?: string }) => {
    throw new Error(`npm run build failed, and the tests that read dist/ need it:\n${err.stdout ?? String(err)}`);
  });
}
