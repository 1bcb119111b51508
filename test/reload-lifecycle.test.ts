// Reloads that cannot wedge, leak or open the door: a module whose import hangs, snapshots retired under steady
// traffic, a save caught half-written, and a reload that would drop the master key of a public server.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, createRuntime, startServer, type Runtime } from "../core/index.ts";
import { useTempDir } from "./support/kit.ts";
import { REDIS_HOST, REDIS_PORT, REDIS_REQUIRED, redisAnswers, runPrefix, warnSkipped } from "./support/redis.ts";

const tmp = useTempDir("litellm-reload-life-");
let rt: Runtime | undefined;

afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

const model = (name: string, answer = "ok") => `  - model_name: ${name}
    litellm_params:
      model: mock/${name}
      mock_response: "${answer}"
`;

function reloadErrors(target: Runtime): ConfigError[] {
  const errors: ConfigError[] = [];
  target.on("reload_error", (e: ConfigError) => errors.push(e));
  return errors;
}

/** Paths of the files this process holds open. */
function openFiles(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed while we looked
    }
  }
  return out;
}

/** This process's TCP connections to the Redis port (from /proc: the sockets it holds, matched to the kernel's table). */
function redisSockets(): number {
  const inodes = new Set(openFiles().flatMap((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? []));
  const port = REDIS_PORT.toString(16).toUpperCase().padStart(4, "0");
  let n = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // remote address is column 2 (ADDR:PORT), state column 3 (01 = established), inode column 9.
      if (cols.length > 9 && cols[2]!.endsWith(`:${port}`) && cols[3] === "01" && inodes.has(cols[9]!)) n++;
    }
  }
  return n;
}

describe("a callback module whose import never settles", () => {
  const hanging = `await new Promise(() => {});\nexport default function never(kwargs: unknown) {}\n`;

  it("fails the start-up with CONFIG_CALLBACK_LOAD naming the module, within callback_load_timeout", async () => {
    await writeFile(join(tmp.path, "hang.ts"), hanging);
    await writeFile(join(tmp.path, "c.yaml"), `model_list:\n${model("demo")}litellm_settings:\n  callback_load_timeout: 0.3\n  success_callback: [./hang.ts]\n`);
    const err = await createRuntime({ config: join(tmp.path, "c.yaml") }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues[0]!;
    expect(issue.code).toBe("CONFIG_CALLBACK_LOAD");
    expect(issue.path).toBe("litellm_settings.success_callback[0]");
    expect(issue.message).toContain("./hang.ts failed to load");
    expect(issue.message).toContain("did not finish loading within 0.3 seconds");
  });

  it("fails a reload, keeps the last good config, lets the next save retry, and never wedges close()", async () => {
    const file = join(tmp.path, "c.yaml");
    await writeFile(join(tmp.path, "good.ts"), `export default function good(kwargs: unknown) {}\n`);
    await writeFile(join(tmp.path, "hang.ts"), hanging);
    await writeFile(file, `model_list:\n${model("demo", "v1")}litellm_settings:\n  callback_load_timeout: 0.3\n  success_callback: [./good.ts]\n`);
    rt = await createRuntime({ config: file });
    const errors = reloadErrors(rt);

    await writeFile(file, `model_list:\n${model("demo", "v2")}litellm_settings:\n  callback_load_timeout: 0.3\n  success_callback: [./hang.ts]\n`);
    expect(await rt.reload()).toBe(false);
    expect(errors.map((e) => e.issues.map((i) => i.code))).toEqual([["CONFIG_CALLBACK_LOAD"]]);
    const answer = await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toBe("v1");

    // The module is fixed: the same config now loads.
    await writeFile(join(tmp.path, "hang.ts"), `export default function fixed(kwargs: unknown) {}\n`);
    expect(await rt.reload()).toBe(true);
    const after = await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "hi" }] });
    expect(after.choices[0]!.message.content).toBe("v2");
    await rt.close();
    rt = undefined;
  });
});

