import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime } from "../core/index.ts";
import { startServer, type RunningServer } from "../core/server/index.ts";
import { ROUTER_ERROR_CODES } from "../core/errors.ts";
import { keysOf } from "../core/router/shared.ts";
import { minuteOf } from "../core/router/usage.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { freePort, REDIS_HOST, REDIS_PORT, REDIS_REQUIRED, redisAnswers, redisServerInstalled, runPrefix, startRedisServer, stopProcess, until, warnSkipped } from "./support/redis.ts";

// One router across instances: three servers on one real Redis share per-minute usage and
// cool-downs; a Redis outage falls back to each process's own counts and fails no request.

const sharedUp = await redisAnswers(REDIS_HOST, REDIS_PORT);
if (!sharedUp && !REDIS_REQUIRED) warnSkipped("test/router-shared.test.ts", `NO REDIS answers at ${REDIS_HOST}:${REDIS_PORT}`);
const installed = redisServerInstalled();
if (!installed.ok && !REDIS_REQUIRED) warnSkipped("test/router-shared.test.ts", `redis-server is NOT INSTALLED (${installed.why})`);

describe.runIf(REDIS_REQUIRED)("Redis is required (REQUIRE_REDIS is set)", () => {
  it(`answers at ${REDIS_HOST}:${REDIS_PORT}, and redis-server can be started`, () => {
    expect({ sharedUp, installed: installed.ok }).toEqual({ sharedUp: true, installed: true });
  });
});

// The test clock: Date only, 12:00:10 UTC on a fixed day.
const T0 = Date.UTC(2026, 0, 5, 12, 0, 10);
let fake: FakeOpenAI;
let made: Array<{ rt: Runtime; server: RunningServer }> = [];
const prefix = runPrefix();

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake?.reset();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(T0);
});
afterEach(async () => {
  vi.useRealTimers();
  for (const { rt, server } of made.splice(0)) {
    await server.close(100);
    await rt.close();
  }
});

/** A deployment of `chat` at the fake upstream; its model_info.id is unique to this run, so tests never share keys. */
const deployment = (name: string, model: string, extra: Record<string, unknown> = {}) => ({
  model_name: "chat",
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: "sk-router-shared-1234", ...extra },
  model_info: { id: `${prefix}-${name}` },
});

/** `n` servers on one config, each its own runtime (its own router), each with the real openai client. */
async function servers(n: number, config: Record<string, unknown>): Promise<OpenAI[]> {
  const clients: OpenAI[] = [];
  for (let i = 0; i < n; i++) {
    const rt = await createRuntime({ config });
    rt.on("callback_error", () => {});
    const server = await startServer(rt, { port: 0, host: "127.0.0.1", masterKey: null });
    made.push({ rt, server });
    clients.push(new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 }));
  }
  return clients;
}

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).then(
    (res) => ({ ok: true as const, model: res.model }),
    (err: { status?: number }) => ({ ok: false as const, status: err.status }),
  );

