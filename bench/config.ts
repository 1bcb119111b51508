// The config suites: cold start to first call, and time from saving a callback module to the reload event.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRuntime } from "../core/index.ts";
import { envInt, summarize, type SuiteResult } from "./stats.ts";

const DIST = fileURLToPath(new URL("../dist/core/index.js", import.meta.url));
const CUSTOM_LOGGER = fileURLToPath(new URL("../dist/core/callbacks/custom-logger.js", import.meta.url));

/** A config of `models` mock models and `callbacks` TypeScript callback modules, written to `dir`. */
async function writeConfig(dir: string, models: number, callbacks: number): Promise<string> {
  const lines = ["model_list:"];
  for (let i = 0; i < models; i++) lines.push(`  - model_name: m${i}`, "    litellm_params:", `      model: mock/m${i}`, `      mock_response: "answer ${i}"`);
  lines.push("litellm_settings:", "  callbacks:");
  for (let i = 0; i < callbacks; i++) {
    lines.push(`    - ./cb${i}.ts`);
    await writeFile(
      join(dir, `cb${i}.ts`),
      `import { CustomLogger } from ${JSON.stringify(CUSTOM_LOGGER)};\n` +
        `export default class Callback${i} extends CustomLogger {\n` +
        `  calls = 0;\n  override async async_log_success_event(kwargs: { model: string }): Promise<void> { this.calls += kwargs.model.length; }\n}\n`,
    );
  }
  const file = join(dir, "litellm.config.yaml");
  await writeFile(file, `${lines.join("\n")}\n`);
  return file;
}

/** A fresh node process: milliseconds from its start to the end of its first call. */
function coldRun(script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], (err, stdout, stderr) => {
      if (err) reject(new Error(`cold start child failed: ${stderr || err.message}`));
      else resolve(Number(stdout.trim()));
    });
  });
}

export async function coldStartSuite(): Promise<SuiteResult> {
  const runs = envInt("BENCH_COLD_RUNS", 10);
  const dir = await mkdtemp(join(tmpdir(), "litellm-bench-cold-"));
  try {
    const file = await writeConfig(dir, 50, 10);
    const ours = `const { createRuntime } = await import(${JSON.stringify(DIST)});
const rt = await createRuntime({ config: ${JSON.stringify(file)} });
await rt.acompletion({ model: "m7", messages: [{ role: "user", content: "hi" }] });
process.stdout.write(String(performance.now())); await rt.close();`;
    // The floor: a node process that only starts and imports nothing of ours.
    const bare = `process.stdout.write(String(performance.now()));`;
    const oursMs: number[] = [];
    const bareMs: number[] = [];
    await coldRun(ours); // the first run fills jiti's transpile cache, as any second start finds it
    for (let i = 0; i < runs; i++) {
      bareMs.push(await coldRun(bare));
      oursMs.push(await coldRun(ours));
    }
    const o = summarize(oursMs);
    const b = summarize(bareMs);
    return {
      title: "Cold start",
      about: `A new node process (the built package in dist/) imports the runtime, loads a config of 50 models and 10 TypeScript callback modules, and makes its first call; ${runs} runs, interleaved with a process that only starts. Times are from process start.`,
      rows: [
        { figure: "process start to first call done, p50", value: `${o.p50.toFixed(0)} ms` },
        { figure: "process start to first call done, p99", value: `${o.p99.toFixed(0)} ms` },
        { figure: "bare node process start, p50 (the floor)", value: `${b.p50.toFixed(0)} ms` },
        { figure: "cold start added by the runtime (import, config, 10 modules, first call), p50", value: `${(o.p50 - b.p50).toFixed(0)} ms`, target: "< 300 ms", pass: o.p50 - b.p50 < 300 },
      ],
      notes: [
        "Needs `npm run build` first (`npm run bench` does it). The target applies to what the runtime adds over a bare node process: node's own start-up on this machine (the floor row) is not the runtime's to cut.",
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function reloadSuite(): Promise<SuiteResult> {
  const saves = envInt("BENCH_RELOAD_SAVES", 20);
  const dir = await mkdtemp(join(tmpdir(), "litellm-bench-reload-"));
  const rt = await createRuntime({ config: await writeConfig(dir, 50, 10), watch: true });
  try {
    await new Promise((r) => setTimeout(r, 200)); // let the watcher settle on every file
    const samples: number[] = [];
    for (let i = 0; i < saves; i++) {
      const reloaded = new Promise<number>((resolve) => rt.once("reload", () => resolve(performance.now())));
      const t0 = performance.now();
      await writeFile(join(dir, "cb3.ts"), `export default function edited${i}(kwargs: { model: string }) { return kwargs.model.length + ${i}; }\n`);
      samples.push((await reloaded) - t0);
      await rt.acompletion({ model: "m1", messages: [{ role: "user", content: "x" }] });
    }
    const s = summarize(samples);
    return {
      title: "Hot reload",
      about: `A runtime watching a config of 50 models and 10 TypeScript callback modules; one module is saved ${saves} times, and each time we measure from the write to the \`reload\` event (the new snapshot serving). Includes the 50 ms debounce that folds an editor's burst of writes into one reload.`,
      rows: [
        { figure: "save to reload event, p50", value: `${s.p50.toFixed(1)} ms`, target: "< 150 ms", pass: s.p50 < 150 },
        { figure: "save to reload event, p99", value: `${s.p99.toFixed(1)} ms` },
      ],
    };
  } finally {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  }
}
