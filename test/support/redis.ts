// Real Redis for the cache tests: is one there, and our own redis-server processes to kill and restart.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createConnection, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** The shared Redis the tests use: 127.0.0.1:6379 unless REDIS_TEST_HOST / REDIS_TEST_PORT say otherwise. */
export const REDIS_HOST = process.env.REDIS_TEST_HOST ?? "127.0.0.1";
export const REDIS_PORT = Number(process.env.REDIS_TEST_PORT ?? 6379);
/** REQUIRE_REDIS=1: a missing Redis (or redis-server) fails the tests instead of skipping them. */
export const REDIS_REQUIRED = Boolean(process.env.REQUIRE_REDIS);

/** A prefix unique to this test process, so runs sharing one Redis never collide and cleanup finds every key. */
export function runPrefix(): string {
  return `litellm-test-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** PING over a raw socket: does a Redis answer at host:port? */
export function redisAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on("error", () => finish(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => finish(data.toString().startsWith("+PONG")));
  });
}

/** Whether `redis-server` can be started here, and why not. */
export function redisServerInstalled(): { ok: boolean; why: string } {
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (r.error) return { ok: false, why: r.error.message };
  return { ok: r.status === 0, why: r.stderr || `exit ${r.status}` };
}

/** Warns loudly that tests are skipped (the caller skips them only when REDIS_REQUIRED is unset). */
export function warnSkipped(file: string, what: string): void {
  console.warn(`\n!!! ${file}: ${what}: these Redis tests are SKIPPED. Set REQUIRE_REDIS=1 to make this a failure. !!!\n`);
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Our own redis-server on `port` (no persistence), answering PING when this resolves. */
export async function startRedisServer(port: number, extraArgs: readonly string[] = []): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", ...extraArgs];
  const proc = spawn("redis-server", args, { stdio: "ignore" });
  for (let i = 0; i < 100 && !(await redisAnswers("127.0.0.1", port, 200)); i++) await sleep(50);
  return proc;
}

/** Signals the process and waits for it to exit (no-op when it already has). */
export async function stopProcess(proc: ChildProcess | undefined, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((done) => proc.once("exit", done));
  proc.kill(signal);
  await exited;
}

/** Polls `check` every 50 ms until it holds or `ms` passed; the last answer is returned. */
export async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}
