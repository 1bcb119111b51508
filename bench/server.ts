// The server suite: the same requests straight to the upstream, through our server, and through the Portkey gateway.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { interleave, share } from "./loops.ts";
import { KEY, MODEL, cpuSeconds, ourCode, portkeyHeaders, portkeyVersion, settled, startBare, startOurs, startPortkey, startWorkers, type Proc } from "./server-procs.ts";
import { check, concurrent, sequential, target, type Target } from "./server-load.ts";
import { envInt, ms, pairedRatio, perSec, ratioRow, summarize, us, type Row, type SuiteResult } from "./stats.ts";

// "workers": `litellm-runtime serve --num_workers 2`, our server in two cluster workers on one port.
const ARMS = ["direct", "ours", "bare", "portkey", "workers"] as const;
type Name = (typeof ARMS)[number];
type PerArm<T> = Record<Name, T>;
const perArm = <T>(make: () => T): PerArm<T> => ({ direct: make(), ours: make(), bare: make(), portkey: make(), workers: make() });

const MESSAGES = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Say ok." },
];
const PLAIN = Buffer.from(JSON.stringify({ model: MODEL, messages: MESSAGES }));
// Our provider always asks for the usage chunk, to price the call; every arm sends the same body, so the upstream does the same work.
const STREAM = Buffer.from(JSON.stringify({ model: MODEL, messages: MESSAGES, stream: true, stream_options: { include_usage: true } }));

const p50 = (s: readonly number[]): number => summarize(s).p50;

/** Median over rounds of `a`'s round p50 minus `base`'s (direct's unless given), with the middle half: the paired difference cancels drift. */
function added(rounds: PerArm<number[][]>, arm: Name, base: Name = "direct"): { value: number; text: string } {
  const s = summarize(rounds[arm].map((x, i) => p50(x) - p50(rounds[base][i]!)));
  const sign = s.p50 >= 0 ? "+" : "";
  return { value: s.p50, text: `${base === "direct" ? "" : sign}${ms(s.p50)} (middle half ${s.p25.toFixed(3)}–${s.p75.toFixed(3)})` };
}