describe("a save caught half-written", () => {
  it("is read again after the settle interval: a truncated file that is then completed never serves", async () => {
    const file = join(tmp.path, "c.yaml");
    const full = `model_list:\n${model("a")}${model("b")}${model("c")}${model("d")}`;
    await writeFile(file, full);
    rt = await createRuntime({ config: file, settleMs: 400 });
    const errors = reloadErrors(rt);
    const served: string[][] = [];
    rt.on("reload", () => served.push(rt!.models()));

    // The writer has put down the first model only; the rest follows 100 ms later, within the settle interval.
    await writeFile(file, `model_list:\n${model("a")}`);
    const reloading = rt.reload();
    await sleep(100);
    await writeFile(file, `${full}${model("e")}`);
    await reloading;

    expect(served).toEqual([["a", "b", "c", "d", "e"]]);
    expect(rt.models()).toEqual(["a", "b", "c", "d", "e"]);
    expect(errors).toEqual([]);
  });

  it("applies a deliberate shrink once it reads the same after the settle interval", async () => {
    const file = join(tmp.path, "c.yaml");
    await writeFile(file, `model_list:\n${model("a")}${model("b")}${model("c")}`);
    rt = await createRuntime({ config: file, settleMs: 100 });
    await writeFile(file, `model_list:\n${model("a")}`);
    expect(await rt.reload()).toBe(true);
    expect(rt.models()).toEqual(["a"]);
  });

  it("defers to a newer save made during the settle interval", async () => {
    const file = join(tmp.path, "c.yaml");
    await writeFile(file, `model_list:\n${model("a")}${model("b")}`);
    rt = await createRuntime({ config: file, settleMs: 300 });
    await writeFile(file, "model_list: []\n");
    const first = rt.reload();
    await sleep(50);
    await writeFile(file, `model_list:\n${model("a")}${model("b")}${model("c")}`);
    const second = rt.reload(["c.yaml"]);
    expect(await first).toBe(false);
    expect(await second).toBe(false); // it joins the reload in progress; the one queued behind it reads the newer save
    await vi.waitFor(() => expect(rt!.models()).toEqual(["a", "b", "c"]), { timeout: 5000 });
  });
});

