/**
 * The primary of `serve --num_workers N`: forks N workers that share one port
 * (node:cluster hands each new connection to the next worker in turn),
 * prints the start-up line once, restarts a worker that dies, relays what
 * workers gather from each other, and drains them all on SIGTERM/SIGINT.
 * It serves no request and holds no runtime: each worker loads and watches
 * the config itself (docs/server.md says why).
 */
import cluster, { type Worker } from "node:cluster";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { workerLaunch } from "./launch.ts";
import { WORKER_ENV } from "./worker.ts";
import { isMessage, type Answer, type Collected, type Gather, type Listening, type Reloaded, type Row, type ToWorker } from "./messages.ts";
import { ReloadNotices } from "./reload-notices.ts";
import { countsOf, METRICS_TOPIC, retire } from "./retired.ts";

/** Restarts of a worker that dies again before it listens wait this long, doubling up to `MAX_RESTART_DELAY_MS`. */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;

/** What `runPrimary` needs. */
export interface PrimaryOptions {
  /** How many workers. */
  readonly workers: number;
  /** Where lines go (the process's streams in `serve`). */
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
}

interface Pending {
  readonly from: Worker;
  /** The asking worker's own id of its gather. */
  readonly gatherId: number;
  readonly answers: Answer[];
  readonly topic: string;
  /** The workers not answered yet: worker id to pid. */
  readonly waiting: Map<number, number>;
  readonly timer: NodeJS.Timeout;
}

