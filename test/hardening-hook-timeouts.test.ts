// Guards fail closed, and nothing a callback leaves unsettled holds up a flush or a shutdown: every overrun is bounded, reported and counted.
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import litellm, { CallbackError, createRuntime, CustomLogger, startServer, validateConfig, type CallbackKwargs, type DualCache, type RunningServer, type Runtime, type UserAPIKeyAuth } from "../core/index.ts";
import { resetLitellm } from "./support/globals.ts";

const user = (content: string) => [{ role: "user" as const, content }];
const never = () => new Promise<never>(() => {});

/** A guard that never answers when the request's metadata says `hang`; records what reaches the logs. */
class SlowGuard extends CustomLogger {
  logged: string[] = [];
  override async async_log_success_event() {
    this.logged.push("success");
  }
  override async async_log_failure_event(kwargs: CallbackKwargs) {
    this.logged.push(`failure:${(kwargs.exception as { code?: string } | undefined)?.code}`);
  }
  override async async_pre_call_hook(_user: UserAPIKeyAuth, _cache: DualCache, data: Record<string, unknown>) {
    if ((data.metadata as { hang?: boolean } | undefined)?.hang) return never();
    return data;
  }
}

const inline = (guard: object, extra: Record<string, unknown> = {}) => ({
  model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }],
  litellm_settings: { callbacks: [guard], callback_timeout: 0.2, ...extra },
});

describe("a pre-call hook past callback_timeout, in a runtime", () => {
  let rt: Runtime | undefined;
  afterEach(async () => {
    await rt?.close();
    rt = undefined;
  });

  it("rejects the call (CALLBACK_TIMEOUT), logs it as a failure, reports it and counts it in stats().timeouts", async () => {
    const guard = new SlowGuard();
    rt = await createRuntime({ config: inline(guard) });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (e: CallbackError) => reports.push(e));
    const err = await rt.acompletion({ model: "echo", messages: user("hi"), metadata: { hang: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackError);
    expect(err).toMatchObject({ code: "CALLBACK_TIMEOUT", callback: "SlowGuard", event: "async_pre_call_hook" });
    await rt.flush();
    expect(guard.logged).toEqual(["failure:CALLBACK_TIMEOUT"]);
    expect(reports.map((r) => r.code)).toEqual(["CALLBACK_TIMEOUT"]);
    expect(rt.stats().timeouts).toBe(1);
  });

  it("with hook_timeout_policy: allow, the call goes on unchecked; the timeout is still reported and counted", async () => {
    const guard = new SlowGuard();
    rt = await createRuntime({ config: inline(guard, { hook_timeout_policy: "allow" }) });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (e: CallbackError) => reports.push(e));
    const res = await rt.acompletion({ model: "echo", messages: user("through"), metadata: { hang: true } });
    expect(res.choices[0]!.message.content).toBe("through");
    await rt.flush();
    expect(guard.logged).toEqual(["success"]);
    expect(reports.map((r) => [r.code, r.event])).toEqual([["CALLBACK_TIMEOUT", "async_pre_call_hook"]]);
    expect(reports[0]!.message).toContain("hook_timeout_policy: allow");
    expect(rt.stats().timeouts).toBe(1);
  });

  it("a post-call hook past its time: reported and counted, the response kept", async () => {
    const post = new (class SlowPost extends CustomLogger {
      override async async_post_call_success_hook() {
        return never();
      }
    })();
    rt = await createRuntime({ config: inline(post) });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (e: CallbackError) => reports.push(e));
    const res = await rt.acompletion({ model: "echo", messages: user("kept") });
    expect(res.choices[0]!.message.content).toBe("kept");
    expect(reports.map((r) => [r.code, r.event])).toEqual([["CALLBACK_TIMEOUT", "async_post_call_success_hook"]]);
    expect(rt.stats().timeouts).toBe(1);
  });

  it("hook_timeout_policy takes reject or allow, nothing else", async () => {
    expect((await validateConfig({ litellm_settings: { hook_timeout_policy: "allow" } })).errors).toEqual([]);
    expect((await validateConfig({ litellm_settings: { hook_timeout_policy: "maybe" } })).errors).toMatchObject([
      { code: "CONFIG_INVALID_VALUE", path: "litellm_settings.hook_timeout_policy" },
    ]);
  });
});

