import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { acompletion, CallbackError, CustomLogger, CALLBACK_ERROR_CODES, completion } from "../index.ts";
import { resetLitellm, user } from "../../test/support/kit.ts";

const messages = user("hello");
const errors: CallbackError[] = [];

beforeEach(() => {
  resetLitellm();
  litellm.callback_timeout = 10;
  litellm.max_queue = 10_000;
  errors.length = 0;
  litellm.on_callback_error = (e) => errors.push(e);
});

afterEach(async () => {
  await litellm.flush();
  litellm.on_callback_error = undefined;
});

describe("background logging", () => {
  it("returns the response before any callback has run", async () => {
    const seen: string[] = [];
    litellm.success_callback = [() => seen.push("success")];
    litellm.input_callback = [() => seen.push("input")];
    const res = await acompletion({ model: "mock/x", messages, mock_response: "hi" });
    expect(res.choices[0]!.message.content).toBe("hi");
    expect(seen).toEqual([]);
    await litellm.flush();
    expect(seen).toEqual(["input", "success"]);
  });

  it("flush waits for slow async callbacks", async () => {
    let done = false;
    litellm.success_callback = [async () => { await new Promise((r) => setTimeout(r, 30)); done = true; }];
    await acompletion({ model: "mock/x", messages });
    expect(done).toBe(false);
    await litellm.flush();
    expect(done).toBe(true);
  });

  it("a throwing callback is reported with its name and event, and never breaks the call or the others", async () => {
    const ran: string[] = [];
    class Exploding extends CustomLogger {
      override log_success_event(): void { throw new Error("boom"); }
    }
    litellm.callbacks = [new Exploding()];
    litellm.success_callback = [function afterIt() { ran.push("after"); }];
    const res = await completion({ model: "mock/x", messages, mock_response: "ok" });
    await litellm.flush();
    expect(res.choices[0]!.message.content).toBe("ok");
    expect(ran).toEqual(["after"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(CallbackError);
    expect(errors[0]!.code).toBe(CALLBACK_ERROR_CODES.threw);
    expect(errors[0]!.callback).toBe("Exploding");
    expect(errors[0]!.event).toBe("log_success_event");
    expect(errors[0]!.message).toContain("boom");
    expect(litellm.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it("a rejecting async callback is reported once per failure", async () => {
    async function rejects() { throw new Error("nope"); }
    litellm.success_callback = [rejects];
    await acompletion({ model: "mock/x", messages });
    await litellm.flush();
    expect(errors.map((e) => [e.code, e.callback, e.event])).toEqual([[CALLBACK_ERROR_CODES.threw, "rejects", "success_callback"]]);
  });

  it("a hanging callback is abandoned after callback_timeout, reported, and flush does not wait for it forever", async () => {
    litellm.callback_timeout = 0.05;
    class Hangs extends CustomLogger {
      override async async_log_success_event(): Promise<void> { await new Promise(() => {}); }
    }
    litellm.callbacks = [new Hangs()];
    const res = await acompletion({ model: "mock/x", messages, mock_response: "fine" });
    expect(res.choices[0]!.message.content).toBe("fine");
    await litellm.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe(CALLBACK_ERROR_CODES.timeout);
    expect(errors[0]!.message).toContain("Hangs");
    expect(errors[0]!.message).toContain("async_log_success_event");
    expect(litellm.stats().pending).toBe(0);
  });

  it("a full queue drops the oldest work, counts every drop and reports it", async () => {
    litellm.max_queue = 5;
    const seen: string[] = [];
    litellm.success_callback = [(k: { messages: unknown }) => seen.push(JSON.stringify(k.messages))];
    const before = litellm.stats().dropped;
    // Twenty calls in one tick: their success events queue up before anything drains.
    await Promise.all(Array.from({ length: 20 }, (_, i) => acompletion({ model: "mock/x", messages: [{ role: "user", content: `m${i}` }] })));
    await litellm.flush();
    const dropped = litellm.stats().dropped - before;
    expect(dropped).toBeGreaterThan(0);
    expect(seen.length + dropped).toBe(20);
    expect(seen.at(-1)).toContain("m19");
    expect(errors.map((e) => e.code)).toContain(CALLBACK_ERROR_CODES.dropped);
  });

  it("events of one call reach a slow handler in order, without overlap", async () => {
    const log: string[] = [];
    const step = (name: string) => async () => {
      log.push(`enter ${name}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`exit ${name}`);
    };
    litellm.callbacks = [{ async_log_pre_api_call: step("pre"), log_post_api_call: step("post"), async_log_success_event: step("success") }];
    await acompletion({ model: "mock/x", messages });
    await litellm.flush();
    expect(log).toEqual(["enter pre", "exit pre", "enter post", "exit post", "enter success", "exit success"]);
  });
});

describe("registration", () => {
  it("decides a handler's methods when it is registered, not per call", async () => {
    const seen: string[] = [];
    const handler: Record<string, unknown> = { log_pre_api_call: () => seen.push("pre") };
    litellm.callbacks = [handler as never];
    await completion({ model: "mock/x", messages });
    handler.log_success_event = () => seen.push("success");
    await completion({ model: "mock/x", messages });
    await litellm.flush();
    expect(seen).toEqual(["pre", "pre"]);
    litellm.callbacks = [handler as never];
    await completion({ model: "mock/x", messages });
    await litellm.flush();
    expect(seen).toEqual(["pre", "pre", "pre", "success"]);
  });

  it("a handler built on another copy of CustomLogger (its own install, a fresh import) runs what it overrides, not the copy's no-ops", async () => {
    const noop = Symbol.for("litellm-runtime.CustomLogger.noop");
    class OtherCopy {
      async async_log_pre_api_call() {}
      log_pre_api_call() {}
    }
    for (const m of ["async_log_pre_api_call", "log_pre_api_call"] as const) (OtherCopy.prototype[m] as unknown as Record<symbol, boolean>)[noop] = true;
    const seen: string[] = [];
    class Mine extends OtherCopy {
      override log_pre_api_call() { seen.push("sync pre"); }
    }
    litellm.callbacks = [new Mine()];
    await acompletion({ model: "mock/x", messages });
    await litellm.flush();
    expect(seen).toEqual(["sync pre"]);
  });

  it("sees a push into a global list on the next call", async () => {
    const seen: string[] = [];
    await acompletion({ model: "mock/x", messages });
    litellm.success_callback.push(() => seen.push("pushed"));
    await acompletion({ model: "mock/x", messages });
    await litellm.flush();
    expect(seen).toEqual(["pushed"]);
  });

  it("a handler with only async methods still sees completion()'s events, and one with only sync methods acompletion()'s", async () => {
    const seen: string[] = [];
    litellm.callbacks = [
      { async_log_success_event: async () => void seen.push("async-only") },
      { log_success_event: () => void seen.push("sync-only") },
    ];
    await completion({ model: "mock/x", messages });
    await acompletion({ model: "mock/x", messages });
    await litellm.flush();
    expect(seen.sort()).toEqual(["async-only", "async-only", "sync-only", "sync-only"]);
  });

  it("a function in litellm.callbacks is a success and failure callback", async () => {
    const seen: string[] = [];
    litellm.callbacks = [(k: { log_event_type: string }) => void seen.push(k.log_event_type)];
    await acompletion({ model: "mock/x", messages });
    await acompletion({ model: "mock/x", messages, mock_response: "litellm.Timeout" }).catch(() => undefined);
    await litellm.flush();
    expect(seen).toEqual(["successful_api_call", "failed_api_call"]);
  });

  it("a logger in success_callback receives only success events, as LiteLLM's list means", async () => {
    const seen: string[] = [];
    class All extends CustomLogger {
      override log_pre_api_call() { seen.push("pre"); }
      override log_success_event() { seen.push("success"); }
      override log_failure_event() { seen.push("failure"); }
    }
    litellm.success_callback = [new All()];
    await completion({ model: "mock/x", messages });
    await completion({ model: "mock/x", messages, mock_response: "litellm.Timeout" }).catch(() => undefined);
    await litellm.flush();
    expect(seen).toEqual(["success"]);
  });
});