describe("a reload that drops the master key", () => {
  const keyed = (extra = "") => `model_list:\n${model("demo")}general_settings:\n  master_key: sk-admin-1234\n${extra}`;

  it("is refused on a server listening beyond loopback; the key keeps guarding", async () => {
    const file = join(tmp.path, "c.yaml");
    await writeFile(file, keyed());
    rt = await createRuntime({ config: file });
    const errors = reloadErrors(rt);
    const server = await startServer(rt, { host: "0.0.0.0", port: 0 });
    try {
      await writeFile(file, `model_list:\n${model("demo")}`);
      expect(await rt.reload()).toBe(false);
      const issue = errors[0]!.issues[0]!;
      expect(issue.path).toBe("general_settings.master_key");
      expect(issue.message).toContain("removes master_key while the server listens on 0.0.0.0");
      const res = await fetch(`http://127.0.0.1:${server.port}/v1/models`);
      expect(res.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it("is applied with general_settings.allow_unauthenticated: true, and always on loopback", async () => {
    const file = join(tmp.path, "c.yaml");
    await writeFile(file, keyed());
    rt = await createRuntime({ config: file });
    const publicServer = await startServer(rt, { host: "0.0.0.0", port: 0 });
    try {
      await writeFile(file, `model_list:\n${model("demo")}general_settings:\n  allow_unauthenticated: true\n`);
      expect(await rt.reload()).toBe(true);
      expect((await fetch(`http://127.0.0.1:${publicServer.port}/v1/models`)).status).toBe(200);
    } finally {
      await publicServer.close();
    }

    await writeFile(file, keyed());
    expect(await rt.reload()).toBe(true);
    const local = await startServer(rt, { host: "127.0.0.1", port: 0 });
    try {
      await writeFile(file, `model_list:\n${model("demo")}`);
      expect(await rt.reload()).toBe(true);
      expect((await fetch(`http://127.0.0.1:${local.port}/v1/models`)).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

const redisUp = await redisAnswers(REDIS_HOST, REDIS_PORT);
if (!redisUp && !REDIS_REQUIRED) warnSkipped("test/reload-lifecycle.test.ts", `NO REDIS answers at ${REDIS_HOST}:${REDIS_PORT}: the retirement test runs without its Redis half`);

describe("snapshots replaced under steady traffic", () => {
  it("close their log files and Redis connections within the grace period while calls go on", async () => {
    const withRedis = redisUp || REDIS_REQUIRED;
    const prefix = runPrefix();
    const file = join(tmp.path, "c.yaml");
    await writeFile(join(tmp.path, "slow.ts"), `export default async function slow(kwargs: unknown) { await new Promise((r) => setTimeout(r, 200)); }\n`);
    const config = (n: number) =>
      `model_list:\n${model("demo")}litellm_settings:\n  success_callback: [file, ./slow.ts]\n` +
      (withRedis ? `  cache: true\n  cache_params:\n    type: redis\n    host: ${REDIS_HOST}\n    port: ${REDIS_PORT}\n    namespace: ${prefix}-${n}\n` : "") +
      `callback_settings:\n  file:\n    path: log-${n}.jsonl\n`;
    await writeFile(file, config(0));
    rt = await createRuntime({ config: file, retireGraceMs: 3000 });
    const baseline = redisSockets();

    let stop = false;
    let failures = 0;
    let calls = 0;
    const traffic = (async () => {
      // About 60 calls a second, each with a callback that takes 200 ms: the logging queue is never idle.
      while (!stop) {
        void rt!.acompletion({ model: "demo", messages: [{ role: "user", content: `q${calls++}` }] }).catch(() => failures++);
        await sleep(16);
      }
    })();

    const logs = (n: number) => join(tmp.path, `log-${n}.jsonl`);
    for (let n = 1; n <= 10; n++) {
      await sleep(150);
      await writeFile(file, config(n));
      expect(await rt.reload()).toBe(true);
    }
    // Traffic goes on; the ten replaced snapshots must let go of their files and connections within the grace period.
    await vi.waitFor(
      () => {
        const open = openFiles();
        for (let n = 0; n < 10; n++) expect(open).not.toContain(logs(n));
        if (withRedis) expect(redisSockets() - baseline).toBeLessThanOrEqual(1);
      },
      { timeout: 8000, interval: 100 },
    );
    expect(openFiles()).toContain(logs(10));
    stop = true;
    await traffic;
    expect(failures).toBe(0);
    expect(calls).toBeGreaterThan(50);
  });
});

describe("a reload of a 2,000-model config under traffic", () => {
  it("fails no call and serves the new models; the extra wait it causes is measured in `npm run bench` (large reload)", async () => {
    const file = join(tmp.path, "c.yaml");
    const big = (tag: string) => `model_list:\n${model("live")}${Array.from({ length: 2000 }, (_, i) => model(`${tag}-${i}`)).join("")}`;
    await writeFile(file, big("a"));
    rt = await createRuntime({ config: file });
    let stop = false;
    let failures = 0;
    let calls = 0;
    const traffic = (async () => {
      while (!stop) {
        calls++;
        await rt!.acompletion({ model: "live", messages: [{ role: "user", content: "hi" }] }).catch(() => failures++);
        await sleep(2);
      }
    })();
    await writeFile(file, big("b"));
    expect(await rt.reload()).toBe(true);
    stop = true;
    await traffic;
    expect(failures).toBe(0);
    expect(calls).toBeGreaterThan(1);
    expect(rt.models()).toHaveLength(2001);
    expect(rt.models()[2000]).toBe("b-1999");
  });
});
