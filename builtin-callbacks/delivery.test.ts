import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeCollector, type FakeCollector } from "../test/support/fake-collector.ts";
import { startFakeMixpanel } from "../test/support/fake-mixpanel.ts";
import { tempDirForTest } from "../test/support/kit.ts";
import { Delivery, retryAfterMs, type DeliveryOptions } from "./delivery.ts";
import { tsArgs } from "../test/support/run-ts.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

let collector: FakeCollector;
let stderr: string[];
const open: Array<Delivery<unknown>> = [];

beforeEach(async () => {
  collector = await startFakeCollector();
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
  vi.restoreAllMocks();
  await collector.close();
});

function delivery(options: Partial<DeliveryOptions<unknown>> = {}): Delivery<unknown> {
  const d = new Delivery<unknown>({ name: "test", url: collector.url, batchSize: 10, flushIntervalMs: 60_000, maxRetries: 3, retryBaseMs: 1, encode: (b) => JSON.stringify(b), ...options });
  open.push(d);
  return d;
}

const pushN = (d: Delivery<unknown>, n: number, from = 0) => {
  for (let i = from; i < from + n; i++) d.push({ id: `e${i}`, status: "success" });
};

describe("batches", () => {
  it("a full batch leaves at once; a partial one when flush_interval passes, with no flush()", async () => {
    const d = delivery({ batchSize: 3, flushIntervalMs: 20 });
    pushN(d, 4);
    // The collector records a request before its answer reaches the sender: wait for both ends.
    await vi.waitFor(() => expect(d.stats()).toMatchObject({ sent: 4, queued: 0, inflight: 0, timer: false }), { timeout: 5000, interval: 5 });
    expect(collector.bodies.map((b) => (b as unknown[]).length)).toEqual([3, 1]);
  });

  it("requests reuse one kept-alive connection, shared by instances sending to the same origin", async () => {
    const a = delivery();
    const b = delivery();
    // undici hands a connection back a turn of the event loop after its response: send each request after that.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    for (let round = 0; round < 3; round++) {
      pushN(a, 2, round * 10);
      await a.flush();
      await turn();
      pushN(b, 2, 100 + round * 10);
      await b.flush();
      await turn();
    }
    expect(collector.requests).toHaveLength(6);
    expect(new Set(collector.requests.map((q) => q.remotePort)).size).toBe(1);
  });

  it("encodes a batch once: a retry resends the same bytes", async () => {
    collector.failNext({ status: 502 }, { drop: true });
    let encoded = 0;
    const d = delivery({ encode: (b) => (encoded++, JSON.stringify(b)) });
    pushN(d, 4);
    await d.flush();
    expect(encoded).toBe(1);
    expect(collector.requests.map((q) => q.status)).toEqual([502, 0, 200]);
    expect(new Set(collector.requests.map((q) => q.raw)).size).toBe(1);
    expect(d.stats()).toMatchObject({ sent: 4, failed: 0, retries: 2 });
  });
});

describe("the buffer is bounded", () => {
  it("past max_queue new events are dropped, counted, and reported once per episode", async () => {
    const d = delivery({ batchSize: 100, maxQueue: 5 });
    pushN(d, 8);
    expect(d.stats()).toMatchObject({ queued: 5, dropped: 3 });
    const lines = stderr.join("").split("\n").filter((l) => l.includes("[CALLBACK_QUEUE_FULL]"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("test: dropping events");
    await d.flush();
    expect(collector.events.map((e) => e.id)).toEqual(["e0", "e1", "e2", "e3", "e4"]);
  });
});

describe("flush() and close()", () => {
  it("close() sends what is buffered, stops the timer, and counts later events as dropped", async () => {
    const d = delivery({ flushIntervalMs: 60_000 });
    pushN(d, 2);
    expect(d.stats().timer).toBe(true);
    await d.close();
    expect(collector.events).toHaveLength(2);
    expect(d.stats()).toMatchObject({ timer: false, sent: 2 });
    pushN(d, 1);
    expect(d.stats()).toMatchObject({ dropped: 1, timer: false, queued: 0 });
    expect(stderr.join("")).toContain("the callback is closed");
  });

  it("flush() gives up at its deadline and says so; close() then reports the events lost", async () => {
    collector.failAlways({ status: 503, retryAfter: "30" });
    const d = delivery({ flushTimeoutMs: 50, maxRetries: 5 });
    pushN(d, 3);
    await d.flush();
    expect(stderr.join("")).toContain("[CALLBACK_TIMEOUT] test: flush() gave up after 50 ms: 3 events");
    await d.close();
    expect(d.stats()).toMatchObject({ sent: 0, failed: 3, inflight: 0 });
    expect(stderr.join("")).toMatch(/\[DELIVERY_FAILED\] test: 3 events lost: the callback closed while they waited to be retried \(HTTP 503/);
  });

  it("a 2xx that the receiver's own format calls a refusal is not retried", async () => {
    const d = delivery({ rejects: (body) => (body.includes('"ok":true') ? "refused by test" : undefined) });
    pushN(d, 2);
    await d.flush();
    expect(collector.requests).toHaveLength(1);
    expect(d.stats()).toMatchObject({ sent: 0, failed: 2 });
  });
});

describe("Retry-After", () => {
  it("reads seconds and HTTP dates, and caps the wait at a minute", () => {
    expect(retryAfterMs("0")).toBe(0);
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(["3"])).toBe(3000);
    expect(retryAfterMs("86400")).toBe(60_000);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(retryAfterMs(inTenSeconds)).toBeGreaterThan(5_000);
    expect(retryAfterMs(new Date(Date.now() - 10_000).toUTCString())).toBe(0);
    expect(retryAfterMs("soon")).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});

describe("a process that logs and ends", () => {
  it("delivers what is buffered without flush() or close(), then exits by itself", async () => {
    const mixpanel = await startFakeMixpanel({ token: "tok" });
    const dir = await tempDirForTest("delivery-exit-");
    try {
      const script = join(dir, "script.ts");
      await writeFile(
        script,
        `import { createRuntime } from ${JSON.stringify(join(ROOT, "core/index.ts"))};
const rt = await createRuntime({ cwd: ${JSON.stringify(dir)}, config: {
  litellm_settings: { success_callback: ["mixpanel", "webhook"] },
  callback_settings: { mixpanel: { token: "tok", api_host: ${JSON.stringify(mixpanel.url)} }, webhook: { url: ${JSON.stringify(collector.url)}, batch_size: 50 } },
} });
for (let i = 0; i < 3; i++) await rt.acompletion({ model: "mock/x", messages: [{ role: "user", content: "hi" }], mock_response: "ok" });
`,
      );
      const child = spawn(process.execPath, tsArgs(script), { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
      let childErr = "";
      child.stderr.on("data", (c: Buffer) => (childErr += c.toString()));
      // A guard against a hang, not a timing assertion: a process kept alive by a timer or socket would never exit.
      const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("exit", (c, s) => resolve([c, s])));
      clearTimeout(guard);
      expect({ code, signal, childErr }).toEqual({ code: 0, signal: null, childErr: "" });
      expect(mixpanel.accepted).toHaveLength(3);
      expect(collector.events).toHaveLength(3);
    } finally {
      await mixpanel.close();
    }
  });
});
