// `serve --num_workers 2`: the live page's health tab (`GET /ui/api/state`) lists every worker by pid with its own
// counts (its local cache, and its logging queue's errors from a failing callback) and sums them at the
// top, whichever worker answers; a worker that does not answer (stopped with SIGSTOP) is listed as not answering
// without holding the request; the page's health tab shows each worker's rows under its pid (Chromium, when installed).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PlumbingState, WorkerState } from "../core/ui/types.ts";
import { chromiumPath, launchChromium } from "./support/browser.ts";
import { chat, clusterUrl, get, until, useClusters, type ClusterServe } from "./support/cluster.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir } from "./support/kit.ts";

const MASTER = "sk-master-cluster-ui-5150";
const auth = { authorization: `Bearer ${MASTER}` };
const tmp = useTempDir("litellm-cluster-ui-state-");
const serve = useClusters();
let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ content: "from upstream" });
});
afterAll(() => fake.close());

async function start(): Promise<{ s: ClusterServe; url: string }> {
  await writeFile(join(tmp.path, "boom.mjs"), 'export default function boom() {\n  throw new Error("boom");\n}\n');
  await writeFile(
    join(tmp.path, "litellm.config.yaml"),
    `model_list:
  - model_name: demo
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${fake.url}", api_key: sk-test }
litellm_settings:
  cache: true
  success_callback: [./boom.mjs]
general_settings:
  master_key: ${MASTER}
`,
  );
  const s = serve(["--port", "0", "--num_workers", "2"], tmp.path);
  return { s, url: await clusterUrl(s) };
}

/** The health tab's data through whichever worker the next connection reaches. */
async function state(url: string): Promise<{ pid: number; state: PlumbingState }> {
  const r = await get(`${url}/ui/api/state`, auth);
  if (r.status !== 200) throw new Error(`${r.status}: ${r.text}`);
  return { pid: r.pid, state: JSON.parse(r.text) as PlumbingState };
}

/** What the test checks of one worker: its calls as its cache and its logging queue (the failing callback) counted them. */
function counts(w: WorkerState) {
  if (!w.answered) return { pid: w.pid, answered: false };
  return { pid: w.pid, answered: true, config_version: w.config_version, lookups: w.cache!.hits + w.cache!.misses, misses: w.cache!.misses, errors: w.queue.errors };
}

/** `n` calls on fresh connections, counted by the worker that answered each. */
async function callsByWorker(url: string, n: number): Promise<Map<number, number>> {
  const by = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = await chat(url, "demo", auth);
    expect(c.content).toBe("from upstream");
    by.set(c.pid, (by.get(c.pid) ?? 0) + 1);
  }
  return by;
}

const expected = (by: Map<number, number>) =>
  [...by].sort(([a], [b]) => a - b).map(([pid, n]) => ({ pid, answered: true, config_version: 1, lookups: n, misses: 1, errors: n }));

