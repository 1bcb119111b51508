// Fuzz: every callback method and hook throws, rejects with or returns arbitrary values; the process never sees an unhandled fault, and every call is logged exactly once.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import litellm, { createRuntime, type Runtime } from "../core/index.ts";
import { LOGGER_METHODS } from "../core/callbacks/custom-logger.ts";
import { Recorder, resetLitellm, user } from "./support/kit.ts";
import { nastyValues } from "./support/thrown-values.ts";

const METHODS = [...LOGGER_METHODS, "flush", "close"] as const;
type Method = (typeof METHODS)[number];
/** `nasty` picks one of the values fast-check itself cannot hold (a revoked Proxy trips its cloning), by index. */
type Act = { kind: "return" | "throw" | "reject"; value?: unknown; nasty?: number };

const NASTY = nastyValues().map((n) => n.value);
const act: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ kind: fc.constantFrom("return", "throw", "reject"), value: fc.anything() }),
  fc.record({ kind: fc.constantFrom("return", "throw", "reject"), nasty: fc.nat(NASTY.length - 1) }),
) as fc.Arbitrary<Act>;
const behaviour = fc.record(Object.fromEntries(METHODS.map((m) => [m, act])) as Record<Method, fc.Arbitrary<Act>>);
const call = fc.record({ sync: fc.boolean(), stream: fc.boolean() });

function perform(a: Act): unknown {
  const value = a.nasty === undefined ? a.value : NASTY[a.nasty];
  if (a.kind === "throw") throw value;
  if (a.kind === "reject") return Promise.reject(value);
  return value;
}

/** A callback object with every method, each doing what the current behaviour says. */
function faulty(current: () => Record<Method, Act>): Record<Method, () => unknown> {
  return Object.fromEntries(METHODS.map((m) => [m, () => perform(current()[m])])) as Record<Method, () => unknown>;
}

/** Listed after the faulty one: records each call's success and failure events. */
const outcomes = () => new Recorder({ events: ["success", "failure"] });

/** Makes one call and consumes whatever comes back; the call's own error is fine, anything escaping is not. */
async function oneCall(run: (params: Record<string, unknown>) => Promise<unknown>, c: { stream: boolean }): Promise<void> {
  try {
    const out = await run({ model: "mock/echo", messages: user("fuzz"), ...(c.stream && { stream: true }) });
    if (out && typeof out === "object" && Symbol.asyncIterator in out) for await (const _ of out as AsyncIterable<unknown>);
  } catch {
    // A rejected call is an allowed outcome; its failure must still be logged once.
  }
}

const escaped: unknown[] = [];
const onEscape = (e: unknown) => void escaped.push(e);

beforeAll(() => {
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
});
afterAll(() => {
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
});

describe("fuzzing every callback method and hook", () => {
  it("process-wide lists, 700 runs: nothing escapes, each call logged once, flush() and close() return", async () => {
    let current: Record<Method, Act>;
    const bad = faulty(() => current);
    litellm.callback_timeout = 1;
    litellm.on_callback_error = () => {};
    try {
      await fc.assert(
        fc.asyncProperty(behaviour, call, async (b, c) => {
          current = b;
          const recorder = outcomes();
          litellm.callbacks = [bad as never, recorder];
          await oneCall((p) => (c.sync ? litellm.completion(p as never) : litellm.acompletion(p as never)), c);
          await litellm.flush();
          await litellm.close();
          expect(recorder.events()).toHaveLength(1);
        }),
        { numRuns: 700 },
      );
    } finally {
      resetLitellm();
      litellm.callback_timeout = 10;
      litellm.on_callback_error = undefined;
    }
    expect(escaped).toEqual([]);
  }, 60_000);

  it("a config runtime, 300 runs: nothing escapes, each call logged once, flush() and close() return", async () => {
    let current: Record<Method, Act>;
    const recorder = outcomes();
    const rt: Runtime = await createRuntime({ config: { litellm_settings: { callbacks: [faulty(() => current) as never, recorder], callback_timeout: 1 } } });
    rt.on("callback_error", () => {});
    try {
      await fc.assert(
        fc.asyncProperty(behaviour, call, async (b, c) => {
          current = b;
          recorder.clear();
          await oneCall((p) => (c.sync ? rt.completion(p as never) : rt.acompletion(p as never)), c);
          await rt.flush();
          expect(recorder.events()).toHaveLength(1);
        }),
        { numRuns: 300 },
      );
    } finally {
      await rt.close();
    }
    expect(escaped).toEqual([]);
  }, 60_000);
});
