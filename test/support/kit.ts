// What most test files need: a recorder of callback events, a user message, a clean slate of process-wide lists, a temp folder.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, onTestFinished } from "vitest";
import litellm, { createRuntime, CustomLogger, type CallbackInput, type CallbackKwargs, type InlineConfig, type Runtime } from "../../core/index.ts";
import type { LoggerMethod } from "../../core/callbacks/custom-logger.ts";
import { EVENTS, type EventName } from "../../core/callbacks/registry.ts";

/** One event as a handler received it. `response` is the chunk for stream_event, null for pre_api_call. */
export interface Logged {
  event: EventName;
  kwargs: CallbackKwargs;
  response: unknown;
}

/** What a Recorder listens to unless told otherwise: stream_event fires once per chunk, so it is asked for by name. */
const CALL_EVENTS: readonly EventName[] = ["pre_api_call", "post_api_call", "success", "failure"];

/**
 * A handler that records the events it receives, in order. `events` (as in the
 * config's object form) picks which: the others stay the base no-ops, so the
 * dispatcher never registers them for this handler.
 */
export class Recorder extends CustomLogger {
  readonly seen: Logged[] = [];

  constructor({ events = CALL_EVENTS }: { events?: readonly EventName[] } = {}) {
    super();
    const base = CustomLogger.prototype as unknown as Record<LoggerMethod, unknown>;
    for (const event of EVENTS) {
      if (events.includes(event)) continue;
      for (const method of METHODS[event]) Object.defineProperty(this, method, { value: base[method] });
    }
  }

  /** The event names, in the order they arrived. */
  events(): EventName[] {
    return this.seen.map((s) => s.event);
  }

  of(event: EventName): Logged[] {
    return this.seen.filter((s) => s.event === event);
  }

  /** The latest record of `event`; throws, naming what did arrive, when there is none. */
  last(event: EventName): Logged {
    const found = this.seen.findLast((s) => s.event === event);
    if (!found) throw new Error(`Recorder: no ${event} event recorded; received [${this.events().join(", ")}]`);
    return found;
  }

  clear(): void {
    this.seen.length = 0;
  }

  private note(event: EventName, kwargs: CallbackKwargs, response: unknown): void {
    this.seen.push({ event, kwargs, response });
  }

  // One form per event: a handler that defines only one gets it from both entry points, once per event.
  override async async_log_pre_api_call(_model: string, _messages: unknown, kwargs: CallbackKwargs): Promise<void> {
    this.note("pre_api_call", kwargs, null);
  }
  override log_post_api_call(kwargs: CallbackKwargs, response: unknown): void {
    this.note("post_api_call", kwargs, response);
  }
  override async async_log_stream_event(kwargs: CallbackKwargs, chunk: unknown): Promise<void> {
    this.note("stream_event", kwargs, chunk);
  }
  override async async_log_success_event(kwargs: CallbackKwargs, response: unknown): Promise<void> {
    this.note("success", kwargs, response);
  }
  override async async_log_failure_event(kwargs: CallbackKwargs, response: unknown): Promise<void> {
    this.note("failure", kwargs, response);
  }
}

/** The methods the Recorder defines for each event (post_api_call has no async form). */
const METHODS: Record<EventName, readonly LoggerMethod[]> = {
  pre_api_call: ["async_log_pre_api_call"],
  post_api_call: ["log_post_api_call"],
  stream_event: ["async_log_stream_event"],
  success: ["async_log_success_event"],
  failure: ["async_log_failure_event"],
};

/** A one-message conversation, typed narrowly enough for the openai client's params as well as ours. */
export function user(content: string): Array<{ role: "user"; content: string }> {
  return [{ role: "user", content }];
}

/** The process-wide `litellm` lists and settings back to a known state: tests in one file share the module. */
export function resetLitellm(callbacks: CallbackInput[] = []): void {
  litellm.callbacks = callbacks;
  litellm.success_callback = [];
  litellm.failure_callback = [];
  litellm.input_callback = [];
  litellm.redact_api_keys = true;
}

/** A folder made by `useTempDir`; `path` is read inside tests and hooks, once the folder exists. */
export interface TempDir {
  readonly path: string;
}

/**
 * A fresh folder under the OS temp dir for each test (or once for the file or
 * describe block, `per: "suite"`), removed with its contents afterwards. Call
 * it before the hooks that use the folder: hooks run in order before a test
 * and in reverse after it, so the folder outlives them.
 */
export function useTempDir(prefix: string, { per = "test" }: { per?: "test" | "suite" } = {}): TempDir {
  let path: string | undefined;
  const make = async () => void (path = await makeTempDir(prefix));
  const remove = async () => {
    if (path) await rm(path, { recursive: true, force: true });
    path = undefined;
  };
  if (per === "test") {
    beforeEach(make);
    afterEach(remove);
  } else {
    beforeAll(make);
    afterAll(remove);
  }
  return {
    get path() {
      if (!path) throw new Error(`useTempDir("${prefix}"): the folder exists only inside tests and hooks`);
      return path;
    },
  };
}

/** Inside one test: a fresh folder, removed when the test finishes, pass or fail. */
export async function tempDirForTest(prefix: string): Promise<string> {
  const path = await makeTempDir(prefix);
  onTestFinished(() => rm(path, { recursive: true, force: true }));
  return path;
}

function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * A factory of runtimes for a test file: each is closed after its test, and
 * its `callback_error` reports (expected where tests throw on purpose) are
 * kept off stderr.
 */
export function useRuntimes(): (config: InlineConfig | string) => Promise<Runtime> {
  const made: Runtime[] = [];
  afterEach(async () => {
    for (const rt of made.splice(0)) await rt.close();
  });
  return async (config) => {
    const rt = await createRuntime({ config });
    rt.on("callback_error", () => {});
    made.push(rt);
    return rt;
  };
}
