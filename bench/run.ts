// `npm run bench`: runs every suite in one process, prints the tables, and writes BENCHMARKS.md.
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { builtinsSuite } from "./builtins.ts";
import { cacheSuite } from "./cache.ts";
import { routingSuite } from "./routing.ts";
import { coldStartSuite, largeReloadSuite, reloadSuite } from "./config.ts";
import { dispatchSuite, streamSuite, upstreamSuite } from "./core.ts";
import { renderPlain, renderTable, type SuiteResult } from "./stats.ts";
import { startUpstream } from "./upstream.ts";

/** A suite gets the upstream's URL and process id; later suites (cache, config reload, server) join this list. */
type Suite = (ctx: { url: string; pid: number }) => Promise<SuiteResult>;

// Per-call micro-suites first: later suites leave the process with megamorphic call sites and a larger heap,
// which slowed a mock call measured after them by up to 2x. Each suite still compares its arms side by side.
const ALL: Record<string, Suite> = {
  dispatch: () => dispatchSuite(),
  builtins: () => builtinsSuite(),
  cache: () => cacheSuite(),
  routing: () => routingSuite(),
  upstream: ({ url }) => upstreamSuite(url),
  stream: ({ url }) => streamSuite(url),
  reload: () => reloadSuite(),
  largereload: () => largeReloadSuite(),
  coldstart: () => coldStartSuite(),
  server: async ({ url, pid }) => (await import("./server.ts")).serverSuite(url, pid),
  ui: async ({ url }) => (await import("./ui.ts")).uiSuite(url),
};

/** `BENCH_ONLY=server,stream` runs those suites alone (for profiling one); BENCHMARKS.md is written only by a whole run. */
const ONLY = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
for (const name of ONLY ?? []) if (!(name in ALL)) throw new Error(`BENCH_ONLY: no suite "${name}"; the suites are ${Object.keys(ALL).join(", ")}`);
const SUITES: Suite[] = ONLY ? ONLY.map((name) => ALL[name]!) : Object.values(ALL);

const OUT = new URL("../BENCHMARKS.md", import.meta.url);

function command(): string {
  const overrides = Object.keys(process.env)
    .filter((k) => k.startsWith("BENCH_"))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  return [...overrides, "npm run bench"].join(" ");
}

function markdown(results: SuiteResult[], seconds: number): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const parts = [
    "# Benchmarks",
    "",
    "What the runtime costs on top of the work it wraps. Each suite measures its arms side by side in one run,",
    "interleaved round by round, so a noisy shared machine slows both alike; the ratios matter more than the absolute figures.",
    "",
    `- command: \`${command()}\``,
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version}, ${process.platform}/${process.arch}`,
    `- machine: ${availableParallelism()} cores (${cpu})`,
    `- whole run: ${seconds.toFixed(1)} s`,
  ];
  for (const r of results) {
    parts.push("", `## ${r.title}`, "", r.about, "", renderTable(r.rows));
    for (const note of r.notes ?? []) parts.push("", note);
  }
  parts.push("", "Benchmarks are not tests: nothing in `npx vitest run` asserts a timing.", "");
  return parts.join("\n");
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const upstream = await startUpstream();
  const results: SuiteResult[] = [];
  try {
    for (const suite of SUITES) {
      const result = await suite({ url: upstream.url, pid: upstream.pid });
      console.log(`${renderPlain(result)}\n`);
      results.push(result);
    }
  } finally {
    await upstream.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.flatMap((r) => r.rows.filter((row) => row.pass === false).map((row) => `${r.title}: ${row.figure}`));
  const verdict = failed.length === 0 ? "every target met" : `missed: ${failed.join("; ")}`;
  if (ONLY) {
    console.log(`ran ${ONLY.join(", ")} alone in ${seconds.toFixed(1)} s (BENCHMARKS.md is written only by a whole run); ${verdict}`);
    return;
  }
  writeFileSync(OUT, markdown(results, seconds));
  console.log(`wrote BENCHMARKS.md in ${seconds.toFixed(1)} s; ${verdict}`);
}

await main();
