// The proxies the server suite compares, each in its own process: our server (a child mode of this file) and the Portkey gateway.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { request } from "undici";
import { BARE_MARK, runBareProxy } from "./bare-proxy.ts";

export interface Proc {
  /** Origin to send requests to, e.g. http://127.0.0.1:4000 */
  origin: string;
  pid: number;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--bench-server-child";
const BARE_FLAG = "--bench-bare-child";
/** Our server with the live page on, as `serve` runs it. */
const UI_FLAG = "--bench-ui";
const MARK = "BENCH_SERVER_LISTENING ";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const KEY = "sk-bench";
export const MODEL = "gpt-4o-mini";

/** Where our server's code comes from: the build `npm run bench` just made, or the sources when asked (BENCH_SERVER_SRC=1) or unbuilt. */
export function ourCode(): "dist" | "src" {
  return process.env.BENCH_SERVER_SRC !== "1" && existsSync(join(ROOT, "dist/core/server/index.js")) ? "dist" : "src";
}

/** Our server in a child process on port 0; `profileDir` adds `--cpu-prof` (the profile is written when it exits). */
export async function startOurs(upstreamUrl: string, profileDir?: string, { ui = false }: { ui?: boolean } = {}): Promise<Proc> {
  const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...prof, "--import", "jiti/register", SELF, CHILD_FLAG, upstreamUrl, ourCode(), ...(ui ? [UI_FLAG] : [])], {
    stdio: ["pipe", "pipe", "inherit"],
    cwd: ROOT,
  });
  const origin = await marked(child, MARK);
  return { origin, pid: child.pid!, stop: () => stop(child, () => child.stdin!.end()) };
}

/** The bare proxy of bare-proxy.ts in a child process: the floor our server is read against; `profileDir` as for `startOurs`. */
export async function startBare(upstreamUrl: string, profileDir?: string): Promise<Proc> {
  const prof = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...prof, "--import", "jiti/register", SELF, BARE_FLAG, upstreamUrl], { stdio: ["pipe", "pipe", "inherit"], cwd: ROOT });
  const origin = await marked(child, BARE_MARK);
  return { origin, pid: child.pid!, stop: () => stop(child, () => child.stdin!.end()) };
}

/**
 * `litellm-runtime serve --num_workers N` (node:cluster, N workers on one port) with the same one model, as
 * a user runs it: the CLI of the build (or of the sources), a config file in a temporary folder, no file watching.
 */
export async function startWorkers(upstreamUrl: string, workers: number): Promise<Proc> {
  const dir = mkdtempSync(join(tmpdir(), "litellm-bench-workers-"));
  const config = join(dir, "litellm.config.yaml");
  // JSON is YAML: one model on the upstream, as runChild's runtime has it.
  writeFileSync(config, JSON.stringify({ model_list: [{ model_name: MODEL, litellm_params: { model: `openai/${MODEL}`, api_base: upstreamUrl, api_key: KEY } }] }));
  const port = await freePort();
  const main = ourCode() === "dist" ? [join(ROOT, "dist/core/cli/main.js")] : ["--import", "jiti/register", join(ROOT, "core/cli/main.ts")];
  const child = spawn(process.execPath, [...main, "serve", "--config", config, "--host", "127.0.0.1", "--port", String(port), "--num_workers", String(workers), "--no-watch"], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: dir,
  });
  child.stdout!.resume();
  // Its start-up and shutdown notices would interleave with the tables: kept, and shown only if it fails to start.
  let said = "";
  child.stderr!.on("data", (b: Buffer) => void (said = (said + b.toString("utf8")).slice(-2000)));
  const origin = `http://127.0.0.1:${port}`;
  try {
    await answers(origin, {}, child, `serve --num_workers ${workers}`);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${said}`);
  }
  return {
    origin,
    pid: child.pid!,
    stop: async () => {
      await stop(child, () => child.kill("SIGTERM"));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Portkey gateway's own command (`--port=N --headless`), answered once a request through it reaches the upstream. */
export async function startPortkey(upstreamUrl: string): Promise<Proc> {
  const { file, pkg } = portkeyPackage();
  const bin = join(dirname(file), pkg.bin);
  const port = await freePort();
  // Its start screen (a spinner, console.clear) goes to a pipe nobody reads but us, and we drop it.
  const child = spawn(process.execPath, [bin, `--port=${port}`, "--headless"], { stdio: ["ignore", "pipe", "inherit"], cwd: ROOT });
  child.stdout!.resume();
  const origin = `http://127.0.0.1:${port}`;
  await answers(origin, portkeyHeaders(upstreamUrl), child, "the Portkey gateway");
  return { origin, pid: child.pid!, stop: () => stop(child, () => child.kill("SIGTERM")) };
}

// The gateway is a benchmark peer, not a dependency of the package: bench/peers has its own
// package.json and lockfile, installed the first time the server suite runs.
const PEERS = join(ROOT, "bench/peers");