describe.runIf(sharedUp)("three servers on one Redis", () => {
  const redis = { redis_host: REDIS_HOST, redis_port: REDIS_PORT };

  it("a joint rpm of 30 allows 30 requests in a minute across them, whichever server takes each; the next minute allows 30 more", async () => {
    const clients = await servers(3, {
      model_list: [deployment("joint-a", "joint-a", { rpm: 30 })],
      router_settings: { routing_strategy: "usage-based-routing-v2", ...redis },
    });
    // 45 requests at once, round-robin over the servers.
    const first = await Promise.all(Array.from({ length: 45 }, (_, i) => ask(clients[i % 3]!)));
    vi.setSystemTime(T0 + 60_000);
    const second = await Promise.all(Array.from({ length: 45 }, (_, i) => ask(clients[i % 3]!)));
    const count = (rs: typeof first) => ({ ok: rs.filter((r) => r.ok).length, limited: rs.filter((r) => !r.ok && r.status === 429).length });
    expect([count(first), count(second)]).toEqual([
      { ok: 30, limited: 15 },
      { ok: 30, limited: 15 },
    ]);
    expect(fake.requests.length).toEqual(60);
  });

  it("cost-based-routing picks the cheapest until its joint rpm is used, then the next, across servers", async () => {
    const clients = await servers(3, {
      model_list: [
        deployment("cost-dear", "dear", { input_cost_per_token: 1e-5, output_cost_per_token: 1e-5 }),
        deployment("cost-cheap", "cheap", { input_cost_per_token: 1e-7, output_cost_per_token: 1e-7, rpm: 4 }),
      ],
      router_settings: { routing_strategy: "cost-based-routing", ...redis },
    });
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await ask(clients[i % 3]!));
    expect(results.map((r) => r.ok && r.model)).toEqual(["cheap", "cheap", "cheap", "cheap", "dear", "dear", "dear"]);
  });

  it("a deployment that failed through one server is skipped by the other two", async () => {
    const clients = await servers(3, {
      model_list: [deployment("cool-good", "good"), deployment("cool-bad", "fail-500")],
      router_settings: { routing_strategy: "simple-shuffle", allowed_fails: 0, cooldown_time: 60, num_retries: 0, ...redis },
    });
    // Through the first server until the failing deployment is picked once (a shuffle: a few calls at most).
    let failures = 0;
    for (let i = 0; i < 50 && failures === 0; i++) if (!(await ask(clients[0]!)).ok) failures++;
    expect(failures).toEqual(1);
    const badCalls = () => fake.requests.filter((r) => r.body?.model === "fail-500").length;
    expect(badCalls()).toEqual(1);
    // The cool-down is written as the failure is handled: 100 ms is the most another server may take to see it.
    await sleep(100);
    const others = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(clients[1 + (i % 2)]!)));
    expect({ failed: others.filter((r) => !r.ok).length, badCalls: badCalls() }).toEqual({ failed: 0, badCalls: 1 });
  });
});

describe.runIf(installed.ok)("a Redis outage mid-run", () => {
  let proc: ChildProcess | undefined;
  afterAll(() => stopProcess(proc));

  it("fails no request, is reported once, and shared counts resume when Redis is back", async () => {
    const port = await freePort();
    proc = await startRedisServer(port);
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes("router: Redis")) return lines.push(text), true;
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    });
    try {
      const clients = await servers(3, {
        model_list: [deployment("out-a", "out-a", { rpm: 1000 }), deployment("out-b", "out-b", { rpm: 1000 })],
        router_settings: { routing_strategy: "usage-based-routing-v2", redis_host: "127.0.0.1", redis_port: port },
      });
      const probe = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
      probe.on("error", () => {});
      const rpmKey = keysOf(`${prefix}-out-a`, minuteOf(Date.now()))[0];
      const rpmKeyB = keysOf(`${prefix}-out-b`, minuteOf(Date.now()))[0];
      const sharedCount = async () => Number((await probe.get(rpmKey)) ?? 0) + Number((await probe.get(rpmKeyB)) ?? 0);

      const results: Array<{ ok: boolean }> = [];
      for (let i = 0; i < 9; i++) results.push(await ask(clients[i % 3]!));
      await probe.connect();
      expect(await sharedCount()).toEqual(9);
      probe.disconnect();

      await stopProcess(proc);
      // Requests go on while the routers notice (a refused reconnect) and report it.
      const reported = () => lines.filter((l) => l.includes(`[${ROUTER_ERROR_CODES.redisUnavailable}]`)).length;
      for (let i = 0; i < 15 || (reported() === 0 && i < 300); i++) {
        results.push(await ask(clients[i % 3]!));
        if (i >= 15) await sleep(10);
      }
      expect(reported()).toEqual(1);

      proc = await startRedisServer(port);
      // Redis came back empty; once the routers have reconnected, their counts land in it again.
      const resumed = await until(async () => {
        results.push(await ask(clients[results.length % 3]!));
        const p = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 0 });
        p.on("error", () => {});
        const n = Number((await p.get(rpmKey)) ?? 0) + Number((await p.get(rpmKeyB)) ?? 0);
        p.disconnect();
        return n > 0;
      }, 5000);
      expect({ resumed, failed: results.filter((r) => !r.ok).length }).toEqual({ resumed: true, failed: 0 });
      expect(lines.filter((l) => l.includes("is back after"))).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});
