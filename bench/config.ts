// The config suites: cold start to first call, and time from saving a callback module to the reload event.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OFF_THREAD_CHARS, parseFile, parseYaml } from "../core/config/parse.ts";
import { RACY_MS } from "../core/config/file-signature.ts";
import { watchFiles } from "../core/config/watch.ts";
import { createRuntime, type Runtime } from "../core/index.ts";
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

/** CPU milliseconds of one periodic check of `files` (none changing), as a watcher with default options runs it, averaged over `checks`. */
async function periodicCheckCpuMs(files: string[], checks: number): Promise<number> {
  const watcher = watchFiles(files, () => {});
  try {
    await watcher.ready;
    for (let i = 0; i < 100; i++) watcher.checkNow();
    const before = process.cpuUsage();
    for (let i = 0; i < checks; i++) watcher.checkNow();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / checks;
  } finally {
    await watcher.close();
  }
}

export async function reloadSuite(): Promise<SuiteResult> {
  const saves = envInt("BENCH_RELOAD_SAVES", 20);
  const checks = envInt("BENCH_POLL_CHECKS", 2000);
  // The periodic check's files, written first: by the time the saves are done they are older than the racy window, so a check only stats them.
  const idle = await mkdtemp(join(tmpdir(), "litellm-bench-poll-"));
  const idleFiles = [await writeConfig(idle, 50, 10), ...Array.from({ length: 10 }, (_, i) => join(idle, `cb${i}.ts`))];
  const idleSince = Date.now();
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
    await new Promise((r) => setTimeout(r, Math.max(0, idleSince + RACY_MS + 100 - Date.now())));
    const checkMs = await periodicCheckCpuMs(idleFiles, checks);
    return {
      title: "Hot reload",
      about: `A runtime watching a config of 50 models and 10 TypeScript callback modules; one module is saved ${saves} times, and each time we measure from the write to the \`reload\` event (the new snapshot serving). Includes the 50 ms debounce that folds an editor's burst of writes into one reload.`,
      rows: [
        { figure: "save to reload event, p50", value: `${s.p50.toFixed(1)} ms`, target: "< 150 ms", pass: s.p50 < 150 },
        { figure: "save to reload event, p99", value: `${s.p99.toFixed(1)} ms` },
        { figure: "periodic check of 11 unchanged files (a config and 10 modules), CPU per check", value: `${checkMs.toFixed(3)} ms`, target: "< 1 ms", pass: checkMs < 1 },
      ],
      notes: [
        `The periodic check (every 2000 ms by default) catches changes the folder events missed: it stats every watched file and hashes one only when its stat moved. Its CPU time is user + system from \`process.cpuUsage()\` over ${checks} checks of files that do not change.`,
      ],
    };
  } finally {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
    await rm(idle, { recursive: true, force: true });
  }
}

