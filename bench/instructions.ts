// Instructions per request of our server and of the bare proxy, counted by valgrind's callgrind: on a shared
// machine whose speed swings by 10–30% from run to run, a count that barely moves is what tells two builds apart.
// Not part of `npm run bench` (it needs valgrind, and takes a minute an arm):
//
//   npm run build && node --import jiti/register bench/instructions.ts            # ours (dist/) and the bare proxy
//   ARMS=ours,bare,ours N=3000 node --import jiti/register bench/instructions.ts  # arms in that order, N counted requests each
//   STREAM=1 node --import jiti/register bench/instructions.ts                     # streams (the server suite's) instead of whole answers
//
// Each arm is the server suite's child (bench/server-procs.ts) under `valgrind --tool=callgrind`, instrumented only
// after WARM requests (so V8 has compiled what it will), zeroed after 300 more, then counted over N requests sent one
// at a time (concurrency 1: the same path every time). What callgrind counts is user-space instructions of every
// thread of the process; the kernel's work (the socket writes and reads) is not in it.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { KEY, MODEL } from "./server-procs.ts";
import { concurrent, target } from "./server-load.ts";
import { envInt } from "./stats.ts";
import { startUpstream } from "./upstream.ts";

const PROCS = fileURLToPath(new URL("./server-procs.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const N = envInt("N", 2000);
const WARM = envInt("WARM", 10_000);
const ARMS = (process.env.ARMS ?? "ours,bare").split(",").map((a) => a.trim());
for (const arm of ARMS) if (arm !== "ours" && arm !== "bare") throw new Error(`ARMS: "${arm}" is not an arm; the arms are ours and bare`);
try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  throw new Error("valgrind is not installed: apt-get install -y valgrind");
}

// STREAM=1: the server suite's stream request instead of its whole answer.
const STREAM = process.env.STREAM === "1";
const body = Buffer.from(
  JSON.stringify({ model: MODEL, messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Say hello." }], ...(STREAM && { stream: true, stream_options: { include_usage: true } }) }),
);
const results: string[] = [];
for (const arm of ARMS) {
  // A fresh upstream per arm: one that served another arm before answers the next one differently enough to move its count.
  const upstream = await startUpstream();
  const dir = mkdtempSync(join(tmpdir(), "litellm-callgrind-"));
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--instr-atstart=no",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${join(dir, "out.%p")}`,
      process.execPath,
      "--import",
      "jiti/register",
      PROCS,
      ...(arm === "ours" ? ["--bench-server-child", upstream.url, "dist"] : ["--bench-bare-child", upstream.url]),
    ],
    { stdio: ["pipe", "pipe", "ignore"], cwd: ROOT },
  );
  const origin = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the ${arm} arm exited (code ${code}) before listening`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  child.removeAllListeners("exit");
  const t = target(arm, origin, { authorization: `Bearer ${KEY}` }, 1);
  const control = (flag: string[]) => execFileSync("callgrind_control", [...flag, String(child.pid)], { stdio: "ignore" });
  await concurrent(t, body, WARM, 1);
  control(["-i", "on"]);
  await concurrent(t, body, 300, 1);
  control(["-z"]);
  await concurrent(t, body, N, 1);
  control(["-d"]);
  // The dump is written by the process itself, between two of its basic blocks: give it a moment.
  let total = 0;
  for (let tries = 0; tries < 50 && total === 0; tries++) {
    await new Promise((r) => setTimeout(r, 200));
    for (const f of readdirSync(dir)) for (const m of readFileSync(join(dir, f), "utf8").matchAll(/^totals: (\d+)/gm)) total += Number(m[1]);
  }
  child.kill("SIGKILL");
  await t.pool.close();
  // KEEP=1 leaves callgrind's output for callgrind_annotate.
  if (process.env.KEEP === "1") process.stdout.write(`callgrind output of ${arm}: ${dir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  if (t.failures > 0) throw new Error(`the ${arm} arm failed ${t.failures} requests: ${t.lastFailure}`);
  results.push(`${arm.padEnd(5)} ${(total / N / 1000).toFixed(1)} k instructions / ${STREAM ? "stream" : "request"}`);
  process.stdout.write(`${results.at(-1)}\n`);
  await upstream.stop();
}
process.exit(0);
