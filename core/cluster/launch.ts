/**
 * How the primary of `serve --num_workers N` starts its workers: the same
 * entry point with the same arguments. The published CLI is JavaScript and
 * runs as it is; run from the TypeScript sources through jiti's CLI (as the
 * tests and `npm run` scripts do), jiti has already replaced `argv[1]` with
 * the `.ts` file, which plain Node cannot run, so a worker goes through
 * jiti's CLI again. A loader given on the command line (`--import ...`) is
 * inherited by the workers and needs nothing.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const TS = /\.[cm]?tsx?$/;
const LOADER_FLAGS = /^--(import|loader|experimental-loader|require|experimental-strip-types|experimental-transform-types)\b|^-r$/;

/** What `cluster.setupPrimary` needs to start a worker, or undefined for node:cluster's default (this process's own argv). */
export function workerLaunch(argv: readonly string[] = process.argv, execArgv: readonly string[] = process.execArgv): { exec: string; args: string[] } | undefined {
  const entry = argv[1];
  if (!entry || !TS.test(entry) || execArgv.some((a) => LOADER_FLAGS.test(a))) return undefined;
  const jitiCli = join(dirname(createRequire(import.meta.url).resolve("jiti/package.json")), "lib/jiti-cli.mjs");
  return { exec: jitiCli, args: [entry, ...argv.slice(2)] };
}
