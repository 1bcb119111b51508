// Built-ins named in the process-wide lists: checked when assigned, given options with the object form,
// and reached by litellm.flush() and litellm.close().
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { acompletion, InvalidCallbackError, registerBuiltin } from "../core/index.ts";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { resetLitellm, user } from "./support/kit.ts";

const messages = user("hi");

/** The error a statement throws, or undefined. */
function thrown(fn: () => unknown): InvalidCallbackError | undefined {
  try {
    fn();
  } catch (err) {
    return err as InvalidCallbackError;
  }
  return undefined;
}

let collector: FakeCollector;
beforeEach(async () => {
  resetLitellm();
  collector = await startFakeCollector();
});
afterEach(async () => {
  resetLitellm();
  await litellm.flush();
  await collector.close();
});

describe("a built-in's missing option throws at the assignment, with the fix", () => {
  it('litellm.success_callback = ["webhook"]: CALLBACK_INVALID naming options.url and the object form', () => {
    const err = thrown(() => {
      litellm.success_callback = ["webhook"];
    });
    expect(err).toBeInstanceOf(InvalidCallbackError);
    expect({ code: err!.code, option: err!.option, message: err!.message }).toEqual({
      code: "CALLBACK_INVALID",
      option: "url",
      message: 'litellm.success_callback[0]: webhook needs options.url: litellm.success_callback = [{ callback: "webhook", options: { url: "https://..." } }]',
    });
    expect(litellm.success_callback).toEqual([]);
  });

  it("push() of a bad entry throws and leaves the list as it was", () => {
    litellm.callbacks.push("console");
    expect(thrown(() => litellm.callbacks.push({ callback: "webhook", options: {} }))?.message).toBe(
      'litellm.callbacks[1]: webhook needs options.url: litellm.callbacks = [{ callback: "webhook", options: { url: "https://..." } }]',
    );
    expect(thrown(() => litellm.callbacks.push({ callback: "webhook", options: { url: "ftp://x" } }))?.message).toBe('litellm.callbacks[1]: webhook: url must start with https:// or http://; found "ftp:".');
    expect(thrown(() => litellm.failure_callback.push({ callback: "webhook", events: ["sucess" as never] }))?.message).toContain('"events" must be a list of pre_api_call');
    expect(thrown(() => litellm.failure_callback.push({ callback: 42 } as never))?.code).toBe("CALLBACK_INVALID");
    expect(thrown(() => litellm.failure_callback.push({ callback: "posthog" }))?.message).toContain('"posthog" is not a built-in callback');
    expect(litellm.callbacks).toEqual(["console"]);
    expect(litellm.failure_callback).toEqual([]);
  });

  it("the next call is not where it fails: a good assignment calls through", async () => {
    thrown(() => {
      litellm.success_callback = ["webhook"];
    });
    await expect(acompletion({ model: "mock/x", messages, mock_response: "ok" })).resolves.toBeDefined();
  });
});

describe("the object form { callback, options } in a process-wide list", () => {
  it("delivers to the webhook it names, and litellm.flush() sends what is buffered", async () => {
    litellm.success_callback = [{ callback: "webhook", options: { url: collector.url, flush_interval: 60_000 } }];
    await acompletion({ model: "mock/x", messages, mock_response: "first" });
    await acompletion({ model: "mock/x", messages, mock_response: "second" });
    await litellm.flush();
    expect(collector.events.map((e) => [e.status, e.response])).toEqual([
      ["success", expect.objectContaining({ choices: [expect.objectContaining({ message: expect.objectContaining({ content: "first" }) })] })],
      ["success", expect.objectContaining({ choices: [expect.objectContaining({ message: expect.objectContaining({ content: "second" }) })] })],
    ]);
  });

  it("events narrows what reaches it: failures only", async () => {
    litellm.callbacks = [{ callback: "webhook", options: { url: collector.url }, events: ["failure"] }];
    await acompletion({ model: "mock/x", messages, mock_response: "fine" });
    await expect(acompletion({ model: "mock/x", messages, mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await litellm.flush();
    expect(collector.events.map((e) => e.status)).toEqual(["failure"]);
  });
});

describe("litellm.flush() and litellm.close() reach the built-ins the lists made", () => {
  it("a built-in replaced in its list is still flushed and closed; one in the list now too; then fresh ones", async () => {
    const seen: string[] = [];
    let made = 0;
    registerBuiltin("test-process-wide", (options) => {
      const id = `${String(options.tag ?? "plain")}#${++made}`;
      return { log_success_event: () => void seen.push(`success ${id}`), flush: () => void seen.push(`flush ${id}`), close: () => void seen.push(`close ${id}`) };
    });
    litellm.success_callback = [{ callback: "test-process-wide", options: { tag: "old" } }];
    litellm.success_callback = ["test-process-wide"];
    await acompletion({ model: "mock/x", messages, mock_response: "ok" });
    await litellm.close();
    // The lists' callbacks first, then the built-ins they no longer hold.
    expect(seen).toEqual(["success plain#2", "flush plain#2", "flush old#1", "close plain#2", "close old#1"]);
    seen.length = 0;
    await acompletion({ model: "mock/x", messages, mock_response: "ok" });
    await litellm.flush();
    expect(seen).toEqual(["success plain#3", "flush plain#3"]);
  });
});
