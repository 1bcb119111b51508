// Our server against the bare proxy alone, in balanced rounds: with two arms run in one order and then in
// reverse, each runs twice in a row every other round, so neither pays for where it sits (docs/performance.md,
// "Rounds that start warm"). Not part of `npm run bench`, which holds five arms; a second reading of its floor row:
//
//   npm run build && node --import jiti/register bench/pairs.ts                 # ours and the bare proxy
//   ARMS=bare,bare2 node --import jiti/register bench/pairs.ts                  # two identical processes: the noise itself
//   ROUNDS=30 N=4000 C=32 node --import jiti/register bench/pairs.ts            # the defaults
//
// An arm is `ours` or `bare`, with an optional number after it for another process of the same kind. Each round of
// an arm waits until every process has used under 1 ms of CPU in 50 ms, then times N requests at concurrency C and
// reads the arm's CPU from /proc. Ratios are the median over rounds of the per-round ratio to the last arm.
import { KEY, MODEL, cpuSeconds, settled, startBare, startOurs, type Proc } from "./server-procs.ts";
import { concurrent, target, type Target } from "./server-load.ts";
import { interleave } from "./loops.ts";
import { envInt, pairedRatio, summarize } from "./stats.ts";
import { startUpstream } from "./upstream.ts";

const N = envInt("N", 4000);
const C = envInt("C", 32);
const ROUNDS = envInt("ROUNDS", 30);
const ARMS = (process.env.ARMS ?? "ours,bare").split(",").map((a) => a.trim());
for (const arm of ARMS) if (!/^(ours|bare)\d*$/.test(arm)) throw new Error(`ARMS: "${arm}" is not an arm; an arm is ours or bare, optionally numbered (bare2)`);
if (new Set(ARMS).size !== ARMS.length || ARMS.length < 2) throw new Error("ARMS: name two or more different arms, such as ours,bare");

const body = Buffer.from(JSON.stringify({ model: MODEL, messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Say ok." }] }));
const upstream = await startUpstream();
const procs: Proc[] = [];
const targets = new Map<string, { t: Target; pid: number; cpu: number[]; rate: number[] }>();
try {
  for (const arm of ARMS) {
    const proc = arm.startsWith("ours") ? await startOurs(upstream.url) : await startBare(upstream.url);
    procs.push(proc);
    const t = target(arm, proc.origin, { authorization: `Bearer ${KEY}` }, C);
    // Warm-up: the JIT and every connection of the pool, before anything counts.
    await concurrent(t, body, 10_000, C);
    targets.set(arm, { t, pid: proc.pid, cpu: [], rate: [] });
  }
  const pids = [upstream.pid, ...procs.map((p) => p.pid)];
  await interleave(
    ROUNDS,
    ARMS.map((arm) => async () => {
      const a = targets.get(arm)!;
      await settled(pids);
      const cpu0 = cpuSeconds(a.pid) ?? 0;
      const ms = await concurrent(a.t, body, N, C);
      a.cpu.push((((cpuSeconds(a.pid) ?? cpu0) - cpu0) / N) * 1e6);
      a.rate.push((N / ms) * 1000);
    }),
  );
  const ref = targets.get(ARMS[ARMS.length - 1]!)!;
  process.stdout.write(`${ROUNDS} rounds of ${N} requests at concurrency ${C}; ratios to ${ARMS[ARMS.length - 1]}\n`);
  for (const arm of ARMS) {
    const a = targets.get(arm)!;
    if (a.t.failures > 0) throw new Error(`${arm}: ${a.t.failures} requests failed (${a.t.lastFailure})`);
    const cpu = pairedRatio(a.cpu.map((x, i) => x / ref.cpu[i]!));
    const rate = pairedRatio(a.rate.map((x, i) => x / ref.rate[i]!));
    process.stdout.write(
      `${arm.padEnd(6)} ${Math.round(summarize(a.rate).p50).toLocaleString("en-US")} req/s, throughput ${rate.text}; ` +
        `${summarize(a.cpu).p50.toFixed(1)} µs CPU a request, CPU ${cpu.text}\n`,
    );
  }
} finally {
  for (const { t } of targets.values()) await t.pool.close();
  for (const p of procs) await p.stop();
  await upstream.stop();
}
