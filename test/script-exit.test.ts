// A library script ends by itself once its work is flushed: nothing the runtime holds (a Redis
// connection, its reconnect timer, a built-in's delivery pool or file) keeps Node's event loop alive.
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { startOtlpReceiver } from "./support/otlp-receiver.ts";
import { useTempDir } from "./support/kit.ts";
import { freePort, REDIS_HOST, REDIS_PORT, REDIS_REQUIRED, redisAnswers, runPrefix, warnSkipped } from "./support/redis.ts";
import { tsArgs } from "./support/run-ts.ts";

const INDEX = import.meta.resolve("../core/index.ts");
/** A script that has not ended this long after starting is held open by something: killed, and the test fails. */
const EXIT_BOUND_MS = 10_000;

const redisUp = await redisAnswers(REDIS_HOST, REDIS_PORT);
if (!redisUp && !REDIS_REQUIRED) warnSkipped("test/script-exit.test.ts", `NO REDIS answers at ${REDIS_HOST}:${REDIS_PORT}`);

const tmp = useTempDir("litellm-script-exit-");

interface Ended {
  code: number | null;
  /** True when the bound passed and the script was killed. */
  killed: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `body` as a .ts script importing the runtime as `litellm` (plus `Cache`, `acompletion`), in its own process. */
async function runScript(body: string, env: Record<string, string> = {}): Promise<Ended> {
  const file = join(tmp.path, "script.ts");
  await writeFile(file, `import litellm, { Cache, acompletion } from ${JSON.stringify(INDEX)};\nconst messages = [{ role: "user" as const, content: "hi" }];\n${body}\n`);
  const child = spawn(process.execPath, tsArgs(file), { cwd: tmp.path, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, EXIT_BOUND_MS);
  const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
  clearTimeout(timer);
  return { code, killed, stdout, stderr };
}

/** The cache lines a script prints: whether each call was a hit. */
const TWO_CALLS = `
const first = await acompletion({ model: "mock/demo", messages });
const second = await acompletion({ model: "mock/demo", messages });
console.log(JSON.stringify({ first: first._hidden_params.cache_hit ?? false, second: second._hidden_params.cache_hit ?? false }));
`;

// A generous timeout: on a busy machine the default 0.25 s can pass, and the outage report would fail the test for the wrong reason.
const redisCache = (namespace: string) => `litellm.cache = new Cache({ type: "redis", host: ${JSON.stringify(REDIS_HOST)}, port: ${REDIS_PORT}, namespace: ${JSON.stringify(namespace)}, timeout: 5 });`;

describe.runIf(redisUp || REDIS_REQUIRED)("a script with a Redis cache ends by itself", () => {
  it("after await litellm.flush(): exit code 0, the second call a cache hit", async () => {
    const ended = await runScript(`${redisCache(runPrefix())}\n${TWO_CALLS}\nawait litellm.flush();`);
    expect({ killed: ended.killed, code: ended.code, stderr: ended.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
    expect(JSON.parse(ended.stdout)).toEqual({ first: false, second: true });
  });

  it("with webhook and file built-ins in the process-wide lists, every event delivered before it ends", async () => {
    const collector: FakeCollector = await startFakeCollector();
    try {
      const body = `${redisCache(runPrefix())}
litellm.success_callback = [{ callback: "webhook", options: { url: process.env.HOOK_URL!, flush_interval: 60_000 } }];
litellm.callbacks.push({ callback: "file", options: { path: "./events.jsonl" } });
${TWO_CALLS}
await litellm.flush();`;
      const ended = await runScript(body, { HOOK_URL: collector.url });
      expect({ killed: ended.killed, code: ended.code, stderr: ended.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
      expect(collector.events.map((e) => e.cache_hit)).toEqual([false, true]);
      const lines = (await readFile(join(tmp.path, "events.jsonl"), "utf8")).trim().split("\n");
      expect(lines.map((l) => (JSON.parse(l) as { cache_hit: boolean }).cache_hit)).toEqual([false, true]);
    } finally {
      await collector.close();
    }
  });

  it("after await litellm.close(), which also ends the Redis connection", async () => {
    // The client's status settles after quit() resolves: read it as the process ends.
    const body = `${redisCache(runPrefix())}\n${TWO_CALLS}\nawait litellm.close();\nprocess.on("exit", () => console.log((litellm.cache as any).store.status));`;
    const ended = await runScript(body);
    expect({ killed: ended.killed, code: ended.code, stderr: ended.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
    expect(ended.stdout.trim().split("\n")).toEqual(['{"first":false,"second":true}', "end"]);
  });
});

describe("a script whose Redis does not answer ends by itself too", () => {
  it("the reconnect timer does not hold the process: exit code 0, the outage reported once", async () => {
    const port = await freePort();
    const body = `litellm.cache = new Cache({ type: "redis", host: "127.0.0.1", port: ${port}, timeout: 0.2 });\n${TWO_CALLS}\nawait litellm.flush();`;
    const ended = await runScript(body);
    expect({ killed: ended.killed, code: ended.code }).toEqual({ killed: false, code: 0 });
    expect(JSON.parse(ended.stdout)).toEqual({ first: false, second: false });
    expect(ended.stderr.match(/\[CACHE_UNAVAILABLE\]/g)).toHaveLength(1);
  });
});

describe("a script with the otel built-in", () => {
  it("ends by itself, and its spans are exported even without flush(): the batch timer does not hold the process", async () => {
    const receiver = await startOtlpReceiver();
    try {
      // A minute's batch delay: only the flush at exit can send the spans while the script is alive.
      const body = `litellm.callbacks = [{ callback: "otel", options: { endpoint: ${JSON.stringify(receiver.url)}, scheduled_delay_ms: 60000 } }];
await acompletion({ model: "mock/demo", mock_response: "hi", messages });`;
      const ended = await runScript(body);
      expect({ killed: ended.killed, code: ended.code, stderr: ended.stderr }).toEqual({ killed: false, code: 0, stderr: "" });
      expect(receiver.spans.map((s) => s.name).sort()).toEqual(["chat demo", "litellm chat mock/demo"]);
    } finally {
      await receiver.close();
    }
  });
});
