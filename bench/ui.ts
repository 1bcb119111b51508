// The live page under load: our server with the page on, 1,000 calls a second from a paced load generator,
// with the page open in Chromium and without it, interleaved; the calls' latency side by side and the page's memory.
import { startOurs, KEY, MODEL } from "./server-procs.ts";
import { send, target } from "./server-load.ts";
import { envInt, ms, summarize, type Row, type SuiteResult } from "./stats.ts";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import type { Browser } from "playwright-core";

// Debian's chromium on PATH, as the page's tests use it (never a download); playwright-core loaded with require: through jiti's ESM hooks its loader fails to link.
const found = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" });
const chromiumPath = found.status === 0 && found.stdout.trim() ? found.stdout.trim().split("\n")[0]! : null;
const FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
function launchChromium(): Promise<Browser> {
  const { chromium } = createRequire(import.meta.url)("playwright-core") as typeof import("playwright-core");
  return chromium.launch({ executablePath: chromiumPath!, args: FLAGS });
}

const BODY = Buffer.from(JSON.stringify({ model: MODEL, messages: [{ role: "user", content: "Say ok." }] }));

/** `rate` calls a second for `seconds`, sent in ticks of 10 ms whatever the answers (an open loop); each call's latency in ms. */
async function paced(t: ReturnType<typeof target>, rate: number, seconds: number): Promise<number[]> {
  const perTick = rate / 100;
  const ticks = seconds * 100;
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    const due = t0 + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let j = 0; j < perTick; j++) pending.push(send(t, BODY).then((x) => void latencies.push(x.total)));
  }
  await Promise.all(pending);
  return latencies;
}

export async function uiSuite(upstreamUrl: string): Promise<SuiteResult> {
  const title = "The live page under load";
  const rate = envInt("BENCH_UI_RATE", 1000);
  const rounds = envInt("BENCH_UI_ROUNDS", 4);
  const seconds = envInt("BENCH_UI_ROUND_SECONDS", 5) / 2;
  if (!chromiumPath) return { title, about: "Skipped: no `chromium` on PATH (apt-get install -y chromium).", rows: [] };
  const server = await startOurs(upstreamUrl, undefined, { ui: true });
  const t = target("ours", server.origin, { authorization: `Bearer ${KEY}` }, 64);
  const browser = await launchChromium();
  const without: number[] = [];
  const withPage: number[] = [];
  const withStream: number[] = [];
  let pageBusy = 0;
  let heapMax = 0;
  let nodesMax = 0;
  let rowsShown = 0;
  try {
    await paced(t, rate, 1); // warm-up
    for (let r = 0; r < rounds; r++) {
      without.push(...(await paced(t, rate, seconds)));
      // The page's stream alone, read and dropped here: what the server's fan-out costs without a browser rendering it.
      const reader = new AbortController();
      const stream = await fetch(`${server.origin}/ui/api/events`, { headers: { authorization: `Bearer ${KEY}` }, signal: reader.signal });
      const drained = (async () => {
        for await (const _ of stream.body!) void _;
      })().catch(() => undefined);
      withStream.push(...(await paced(t, rate, seconds)));
      reader.abort();
      await drained;
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Performance.enable");
      await page.goto(`${server.origin}/ui${process.env.BENCH_UI_HASH ?? ""}`);
      await page.waitForFunction("document.body.textContent.includes(\"live\")");
      // A new tab's own start (its renderer process, first layout, JIT) settles before the round, which measures a page in use.
      await new Promise((r) => setTimeout(r, envInt("BENCH_UI_SETTLE_MS", 1500)));
      const before = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
      withPage.push(...(await paced(t, rate, seconds)));
      const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
      heapMax = Math.max(heapMax, metric("JSHeapUsedSize"));
      // TaskDuration: the page's main-thread busy time, in seconds; per second of the round.
      const busy = metric("TaskDuration") - (before.metrics.find((m) => m.name === "TaskDuration")?.value ?? 0);
      pageBusy = Math.max(pageBusy, busy / seconds);
      nodesMax = Math.max(nodesMax, metric("Nodes"));
      rowsShown = Math.max(rowsShown, await page.locator("tbody tr").count());
      await page.close();
    }
  } finally {
    await browser.close();
    await t.pool.close();
    await server.stop();
  }
  const a = summarize(without);
  const b = summarize(withPage);
  const c = summarize(withStream);
  const rows: Row[] = [
    { figure: "calls per arm, at a paced rate", value: `${without.length} / ${withPage.length} at ${rate} calls/s` },
    { figure: "p50 latency: without the page / its stream read by a client / the page open", value: `${ms(a.p50)} / ${ms(c.p50)} / ${ms(b.p50)}` },
    { figure: "p99 latency: without the page / its stream read by a client / the page open", value: `${ms(a.p99)} / ${ms(c.p99)} / ${ms(b.p99)}` },
    { figure: "added p50 by the stream (the server's fan-out)", value: ms(c.p50 - a.p50), target: "< 0.1 ms", pass: c.p50 - a.p50 < 0.1 },
    { figure: "the page's main thread busy, per second of load (most seen)", value: `${(pageBusy * 1000).toFixed(0)} ms/s` },
    // The budget with a browser on the same 2 cores: its rendering takes CPU the server would have had.
    { figure: "added p50 with the page open", value: ms(b.p50 - a.p50), target: "< 1 ms", pass: b.p50 - a.p50 < 1 },
    { figure: "added p99 with the page open", value: ms(b.p99 - a.p99), target: "< 5 ms", pass: b.p99 - a.p99 < 5 },
    { figure: "page JS heap, most seen", value: `${(heapMax / 1048576).toFixed(1)} MiB`, target: "< 64 MiB", pass: heapMax < 64 * 1048576 },
    // Chromium's count includes detached nodes not yet collected: it swings with the collector, it does not grow with the calls.
    { figure: "page DOM nodes, most seen (detached ones awaiting collection included)", value: `${nodesMax}`, target: "< 20,000", pass: nodesMax < 20_000 },
    { figure: "table rows built, most seen", value: `${rowsShown}`, target: "≤ 500", pass: rowsShown <= 500 },
  ];
  return {
    title,
    about:
      `Our server (\`startServer(rt, { ui: true })\`, as \`serve\` runs it, in its own process, one model on the fake upstream) under ${rate} calls a second from undici's dispatch in 10 ms ticks, whatever the answers (an open loop), ` +
      `in ${rounds} rounds of ${seconds} s without the page, then ${seconds} s with it open in Chromium (a new tab each round, connected and settled for 1.5 s before the round starts: a new tab's own start-up, measured inside the round, stalled calls by up to 200 ms). ` +
      "Memory, DOM size and the page's busy time (TaskDuration) are Chromium's own Performance metrics, read at the end of each round; the middle arm reads the page's event stream with a plain client and drops it, so the server's fan-out is measured without a browser.  The machine's 2 cores are shared by the load generator, the upstream, the server and Chromium rendering the page: the added latency includes the browser's competition for the CPU, not only the server's fan-out.",
    rows,
  };
}
