/**
 * The kit of the `serve --num_workers N` tests: a real `litellm-runtime serve`
 * child process (jiti's CLI, as every CLI test), what it printed, its
 * workers' pids, and requests on a fresh connection each (node:cluster hands
 * each new connection to the next worker; a kept-alive one stays on one).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { request } from "undici";
import { tsArgs } from "./run-ts.ts";

const MAIN = resolve("core/cli/main.ts");

export interface ClusterServe {
  readonly child: ChildProcessWithoutNullStreams;
  readonly out: { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
  /** Resolves once `stream` matches `pattern` (rejects if the process ends first). */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
  /** Every worker pid it printed (start-up line and restarts). */
  pids(): number[];
  /** Kills the primary and every worker it printed, at once: for the test's cleanup. */
  kill(): void;
}

export function serveCluster(args: string[], cwd: string): ClusterServe {
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
  const pids = () => {
    const text = out.stdout + out.stderr;
    const found = [...text.matchAll(/workers \(pid ([\d, ]+)\)/g)].flatMap((m) => m[1]!.split(", ").map(Number));
    for (const m of text.matchAll(/\(pid (\d+)\) in its place/g)) found.push(Number(m[1]));
    return [...new Set(found)];
  };
  const kill = () => {
    for (const pid of [child.pid!, ...pids()]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  return { child, out, exited, waitFor, pids, kill };
}

/** The base URL the start-up line announces, once every worker listens. */
export async function clusterUrl(s: ClusterServe): Promise<string> {
  const [, url] = await s.waitFor("stdout", /serving (http:\/\/\S+) · \d+ workers/);
  return url!;
}

/** A chat completion on a fresh connection: its worker pid, call id and answer. */
export async function chat(url: string, model: string): Promise<{ pid: number; callId: string; content: string }> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    reset: true,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await res.body.json()) as { choices?: Array<{ message: { content: string } }>; error?: unknown };
  if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${JSON.stringify(body)}`);
  return { pid: Number(res.headers["x-litellm-worker-pid"]), callId: String(res.headers["x-litellm-call-id"]), content: body.choices![0]!.message.content };
}

/** A GET on a fresh connection: the status, the worker that answered and the body. */
export async function get(url: string): Promise<{ status: number; pid: number; text: string }> {
  const res = await request(url, { reset: true });
  return { status: res.statusCode, pid: Number(res.headers["x-litellm-worker-pid"]), text: await res.body.text() };
}

/** Polls `read` until `ok` holds of its value (a generous readiness wait, not a timing assertion). */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`waited ${ms} ms for ${what}; last: ${JSON.stringify(last)}`);
}
