// The built-ins' cost on a call's own path: file, mixpanel, otel and prometheus against no callback, delivery left to the background.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createRuntime, type Runtime } from "./lib.ts";
import { startFakeMixpanel } from "../test/support/fake-mixpanel.ts";
import { startOtlpReceiver } from "../test/support/otlp-receiver.ts";
import { envInt, summarize, type Row, type SuiteResult } from "./stats.ts";

const MESSAGES = [{ role: "user" as const, content: "hello" }];

// A full collection before each timed round: the garbage of the arm before (a collector decoding spans, a file written)
// is collected then, not inside the next arm's round, where it landed on whichever arm came next.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;

/** Microseconds per call of `batch` sequential calls (their own path only), then an untimed flush. */
async function onPath(rt: Runtime, batch: number): Promise<number> {
  collect();
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) await rt.acompletion({ model: "m", messages: MESSAGES, user: `u${i % 7}` });
  const perCall = ((performance.now() - t0) * 1000) / batch;
  await rt.flush();
  return perCall;
}

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
  try {
    // The collector's spans are counted and let go round by round: 80,000 decoded spans would weigh on the collector's (our) heap.
    let spans = 0;
    const counted = () => void ((spans += collector.spans.length), (collector.spans.length = 0));
    for (const rt of Object.values(arms)) await onPath(rt, batch); // warm-up
    counted();
    for (let i = 0; i < batches; i++) {
      for (const name of Object.keys(arms) as Array<keyof typeof arms>) samples[name].push(await onPath(arms[name], batch));
      counted();
    }
    const none = summarize(samples.none).p50;
    const rows: Row[] = [{ figure: "mock call, no callback", value: `${none.toFixed(2)} µs / call` }];
    for (const name of ["file", "mixpanel", "otel", "prometheus", "ui"] as const) {
      const p50 = summarize(samples[name]).p50;
      // Paired: each round's arm against the same round's no-callback arm, so a slow spell hits both sides of a difference.
      const added = summarize(samples[name].map((v, i) => v - samples.none[i]!)).p50;
      rows.push({ figure: `mock call with ${name}`, value: `${p50.toFixed(2)} µs / call` });
      // The issues' budgets: a delivering built-in < 5 µs on the path; counting (prometheus) and the live page's ring (ui) < 2 µs.
      const budget = name === "prometheus" || name === "ui" ? 2 : 5;
      rows.push({ figure: `${name}: added to the call's own path (median of paired rounds)`, value: `${added.toFixed(2)} µs`, target: `< ${budget} µs`, pass: added < budget });
    }
    const delivered = mixpanel.accepted.length;
    const expected = (batches + 1) * batch;
    rows.push({ figure: "mixpanel events delivered / calls", value: `${delivered} / ${expected}`, target: "all", pass: delivered === expected });
    // Two spans a call: the attempt's, under the call's own (no server, no app span here).
    rows.push({ figure: "otel spans exported / calls × 2", value: `${spans} / ${2 * expected}`, target: "all", pass: spans === 2 * expected });
    return {
      title: "Built-in callbacks",
      about: `A runtime per arm (no callback, \`success_callback: [file]\`, \`success_callback: [mixpanel]\` to a loopback Mixpanel, \`[otel]\` over OTLP/HTTP protobuf to a loopback collector, \`[prometheus]\`, and \`callbacks: [ui]\`, the live page's ring, which \`serve\` adds), mock model; ${batches} rounds of ${batch} sequential calls per arm, arms interleaved, each round after a full garbage collection (so one arm's garbage, such as the collector's decoded spans, is not collected inside the next arm's round). Timed: the calls themselves; each round's \`flush()\` (the background delivery) is not, since that is the point of delivering in the background. Figures are the median round.`,
      rows,
    };
  } finally {
    for (const rt of Object.values(arms)) await rt.close();
    await mixpanel.close();
    await collector.close();
    await rm(dir, { recursive: true, force: true });
  }
}
