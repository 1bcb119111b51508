/**
 * `litellm-runtime serve` as a child process (jiti's CLI, as every CLI test runs it):
 * what it printed so far, its exit, and a wait for a line to appear.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { tsArgs } from "./run-ts.ts";

const MAIN = resolve("core/cli/main.ts");

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed so far. */
  readonly out: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Resolves once `stream` matches `pattern` (rejects if the process ends first). */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
}

export function spawnServe(args: readonly string[], cwd: string): ServeProcess {
  const child = spawn(process.execPath, tsArgs(MAIN, "serve", ...args), { cwd, env: { ...process.env, NO_COLOR: "1" } });
  const out = { stdout: "", stderr: "" };
  const watchers = new Set<() => void>();
  for (const name of ["stdout", "stderr"] as const) {
    child[name].setEncoding("utf8").on("data", (d: string) => {
      out[name] += d;
      for (const w of watchers) w();
    });
  }
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const waitFor = (stream: "stdout" | "stderr", pattern: RegExp) =>
    new Promise<RegExpMatchArray>((done, fail) => {
      const check = () => {
        const m = out[stream].match(pattern);
        if (m) {
          watchers.delete(check);
          done(m);
        }
      };
      watchers.add(check);
      check();
      void exited.then((code) => fail(new Error(`serve exited (${code}) before ${stream} matched ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`)));
    });
  return { child, out, exited, waitFor };
}
