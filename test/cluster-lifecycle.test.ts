// `serve --num_workers 2` over time: a worker killed with -9 is reported and replaced, and the
// file built-in's lines from both workers stay whole and complete; SIGTERM to the primary drains
// every worker, a stream in flight included, then exits 0.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir } from "./support/kit.ts";
import { chat, clusterUrl, serveCluster, until, type ClusterServe } from "./support/cluster.ts";

const tmp = useTempDir("litellm-cluster-life-");
let fake: FakeOpenAI;
const running: ClusterServe[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
afterEach(async () => {
  fake.reset();
  for (const s of running.splice(0)) {
    s.kill();
    await s.exited;
  }
});

const CONFIG = () => `model_list:
  - model_name: demo
    litellm_params: { model: openai/gpt-4o-mini, api_base: "${fake.url}", api_key: sk-test }
litellm_settings:
  success_callback: [file]
callback_settings:
  file: { path: ./events.jsonl }
general_settings:
  shutdown_grace_seconds: 20
`;

function start(): ClusterServe {
  const s = serveCluster(["--port", "0", "--num_workers", "2"], tmp.path);
  running.push(s);
  return s;
}

/** The file built-in's lines, each parsed (a torn or interleaved line fails JSON.parse). */
async function records(): Promise<Array<{ litellm_call_id: string }>> {
  let text: string;
  try {
    text = await readFile(join(tmp.path, "events.jsonl"), "utf8");
  } catch {
    return [];
  }
  if (text !== "" && !text.endsWith("\n")) return [{ litellm_call_id: "(a line not yet ended)" }];
  return text === "" ? [] : text.trimEnd().split("\n").map((l) => JSON.parse(l) as { litellm_call_id: string });
}

/** `n` calls at once, a long prompt each so both workers write long lines at the same time. */
async function burst(url: string, n: number): Promise<Array<{ pid: number; callId: string }>> {
  return Promise.all(Array.from({ length: n }, () => chat(url, "demo")));
}

// Three processes start per test on a shared machine: a generous bound, not a timing assertion.
describe("serve --num_workers 2 over time", { timeout: 60_000 }, () => {
  it("kill -9 of a worker: reported with SERVER_WORKER_DIED and replaced; no file line lost or torn", async () => {
    fake.set({ content: "x".repeat(20_000) });
    await writeFile(join(tmp.path, "litellm.config.yaml"), CONFIG());
    const s = start();
    const url = await clusterUrl(s);
    const before = await burst(url, 30);
    expect(new Set(before.map((c) => c.pid)).size).toBe(2);
    // Written in the background after each answer: wait for all 30 before the kill.
    await until(records, (r) => r.length === 30, "30 lines in the file");

    const [victim, survivor] = s.pids();
    process.kill(victim!, "SIGKILL");
    const [, replacement] = await s.waitFor("stderr", /\[SERVER_WORKER_DIED\] worker \d+ \(pid \d+\) ended \(signal SIGKILL\); started worker \d+ \(pid (\d+)\) in its place/);
    expect(s.out.stderr).toContain(`(pid ${victim}) ended (signal SIGKILL)`);

    // The replacement serves: calls reach it and the survivor, the killed one no more.
    const after = await until(() => burst(url, 30), (cs) => cs.some((c) => c.pid === Number(replacement)), "a call answered by the replacement");
    const pidsAfter = new Set(after.map((c) => c.pid));
    expect(pidsAfter.has(victim!)).toBe(false);
    expect([...pidsAfter].every((p) => p === survivor || p === Number(replacement))).toBe(true);

    // Every call answered has exactly one whole line (the bursts before the replacement answered included).
    // Lines are written in the background after each answer: wait for every answered call's, not for a count,
    // since the bursts that missed the replacement wrote lines too.
    const answered = [...before, ...after];
    const lines = await until(
      records,
      (r) => {
        const seen = new Set(r.map((x) => x.litellm_call_id));
        return answered.every((c) => seen.has(c.callId));
      },
      `a line for each of the ${answered.length} calls answered`,
    );
    const ids = lines.map((r) => r.litellm_call_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of answered) expect(ids).toContain(c.callId);
  });

  it("SIGTERM to the primary mid-stream: the stream finishes, every worker drains, exit 0", async () => {
    const text = "one two three four five six seven eight nine ten";
    fake.set({ content: text, chunkDelayMs: 150 });
    await writeFile(join(tmp.path, "litellm.config.yaml"), CONFIG());
    const s = start();
    const url = await clusterUrl(s);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "demo", messages: [{ role: "user", content: "hi" }], stream: true });
    let got = "";
    let signalled = false;
    for await (const chunk of stream) {
      got += chunk.choices[0]?.delta.content ?? "";
      if (!signalled && got) {
        signalled = true;
        s.child.kill("SIGTERM");
        await s.waitFor("stderr", /SIGTERM: draining 2 workers/);
      }
    }
    expect(signalled).toBe(true);
    expect(got).toBe(text);
    expect(await s.exited).toBe(0);
    expect(s.out.stderr.match(/litellm-runtime: stopped\n/g)).toHaveLength(2);
    expect(s.out.stderr).toContain("litellm-runtime: stopped (all workers)");
    // The streamed call's line was flushed by its worker before it exited.
    expect((await records()).length).toBe(1);
  });
});
