/**
 * The worker's side of `serve --num_workers N`: asks every worker for
 * something through the primary (`gather`), answers the primary's asks
 * (`onCollect`), and passes live-page rows on. Outside a cluster worker every
 * function here is inert, so the single-process server is unchanged.
 */
import cluster from "node:cluster";
import { isMessage, type Collect, type Gathered, type Row, type ToPrimary } from "./messages.ts";

/** How long the primary waits for each worker's answer to a `gather`, unless the gather says otherwise. */
const COLLECT_WAIT_MS = 5_000;

/** What a `gather` gets: each answer with its worker's pid, and the pids of the workers that did not answer in time. */
export type Gathering = Pick<Gathered, "answers" | "silent">;

type Collector = (arg: unknown) => unknown;

const collectors = new Map<string, Collector>();
const waiting = new Map<number, (result: Gathering | null) => void>();
const rowListeners = new Set<(row: Row["row"]) => void>();
let nextId = 1;
let listening = false;

/** Set by the primary in its workers' environment: a node:cluster worker of someone else's primary is not ours. */
export const WORKER_ENV = "LITELLM_RUNTIME_CLUSTER_WORKER";

let joined = false;

/** Whether this process is a worker of `serve --num_workers N` (whether or not it serves yet). */
export function inClusterWorker(): boolean {
  return cluster.isWorker && typeof process.send === "function" && process.env[WORKER_ENV] === "1";
}

/** Whether this worker's server shares with the others now (core/cluster/join.ts): only then does a route gather from them. */
export function clusterJoined(): boolean {
  return joined;
}

/** Marks this worker as sharing (or no longer). */
export function setJoined(value: boolean): void {
  joined = value && inClusterWorker();
}

function send(m: ToPrimary): void {
  // The channel is gone while the primary exits: nothing to tell it then.
  if (process.connected) process.send!(m);
}

function listen(): void {
  if (listening) return;
  listening = true;
  process.on("message", (m: unknown) => {
    if (isMessage(m, "collect")) return void answer(m as Collect);
    if (isMessage(m, "gathered")) {
      const g = m as Gathered;
      waiting.get(g.id)?.({ answers: g.answers, silent: g.silent });
      return;
    }
    if (isMessage(m, "row")) for (const l of rowListeners) l((m as Row).row);
  });
}

async function answer(m: Collect): Promise<void> {
  let value: unknown = null;
  try {
    const collect = collectors.get(m.topic);
    value = collect ? await collect(m.arg) : null;
  } catch {
    value = null; // one worker's failure must not fail the others' answer
  }
  send({ litellm: "collected", id: m.id, value });
}

/** Answers `topic` when another worker gathers it. Returns the removal. */
export function onCollect(topic: string, collect: Collector): () => void {
  listen();
  collectors.set(topic, collect);
  return () => void collectors.delete(topic);
}

/**
 * Every worker's answer to `topic` (this one's included); the primary waits
 * `waitMs` at most for each worker. Null when the primary itself did not
 * answer within twice that.
 */
export function gather(topic: string, arg: unknown = null, waitMs = COLLECT_WAIT_MS): Promise<Gathering | null> {
  listen();
  const id = nextId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), 2 * waitMs);
    const done = (result: Gathering | null) => {
      clearTimeout(timer);
      waiting.delete(id);
      resolve(result);
    };
    waiting.set(id, done);
    send({ litellm: "gather", id, topic, arg, waitMs });
  });
}

/** The answers alone, whichever worker gave them (none when the primary did not answer). */
export function valuesOf(result: Gathering | null): unknown[] {
  return result?.answers.map((a) => a.value) ?? [];
}

/** Sends a live-page row to every other worker. */
export function shareRow(row: Row["row"]): void {
  send({ litellm: "row", row });
}

/** Listens for the rows other workers share. Returns the removal. */
export function onSharedRow(listener: (row: Row["row"]) => void): () => void {
  listen();
  rowListeners.add(listener);
  return () => void rowListeners.delete(listener);
}

/** Tells the primary of a reload, or a refused one, which it prints once for every worker that said the same. */
export function reportReload(kind: "reload" | "reload_error", lines: readonly string[]): void {
  send({ litellm: "reloaded", kind, lines });
}

/** Tells the primary this worker listens, with the start-up text it would have printed alone. */
export function reportListening(line: string, stderr: string): void {
  send({ litellm: "listening", line, stderr });
}
