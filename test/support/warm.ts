// Imports every module of the runtime once, run through jiti's CLI by the global setup, so that
// jiti's file cache holds them all before the tests start: dozens of children then each load the
// cached code instead of transpiling the whole runtime at once on a fresh clone.
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "../..");
// The command line's entry runs a command when imported; everything else only defines things.
const SKIP = new Set([join("core", "cli", "main.ts")]);

for (const top of ["core", "builtin-callbacks"]) {
  for (const file of readdirSync(join(ROOT, top), { recursive: true, encoding: "utf8" })) {
    const path = join(top, file);
    if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.endsWith(".d.ts") || SKIP.has(path)) continue;
    await import(pathToFileURL(join(ROOT, path)).href);
  }
}
