import { writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, createRuntime, validateConfig, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir } from "./support/kit.ts";

/**
 * A config's environment_variables go into its own environment, never into
 * process.env: a config that fails (at start, in validation, at a reload that
 * keeps the last good one serving) changes nothing, and two runtimes in one
 * process each call with their own keys.
 */

const tmp = useTempDir("llrt-env-isolation-");
let fake: FakeOpenAI;
let saved: NodeJS.ProcessEnv;
const runtimes: Runtime[] = [];

beforeEach(async () => {
  fake = await startFakeOpenAI({ content: "from the fake upstream" });
  saved = { ...process.env };
  delete process.env.OPENAI_BASE_URL;
  delete process.env.OPENAI_API_BASE;
});

afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.close();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  await fake.close();
});

/** A config whose only key is OPENAI_API_KEY from its environment_variables, and its base URL the same way. */
const goodConfig = (key: string, base = fake.url) => `model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o-mini
environment_variables:
  OPENAI_API_KEY: ${key}
  OPENAI_BASE_URL: ${base}
`;

/** The same, with a misspelt key: it never validates. */
const brokenConfig = (key: string) => `${goodConfig(key, "http://127.0.0.1:9/v1")}litellm_settings:
  sucess_callback: [console]
`;

async function write(name: string, text: string): Promise<string> {
  const file = join(tmp.path, name);
  await writeFile(file, text);
  return file;
}

async function start(file: string): Promise<Runtime> {
  const rt = await createRuntime({ config: file });
  runtimes.push(rt);
  rt.on("reload_error", () => undefined); // expected in these tests; asserted through reload()'s result
  return rt;
}

const ask = (rt: Runtime, text: string) => rt.acompletion({ model: "gpt", messages: [{ role: "user", content: text }] });

/** The bearer key each request to the fake upstream carried, by the message it asked. */
const keysSeen = () => fake.requests.map((r) => ({ asked: r.body.messages[0].content as string, authorization: r.headers.authorization }));

describe.each([
  ["set", "sk-from-the-process-0001"],
  ["unset", undefined],
])("a config that fails leaves process.env as it was (OPENAI_API_KEY %s before)", (_, before) => {
  beforeEach(() => {
    if (before === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = before;
  });

  it("at start: createRuntime rejects, and no variable of the config was set", async () => {
    const file = await write("litellm.config.yaml", brokenConfig("sk-from-broken-config"));
    const env = { ...process.env };
    await expect(createRuntime({ config: file })).rejects.toBeInstanceOf(ConfigError);
    expect(process.env.OPENAI_API_KEY).toBe(before);
    expect(process.env.OPENAI_BASE_URL).toBeUndefined();
    expect({ ...process.env }).toEqual(env);
  });

  it("in validateConfig", async () => {
    const file = await write("litellm.config.yaml", brokenConfig("sk-from-broken-config"));
    const env = { ...process.env };
    const result = await validateConfig(file);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => e.code)).toEqual(["CONFIG_UNKNOWN_KEY"]);
    expect(process.env.OPENAI_API_KEY).toBe(before);
    expect({ ...process.env }).toEqual(env);
  });

  it("at a reload: the last good config keeps serving with its own key and base", async () => {
    const file = await write("litellm.config.yaml", goodConfig("sk-good-config-0001"));
    const rt = await start(file);
    await ask(rt, "before the edit");

    await writeFile(file, brokenConfig("sk-from-broken-config"));
    const env = { ...process.env };
    expect(await rt.reload([file])).toBe(false);
    expect(process.env.OPENAI_API_KEY).toBe(before);
    expect({ ...process.env }).toEqual(env);

    await ask(rt, "after the broken edit");
    expect(keysSeen()).toEqual([
      { asked: "before the edit", authorization: "Bearer sk-good-config-0001" },
      { asked: "after the broken edit", authorization: "Bearer sk-good-config-0001" },
    ]);
  });
});