describe("a pre-call hook past callback_timeout, through a real server", () => {
  const guard = new SlowGuard();
  let rt: Runtime;
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    rt = await createRuntime({ config: inline(guard) });
    rt.on("callback_error", () => {});
    server = await startServer(rt, { port: 0 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close(1000);
    await rt?.close();
  });

  it("is a 500 with code CALLBACK_TIMEOUT, logged as a failure; the next request is answered", async () => {
    const err = await client.chat.completions.create({ model: "echo", messages: user("hi"), metadata: { hang: true } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "api_error", code: "CALLBACK_TIMEOUT", param: null });
    expect((await client.chat.completions.create({ model: "echo", messages: user("next") })).choices[0]!.message.content).toBe("next");
    await rt.flush();
    expect(guard.logged).toEqual(["failure:CALLBACK_TIMEOUT", "success"]);
  });
});

describe("the process-wide litellm object", () => {
  const reports: CallbackError[] = [];
  beforeEach(() => {
    reports.length = 0;
    litellm.callback_timeout = 0.2;
    litellm.on_callback_error = (e) => reports.push(e);
  });
  afterEach(async () => {
    resetLitellm();
    await litellm.close();
    litellm.callback_timeout = 10;
    litellm.hook_timeout_policy = "reject";
    litellm.on_callback_error = undefined;
  });

  it("litellm.hook_timeout_policy: reject by default, allow lets the call through; anything else is a TypeError", async () => {
    expect(litellm.hook_timeout_policy).toBe("reject");
    litellm.callbacks = [new SlowGuard()];
    await expect(litellm.acompletion({ model: "mock/echo", messages: user("hi"), metadata: { hang: true } })).rejects.toMatchObject({ code: "CALLBACK_TIMEOUT" });
    litellm.hook_timeout_policy = "allow";
    expect((await litellm.acompletion({ model: "mock/echo", messages: user("hi"), metadata: { hang: true } })).choices[0]!.message.content).toBe("hi");
    expect(() => (litellm.hook_timeout_policy = "open" as never)).toThrow(TypeError);
  });

  it("a hanging flush(): litellm.flush() returns, and the timeout is reported with the method's name", async () => {
    const before = litellm.stats().timeouts;
    litellm.success_callback = [Object.assign(() => {}, { flush: never })];
    await litellm.acompletion({ model: "mock/echo", messages: user("hi") });
    await litellm.flush();
    expect(reports.map((r) => [r.code, r.event])).toEqual([["CALLBACK_TIMEOUT", "flush"]]);
    expect(litellm.stats().timeouts).toBe(before + 1);
  }, 5000);

  it("a hanging close(): litellm.close() returns, and the timeout is reported", async () => {
    litellm.callbacks = [{ log_success_event() {}, close: never }];
    await litellm.close();
    expect(reports.map((r) => [r.code, r.event])).toEqual([["CALLBACK_TIMEOUT", "close"]]);
  }, 5000);
});

describe("a runtime whose callback never settles its flush() or close()", () => {
  it("rt.flush() and rt.close() return; both timeouts are reported", async () => {
    const stuck = { log_success_event() {}, flush: never, close: never };
    const rt = await createRuntime({ config: inline(stuck), retireGraceMs: 100 });
    const reports: CallbackError[] = [];
    rt.on("callback_error", (e: CallbackError) => reports.push(e));
    await rt.acompletion({ model: "echo", messages: user("hi") });
    await rt.flush();
    await rt.close();
    expect(reports.map((r) => [r.code, r.event])).toEqual([
      ["CALLBACK_TIMEOUT", "flush"],
      ["CALLBACK_TIMEOUT", "flush"],
      ["CALLBACK_TIMEOUT", "close"],
    ]);
    expect(rt.stats().timeouts).toBe(3);
  }, 5000);
});
