// Clients that leave, a server that shuts down gracefully, and readiness: one logged event per call whatever happens.
import { request, type ClientRequest } from "node:http";
import { createServer as createTcpServer, connect, type AddressInfo, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { ABORT_FALLBACK_MS } from "../core/server/sse.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { Recorder, useTempDir } from "./support/kit.ts";

const UPSTREAM_KEY = "sk-test-1234567890abcd";
const LONG = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");

/** Records each success and failure the runtime logs (an inline config holds it as it is); cleared before each test. */
const recorder = new Recorder({ events: ["success", "failure"] });

/** A TCP pass-through to the fake upstream, so a test can see the server's upstream connections close. */
interface Tap {
  port: number;
  /** Connections closed so far (undici keeps idle ones open, so only a cut request closes one). */
  closed(): number;
  close(): Promise<void>;
}

async function startTap(targetPort: number): Promise<Tap> {
  const live = new Set<Socket>();
  let closed = 0;
  const server: Server = createTcpServer((downstream) => {
    live.add(downstream);
    const upstream = connect(targetPort, "127.0.0.1");
    downstream.pipe(upstream).pipe(downstream);
    const end = () => {
      if (live.delete(downstream)) closed++;
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    closed: () => closed,
    close: () =>
      new Promise((resolve) => {
        for (const s of live) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Waits until `check` holds, polling; fails after `ms`. Generous: only for things that must happen, not how fast. */
async function until(check: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A raw streaming request; resolves with the request once the first body bytes arrive. */
function startStream(url: string, model: string, onData?: (text: string) => void): Promise<{ req: ClientRequest; status: number; ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      let first = true;
      const ended = new Promise<string>((done) => {
        res.on("end", () => done(text));
        res.on("close", () => done(text));
        res.on("error", () => done(text));
      });
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
        onData?.(d);
        if (first) {
          first = false;
          resolve({ req, status: res.statusCode!, ended });
        }
      });
    });
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
    req.end(JSON.stringify({ model, messages: [{ role: "user", content: LONG }], stream: true }));
  });
}

const tmp = useTempDir("litellm-server-life-", { per: "suite" });
let fake: FakeOpenAI;
let tap: Tap;
let rt: Runtime;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  tap = await startTap(fake.port);
  const api_base = `http://127.0.0.1:${tap.port}/v1`;
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base, api_key: UPSTREAM_KEY } },
        { model_name: "slow", litellm_params: { model: "openai/slow-5000", api_base, api_key: UPSTREAM_KEY } },
        // Two deployments: the router could try the other one after a failure.
        { model_name: "slow-pair", litellm_params: { model: "openai/slow-5000", api_base, api_key: UPSTREAM_KEY } },
        { model_name: "slow-pair", litellm_params: { model: "openai/slow-5001", api_base, api_key: UPSTREAM_KEY } },
      ],
      litellm_settings: { callbacks: [recorder] },
    },
    cwd: tmp.path,
  });
  server = await startServer(rt, { port: 0 });
});

afterAll(async () => {
  await server?.close(1000);
  await rt?.close();
  await tap?.close();
  await fake?.close();
});

// The previous test's logging is finished first: a test that does not flush must not leave its events to the next one.
beforeEach(async () => {
  await rt.flush();
  recorder.clear();
  fake.reset();
});

/** Long enough for a wrong second event (a retry after its backoff, a late abort) to show up. */
const SETTLE_MS = 1500;

/** The events of calls to `model` so far, once they have settled (and no late second event arrived). */
async function settledEvents(model: string) {
  // kwargs.model is the deployment's model (LiteLLM's); the alias asked for is model_group.
  const mine = () => recorder.seen.filter((e) => e.kwargs.litellm_params.model_group === model);
  await until(() => mine().length > 0, 5000, "an event");
  await sleep(SETTLE_MS);
  await rt.flush();
  return mine();
}

