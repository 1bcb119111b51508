// Whatever a callback throws or rejects with, from any method, the process stays up: reported through the one failure wrapper, never thrown on.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { callbackFailure, describeThrown } from "../core/callbacks/failure.ts";
import {
  CallbackError,
  createRuntime,
  CustomLogger,
  startServer,
  type CallbackKwargs,
  type DualCache,
  type RunningServer,
  type Runtime,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { tempDirForTest, useTempDir, user } from "./support/kit.ts";
import { nastyValues } from "./support/thrown-values.ts";

const NASTY = nastyValues();

/** The fault a request asks for, in its metadata: which value, thrown where, and how. */
type Ask = { nasty?: number; where?: "log" | "pre" | "post"; how?: "sync" | "async" };
const askOf = (metadata: unknown): Ask => (metadata && typeof metadata === "object" ? ((metadata as { fault?: Ask }).fault ?? {}) : {});

function raise(ask: Ask): unknown {
  const value = NASTY[ask.nasty!]!.value;
  if (ask.how === "async") return Promise.reject(value);
  throw value;
}

/** Throws what the request asks for, where it asks; records every success and failure per call id. */
class Faulty extends CustomLogger {
  logged = new Map<string, string[]>();
  private record(kwargs: CallbackKwargs, status: string) {
    const id = String(kwargs.litellm_call_id);
    this.logged.set(id, [...(this.logged.get(id) ?? []), status]);
  }
  override log_success_event(kwargs: CallbackKwargs) {
    this.record(kwargs, "success");
    const ask = askOf(kwargs.litellm_params.metadata);
    if (ask.where === "log") return raise(ask) as void;
  }
  override log_failure_event(kwargs: CallbackKwargs) {
    this.record(kwargs, "failure");
  }
  override async_pre_call_hook(_user: UserAPIKeyAuth, _cache: DualCache, data: Record<string, unknown>) {
    const ask = askOf(data.metadata);
    if (ask.where === "pre") return raise(ask) as Promise<undefined>;
    return Promise.resolve(data);
  }
  override async_post_call_success_hook(data: Record<string, unknown>, _user: UserAPIKeyAuth, response: unknown) {
    const ask = askOf(data.metadata);
    if (ask.where === "post") return raise(ask) as Promise<undefined>;
    return Promise.resolve(response);
  }
  failures() {
    return [...this.logged.values()].filter((s) => s.includes("failure")).length;
  }
}

describe("describeThrown and callbackFailure", () => {
  it.each(NASTY.map((n) => [n.name, n.value] as const))("%s: described in words, never a throw", (_name, value) => {
    const text = describeThrown(value);
    expect(typeof text).toBe("string");
    expect(text.length).toBeGreaterThan(0);
    const err = callbackFailure("CALLBACK_THREW", "Faulty", "log_success_event", { thrown: value }, "The call was not affected.");
    expect(err).toBeInstanceOf(CallbackError);
    expect(err).toMatchObject({ code: "CALLBACK_THREW", callback: "Faulty", event: "log_success_event" });
    expect(err.message).toContain(text.replace(/\.$/, ""));
  });

  it("says what each kind is", () => {
    expect(NASTY.map((n) => describeThrown(n.value))).toEqual([
      "an object with a null prototype",
      "an object with a null prototype {reason}",
      "an object that cannot be inspected (a revoked Proxy?)",
      "an Object (not an Error) {toString}",
      "Error whose message cannot be read",
      "undefined (it threw or rejected with no value)",
      "null",
      "a Symbol(thrown)",
    ]);
    expect(describeThrown(new TypeError("boom"))).toBe("boom");
    expect(describeThrown("x".repeat(10_000)).length).toBeLessThan(600);
  });
});

describe("through a real server", () => {
  const faulty = new Faulty();
  const tmp = useTempDir("litellm-faults-", { per: "suite" });
  let rt: Runtime;
  let server: RunningServer;
  let client: OpenAI;
  const reports: CallbackError[] = [];

  beforeAll(async () => {
    rt = await createRuntime({
      config: {
        model_list: [
          { model_name: "echo", litellm_params: { model: "mock/echo" } },
          { model_name: "slow", litellm_params: { model: "mock/echo", mock_delay: 400 } },
        ],
        litellm_settings: { callbacks: [faulty] },
      },
      cwd: tmp.path,
    });
    rt.on("callback_error", (err: CallbackError) => reports.push(err));
    server = await startServer(rt, { port: 0 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
  });

  afterAll(async () => {
    await server?.close(1000);
    await rt?.close();
  });

  beforeEach(() => {
    faulty.logged.clear();
    reports.length = 0;
  });

  const ask = (fault: Ask, model = "echo", content = "hi") => client.chat.completions.create({ model, messages: user(content), metadata: { fault } } as never);

  it("a logging callback throwing, sync or async, any of the values: every answer is 200, a request in flight completes, the next one is answered", async () => {
    const inflight = ask({}, "slow", "in flight");
    for (const how of ["sync", "async"] as const) {
      for (let i = 0; i < NASTY.length; i++) {
        const res = await ask({ nasty: i, where: "log", how }, "echo", `${how} ${i}`);
        expect(res.choices[0]!.message.content).toBe(`${how} ${i}`);
      }
    }
    expect((await inflight).choices[0]!.message.content).toBe("in flight");
    expect((await ask({})).choices[0]!.message.content).toBe("hi");
    await rt.flush();
    const threw = reports.filter((r) => r.code === "CALLBACK_THREW" && r.event === "log_success_event");
    expect(threw).toHaveLength(2 * NASTY.length);
    expect(threw).toEqual(Array(2 * NASTY.length).fill(expect.objectContaining({ callback: "Faulty", message: expect.stringMatching(/^callback "Faulty" failed in log_success_event: /) })));
  });

  it("a pre-call hook throwing a null-prototype object: a 500 in OpenAI's shape, the call logged as a failure, the server keeps serving", async () => {
    const err = await ask({ nasty: 0, where: "pre", how: "sync" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: "api_error",
      code: "CALLBACK_THREW",
      param: null,
      message: expect.stringContaining("rejected"),
    });
    expect((await ask({})).choices[0]!.message.content).toBe("hi");
    await rt.flush();
    expect(faulty.failures()).toBe(1);
    expect(reports.map((r) => [r.code, r.event])).toEqual([["CALLBACK_THREW", "async_pre_call_hook"]]);
  });

  it("a pre-call hook rejecting with each value: each call is a 500 and logged once as a failure", async () => {
    for (let i = 0; i < NASTY.length; i++) {
      const err = await ask({ nasty: i, where: "pre", how: "async" }).catch((e: unknown) => e);
      expect(err, NASTY[i]!.name).toBeInstanceOf(OpenAI.InternalServerError);
      expect((err as InstanceType<typeof OpenAI.APIError>).error, NASTY[i]!.name).toMatchObject({ code: "CALLBACK_THREW" });
    }
    await rt.flush();
    expect([...faulty.logged.values()]).toEqual(NASTY.map(() => ["failure"]));
  });

  it("a post-call hook throwing each value: reported, and the client gets the answer as it was", async () => {
    for (let i = 0; i < NASTY.length; i++) expect((await ask({ nasty: i, where: "post", how: "sync" }, "echo", `post ${i}`)).choices[0]!.message.content).toBe(`post ${i}`);
    await rt.flush();
    expect(reports.filter((r) => r.event === "async_post_call_success_hook" && r.code === "CALLBACK_THREW")).toHaveLength(NASTY.length);
  });
});

describe("a callback's flush() and close() rejecting with undefined or null", () => {
  const tmp = useTempDir("litellm-faults-close-");
  let collector: FakeCollector;
  let rt: Runtime | undefined;

  beforeEach(async () => {
    collector = await startFakeCollector();
  });

  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await collector.close();
  });

  // The webhook holds its events until it is flushed: they are delivered only if the bad callback beside it does not stop the flush.
  const settings = () => ({ webhook: { url: collector.url, batch_size: 100, flush_interval: 60_000 } });

  it("on the reload that drops it: nothing crashes, both failures are reported, and the webhook's undelivered events still arrive", async () => {
    await writeFile(join(tmp.path, "bad.ts"), "export default { log_success_event() {}, async flush() { throw undefined; }, close() { return Promise.reject(null); } };\n");
    const file = join(tmp.path, "litellm.config.yaml");
    const yaml = (callbacks: string) =>
      `model_list:\n  - model_name: echo\n    litellm_params:\n      model: mock/echo\nlitellm_settings:\n  callbacks: ${callbacks}\ncallback_settings:\n  webhook:\n    url: ${collector.url}\n    batch_size: 100\n    flush_interval: 60000\n`;
    await writeFile(file, yaml("[./bad.ts, webhook]"));
    rt = await createRuntime({ config: file, retireGraceMs: 1000 });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (err: CallbackError) => reports.push(err));
    for (const content of ["a", "b", "c"]) await rt.acompletion({ model: "echo", messages: user(content) });
    expect(collector.events).toHaveLength(0);

    await writeFile(file, yaml("[]"));
    expect(await rt.reload()).toBe(true);
    await expect.poll(() => reports.length, { timeout: 5000 }).toBe(2);
    expect(reports.map((r) => [r.code, r.callback, r.event])).toEqual(
      expect.arrayContaining([
        ["CALLBACK_THREW", "callback object", "flush"],
        ["CALLBACK_THREW", "callback object", "close"],
      ]),
    );
    const said = reports.map((r) => r.message).join("\n");
    expect(said).toContain("failed in flush: undefined");
    expect(said).toContain("failed in close: null");
    await expect.poll(() => collector.events.length, { timeout: 5000 }).toBe(3);
    expect((await rt.acompletion({ model: "echo", messages: user("after") })).choices[0]!.message.content).toBe("after");
  });

  it("on graceful shutdown of the server: the shutdown completes, both are reported, and the webhook's buffered events are delivered", async () => {
    const bad = {
      log_success_event() {},
      flush: () => Promise.reject(null),
      close: async () => {
        throw undefined;
      },
    };
    rt = await createRuntime({
      config: { model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [bad, "webhook"] }, callback_settings: settings() },
      cwd: tmp.path,
    });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (err: CallbackError) => reports.push(err));
    const server = await startServer(rt, { port: 0 });
    for (const content of ["a", "b", "c"]) {
      const res = await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "echo", messages: user(content) }),
      });
      expect(res.status).toBe(200);
    }
    // As `serve` does on SIGTERM: stop taking work and drain, then flush and close the callbacks.
    await server.close(1000);
    await rt.close();
    expect(collector.events).toHaveLength(3);
    expect(reports.map((r) => [r.code, r.event]).sort()).toEqual([
      ["CALLBACK_THREW", "close"],
      ["CALLBACK_THREW", "flush"],
    ]);
  });
});

describe("a pre-call hook that throws a message", () => {
  it("rejects the call with it, as an Error: a 400 on the server, one failure logged, nothing reported as a fault", async () => {
    const dir = await tempDirForTest("hook-message-");
    const failures: string[] = [];
    const reports: CallbackError[] = [];
    const guard = {
      async_pre_call_hook() {
        throw "team ads may not use this model";
      },
      async async_log_failure_event(kwargs: CallbackKwargs) {
        failures.push(kwargs.litellm_call_id);
      },
    };
    const rt = await createRuntime({ config: { model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [guard] } }, cwd: dir });
    rt.on("callback_error", (err: CallbackError) => reports.push(err));
    const server = await startServer(rt, { port: 0 });
    try {
      await expect(rt.acompletion({ model: "echo", messages: [{ role: "user", content: "hi" }] })).rejects.toThrow("team ads may not use this model");
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
      const err = await client.chat.completions.create({ model: "echo", messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "team ads may not use this model" });
      await rt.flush();
      expect(failures).toHaveLength(2);
      expect(reports).toEqual([]);
    } finally {
      await server.close(1000);
      await rt.close();
    }
  });
});