export async function serverSuite(upstreamUrl: string, upstreamPid?: number): Promise<SuiteResult> {
  const n = envInt("BENCH_SERVER_N", 2000);
  // Rounds long enough, and enough of them, for the floor rows to tell a few per cent apart on a shared machine:
  // at 4000 concurrent requests over 10 rounds a round lasted about 70 ms and the ratio's middle half spanned
  // 0.70–0.98; at 20000 over 10 (about 0.25 s a round) the median still swung from 0.86x to 1.06x between runs.
  const nStream = envInt("BENCH_SERVER_STREAM_N", 1000);
  const nConc = envInt("BENCH_SERVER_CONC_N", 48000);
  const width = envInt("BENCH_SERVER_CONCURRENCY", 32);
  const rounds = envInt("BENCH_SERVER_ROUNDS", 10);
  const concRounds = envInt("BENCH_SERVER_CONC_ROUNDS", 16);
  // Portkey serves about a tenth of our rate, and its figure (at least 3x) is far from its target: a quarter of
  // the requests keeps its rounds from making most of the suite's time.
  const portkeyConc = Math.ceil(nConc / 4);
  const warm = envInt("BENCH_SERVER_WARMUP", 300);
  // Untimed requests each concurrent round starts with, from the arm about to be timed. Without them a round began on a
  // process that had sat idle while other arms ran: with three bare proxies interleaved, the one always in the middle
  // (never run twice in a row) read 3–8% below an identical one at an end (docs/performance.md, "Rounds that start warm").
  const roundWarm = envInt("BENCH_SERVER_ROUND_WARMUP", 400);
  const portkeyRoundWarm = Math.ceil(roundWarm / 4);
  const profile = process.env.BENCH_SERVER_PROFILE; // a directory: our server's and the bare proxy's children run with --cpu-prof into its ours/ and bare/
  const procs: Proc[] = [];
  const arms: Partial<PerArm<Target>> = {};
  try {
    const ours = await startOurs(upstreamUrl, profile && join(profile, "ours"));
    procs.push(ours);
    const bare = await startBare(upstreamUrl, profile && join(profile, "bare"));
    procs.push(bare);
    const portkey = await startPortkey(upstreamUrl);
    procs.push(portkey);
    const workers = await startWorkers(upstreamUrl, 2);
    procs.push(workers);
    const auth = { authorization: `Bearer ${KEY}` };
    arms.direct = target("direct", new URL(upstreamUrl).origin, auth, width);
    arms.ours = target("ours", ours.origin, auth, width);
    arms.bare = target("bare", bare.origin, auth, width);
    arms.portkey = target("portkey", portkey.origin, { ...auth, ...portkeyHeaders(upstreamUrl) }, width);
    arms.workers = target("workers", workers.origin, auth, width);
    const t = arms as PerArm<Target>;
    for (const name of ARMS) await check(t[name], PLAIN, STREAM);

    // Warm-up: every process's JIT, and every pool's connections, before anything counts.
    for (const name of ARMS) {
      await sequential(t[name], PLAIN, warm, []);
      await sequential(t[name], STREAM, Math.ceil(warm / 5), []);
      await concurrent(t[name], PLAIN, warm * 4, width);
    }
    for (const name of ARMS) t[name].failures = 0;

    // Every process the suite started, and the upstream: each arm's round waits until none of them is still busy
    // with an earlier arm's work (Portkey's collector after its round, say), so no arm pays for the arm before it.
    const quiet = () => settled([...procs.map((p) => p.pid), ...(upstreamPid === undefined ? [] : [upstreamPid])]);
    const lat = perArm<number[][]>(() => []);
    await interleave(rounds, ARMS.map((name) => async (r: number) => {
      await quiet();
      const into: number[] = [];
      await sequential(t[name], PLAIN, share(n, rounds, r), into);
      lat[name].push(into);
    }));

    const ttfb = perArm<number[][]>(() => []);
    const whole = perArm<number[]>(() => []);
    await interleave(rounds, ARMS.map((name) => async (r: number) => {
      await quiet();
      const firsts: number[] = [];
      await sequential(t[name], STREAM, share(nStream, rounds, r), whole[name], firsts);
      ttfb[name].push(firsts);
    }));

    const rate = perArm<number[]>(() => []);
    const calls = perArm(() => 0);
    const elapsed = perArm(() => 0);
    const cpu = { ours: 0, bare: 0, portkey: 0 };
    const pids = { ours: ours.pid, bare: bare.pid, portkey: portkey.pid };
    await interleave(concRounds, ARMS.map((name) => async (r: number) => {
      await concurrent(t[name], PLAIN, name === "portkey" ? portkeyRoundWarm : roundWarm, width);
      await quiet();
      const count = share(name === "portkey" ? portkeyConc : nConc, concRounds, r);
      // The workers arm's CPU is in its worker processes, not the primary's: not counted.
      const own = name === "direct" || name === "workers" ? undefined : name;
      const cpu0 = own === undefined ? undefined : cpuSeconds(pids[own]);
      const took = await concurrent(t[name], PLAIN, count, width);
      if (own !== undefined && cpu0 !== undefined) cpu[own] += (cpuSeconds(pids[own]) ?? cpu0) - cpu0;
      rate[name].push((count / took) * 1000);
      calls[name] += count;
      elapsed[name] += took;
    }));

    const all = (f: (name: Name) => string) => ARMS.map(f).join(" / ");
    const rateRatio = (a: Name, b: Name) => pairedRatio(rate[a].map((x, i) => x / rate[b][i]!));
    const latOurs = added(lat, "ours");
    const ttfbOurs = added(ttfb, "ours");
    const failures = ARMS.reduce((sum, name) => sum + t[name].failures, 0);
    const why = ARMS.filter((name) => t[name].failures > 0).map((name) => `${name}: ${t[name].lastFailure}`);
    const latFloor = added(lat, "ours", "bare");
    const ttfbFloor = added(ttfb, "ours", "bare");
    const rateFloor = rateRatio("ours", "bare");
    const rows: Row[] = [
      // The floor: what our server adds over the least any Node proxy costs on this machine, measured in the same rounds.
      { figure: "floor: concurrency 1, added p50, ours minus bare proxy", value: latFloor.text, target: "≤ +0.1 ms", pass: latFloor.value <= 0.1 },
      { figure: "floor: stream first data line, p50, ours minus bare proxy", value: ttfbFloor.text, target: "≤ +0.1 ms", pass: ttfbFloor.value <= 0.1 },
      ratioRow(`floor: concurrency ${width}, throughput ours / bare proxy`, rateFloor, 0.9, false),
      { figure: "concurrency 1, p50: direct / ours / bare / Portkey / ours ×2 workers", value: all((k) => ms(p50(lat[k].flat()))) },
      { figure: "concurrency 1, added p50: ours", value: latOurs.text, target: "< 0.3 ms", pass: latOurs.value < 0.3 },
      { figure: "concurrency 1, added p50: bare proxy", value: added(lat, "bare").text },
      { figure: "concurrency 1, added p50: Portkey", value: added(lat, "portkey").text },
      { figure: "concurrency 1, added p50: ours ×2 workers (serve --num_workers 2)", value: added(lat, "workers").text },
      { figure: "concurrency 1, p99: direct / ours / bare / Portkey / ours ×2 workers", value: all((k) => ms(summarize(lat[k].flat()).p99)) },
      { figure: "stream first data line, p50: direct / ours / bare / Portkey / ours ×2 workers", value: all((k) => ms(p50(ttfb[k].flat()))) },
      { figure: "stream first data line, added p50: ours", value: ttfbOurs.text, target: "< 1 ms", pass: ttfbOurs.value < 1 },
      { figure: "stream first data line, added p50: bare proxy", value: added(ttfb, "bare").text },
      { figure: "stream first data line, added p50: Portkey", value: added(ttfb, "portkey").text },
      { figure: "whole stream, p50: direct / ours / bare / Portkey / ours ×2 workers", value: all((k) => ms(p50(whole[k]))) },
      { figure: `concurrency ${width}, throughput: direct / ours / bare / Portkey / ours ×2 workers`, value: all((k) => perSec((calls[k] / elapsed[k]) * 1000)).replaceAll("calls/s", "req/s") },
      ratioRow(`concurrency ${width}, throughput ours / Portkey`, rateRatio("ours", "portkey"), 3, false),
      ratioRow(`concurrency ${width}, throughput ours / direct`, rateRatio("ours", "direct"), 0.5, false),
      ratioRow(`concurrency ${width}, throughput bare proxy / direct`, rateRatio("bare", "direct")),
      ratioRow(`concurrency ${width}, throughput ours ×2 workers / ours`, rateRatio("workers", "ours")),
      {
        figure: `proxy CPU per request at concurrency ${width}: ours / bare / Portkey`,
        value: (["ours", "bare", "portkey"] as const).map((k) => us((cpu[k] / calls[k]) * 1e6)).join(" / "),
      },
      { figure: "failed requests", value: failures === 0 ? "0" : `${failures} (${why.join("; ")})`, target: "0", pass: failures === 0 },
    ];
    return {
      title: "The server against the Portkey gateway",
      about:
        "The same chat completion (two short messages; the stream adds `stream_options.include_usage`) sent straight to the fake OpenAI upstream, " +
        `through our server (\`startServer\` on a runtime with one \`openai/${MODEL}\` model on that upstream, built from ${ourCode() === "dist" ? "`dist/`" : "the sources"}; with no hook that can change a chunk, its streams pass the upstream's events on as sent), ` +
        `and through the Portkey gateway (\`@portkey-ai/gateway\` ${portkeyVersion()}, \`--headless\`, ` +
        "`x-portkey-provider: openai`, `x-portkey-custom-host` the upstream). " +
        "A fourth arm, the bare proxy of `bench/bare-proxy.ts` (node:http in, undici's `dispatch` out, the body parsed and re-serialised once, no runtime), " +
        "is the floor: what any Node proxy costs on this machine; the three floor rows hold our server to it. " +
        "A fifth arm runs our server as `litellm-runtime serve --num_workers 2` (two cluster workers on one port, the CLI of the same build). " +
        "The upstream, our server, the bare proxy and Portkey each run in their own process; the load generator is undici's `dispatch` on a keep-alive `Pool` per arm. " +
        `${n} sequential requests and ${nStream} sequential streams per arm, each in ${rounds} interleaved rounds, and ${nConc} ${width}-way concurrent requests per arm (Portkey ${portkeyConc}) in ${concRounds}, ` +
        `after ${warm} + ${Math.ceil(warm / 5)} + ${warm * 4} warm-up requests (plain, stream, concurrent) per arm; each concurrent round starts with ${roundWarm} untimed requests of its own arm (Portkey ${portkeyRoundWarm}), so none is timed from a process that sat idle while other arms ran. Added figures are the median over rounds of the round's p50 minus direct's; ` +
        "throughput ratios the median of per-round ratios. Each round of an arm starts once the upstream and every proxy process have used under 1 ms of CPU in 50 ms (at most 2 s), so no arm pays for the work an earlier arm left behind (Portkey's garbage collection after its round, say). " +
        `The machine's ${availableParallelism()} cores are shared by the load generator, the upstream and the proxies (the idle proxies wait, but are there), ` +
        `so at concurrency ${width} a proxy competes for the CPU with the very processes it is measured against: direct needs two busy processes, a proxy three.`,
      rows,
      notes: [
        "Portkey's stream figures include a pause of its own: its SSE reader waits `setTimeout(…, 25)` before passing on the first chunk " +
          "(in `@portkey-ai/gateway/build/start-server.js`), so its time to first data line is about 25 ms by design, not by CPU.",
      ],
    };
  } finally {
    await Promise.all(Object.values(arms).map((a) => a.pool.close()));
    await Promise.all(procs.map((p) => p.stop()));
  }
}