/** A config of one mock model, `fast`, that the suite calls, and `models` more that are never called (an unreachable api_base). */
function largeConfig(models: number): string {
  const lines = ["model_list:", "  - model_name: fast", "    litellm_params:", "      model: mock/fast", '      mock_response: "ok"'];
  for (let i = 0; i < models; i++) {
    lines.push(`  - model_name: m${i}`, "    litellm_params:", "      model: openai/gpt-4o-mini", "      api_base: http://127.0.0.1:9/v1", `      api_key: sk-test-${i}`);
    lines.push("      temperature: 0.5", "    model_info:", `      id: id-${i}`);
  }
  return `${lines.join("\n")}\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Calls `fast` on a fixed schedule, one every `everyMs`, until `until` settles,
 * and returns the worst wait. Calls do not wait for each other, and all those
 * due start together when the thread comes back (as a server reads every
 * request that arrived while it was busy); each wait counts from the call's
 * planned start, so a main thread that stalls shows as calls waiting.
 */
async function callOnSchedule(rt: Runtime, until: Promise<unknown>, everyMs: number): Promise<number> {
  let done = false;
  void until.finally(() => (done = true));
  let worst = 0;
  const calls: Array<Promise<void>> = [];
  const t0 = performance.now();
  for (let k = 0; ; ) {
    for (; t0 + k * everyMs <= performance.now(); k++) {
      const planned = t0 + k * everyMs;
      const call = rt.acompletion({ model: "fast", messages: [{ role: "user", content: "hi" }] });
      calls.push(call.then(() => void (worst = Math.max(worst, performance.now() - planned))));
    }
    if (done) break; // after starting the calls that came due while `until` held the thread
    await sleep(t0 + k * everyMs - performance.now());
  }
  await Promise.all(calls);
  return worst;
}

/** The worst call wait while `work` runs, and in an equally long stretch right after it with no work (the baseline). */
async function waitsAround(rt: Runtime, work: () => Promise<unknown>, everyMs: number): Promise<{ during: number; calm: number; took: number }> {
  const t0 = performance.now();
  const running = work();
  const during = await callOnSchedule(rt, running, everyMs);
  await running;
  const took = performance.now() - t0;
  return { during, calm: await callOnSchedule(rt, sleep(took), everyMs), took };
}

export async function largeReloadSuite(): Promise<SuiteResult> {
  const reloads = envInt("BENCH_LARGE_RELOADS", 8);
  const models = envInt("BENCH_LARGE_MODELS", 2000);
  const everyMs = 2;
  const dir = await mkdtemp(join(tmpdir(), "litellm-bench-large-"));
  const text = largeConfig(models);
  const file = join(dir, "litellm.config.yaml");
  await writeFile(file, text);
  const rt = await createRuntime({ config: file });
  try {
    await rt.reload(); // the first loads the worker's modules
    const reload = { during: [] as number[], calm: [] as number[], extra: [] as number[], took: [] as number[] };
    const parse = { extra: [] as number[], took: [] as number[] };
    const inline: number[] = [];
    for (let i = 0; i < reloads; i++) {
      const r = await waitsAround(rt, async () => (await rt.reload()) || Promise.reject(new Error("the large config failed to reload")), everyMs);
      reload.during.push(r.during);
      reload.calm.push(r.calm);
      reload.extra.push(r.during - r.calm);
      reload.took.push(r.took);
      const p = await waitsAround(rt, () => parseFile(file), everyMs);
      parse.extra.push(p.during - p.calm);
      parse.took.push(p.took);
      const t1 = performance.now();
      parseYaml(text, file);
      inline.push(performance.now() - t1);
    }
    const e = summarize(reload.extra);
    return {
      title: "Reload of a large config",
      about:
        `A runtime serving a config of ${models} models (${(text.length / 1024).toFixed(0)} KB of YAML) is reloaded ${reloads} times while a mock model is called every ${everyMs} ms; ` +
        "each call's wait counts from its planned start. The worst wait during each reload is compared with the worst wait in an equally long stretch right after it, with no reload; the same for reading the file alone (`parseFile`).",
      rows: [
        { figure: "worst call wait during a reload, p50 over reloads", value: `${summarize(reload.during).p50.toFixed(1)} ms` },
        { figure: "worst call wait in an equal stretch without reload, p50", value: `${summarize(reload.calm).p50.toFixed(1)} ms` },
        { figure: "extra wait a reload adds (worst during − worst without), p50", value: `${e.p50.toFixed(1)} ms`, target: "< 50 ms", pass: e.p50 < 50 },
        { figure: `extra wait a reload adds, worst of ${reloads}`, value: `${Math.max(...reload.extra).toFixed(1)} ms` },
        { figure: "extra wait while reading the file alone (parseFile, in a worker), p50", value: `${summarize(parse.extra).p50.toFixed(1)} ms` },
        { figure: "reading the file alone (parseFile), start to end, p50", value: `${summarize(parse.took).p50.toFixed(0)} ms` },
        { figure: "reload, start to the new config serving, p50", value: `${summarize(reload.took).p50.toFixed(0)} ms` },
        { figure: "parsing the same text on the main thread (the wait before the worker), p50", value: `${summarize(inline).p50.toFixed(0)} ms` },
      ],
      notes: [
        `A file of ${OFF_THREAD_CHARS / 1024} K characters or more is parsed in a worker thread; the main thread then puts the key positions back in slices of a few milliseconds. ` +
          "What still runs on the main thread in one piece during a reload: resolving `${VAR}` references, the shape validation and freezing (core/config/load.ts), then building the snapshot.",
      ],
    };
  } finally {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  }
}