describe("a client that leaves", () => {
  it("mid-body: nothing is sent upstream or logged, no error escapes, and the server keeps serving", async () => {
    const req = request(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", "content-length": "1000" } });
    req.on("error", () => undefined);
    req.write('{"model": "upstream", "messages": [');
    await until(() => server.inflight() === 1, 2000, "the request to arrive");
    req.destroy();
    await until(() => server.inflight() === 0, 2000, "no request in flight");
    await sleep(SETTLE_MS);
    await rt.flush();
    expect(fake.requests).toHaveLength(0);
    expect(recorder.seen).toHaveLength(0);

    const after = await startStream(server.url, "upstream");
    expect(await after.ended).toMatch(/data: \[DONE\]\n\n$/);
  });

  it("mid-stream: the upstream request is aborted, one success is logged with stream_aborted, the server keeps serving", async () => {
    fake.set({ chunkDelayMs: 100 });
    const { req, status } = await startStream(server.url, "upstream");
    expect(status).toBe(200);
    const before = tap.closed();
    req.destroy();
    await until(() => tap.closed() > before, 5000, "the upstream connection to close");
    const events = await settledEvents("upstream");
    expect(events.map((e) => e.event)).toEqual(["success"]);
    expect(events[0]!.kwargs.stream_aborted).toBe(true);
    const got = events[0]!.kwargs.complete_streaming_response?.choices[0]?.message.content ?? "";
    expect(got.length).toBeLessThan(`Echo: ${LONG}`.length);
    await until(() => server.inflight() === 0, 2000, "no request in flight");

    fake.set({});
    const after = await startStream(server.url, "upstream");
    expect(await after.ended).toMatch(/data: \[DONE\]\n\n$/);
  });

  it("mid-stream while the upstream stalls: after ABORT_FALLBACK_MS the upstream is aborted, and one event says the stream was cut", async () => {
    // The first chunk comes at once, the next only after 8 s: the reader cannot stop at a chunk.
    fake.set({ chunkDelayMs: 8000 });
    const { req } = await startStream(server.url, "upstream");
    const before = tap.closed();
    req.destroy();
    await until(() => tap.closed() > before, ABORT_FALLBACK_MS + 2000, "the upstream connection to close");
    const events = await settledEvents("upstream");
    expect(events).toHaveLength(1);
    // Either reading is honest: a failure (the abort), or a success marked as cut short. A plain success would claim a whole answer.
    const [event] = events;
    const reading = event!.event === "failure" ? `failure ${(event!.kwargs.exception as { code?: string }).code}` : `success stream_aborted=${String(event!.kwargs.stream_aborted)}`;
    expect(["failure LLM_CONNECTION", "success stream_aborted=true"]).toContain(reading);
    await until(() => server.inflight() === 0, 2000, "no request in flight");
  });

  it("before a non-streamed answer: the call is aborted, one failure is logged, nothing is written", async () => {
    const req = request(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } });
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("error", () => undefined);
    req.end(JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }] }));
    await until(() => fake.requests.length > 0, 2000, "the upstream request");
    const before = tap.closed();
    req.destroy();
    await until(() => tap.closed() > before, 5000, "the upstream connection to close");
    const events = await settledEvents("slow");
    expect(events.map((e) => e.event)).toEqual(["failure"]);
    expect((events[0]!.kwargs.exception as { code?: string }).code).toBe("LLM_CONNECTION");
    expect(answered).toBe(false);
    // An aborted call is not retried: the upstream saw one request.
    expect(fake.requests).toHaveLength(1);
    await until(() => server.inflight() === 0, 2000, "no request in flight");
  });

  it("before a non-streamed answer of an alias with two deployments: the abort is not retried on the other one", async () => {
    const req = request(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } });
    req.on("error", () => undefined);
    req.end(JSON.stringify({ model: "slow-pair", messages: [{ role: "user", content: "hi" }] }));
    await until(() => fake.requests.length > 0, 2000, "the upstream request");
    req.destroy();
    const events = await settledEvents("slow-pair");
    expect(events.map((e) => e.event)).toEqual(["failure"]);
    expect(fake.requests).toHaveLength(1);
  });
});

describe("close(grace)", () => {
  it("lets a stream in flight finish, refuses new connections, and resolves when every socket is gone", async () => {
    const own = await startServer(rt, { port: 0 });
    fake.set({ chunkDelayMs: 20 });
    const { ended } = await startStream(own.url, "upstream");
    expect(own.inflight()).toBe(1);
    const closed = own.close(10_000);
    const refused = await fetch(`${own.url}/health/liveliness`).then(
      () => null,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect(refused).toBe("ECONNREFUSED");
    const text = await ended;
    expect(text).toMatch(/data: \[DONE\]\n\n$/);
    await closed;
    expect(own.inflight()).toBe(0);
    const events = await settledEvents("upstream");
    expect(events.map((e) => e.event)).toEqual(["success"]);
    expect(events[0]!.kwargs.stream_aborted).toBeUndefined();
  });

  it("past the grace, a stream still running is cut: logged once with stream_aborted", async () => {
    const own = await startServer(rt, { port: 0 });
    fake.set({ chunkDelayMs: 200 });
    const { ended } = await startStream(own.url, "upstream");
    await own.close(300);
    const text = await ended;
    expect(text).not.toContain("[DONE]");
    const events = await settledEvents("upstream");
    expect(events.map((e) => e.event)).toEqual(["success"]);
    expect(events[0]!.kwargs.stream_aborted).toBe(true);
  });

  it("closes idle keep-alive connections at once", async () => {
    const own = await startServer(rt, { port: 0 });
    const res = await fetch(`${own.url}/health/liveliness`);
    await res.text();
    await own.close(60_000);
    expect(own.inflight()).toBe(0);
  });
});

describe("readiness", () => {
  it("stays 200 and says degraded when the cache does not answer, since the cache never fails a call", async () => {
    const broken = await createRuntime({
      config: {
        model_list: [{ model_name: "m", litellm_params: { model: "mock/m" } }],
        litellm_settings: { cache: true, cache_params: { type: "redis", host: "127.0.0.1", port: 1, timeout: 0.05 } },
      },
      cwd: tmp.path,
    });
    const own = await startServer(broken, { port: 0 });
    try {
      const ready = await fetch(`${own.url}/health/readiness`);
      expect(await ready.json()).toEqual({ status: "degraded", cache: "unreachable", models: 1, config: { version: 1, loaded_at: broken.loadedAt.toISOString(), file: null } });
      expect(ready.status).toBe(200);
      const call = await fetch(`${own.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }) });
      expect(call.status).toBe(200);
      expect((await fetch(`${own.url}/health/liveliness`)).status).toBe(200);
    } finally {
      await own.close(1000);
      await broken.close();
    }
  });

  it("is 200 with a healthy runtime, and 503 once the runtime is closed", async () => {
    const local = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m" } }], litellm_settings: { cache: true } }, cwd: tmp.path });
    const own = await startServer(local, { port: 0 });
    try {
      const ready = await fetch(`${own.url}/health/readiness`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "healthy", cache: "reachable", models: 1 });
      await local.close();
      expect((await fetch(`${own.url}/health/readiness`)).status).toBe(503);
      const call = await fetch(`${own.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "x" }] }) });
      expect(call.status).toBe(503);
    } finally {
      await own.close(1000);
    }
  });
});
