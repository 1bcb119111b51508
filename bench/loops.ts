// Bounded loops the suites are built from: interleaved rounds, sequential and concurrent runs.
import litellm from "./lib.ts";
import { now } from "./stats.ts";

export type Arm = () => Promise<unknown>;

/** Runs each round's arms in turn, swapping the order every round, so drift on a shared machine hits both. */
export async function interleave(rounds: number, arms: Array<(round: number) => Promise<void>>): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? arms : [...arms].reverse();
    for (const arm of order) await arm(r);
  }
}

/** Round `r`'s part of `total` split into `rounds` nearly equal parts. */
export const share = (total: number, rounds: number, r: number): number => Math.floor((total * (r + 1)) / rounds) - Math.floor((total * r) / rounds);

/** `n` calls one after another; each call's milliseconds are pushed to `into`. */
export async function sequential(arm: Arm, n: number, into: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await arm();
    into.push(now() - t0);
  }
}

export interface Batch {
  calls: number;
  ms: number;
  /** CPU time of this process (user + system), in µs: the upstream's work is in its own process. */
  cpuUs: number;
}

/** `n` calls from `width` workers at once; the time includes flushing the logging they caused. */
export async function concurrent(arm: Arm, n: number, width: number): Promise<Batch> {
  let next = 0;
  const worker = async () => {
    while (next++ < n) await arm();
  };
  const cpu0 = process.cpuUsage();
  const t0 = now();
  await Promise.all(Array.from({ length: width }, worker));
  await litellm.flush();
  const ms = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { calls: n, ms, cpuUs: cpu.user + cpu.system };
}

/** Calls per second over all batches. */
export const throughput = (batches: readonly Batch[]): number => {
  let calls = 0;
  let ms = 0;
  for (const b of batches) {
    calls += b.calls;
    ms += b.ms;
  }
  return (calls / ms) * 1000;
};

export const cpuPerCall = (batches: readonly Batch[]): number => {
  let calls = 0;
  let us = 0;
  for (const b of batches) {
    calls += b.calls;
    us += b.cpuUs;
  }
  return us / calls;
};
