// The built-ins' cost on a call's own path: file, mixpanel, otel and prometheus against no callback, delivery left to the background.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createRuntime, type Runtime } from "./lib.ts";
import { startFakeMixpanel } from "../test/support/fake-mixpanel.ts";
import { startOtlpReceiver } from "../test/support/otlp-receiver.ts";
import { envInt, percentile, summarize, type Row, type SuiteResult } from "./stats.ts";

const MESSAGES = [{ role: "user" as const, content: "hello" }];

// A full collection before each timed round: the garbage of the arm before (a collector decoding spans, a file written)
// is collected then, not inside the next arm's round, where it landed on whichever arm came next.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Microseconds per call of `batch` sequential calls (their own path only), and of the flush after them (the background's work and delivery). */
async function onPath(rt: Runtime, batch: number): Promise<{ path: number; flush: number }> {
  collect();
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) await rt.acompletion({ model: "m", messages: MESSAGES, user: `u${i % 7}` });
  const t1 = performance.now();
  await rt.flush();
  return { path: ((t1 - t0) * 1000) / batch, flush: ((performance.now() - t1) * 1000) / batch };
}

/**
 * An arm's figure: the 10th percentile of its rounds. A round is CPU only (no I/O is awaited on the path;
 * with a gc observer, no collection fell inside a round of 500 calls of the none, prometheus and ui arms
 * after the full one before it), and the shared machine's noise only ever adds time to a round, by up to
 * half of it: the least disturbed rounds tell an arm's cost, where a median of paired rounds swung by ±2 µs
 * from one run to the next.
 */
const low = (xs: readonly number[]): number => percentile([...xs].sort((a, b) => a - b), 10);

export async function builtinsSuite(): Promise<SuiteResult> {
  const batches = envInt("BENCH_BUILTIN_BATCHES", 80);
  const batch = envInt("BENCH_BUILTIN_BATCH", 500);
  const dir = await mkdtemp(join(tmpdir(), "litellm-bench-builtins-"));
  const mixpanel = await startFakeMixpanel({ token: "bench-token" });
  const collector = await startOtlpReceiver();
  const runtime = (success: string[], list: "success_callback" | "callbacks" = "success_callback") =>
    createRuntime({
      cwd: dir,
      config: {
        model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "ok" } }],
        litellm_settings: { [list]: success },
        callback_settings: {
          file: { path: "./events.jsonl" },
          mixpanel: { token: "bench-token", api_host: mixpanel.url },
          otel: { endpoint: collector.url, max_queue_size: 4 * batch },
        },
      },
    });
  const arms = { none: await runtime([]), file: await runtime(["file"]), mixpanel: await runtime(["mixpanel"]), otel: await runtime(["otel"]), prometheus: await runtime(["prometheus"]), ui: await runtime(["ui"], "callbacks") };
  const samples: Record<keyof typeof arms, number[]> = { none: [], file: [], mixpanel: [], otel: [], prometheus: [], ui: [] };
  const flushes: Record<keyof typeof arms, number[]> = { none: [], file: [], mixpanel: [], otel: [], prometheus: [], ui: [] };
  const names = Object.keys(arms) as Array<keyof typeof arms>;
  try {
    // The collector's spans are counted and let go round by round: 80,000 decoded spans would weigh on the collector's (our) heap.
    let spans = 0;
    const counted = () => void ((spans += collector.spans.length), (collector.spans.length = 0));
    for (const rt of Object.values(arms)) await onPath(rt, batch); // warm-up
    counted();
    for (let i = 0; i < batches; i++) {
      // Arms in turn, the order reversed every other round: no arm always follows the same one.
      for (const name of i % 2 ? [...names].reverse() : names) {
        const { path, flush } = await onPath(arms[name], batch);
        samples[name].push(path);
        flushes[name].push(flush);
      }
      counted();
    }
    const none = low(samples.none);
    const rows: Row[] = [{ figure: "mock call, no callback", value: `${none.toFixed(2)} µs / call` }];
    for (const name of ["file", "mixpanel", "otel", "prometheus", "ui"] as const) {
      const own = low(samples[name]);
      const added = own - none;
      // Paired rounds' median, for comparison with earlier runs: each round's arm against the same round's no-callback arm.
      const paired = summarize(samples[name].map((v, i) => v - samples.none[i]!)).p50;
      rows.push({ figure: `mock call with ${name}`, value: `${own.toFixed(2)} µs / call` });
      // The issues' budgets: a delivering built-in < 5 µs on the path; counting (prometheus) and the live page's ring (ui) < 2 µs.
      const budget = name === "prometheus" || name === "ui" ? 2 : 5;
      rows.push({ figure: `${name}: added to the call's own path`, value: `${added.toFixed(2)} µs`, target: `< ${budget} µs`, pass: added < budget });
      rows.push({ figure: `${name}: added, median of paired rounds (noisier)`, value: `${paired.toFixed(2)} µs` });
      // What the background then does per call, in the flush; for the two that send nothing, pure CPU on the same thread.
      if (name === "prometheus" || name === "ui") rows.push({ figure: `${name}: its background work per call (flush)`, value: `${summarize(flushes[name]).p50.toFixed(2)} µs` });
    }
    const delivered = mixpanel.accepted.length;
    const expected = (batches + 1) * batch;
    rows.push({ figure: "mixpanel events delivered / calls", value: `${delivered} / ${expected}`, target: "all", pass: delivered === expected });
    // Two spans a call: the attempt's, under the call's own (no server, no app span here).
    rows.push({ figure: "otel spans exported / calls × 2", value: `${spans} / ${2 * expected}`, target: "all", pass: spans === 2 * expected });
    return {
      title: "Built-in callbacks",
      about: `A runtime per arm (no callback, \`success_callback: [file]\`, \`success_callback: [mixpanel]\` to a loopback Mixpanel, \`[otel]\` over OTLP/HTTP protobuf to a loopback collector, \`[prometheus]\`, and \`callbacks: [ui]\`, the live page's ring, which \`serve\` adds), mock model; ${batches} rounds of ${batch} sequential calls per arm, arms interleaved, each round after a full garbage collection (so one arm's garbage, such as the collector's decoded spans, is not collected inside the next arm's round). Timed: the calls themselves; each round's \`flush()\` (the background delivery) is not, since that is the point of delivering in the background (its time per call is shown for prometheus and ui, which send nothing: their background work, on the same thread). An arm's figure is the 10th percentile of its rounds: a round is pure CPU, and the shared machine's noise only adds to it (by up to half a round), so the least disturbed rounds tell the cost, where the median of paired rounds (shown too) swung by ±2 µs between runs.`,
      rows,
    };
  } finally {
    for (const rt of Object.values(arms)) await rt.close();
    await mixpanel.close();
    await collector.close();
    await rm(dir, { recursive: true, force: true });
  }
}
