// The core suites: our call path against the raw openai client, the cost of dispatch, and streaming.
import litellm, { acompletion, completion } from "./lib.ts";
import { MESSAGES, makeArms } from "./arms.ts";
import { RUNS_PER_CALL, installFive, totalRuns, uninstall } from "./callbacks.ts";
import { concurrent, cpuPerCall, interleave, sequential, share, throughput, type Batch } from "./loops.ts";
import { envInt, ms, now, pairedRatio, perSec, ratioRow, summarize, us, type Row, type SuiteResult } from "./stats.ts";

const NAMES = ["ours", "raw", "rawOnOurAgent", "floor"] as const;
type Name = (typeof NAMES)[number];
/** The arms the first rows show side by side; the floor has rows of its own. */
const CLIENTS = ["ours", "raw", "rawOnOurAgent"] as const satisfies readonly Name[];
const rate = (b: Batch): number => b.calls / b.ms;

/** Suite 1: one loopback upstream in its own process; acompletion with five callbacks against the raw client and a bare undici floor. */
export async function upstreamSuite(url: string): Promise<SuiteResult> {
  const n = envInt("BENCH_N", 3000);
  const nConc = envInt("BENCH_CONC_N", 10000);
  const width = envInt("BENCH_CONCURRENCY", 16);
  const rounds = envInt("BENCH_ROUNDS", 40);
  const warm = envInt("BENCH_WARMUP", 500);
  const arms = makeArms(url);
  installFive();
  for (const name of [...NAMES, ...NAMES]) {
    await sequential(arms[name], warm, []);
    await concurrent(arms[name], warm * 2, width);
  }
  const runsBefore = totalRuns();
  const lat: Record<Name, number[][]> = { ours: [], raw: [], rawOnOurAgent: [], floor: [] };
  const conc: Record<Name, Batch[]> = { ours: [], raw: [], rawOnOurAgent: [], floor: [] };
  const seqRound = (name: Name) => async (r: number) => {
    const samples: number[] = [];
    await sequential(arms[name], share(n, rounds, r), samples);
    lat[name].push(samples);
  };
  await interleave(rounds, CLIENTS.map(seqRound));
  await interleave(rounds, CLIENTS.map((name) => async (r: number) => void conc[name].push(await concurrent(arms[name], share(nConc, rounds, r), width))));
  // Ours against the floor in rounds of their own: the official client makes about five times ours' garbage per call,
  // and in shared rounds the collector's work for it lands on whichever arm runs next, which is ours more often than not.
  const FLOORED = ["ours", "floor"] as const;
  const vsFloor = { lat: { ours: [] as number[][], floor: [] as number[][] }, conc: { ours: [] as Batch[], floor: [] as Batch[] } };
  await interleave(
    rounds,
    FLOORED.map((name) => async (r: number) => {
      const samples: number[] = [];
      await sequential(arms[name], share(n, rounds, r), samples);
      vsFloor.lat[name].push(samples);
    }),
  );
  // Fewer, longer concurrent rounds here (1,000 calls each by default): a 250-call round lasts about 20 ms, and one
  // collector pause or the flush's last turn moved its ratio by a quarter either way.
  const floorRounds = envInt("BENCH_FLOOR_ROUNDS", Math.max(1, Math.round(rounds / 4)));
  await interleave(floorRounds, FLOORED.map((name) => async (r: number) => void vsFloor.conc[name].push(await concurrent(arms[name], share(nConc, floorRounds, r), width))));
  const runs = totalRuns() - runsBefore;
  uninstall();
  await arms.close();
  // Each round's arms ran back to back: their ratio cancels the machine's drift, and the median drops the rounds a neighbour disturbed.
  const p50 = (s: number[]) => summarize(s).p50;
  const latRatio = (a: Name, b: Name) => pairedRatio(lat[a].map((s, i) => p50(s) / p50(lat[b][i]!)));
  const rateRatio = (a: Name, b: Name) => pairedRatio(conc[a].map((x, i) => rate(x) / rate(conc[b][i]!)));
  const floorLat = pairedRatio(vsFloor.lat.ours.map((s, i) => p50(s) / p50(vsFloor.lat.floor[i]!)));
  const floorRate = pairedRatio(vsFloor.conc.ours.map((x, i) => rate(x) / rate(vsFloor.conc.floor[i]!)));
  const all = (f: (name: Name) => string) => CLIENTS.map(f).join(" / ");
  const rows: Row[] = [
    { figure: "sequential p50: ours / raw / raw on our Agent", value: all((k) => ms(p50(lat[k].flat()))) },
    ratioRow("sequential p50 ratio, ours / raw", latRatio("ours", "raw"), 1.05, true),
    ratioRow("sequential p50 ratio, ours / raw on our Agent", latRatio("ours", "rawOnOurAgent")),
    { figure: "sequential p99: ours / raw / raw on our Agent", value: all((k) => ms(summarize(lat[k].flat()).p99)) },
    { figure: `${width}-way throughput: ours / raw / raw on our Agent`, value: all((k) => perSec(throughput(conc[k]))) },
    ratioRow("throughput ratio, ours / raw", rateRatio("ours", "raw"), 0.95, false),
    ratioRow("throughput ratio, ours / raw on our Agent", rateRatio("ours", "rawOnOurAgent")),
    { figure: "client CPU per concurrent call: ours / raw / raw on our Agent", value: all((k) => us(cpuPerCall(conc[k]))) },
    { figure: "against the floor: sequential p50, ours / floor", value: `${ms(p50(vsFloor.lat.ours.flat()))} / ${ms(p50(vsFloor.lat.floor.flat()))}` },
    ratioRow("sequential p50 ratio, ours / floor", floorLat, 1.25, true),
    { figure: `against the floor: ${width}-way throughput, ours / floor`, value: `${perSec(throughput(vsFloor.conc.ours))} / ${perSec(throughput(vsFloor.conc.floor))}` },
    ratioRow(`${width}-way throughput ratio, ours / floor`, floorRate, 0.8, false),
    { figure: "against the floor: client CPU per concurrent call, ours / floor", value: `${us(cpuPerCall(vsFloor.conc.ours))} / ${us(cpuPerCall(vsFloor.conc.floor))}` },
    { figure: "callback runs", value: `${runs}`, target: `${RUNS_PER_CALL} per call = ${RUNS_PER_CALL * 2 * (n + nConc)}`, pass: runs === RUNS_PER_CALL * 2 * (n + nConc) },
  ];
  return {
    title: "Calls through a loopback upstream",
    about:
      "`acompletion` with five callbacks (two `CustomLogger`s, an input, a success and a failure function) against " +
      "`new OpenAI({ baseURL, apiKey, maxRetries: 0 }).chat.completions.create`, same body, non-streaming, all against the fake OpenAI server in a child process. " +
      "A third arm, the same client on an npm undici `Agent` (its `fetch`), shows what the client's HTTP stack alone changes. " +
      "A fourth, the floor, is the least any caller of this upstream pays: the same body through undici's `dispatch` on a bare `Pool` set up as our provider's `Agent`, " +
      "and `JSON.parse` of the answer, nothing else (no SDK, kwargs, pricing or callbacks); ours / floor is then the runtime's whole cost over the wire's. " +
      `${n} sequential and ${nConc} ${width}-way concurrent calls per arm in ${rounds} interleaved rounds, after ${warm} + ${warm * 2} warm-up calls per arm; ` +
      "ours and the floor then run as many again in rounds of their own, which the floor rows come from (the official client's garbage, about five times ours per call, " +
      `otherwise lands in the collector's work of whichever arm runs after it); their concurrent calls in ${Math.max(1, Math.round(rounds / 4))} longer rounds. ` +
      "Ratios are the median over rounds of the per-round ratio (p50 latency, or calls/s); a concurrent batch's time includes `litellm.flush()`. " +
      "The library is the build in `dist/`, as users run it.",
    rows,
    notes: [
      "How to read the three arms: raw → raw on our Agent is what the HTTP stack alone changes (npm undici 7's fetch against the undici bundled in Node 20); " +
        "ours sends with undici's `dispatch` and no SDK (see README, Models), so raw on our Agent → ours is the official client's own cost against the runtime's whole work " +
        "(building the request, the kwargs, pricing, the five callbacks and their dispatch). The targets were set when ours went through the official client. " +
        "The middle half shows how much the rounds disagreed: on a shared machine a figure near its target can land on either side from one run to the next.",
    ],
  };
}

