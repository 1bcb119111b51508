/**
 * The messages of `serve --num_workers N` between the primary and its workers
 * (node:cluster's IPC channel). Every one carries `litellm: <kind>`, so they
 * never mix with another library's messages on the same channel.
 */
import type { CallSummary } from "../ui/types.ts";

/** A worker listens: what the single-process server would print at start-up. */
export interface Listening {
  readonly litellm: "listening";
  /** The start-up line (without the worker count, which the primary adds). */
  readonly line: string;
  /** What to print once on stderr: the warning for an open server off loopback, the `--open` line; or "". */
  readonly stderr: string;
}

/** A worker asks every worker (itself included) for `topic`; the primary answers with `Gathered`. */
export interface Gather {
  readonly litellm: "gather";
  readonly id: number;
  readonly topic: string;
  readonly arg: unknown;
  /** How long the primary waits for each worker's answer. */
  readonly waitMs: number;
}

/** The primary asks one worker for `topic` on behalf of a `Gather`. */
export interface Collect {
  readonly litellm: "collect";
  readonly id: number;
  readonly topic: string;
  readonly arg: unknown;
}

/** A worker's answer to a `Collect`. */
export interface Collected {
  readonly litellm: "collected";
  readonly id: number;
  readonly value: unknown;
}

/** One worker's answer, named by its pid. */
export interface Answer {
  readonly pid: number;
  readonly value: unknown;
}

/** What the worker that asked gets back: the answers that came in time, and the pids of the workers that did not answer. */
export interface Gathered {
  readonly litellm: "gathered";
  readonly id: number;
  readonly answers: Answer[];
  readonly silent: number[];
}

/** A live-page row a worker made: the primary passes it on to every other worker. */
export interface Row {
  readonly litellm: "row";
  readonly row: CallSummary;
}

/**
 * A worker reloaded its config, or refused a reload: what a single server would print, without naming the
 * worker. The primary prints each text once for all the workers that said it (primary.ts `ReloadNotices`).
 */
export interface Reloaded {
  readonly litellm: "reloaded";
  readonly kind: "reload" | "reload_error";
  /** "reloaded (...); models: ..." for a reload; for a refused one, one line per issue. */
  readonly lines: readonly string[];
}

export type ToPrimary = Listening | Gather | Collected | Row | Reloaded;
export type ToWorker = Collect | Gathered | Row;

/** Whether `m` is one of ours (and of the given kinds). */
export function isMessage<K extends string>(m: unknown, ...kinds: K[]): m is { litellm: K } {
  return typeof m === "object" && m !== null && kinds.includes((m as { litellm?: K }).litellm as K);
}
