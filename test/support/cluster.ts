/**
 * The kit of the `serve --num_workers N` tests: a real `litellm-runtime serve`
 * child process (jiti's CLI, as every CLI test), what it printed, its
 * workers' pids, and requests on a fresh connection each (node:cluster hands
 * each new connection to the next worker; a kept-alive one stays on one).
 */
import { request } from "undici";
import { afterEach } from "vitest";
import { spawnServe, type ServeProcess } from "./serve-process.ts";

export interface ClusterServe extends ServeProcess {
  /** Every worker pid it printed (start-up line and restarts). */
  pids(): number[];
  /** Kills the primary and every worker it printed, at once: for the test's cleanup. */
  kill(): void;
}

export function serveCluster(args: string[], cwd: string): ClusterServe {
  const serve = spawnServe(args, cwd);
  const { child, out } = serve;
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
  return { ...serve, pids, kill };
}

/** Starts `serve` with `args` in `cwd`; each one started is killed after its test. */
export function useClusters(): (args: string[], cwd: string) => ClusterServe {
  const running: ClusterServe[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) {
      s.kill();
      await s.exited;
    }
  });
  return (args, cwd) => {
    const s = serveCluster(args, cwd);
    running.push(s);
    return s;
  };
}

/** The base URL the start-up line announces, once every worker listens. */
export async function clusterUrl(s: ClusterServe): Promise<string> {
  const [, url] = await s.waitFor("stdout", /serving (http:\/\/\S+) · \d+ workers/);
  return url!;
}

/** A chat completion on a fresh connection: its worker pid, call id and answer. `headers`: the master key's, when the config has one. */
export async function chat(url: string, model: string, headers: Record<string, string> = {}): Promise<{ pid: number; callId: string; content: string }> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: "POST",
    reset: true,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await res.body.json()) as { choices?: Array<{ message: { content: string } }>; error?: unknown };
  if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${JSON.stringify(body)}`);
  return { pid: Number(res.headers["x-litellm-worker-pid"]), callId: String(res.headers["x-litellm-call-id"]), content: body.choices![0]!.message.content };
}

/** A GET on a fresh connection: the status, the worker that answered and the body. */
export async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; pid: number; text: string }> {
  const res = await request(url, { reset: true, headers });
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