type Call = (p: { model: string; messages: typeof MESSAGES; mock_response: string }) => Promise<unknown>;

/** Per-call µs of `n` calls in batches, five callbacks against none, arms interleaved; the median batch of each. */
async function perCall(call: Call, n: number, batch: number, read = false): Promise<{ five: number; none: number }> {
  const rounds = Math.max(1, Math.round(n / batch));
  const params = { model: "mock/bench", messages: MESSAGES, mock_response: "ok" };
  const timed = (five: boolean, into: number[]) => async () => {
    if (five) installFive(read);
    else uninstall();
    const t0 = now();
    for (let i = 0; i < batch; i++) await call(params);
    await litellm.flush();
    into.push(((now() - t0) * 1000) / batch);
  };
  await interleave(Math.min(20, rounds), [timed(true, []), timed(false, [])]);
  const per = { five: [] as number[], none: [] as number[] };
  await interleave(rounds, [timed(true, per.five), timed(false, per.none)]);
  uninstall();
  // The median batch: one that met a GC pause or a neighbour's burst does not move it.
  return { five: summarize(per.five).p50, none: summarize(per.none).p50 };
}

/** Suite 2: the mock provider, five callbacks against none; each timed batch ends with `flush()`. */
export async function dispatchSuite(): Promise<SuiteResult> {
  const n = envInt("BENCH_DISPATCH_N", 50000);
  const batch = envInt("BENCH_DISPATCH_BATCH", 100);
  const burst = envInt("BENCH_BURST_BATCH", 1000);
  const rows: Row[] = [];
  const droppedBefore = litellm.stats().dropped;
  for (const [name, call, size, target] of [
    ["acompletion", acompletion, batch, true],
    ["completion", completion, batch, true],
    [`acompletion, ${burst}-call bursts`, acompletion, burst, false],
  ] as const) {
    const { five, none } = await perCall(call, size === batch ? n : Math.ceil(n / 2), size);
    rows.push(
      { figure: `${name}, five callbacks`, value: `${us(five)} / call` },
      { figure: `${name}, no callbacks`, value: `${us(none)} / call` },
      target
        ? { figure: `${name}, added dispatch cost`, value: us(five - none), target: "< 10 µs", pass: five - none < 10 }
        : { figure: `${name}, added dispatch cost`, value: us(five - none) },
    );
  }
  // The same five reading one key of their kwargs: each of the eight runs a call gets its own copy (issue 13's isolation), made in the background.
  const reading = await perCall(acompletion, n, batch, true);
  rows.push(
    { figure: "acompletion, five callbacks that read their kwargs", value: `${us(reading.five)} / call` },
    { figure: "acompletion, added cost with a copy per handler run", value: us(reading.five - reading.none) },
  );
  const dropped = litellm.stats().dropped - droppedBefore;
  rows.push({ figure: "logging tasks dropped", value: `${dropped}`, target: "0", pass: dropped === 0 });
  return {
    title: "Dispatch cost with the mock provider",
    about:
      `\`mock/bench\` with \`mock_response: "ok"\`, ${n} sequential calls per arm and entry point in batches of ${batch}, arms interleaved batch by batch; ` +
      `each batch's time includes \`await litellm.flush()\`, so the callbacks' own running is counted. Figures are the median batch, per call.`,
    rows,
    notes: [
      `A mock call never waits on I/O, so a batch runs without giving the event loop a turn and its logging (${RUNS_PER_CALL} handler runs a call) queues until the flush. ` +
        `The burst rows (${burst} calls, ${Math.ceil(n / 2)} per arm) show what that costs: the queued events outlive the young generation and the garbage collector copies them. ` +
        "A call that waits on a provider lets the queue drain while it waits, as in the batches of the first rows.",
      "The target is for callbacks that do not look at what they are given (they count): they get no copy and no record. " +
        `Callbacks that take their kwargs each get their own copy of the event (what one changes reaches no other and not the caller), and the success event its standard logging object; the "read their kwargs" rows show that price, ${RUNS_PER_CALL} copies a call, paid in the background after the request is written.`,
    ],
  };
}

