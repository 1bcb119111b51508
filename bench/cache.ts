// The response cache: a local hit, a Redis hit on loopback, and what a miss costs over no cache.
import litellm, { Cache, acompletion } from "./lib.ts";
import { installFive, uninstall } from "./callbacks.ts";
import { envInt, summarize, type Row, type SuiteResult } from "./stats.ts";

const REDIS = { type: "redis" as const, host: "127.0.0.1", port: 6379 };

/** Median microseconds per call over rounds of `batch` sequential calls; each round ends with `flush()`, which is timed too. */
async function perCall(rounds: number, batch: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await call(n++);
    await litellm.flush();
    samples.push(((performance.now() - t0) * 1000) / batch);
  }
  return summarize(samples).p50;
}

/** Milliseconds of each call, sequential. */
async function latencies(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await call(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const ask = (content: string, ns: string) => acompletion({ model: "mock/cache", messages: [{ role: "user", content }], mock_response: "a cached answer", cache: { namespace: ns } });

async function redisAnswers(): Promise<boolean> {
  const probe = new Cache({ ...REDIS, timeout: 0.2 });
  try {
    return await probe.ping();
  } finally {
    await probe.close();
  }
}

export async function cacheSuite(): Promise<SuiteResult> {
  const rounds = envInt("BENCH_CACHE_ROUNDS", 200);
  const batch = envInt("BENCH_CACHE_BATCH", 100);
  const ns = `bench-${process.pid}-${Date.now()}`;
  const rows: Row[] = [];
  installFive();
  try {
    // Local: a hit with the five callbacks, against no cache, and a miss (a new question each time) against no cache.
    const local = new Cache({ type: "local", max_items: 100_000 });
    litellm.cache = null;
    const none = await perCall(rounds, batch, (i) => ask(`q${i}`, ns));
    litellm.cache = local;
    await ask("hit me", ns);
    const hit = await perCall(rounds, batch, () => ask("hit me", ns));
    const miss = await perCall(rounds, batch, (i) => ask(`miss ${i}`, ns));
    await local.close();
    rows.push(
      { figure: "no cache, mock call + 5 callbacks", value: `${none.toFixed(2)} µs / call` },
      { figure: "local hit + 5 callbacks, end to end", value: `${hit.toFixed(2)} µs / call`, target: "< 20 µs", pass: hit < 20 },
      { figure: "local miss + store, over no cache", value: `${(miss - none).toFixed(2)} µs / call` },
    );

    if (await redisAnswers()) {
      const redis = new Cache({ ...REDIS, namespace: ns });
      litellm.cache = redis;
      await ask("redis hit", ns);
      await redis.flush();
      await latencies(200, () => ask("redis hit", ns)); // warm-up
      const hits = summarize(await latencies(envInt("BENCH_REDIS_HITS", 3000), () => ask("redis hit", ns)));
      const redisMiss = await perCall(Math.max(5, rounds / 3), batch, (i) => ask(`redis miss ${i}`, ns));
      await redis.flush();
      await redis.close();
      rows.push(
        { figure: "Redis hit on loopback, p50", value: `${(hits.p50 * 1000).toFixed(0)} µs`, target: "< 500 µs", pass: hits.p50 < 0.5 },
        { figure: "Redis hit on loopback, p99", value: `${(hits.p99 * 1000).toFixed(0)} µs` },
        { figure: "Redis miss + store, over no cache", value: `${(redisMiss - none).toFixed(2)} µs / call` },
      );
    } else {
      rows.push({ figure: "Redis hit on loopback", value: "no Redis on 127.0.0.1:6379: not measured", target: "< 500 µs", pass: false });
    }
  } finally {
    litellm.cache = null;
    uninstall();
  }
  return {
    title: "Response cache",
    about: `\`acompletion\` on the mock model with the five callbacks of the dispatch suite. Local arms: ${rounds} rounds of ${batch} sequential calls, each round's time including \`flush()\`, median round. Redis: sequential hits against 127.0.0.1:6379, per-call latency. A miss asks a new question each time, so it pays the lookup and the store.`,
    rows,
  };
}
