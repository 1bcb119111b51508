import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { acompletion, completion } from "../../core/index.ts";
import { Recorder, resetLitellm, tempDirForTest, useTempDir, user } from "./kit.ts";

afterEach(async () => {
  await litellm.flush();
  resetLitellm();
});

describe("Recorder", () => {
  it("records a call's events in order, with their kwargs and response, from either entry point", async () => {
    const rec = new Recorder();
    resetLitellm([rec]);
    const res = await acompletion({ model: "mock/x", messages: user("hi"), mock_response: "one" });
    // Each call's events arrive in order; two calls' may interleave, so the first is flushed before the second starts.
    await litellm.flush();
    await completion({ model: "mock/x", messages: user("hi"), mock_response: "two" });
    await litellm.flush();
    expect(rec.events()).toEqual(["pre_api_call", "post_api_call", "success", "pre_api_call", "post_api_call", "success"]);
    expect(rec.of("success").map((s) => s.kwargs.call_type)).toEqual(["acompletion", "completion"]);
    expect(rec.of("success")[0]!.response).toEqual(res);
    expect(rec.last("pre_api_call").response).toBeNull();
  });

  it("listens only to the events it is given: stream_event is asked for by name", async () => {
    const outcomes = new Recorder({ events: ["success", "failure"] });
    const chunks = new Recorder({ events: ["stream_event"] });
    resetLitellm([outcomes, chunks]);
    const stream = await acompletion({ model: "mock/x", messages: user("hi"), mock_response: "a few words here", stream: true });
    for await (const _ of stream);
    await litellm.flush();
    expect(outcomes.events()).toEqual(["success"]);
    expect(chunks.of("stream_event").length).toBeGreaterThan(1);
    expect(chunks.events()).toEqual(chunks.of("stream_event").map(() => "stream_event"));
  });

  it("last() names what did arrive when the event it wants did not; clear() empties it", async () => {
    const rec = new Recorder();
    resetLitellm([rec]);
    await acompletion({ model: "mock/x", messages: user("hi") });
    await litellm.flush();
    expect(() => rec.last("failure")).toThrow("Recorder: no failure event recorded; received [pre_api_call, post_api_call, success]");
    rec.clear();
    expect(rec.seen).toEqual([]);
  });
});

describe("resetLitellm", () => {
  it("empties the process-wide lists and restores key redaction", () => {
    litellm.success_callback = [() => undefined];
    litellm.redact_api_keys = false;
    const rec = new Recorder();
    resetLitellm([rec]);
    expect([litellm.callbacks, litellm.success_callback, litellm.failure_callback, litellm.input_callback]).toEqual([[rec], [], [], []]);
    expect(litellm.redact_api_keys).toBe(true);
  });
});

describe("useTempDir", () => {
  const seen: string[] = [];
  const tmp = useTempDir("kit-each-");
  beforeEach(async () => {
    await writeFile(join(tmp.path, "made-by-a-hook"), "");
  });
  afterAll(() => {
    expect(seen.map(existsSync)).toEqual([false, false]);
  });

  it("gives each test a fresh folder, there before the file's own hooks run", () => {
    seen.push(tmp.path);
    expect(existsSync(join(tmp.path, "made-by-a-hook"))).toBe(true);
  });

  it("and removes it afterwards", () => {
    seen.push(tmp.path);
    expect(seen[1]).not.toBe(seen[0]);
  });
});

describe("useTempDir per suite, and tempDirForTest", () => {
  const tmp = useTempDir("kit-suite-", { per: "suite" });
  const paths: string[] = [];

  it("keeps one folder for the describe block", () => {
    paths.push(tmp.path);
  });

  it("the same one in the next test; a test's own folder is gone when the test has finished", async () => {
    expect(tmp.path).toBe(paths[0]);
    paths.push(await tempDirForTest("kit-test-"));
    expect(existsSync(paths[1]!)).toBe(true);
  });

  it("(after the previous test)", () => {
    expect(existsSync(paths[1]!)).toBe(false);
  });
});
