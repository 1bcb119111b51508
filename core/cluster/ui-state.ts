/**
 * The live page's health tab (`GET /ui/api/state`) of a cluster worker: every
 * worker's own counts, gathered through the primary as `/metrics` gathers
 * (core/cluster/metrics.ts), listed by pid and summed. A worker that does not
 * answer within `WAIT_MS` is listed as not answering: a stuck worker must not
 * hold the page.
 */
import type { PlumbingState, ProcessHealth, WorkerState } from "../ui/types.ts";
import { gather, onCollect } from "./worker.ts";

const TOPIC = "ui-state";
/** The page refreshes the tab every 5 s: a worker slower than this is shown as not answering. */
const WAIT_MS = 2_000;

/** One worker's answer: its counts and the config version it serves. */
type Shared = ProcessHealth & { readonly config_version: number };

/** Lets the other workers read this worker's health. Returns the removal. */
export function shareHealth(read: () => Promise<Shared>): () => void {
  return onCollect(TOPIC, read);
}

/** Every worker's health by pid, and their sums beside `config` (the config of the worker that asked); this worker's alone when the primary does not answer. */
export async function clusterState(config: PlumbingState["config"], own: () => Promise<Shared>): Promise<PlumbingState> {
  const result = await gather(TOPIC, null, WAIT_MS);
  const workers: WorkerState[] = result
    ? [
        ...result.answers.map((a): WorkerState => (isShared(a.value) ? { pid: a.pid, answered: true, ...a.value } : { pid: a.pid, answered: false })),
        ...result.silent.map((pid): WorkerState => ({ pid, answered: false })),
      ]
    : [{ pid: process.pid, answered: true, ...(await own()) }];
  workers.sort((a, b) => a.pid - b.pid);
  const answered = workers.filter((w): w is Extract<WorkerState, { answered: true }> => w.answered);
  return { config, ...sum(answered), workers };
}

function isShared(value: unknown): value is Shared {
  return typeof value === "object" && value !== null && Array.isArray((value as Shared).callbacks) && typeof (value as Shared).config_version === "number";
}

/** The counts of every worker added; a deployment's state the worst any worker sees; the cache healthy only when healthy on each. */
function sum(parts: readonly ProcessHealth[]): ProcessHealth {
  const caches = parts.map((p) => p.cache).filter((c) => c !== null);
  return {
    callbacks: mergeLists(
      parts.map((p) => p.callbacks),
      (c) => `${c.list}\0${c.model}\0${c.name}`,
      (a, b) => ({ ...addNumbers(a, b), last_error: a.last_error ?? b.last_error }),
    ),
    deliveries: mergeLists(
      parts.map((p) => p.deliveries),
      (d) => d.name,
      addNumbers,
    ),
    cache: caches.length === 0 ? null : caches.reduce((a, b) => ({ ...addNumbers(a, b), healthy: a.healthy && b.healthy })),
    deployments: mergeLists(
      parts.map((p) => p.deployments),
      (d) => `${d.model_group}\0${d.deployment}`,
      (a, b) => ({ ...a, state: a.state >= b.state ? a.state : b.state, cooldowns: addNumbers(a.cooldowns, b.cooldowns) }),
    ),
    queue: parts.map((p) => p.queue).reduce(addNumbers, { pending: 0, dropped: 0, errors: 0, timeouts: 0 }),
  };
}

/** `a` with every number that `b` also has added to it, and `b`'s keys that `a` lacks. */
function addNumbers<T extends object>(a: T, b: T): T {
  const out = new Map<string, unknown>(Object.entries(b));
  for (const [k, v] of Object.entries(a)) {
    const theirs = out.get(k);
    out.set(k, typeof v === "number" && typeof theirs === "number" ? v + theirs : v);
  }
  return Object.fromEntries(out) as T;
}

/** The lists as one: items of the same key (the nth of that key in each list) merged with `add`, in first-seen order. */
function mergeLists<T>(lists: ReadonlyArray<readonly T[]>, keyOf: (item: T) => string, add: (a: T, b: T) => T): T[] {
  const out = new Map<string, T>();
  for (const list of lists) {
    const seen = new Map<string, number>();
    for (const item of list) {
      const base = keyOf(item);
      const nth = seen.get(base) ?? 0;
      seen.set(base, nth + 1);
      const key = `${base}\0${nth}`;
      const before = out.get(key);
      out.set(key, before === undefined ? item : add(before, item));
    }
  }
  return [...out.values()];
}