// Three processes start per test on a shared machine: a generous bound, not a timing assertion.
describe("the health tab under serve --num_workers 2", { timeout: 60_000 }, () => {
  it("lists both workers by pid with their own counts, and their sums at the top, whichever worker answers", async () => {
    const { s, url } = await start();
    const by = await callsByWorker(url, 7);
    expect([...by.keys()].sort()).toEqual([...s.pids()].sort());
    const want = expected(by);

    // The callbacks run in the background after each answer: wait until a read sees them all.
    await until(() => state(url), (r) => JSON.stringify(r.state.workers?.map(counts)) === JSON.stringify(want), "each worker's counts");
    const reads = [await state(url), await state(url)];
    expect(new Set(reads.map((r) => r.pid)).size).toBe(2);
    for (const { state: st } of reads) {
      expect(st.workers!.map(counts)).toEqual(want);
      // The sums: 7 lookups, one miss per worker; 7 failures of the callback.
      expect(st.cache).toEqual({ type: "local", healthy: true, hits: 5, misses: 2, outages: 0 });
      expect(st.queue).toEqual({ pending: 0, errors: 7, dropped: 0, timeouts: 0 });
      expect(st.callbacks.map((c) => c.name)).toEqual(["ui", "./boom.mjs"]);
      expect(st.deployments).toEqual([{ model_group: "demo", deployment: "openai/gpt-4o-mini", state: 0, cooldowns: {} }]);
      expect(st.config).toMatchObject({ version: 1, last_reload_error: null });
      expect(JSON.stringify(st)).not.toContain(MASTER);
    }
  });

  it("lists a worker that does not answer as not answering, without waiting on it, and counts it again once it does", async () => {
    const { s, url } = await start();
    const by = await callsByWorker(url, 4);
    const [a, b] = [...by.keys()].sort((x, y) => x - y) as [number, number];
    await until(() => state(url), (r) => JSON.stringify(r.state.workers?.map(counts)) === JSON.stringify(expected(by)), "each worker's counts");

    process.kill(b, "SIGSTOP");
    let read: { ms: number; state: PlumbingState } | undefined;
    try {
      // The primary may hand the next connection to the stopped worker, which never takes it: that request is given
      // up and the one after goes to the worker that runs.
      for (let i = 0; i < 3 && !read; i++) {
        const began = Date.now();
        try {
          const res = await request(`${url}/ui/api/state`, { reset: true, headers: auth, signal: AbortSignal.timeout(8_000) });
          expect(Number(res.headers["x-litellm-worker-pid"])).toBe(a);
          read = { ms: Date.now() - began, state: (await res.body.json()) as PlumbingState };
        } catch (err) {
          if ((err as Error).name !== "TimeoutError" && (err as Error).name !== "AbortError") throw err;
        }
      }
    } finally {
      process.kill(b, "SIGCONT");
    }
    expect(read, "a read answered by the running worker").toBeDefined();
    // Waits 2 s for the stopped worker (the metrics' gather waits 5 s): well under 5 s on any machine.
    expect(read!.ms).toBeLessThan(4_500);
    expect(read!.state.workers!.map(counts)).toEqual([expected(by)[0], { pid: b, answered: false }]);
    expect(read!.state.cache).toMatchObject({ hits: by.get(a)! - 1, misses: 1 });
    expect(read!.state.queue.errors).toBe(by.get(a));

    await until(() => state(url), (r) => JSON.stringify(r.state.workers?.map(counts)) === JSON.stringify(expected(by)), "the resumed worker's counts again");
  });
});

const required = process.env.REQUIRE_CHROMIUM === "1";

describe.skipIf(!chromiumPath && !required)("the health tab of serve --num_workers 2 in Chromium", { timeout: 60_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it("shows each worker's rows under its pid, and the workers that answered", async () => {
    const { s, url } = await start();
    const by = await callsByWorker(url, 4);
    const pids = [...by.keys()].sort((x, y) => x - y);
    expect(pids).toEqual([...s.pids()].sort((x, y) => x - y));
    await until(() => state(url), (r) => JSON.stringify(r.state.workers?.map(counts)) === JSON.stringify(expected(by)), "each worker's counts");

    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`${url}/ui#health`);
    await page.fill("#key-input", MASTER);
    await page.locator("#key-form button").click();
    await page.locator('[data-section="workers"] tbody tr').first().waitFor();

    const rows = (section: string) => page.$$eval(`#health [data-section="${section}"] tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    expect(await rows("workers")).toEqual(pids.map((pid) => [`pid ${pid}`, "yes", "1"]));
    const boom = (await rows("callbacks")).filter((r) => r[1] === "./boom.mjs");
    expect(boom.map((r) => r[0])).toEqual(pids.map((pid) => `pid ${pid}`));
    const queue = await rows("queue");
    expect(queue.map((r) => [r[0], r[3]])).toEqual(pids.map((pid) => [`pid ${pid}`, String(by.get(pid))]));
    const cache = await rows("cache");
    expect(cache.map((r) => [r[0], r[3], r[4]])).toEqual(pids.map((pid) => [`pid ${pid}`, String(by.get(pid)! - 1), "1"]));
    expect(await page.$$eval('#health [data-section="callbacks"] thead th', (ths) => ths.map((th) => th.textContent))).toContain("worker");
    expect(errors).toEqual([]);
  });
});