function portkeyPackage(): { file: string; pkg: { bin: string; version: string } } {
  const file = join(PEERS, "node_modules/@portkey-ai/gateway/package.json");
  if (!existsSync(file)) {
    process.stderr.write("installing the benchmark peers (npm ci --prefix bench/peers) ...\n");
    execFileSync("npm", ["ci", "--prefix", PEERS, "--no-audit", "--no-fund"], { stdio: ["ignore", 2, 2], shell: process.platform === "win32" });
  }
  return { file, pkg: JSON.parse(readFileSync(file, "utf8")) as { bin: string; version: string } };
}

export const portkeyVersion = (): string => portkeyPackage().pkg.version;

export const portkeyHeaders = (upstreamUrl: string): Record<string, string> => ({
  "x-portkey-provider": "openai",
  "x-portkey-custom-host": upstreamUrl, // the upstream's URL already ends in /v1
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Polls a chat completion through `origin` until it answers 200, for up to 20 s. */
async function answers(origin: string, headers: Record<string, string>, child: ChildProcess, who: string): Promise<void> {
  const body = JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "ready?" }] });
  const deadline = Date.now() + 20_000;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${who} exited (code ${child.exitCode}) before answering`);
    try {
      const res = await request(`${origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode === 200) return;
      last = `${res.statusCode} ${text.slice(0, 200)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`${who} did not answer within 20 s: ${last}`);
}

/** The origin the child prints after its marker; other lines it prints (start notices) pass through to stderr. */
function marked(child: ChildProcess, mark: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error("a proxy's child printed no address within 20 s")), 20_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      lines.close();
      child.kill();
      reject(err);
    };
    child.once("exit", (code) => fail(new Error(`a proxy's child exited (code ${code}) before listening`)));
    lines.on("line", (line) => {
      if (!line.startsWith(mark)) return void process.stderr.write(`[child] ${line}\n`);
      clearTimeout(timer);
      child.removeAllListeners("exit");
      lines.removeAllListeners("line");
      lines.on("line", (l) => process.stderr.write(`[child] ${l}\n`));
      resolve(line.slice(mark.length).trim());
    });
  });
}

function stop(child: ChildProcess, ask: () => void): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}

/**
 * CPU seconds a process has used so far, from /proc; undefined off Linux. Each thread's
 * `schedstat` counts nanoseconds, where `stat` counts ticks of 10 ms (3% of a round of
 * 8,000 requests); `stat` (user + system) is the fallback, and counts threads that exited too.
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    if (ns > 0) return ns / 1e9;
  } catch {
    // no schedstat (a kernel without it): the ticks below
  }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name; in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A process and its children (the cluster workers of `serve --num_workers`), from /proc; just the pid off Linux. */
function withChildren(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return kids === "" ? [pid] : [pid, ...kids.split(" ").map(Number)];
  } catch {
    return [pid];
  }
}

/**
 * Resolves once `pids` (and their children) have used under 1 ms of CPU in one 50 ms poll (an idle process's
 * timers use a few microseconds), or after `maxMs`: an arm's round then starts on a machine no earlier arm is
 * still busy on (a gateway's garbage collection after its round, say), whichever arm came before it.
 */
export async function settled(pids: readonly number[], maxMs = 2000): Promise<void> {
  const all = () => pids.flatMap(withChildren);
  const used = () => all().reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
  const deadline = Date.now() + maxMs;
  let last = used();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const now = used();
    if (now - last < 0.001) return;
    last = now;
  }
}

/** The child's side: a runtime with one model on the upstream, our server on port 0, until the parent closes our stdin. */
async function runChild(upstreamUrl: string, code: "dist" | "src", ui: boolean): Promise<void> {
  const base = code === "dist" ? "../dist/core/" : "../core/";
  const ext = code === "dist" ? ".js" : ".ts";
  const { createRuntime } = (await import(`${base}index${ext}`)) as typeof import("../core/index.ts");
  // A computed specifier, so this file type-checks before core/server exists; its shape is startServer(runtime, { host, port }) → { url, port, close(graceMs) }.
  const { startServer } = (await import(`${base}server/index${ext}`)) as {
    startServer(runtime: unknown, opts: { host: string; port: number; ui?: boolean }): Promise<{ url: string; port: number; close(graceMs?: number): Promise<void> }>;
  };
  const runtime = await createRuntime({
    config: { model_list: [{ model_name: MODEL, litellm_params: { model: `openai/${MODEL}`, api_base: upstreamUrl, api_key: KEY } }] },
  });
  const server = await startServer(runtime, { host: "127.0.0.1", port: 0, ...(ui && { ui }) });
  process.stdout.write(`${MARK}http://127.0.0.1:${server.port}\n`);
  process.stdin.resume();
  process.stdin.once("end", async () => {
    await server.close(1000);
    await runtime.close();
    process.exit(0);
  });
}

if (process.argv[1] === SELF && process.argv.includes(BARE_FLAG)) {
  await runBareProxy(process.argv[process.argv.indexOf(BARE_FLAG) + 1]!);
}
if (process.argv[1] === SELF && process.argv.includes(CHILD_FLAG)) {
  const i = process.argv.indexOf(CHILD_FLAG);
  await runChild(process.argv[i + 1]!, process.argv[i + 2] === "dist" ? "dist" : "src", process.argv.includes(UI_FLAG));
}
