// The router's cost on a call: an alias with ten deployments against the same mock model called directly.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRuntime, type Runtime } from "./lib.ts";
import { envInt, summarize, type SuiteResult } from "./stats.ts";

const MESSAGES = [{ role: "user" as const, content: "route" }];

/** Median microseconds per call over rounds of `batch` sequential calls, each round's flush included. */
async function perCall(rt: Runtime, model: string, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < batch; i++) await rt.acompletion({ model, messages: MESSAGES });
  await rt.flush();
  return ((performance.now() - t0) * 1000) / batch;
}

export async function routingSuite(): Promise<SuiteResult> {
  const rounds = envInt("BENCH_ROUTING_ROUNDS", 30);
  const batch = envInt("BENCH_ROUTING_BATCH", 1000);
  const dir = await mkdtemp(join(tmpdir(), "litellm-bench-routing-"));
  const deployments = Array.from({ length: 10 }, (_, i) => ({ model_name: "ten", litellm_params: { model: "mock/bench", mock_response: "ok", weight: i + 1 } }));
  const rt = await createRuntime({ cwd: dir, config: { model_list: deployments } });
  // A config runtime answers only its aliases: the direct arm is a runtime without a model_list, which calls models as named.
  const bare = await createRuntime({ cwd: dir, config: {} });
  try {
    const direct: number[] = [];
    const routed: number[] = [];
    await perCall(bare, "mock/bench", batch);
    await perCall(rt, "ten", batch);
    for (let r = 0; r < rounds; r++) {
      direct.push(await perCall(bare, "mock/bench", batch));
      routed.push(await perCall(rt, "ten", batch));
    }
    const d = summarize(direct).p50;
    const a = summarize(routed).p50;
    // Paired: each round against the same round's direct arm, so a slow spell hits both sides of a difference.
    const added = summarize(routed.map((v, i) => v - direct[i]!)).p50;
    return {
      title: "Routing",
      about: `The same mock model called directly (\`mock/bench\`, on a runtime without a model_list: no router) and through an alias of ten weighted deployments (simple-shuffle), ${rounds} rounds of ${batch} sequential calls each, interleaved; each round's \`flush()\` is timed. The difference is what routing adds: picking a deployment, its bookkeeping, and the attempt's metadata.`,
      rows: [
        { figure: "direct, no router", value: `${d.toFixed(2)} µs / call` },
        { figure: "alias of ten deployments", value: `${a.toFixed(2)} µs / call` },
        { figure: "routing cost per call (median of paired rounds)", value: `${added.toFixed(2)} µs`, target: "< 5 µs", pass: added < 5 },
      ],
    };
  } finally {
    await Promise.all([rt.close(), bare.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}