describe("a config's own environment", () => {
  it("is what its calls read: two runtimes in one process each call with their own key", async () => {
    process.env.OPENAI_API_KEY = "sk-from-the-process-0001";
    const a = await start(await write("a.yaml", goodConfig("sk-runtime-a-0001")));
    const b = await start(await write("b.yaml", goodConfig("sk-runtime-b-0001")));
    // A third with no environment_variables reads process.env, as a call without a config does.
    const c = await start(await write("c.yaml", `model_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o-mini\n      api_base: ${fake.url}\n`));

    await Promise.all([ask(a, "a1"), ask(b, "b1"), ask(c, "c1"), ask(b, "b2"), ask(a, "a2")]);
    const seen = keysSeen().sort((x, y) => x.asked.localeCompare(y.asked));
    expect(seen).toEqual([
      { asked: "a1", authorization: "Bearer sk-runtime-a-0001" },
      { asked: "a2", authorization: "Bearer sk-runtime-a-0001" },
      { asked: "b1", authorization: "Bearer sk-runtime-b-0001" },
      { asked: "b2", authorization: "Bearer sk-runtime-b-0001" },
      { asked: "c1", authorization: "Bearer sk-from-the-process-0001" },
    ]);
    expect(process.env.OPENAI_API_KEY).toBe("sk-from-the-process-0001");
    // Each masks the key it calls with, wherever its text leaves the process.
    expect(a.scrub("sent sk-runtime-a-0001")).toBe("sent sk-...0001");
    expect(b.scrub("sent sk-runtime-b-0001")).toBe("sent sk-...0001");
  });

  it("takes a good reload's variables for the calls after it", async () => {
    delete process.env.OPENAI_API_KEY;
    const file = await write("litellm.config.yaml", goodConfig("sk-first-0001"));
    const rt = await start(file);
    await ask(rt, "first");
    await writeFile(file, goodConfig("sk-second-0001"));
    expect(await rt.reload([file])).toBe(true);
    await ask(rt, "second");
    expect(keysSeen().map((s) => s.authorization)).toEqual(["Bearer sk-first-0001", "Bearer sk-second-0001"]);
    expect(process.env.OPENAI_API_KEY).toBeUndefined();
  });

  it("holds an include's environment_variables too, each able to use those read before it; the including file wins", async () => {
    delete process.env.LLRT_ISOLATION_HOST;
    await write("keys.yaml", `environment_variables:\n  OPENAI_API_KEY: sk-from-include-0001\n  OPENAI_BASE_URL: http://\${LLRT_ISOLATION_HOST}:${fake.port}/v1\n`);
    const file = await write(
      "litellm.config.yaml",
      `include: [keys.yaml]\nmodel_list:\n  - model_name: gpt\n    litellm_params:\n      model: openai/gpt-4o-mini\nenvironment_variables:\n  LLRT_ISOLATION_HOST: 127.0.0.1\n  OPENAI_API_KEY: sk-from-root-0001\n`,
    );
    const rt = await start(file);
    await ask(rt, "through the include");
    expect(keysSeen()).toEqual([{ asked: "through the include", authorization: "Bearer sk-from-root-0001" }]);
    expect(rt.config.environment_variables).toEqual({ LLRT_ISOLATION_HOST: "127.0.0.1", OPENAI_API_KEY: "sk-from-root-0001", OPENAI_BASE_URL: `http://127.0.0.1:${fake.port}/v1` });
    expect(process.env.LLRT_ISOLATION_HOST).toBeUndefined();
  });

  it("gives the cache its REDIS_* variables: the Redis it connects to is the config's, not the process's", async () => {
    for (const key of ["REDIS_URL", "REDIS_PASSWORD", "REDIS_USERNAME"]) delete process.env[key];
    // Loopback listeners standing in for two Redis servers: only which one the cache knocks on matters here.
    const configs = await listener();
    const processes = await listener();
    process.env.REDIS_HOST = "127.0.0.1";
    process.env.REDIS_PORT = String(processes.port);
    try {
      const file = await write(
        "litellm.config.yaml",
        `model_list:\n  - model_name: demo\n    litellm_params: { model: mock/demo, mock_response: hi }\nlitellm_settings:\n  cache: true\n  cache_params: { type: redis, timeout: 0.2 }\nenvironment_variables:\n  REDIS_PORT: ${configs.port}\n`,
      );
      const rt = await start(file);
      await rt.health();
      expect({ config: configs.sockets.length > 0, process: processes.sockets.length }).toEqual({ config: true, process: 0 });
      expect(process.env.REDIS_PORT).toBe(String(processes.port));
    } finally {
      await configs.close();
      await processes.close();
    }
  });
});

async function listener(): Promise<{ port: number; sockets: Socket[]; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket.on("error", () => undefined)));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as { port: number }).port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}