/** Runs the workers until a signal stops them; resolves with the exit code (0: all drained cleanly). */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const out = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = options.stderr ?? ((t: string) => void process.stderr.write(t));
  const listened = new Set<number>();
  const pending = new Map<number, Pending>();
  let nextGather = 1;
  let announced = false;
  let first: Listening | undefined;
  let stopping = false;
  /** Stopping because of a signal, not because the workers could not start. */
  let signalled = false;
  let code = 0;
  let delay = RESTART_DELAY_MS;

  return new Promise<number>((resolve) => {
    const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    // One line for a reload every worker made, not one per worker.
    const notices = new ReloadNotices(() => live().filter((w) => listened.has(w.id)).length, err);

    const fork = () => {
      const w = cluster.fork({ [WORKER_ENV]: "1" });
      w.on("message", (m: unknown) => onMessage(w, m));
      return w;
    };

    const onMessage = (w: Worker, m: unknown) => {
      if (isMessage(m, "listening")) {
        listened.add(w.id);
        delay = RESTART_DELAY_MS;
        first ??= m as Listening;
        if (!announced && listened.size >= options.workers) {
          announced = true;
          out(first.line.replace(/^litellm-runtime: serving (\S+)/, `litellm-runtime: serving $1 · ${options.workers} workers (pid ${live().map((x) => x.process.pid).join(", ")})`) + "\n");
          if (first.stderr) err(first.stderr);
        }
      } else if (isMessage(m, "gather")) relay(w, m as Gather);
      else if (isMessage(m, "collected")) collected(w, m as Collected);
      else if (isMessage(m, "row")) {
        for (const other of live()) if (other !== w && listened.has(other.id)) sendTo(other, m as Row);
      } else if (isMessage(m, "reloaded")) notices.said(w.process.pid ?? 0, m as Reloaded);
    };

    const sendTo = (w: Worker, m: ToWorker) => {
      if (w.isConnected()) w.send(m);
    };

    // A gather of one worker becomes a collect to every worker that serves; the answer goes back when all answered or the wait ran out.
    const relay = (from: Worker, g: Gather) => {
      const id = nextGather++;
      const targets = live().filter((w) => listened.has(w.id) && w.isConnected());
      const waiting = new Map(targets.map((w) => [w.id, w.process.pid ?? 0]));
      // The gather says how long to wait for each worker (core/cluster/worker.ts holds the default).
      const p: Pending = { from, gatherId: g.id, answers: [], topic: g.topic, waiting, timer: setTimeout(() => finish(id), g.waitMs) };
      pending.set(id, p);
      for (const w of targets) w.send({ litellm: "collect", id, topic: g.topic, arg: g.arg });
      if (targets.length === 0) finish(id);
    };

    const collected = (w: Worker, c: Collected) => {
      const p = pending.get(c.id);
      if (!p || !p.waiting.delete(w.id)) return;
      p.answers.push({ pid: w.process.pid ?? 0, value: c.value });
      if (p.topic === METRICS_TOPIC && Array.isArray(c.value)) lastMetrics.set(w.id, c.value as object[]);
      if (p.waiting.size === 0) finish(c.id);
    };

    const finish = (id: number) => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      clearTimeout(p.timer);
      // The counts of workers that are gone, as of their last scrape (retired.ts): pid 0, as no process holds them.
      const answers = p.topic === METRICS_TOPIC ? [...p.answers, ...goneMetrics().map((value) => ({ pid: 0, value }))] : p.answers;
      sendTo(p.from, { litellm: "gathered", id: p.gatherId, answers, silent: [...p.waiting.values()] });
    };

    // Each worker's metrics as of the last scrape; the sum of those of the workers gone, and the ones not summed in yet.
    const lastMetrics = new Map<number, object[]>();
    let retired: object[] | undefined;
    const unfolded: object[][] = [];
    let folding = Promise.resolve();
    const goneMetrics = (): object[][] => (retired === undefined ? unfolded : [retired, ...unfolded]);
    const retireWorker = (w: Worker) => {
      const last = lastMetrics.get(w.id);
      lastMetrics.delete(w.id);
      if (last === undefined) return;
      // Counted from the moment it is gone; summed into one list in the background, so they never pile up.
      const counts = countsOf(last);
      unfolded.push(counts);
      folding = folding
        .then(async () => {
          retired = await retire(retired, counts);
          unfolded.splice(unfolded.indexOf(counts), 1);
        })
        .catch((e: unknown) => err(`litellm-runtime: warning: the metrics of worker ${w.id} (pid ${w.process.pid}) could not be summed with those of the workers before it; they stay apart: ${String(e)}\n`));
    };

    cluster.on("exit", (w, exitCode, signal) => {
      const served = listened.delete(w.id);
      retireWorker(w);
      // A worker that leaves stops answering: the gathers waiting on it go on without it.
      for (const [id, p] of pending) if (p.waiting.delete(w.id) && p.waiting.size === 0) finish(id);
      if (stopping) {
        if (exitCode !== 0) code = 1;
        if (live().length === 0) {
          notices.flushAll();
          if (signalled) err("litellm-runtime: stopped (all workers)\n");
          resolve(code);
        }
        return;
      }
      const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
      if (!announced && !served) {
        // Start-up failed (bad config, port taken): the worker said why; restarting would fail the same way.
        stopping = true;
        code = exitCode || 1;
        for (const other of live()) other.process.kill("SIGTERM");
        if (live().length === 0) resolve(code);
        return;
      }
      const wait = served ? 0 : delay;
      if (!served) delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      setTimeout(() => {
        if (stopping) return;
        const next = fork();
        err(`litellm-runtime [${SERVER_ERROR_CODES.workerDied}] worker ${w.id} (pid ${w.process.pid}) ended (${how}); started worker ${next.id} (pid ${next.process.pid}) in its place\n`);
      }, wait);
    });

    const stop = (sig: NodeJS.Signals) => {
      if (stopping) {
        err(`litellm-runtime: ${sig} again: stopping every worker now\n`);
        // A worker's second SIGTERM exits it at once, writing the file built-in's pending lines on the way out.
        for (const w of live()) w.process.kill("SIGTERM");
        process.exit(1);
      }
      stopping = signalled = true;
      err(`litellm-runtime: ${sig}: draining ${live().length} workers (signal again to exit now)\n`);
      // Each worker shuts down as a single server does: stop accepting, finish what is in flight within the grace period, flush.
      for (const w of live()) w.process.kill("SIGTERM");
      if (live().length === 0) resolve(code);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);

    const launch = workerLaunch();
    if (launch) cluster.setupPrimary(launch);
    for (let i = 0; i < options.workers; i++) fork();
  });
}
