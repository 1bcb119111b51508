import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * How tests start a TypeScript file in a child process: `node <jiti's CLI> file.ts`.
 * jiti's own loader, with its file cache, starts a child in about a third of
 * the CPU that `node --import jiti/register` spends on routing every module
 * through Node's loader hooks; the suite spawns dozens of children.
 */
const JITI_CLI = join(dirname(createRequire(import.meta.url).resolve("jiti/package.json")), "lib/jiti-cli.mjs");

/** The argv after `process.execPath` that runs `file` with `args`. */
export function tsArgs(file: string, ...args: string[]): string[] {
  return [JITI_CLI, file, ...args];
}