/** Suite 3: a streamed answer of about forty chunks, sequential, time to first chunk and to the end. */
export async function streamSuite(url: string): Promise<SuiteResult> {
  const n = envInt("BENCH_STREAM_N", 500);
  const rounds = envInt("BENCH_ROUNDS", 40);
  const { oursStream, rawStream } = makeArms(url);
  installFive();
  await sequential(oursStream, 100, []);
  await sequential(rawStream, 100, []);
  oursStream.ttfc.length = rawStream.ttfc.length = 0;
  const total = { ours: [] as number[], raw: [] as number[] };
  await interleave(rounds, [(r) => sequential(oursStream, share(n, rounds, r), total.ours), (r) => sequential(rawStream, share(n, rounds, r), total.raw)]);
  await litellm.flush();
  uninstall();
  const [f1, f2, t1, t2] = [summarize(oursStream.ttfc).p50, summarize(rawStream.ttfc).p50, summarize(total.ours).p50, summarize(total.raw).p50];
  return {
    title: "Streaming through a loopback upstream",
    about:
      "`acompletion({ stream: true })` with the five callbacks against the raw client's stream (Node's fetch; same body, `stream_options.include_usage` on both), " +
      `about forty chunks, ${n} sequential calls per arm in ${rounds} interleaved rounds. Medians; informative, no target.`,
    rows: [
      { figure: "time to first chunk p50: ours / raw", value: `${ms(f1)} / ${ms(f2)}` },
      { figure: "time to first chunk, ratio", value: `${(f1 / f2).toFixed(3)}x` },
      { figure: "whole stream p50: ours / raw", value: `${ms(t1)} / ${ms(t2)}` },
      { figure: "whole stream, ratio", value: `${(t1 / t2).toFixed(3)}x` },
    ],
  };
}
