// Redaction wherever a logger looks: with turn_off_message_logging (or message_logging: false on a handler, or a call's
// metadata.mask_input / mask_output), the prompt and the answer reach no kwargs, no response object and no built-in's
// output, every event, sync and async, streamed or not; the caller's own response keeps the answer.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, CustomLogger, type CallbackInput, type CallbackKwargs, type ChatCompletionChunk, type InlineConfig, type Runtime } from "../core/index.ts";
import { REDACTED } from "../core/callbacks/standard-logging.ts";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { startFakeMixpanel, type FakeMixpanel } from "./support/fake-mixpanel.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir, user } from "./support/kit.ts";

const PROMPT = "prompt-sentinel-7f3a";
const ANSWER = "answer-sentinel-9c1e";
const MIXPANEL_TOKEN = "mp-token-privacy";

type Entry = "completion" | "acompletion";

/** Everything one handler was given, each event serialised as it arrived (what a logger could write anywhere). */
interface Seen {
  event: string;
  json: string;
  kwargs: CallbackKwargs;
  response: unknown;
}

/** Without the Error (class instances are shared, not copied), as the contract says kwargs serialise. */
const serialise = (value: unknown) => JSON.stringify(value, (key, v: unknown) => (key === "exception" ? undefined : v));

/** A handler with every logging method, both forms: whichever the dispatcher calls, it keeps what it was given. */
class Spy extends CustomLogger {
  readonly seen: Seen[] = [];
  private note(event: string, kwargs: CallbackKwargs, response: unknown, extra: unknown = null): void {
    this.seen.push({ event, json: serialise({ kwargs, response, extra }), kwargs, response });
  }
  override log_pre_api_call(_model: string, messages: unknown, kwargs: CallbackKwargs) {
    this.note("pre_api_call", kwargs, null, messages);
  }
  override async async_log_pre_api_call(_model: string, messages: unknown, kwargs: CallbackKwargs) {
    this.note("pre_api_call", kwargs, null, messages);
  }
  override log_post_api_call(kwargs: CallbackKwargs, response: unknown) {
    this.note("post_api_call", kwargs, response);
  }
  override log_stream_event(kwargs: CallbackKwargs, chunk: ChatCompletionChunk) {
    this.note("stream_event", kwargs, chunk);
  }
  override async async_log_stream_event(kwargs: CallbackKwargs, chunk: ChatCompletionChunk) {
    this.note("stream_event", kwargs, chunk);
  }
  override log_success_event(kwargs: CallbackKwargs, response: unknown) {
    this.note("success", kwargs, response);
  }
  override async async_log_success_event(kwargs: CallbackKwargs, response: unknown) {
    this.note("success", kwargs, response);
  }
  override log_failure_event(kwargs: CallbackKwargs, response: unknown) {
    this.note("failure", kwargs, response);
  }
  override async async_log_failure_event(kwargs: CallbackKwargs, response: unknown) {
    this.note("failure", kwargs, response);
  }
  events(): string[] {
    return this.seen.map((s) => s.event);
  }
}

/** The same, as plain functions in input_callback / success_callback / failure_callback. */
function functionSpy(): { seen: Seen[]; input: CallbackInput; success: CallbackInput; failure: CallbackInput } {
  const seen: Seen[] = [];
  return {
    seen,
    input: (kwargs: CallbackKwargs) => void seen.push({ event: "pre_api_call", json: serialise({ kwargs }), kwargs, response: null }),
    success: (kwargs: CallbackKwargs, response: unknown) => void seen.push({ event: "success", json: serialise({ kwargs, response }), kwargs, response }),
    failure: (kwargs: CallbackKwargs, response: unknown) => void seen.push({ event: "failure", json: serialise({ kwargs, response }), kwargs, response }),
  };
}

let upstream: FakeOpenAI;
let collector: FakeCollector;
let mixpanel: FakeMixpanel;
let rt: Runtime | undefined;
let stderr: string[];
const dir = useTempDir("privacy-");

beforeAll(async () => {
  upstream = await startFakeOpenAI({ content: ANSWER });
  collector = await startFakeCollector();
  mixpanel = await startFakeMixpanel({ token: MIXPANEL_TOKEN });
});
afterAll(async () => {
  await upstream.close();
  await collector.close();
  await mixpanel.close();
});
beforeEach(() => {
  collector.reset();
  mixpanel.reset();
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
});

const models = () => [
  { model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", api_base: upstream.url, api_key: "sk-privacy-test-0000" } },
  { model_name: "broken", litellm_params: { model: "openai/fail-500", api_base: upstream.url, api_key: "sk-privacy-test-0000" } },
  { model_name: "embed", litellm_params: { model: "openai/text-embedding-3-small", api_base: upstream.url, api_key: "sk-privacy-test-0000" } },
];

async function start(litellm_settings: Record<string, unknown>, callback_settings: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({ cwd: dir.path, config: { model_list: models(), litellm_settings, callback_settings } as InlineConfig });
  return rt;
}

/** One call, its stream read to the end; returns the answer text the caller got. */
async function ask(r: Runtime, entry: Entry, stream: boolean, metadata?: Record<string, unknown>): Promise<string> {
  const params = { model: "chat", messages: user(`please repeat ${PROMPT}`), stream, ...(metadata && { metadata }) };
  if (!stream) return (await r[entry](params)).choices[0]!.message.content as string;
  let text = "";
  for await (const chunk of (await r[entry](params)) as unknown as AsyncIterable<ChatCompletionChunk>) text += chunk.choices[0]?.delta?.content ?? "";
  return text;
}

/** Each call's events in order, one string per call, sorted: calls overlap in the background, their own events never do. */
function perCall(seen: readonly Seen[]): string[] {
  const calls = new Map<string, string[]>();
  for (const s of seen) {
    const id = s.kwargs.litellm_call_id;
    calls.set(id, [...(calls.get(id) ?? []), s.event]);
  }
  return [...calls.values()].map((events) => events.join()).sort();
}

const holdsNeither = (text: string) => {
  expect(text).not.toContain(PROMPT);
  expect(text).not.toContain(ANSWER);
};

describe("turn_off_message_logging", () => {
  it("keeps the prompt and the answer from every handler, every event, and from every built-in's output; the caller keeps the answer", async () => {
    const spy = new Spy();
    const fns = functionSpy();
    const file = join(dir.path, "events.jsonl");
    const r = await start(
      {
        turn_off_message_logging: true,
        callbacks: [spy, "console"],
        input_callback: [fns.input],
        success_callback: [fns.success, "file", "webhook", "mixpanel"],
        failure_callback: [fns.failure, "file", "webhook", "mixpanel"],
      },
      {
        console: { format: "json", level: "debug" },
        file: { path: file },
        webhook: { url: collector.url, flush_interval: 60_000 },
        mixpanel: { token: MIXPANEL_TOKEN, api_host: mixpanel.url, flush_interval: 60_000 },
      },
    );

    const answers: string[] = [];
    for (const entry of ["completion", "acompletion"] as const) {
      for (const stream of [false, true]) answers.push(await ask(r, entry, stream));
      await expect(r[entry]({ model: "broken", messages: user(`please repeat ${PROMPT}`) })).rejects.toThrow();
    }
    await r.aembedding({ model: "embed", input: [`embed ${PROMPT}`] });
    await r.flush();

    // The caller's own answers are untouched.
    expect(answers).toEqual([ANSWER, ANSWER, ANSWER, ANSWER]);

    // Every event arrived (so what follows is not vacuous), and none holds the prompt or the answer.
    const calls = ["pre_api_call", "post_api_call", "success"];
    const failed = ["pre_api_call", "post_api_call", "failure"];
    const chunks = spy.events().filter((e) => e === "stream_event").length;
    expect(chunks).toBeGreaterThan(2);
    expect(perCall(spy.seen.filter((s) => s.event !== "stream_event"))).toEqual([...Array<string>(5).fill(calls.join()), failed.join(), failed.join()].sort());
    expect(perCall(fns.seen)).toEqual([...Array<string>(5).fill("pre_api_call,success"), "pre_api_call,failure", "pre_api_call,failure"].sort());
    for (const s of [...spy.seen, ...fns.seen]) holdsNeither(s.json);

    // What a handler reads is LiteLLM's redacted shape, not a missing key.
    const success = spy.seen.find((s) => s.event === "success" && !s.kwargs.stream)!;
    expect(success.kwargs.messages).toEqual([{ role: "user", content: REDACTED }]);
    expect(success.kwargs.input).toBe("");
    expect(success.kwargs.additional_args?.complete_input_dict.messages).toEqual([{ role: "user", content: REDACTED }]);
    expect((success.response as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(REDACTED);
    expect(success.kwargs.original_response).toBe(REDACTED);
    expect(success.kwargs.standard_logging_object).toBeDefined();
    const streamed = spy.seen.find((s) => s.event === "success" && s.kwargs.stream)!;
    expect((streamed.kwargs.complete_streaming_response as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(REDACTED);
    for (const s of spy.seen.filter((e) => e.event === "stream_event")) {
      const content = (s.response as ChatCompletionChunk).choices[0]?.delta?.content;
      if (content) expect(content).toBe(REDACTED);
    }

    // The built-ins: the file's lines, the console's JSON lines, the webhook's and Mixpanel's bodies.
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(7);
    holdsNeither(lines.join("\n"));
    expect(stderr.filter((l) => l.includes('"log_event_type"')).length).toBeGreaterThan(chunks);
    holdsNeither(stderr.join(""));
    expect(collector.events).toHaveLength(7);
    holdsNeither(collector.requests.map((q) => q.raw).join("\n"));
    expect(mixpanel.accepted).toHaveLength(7);
    holdsNeither(mixpanel.requests.map((q) => q.raw).join("\n"));
  });

  it("without it, the same handler and the file do see the prompt and the answer (the check above can fail)", async () => {
    const spy = new Spy();
    const file = join(dir.path, "plain.jsonl");
    const r = await start({ callbacks: [spy], success_callback: ["file"] }, { file: { path: file } });
    await ask(r, "acompletion", false);
    await r.flush();
    const success = spy.seen.find((s) => s.event === "success")!;
    expect(success.json).toContain(PROMPT);
    expect(success.json).toContain(ANSWER);
    const line = await readFile(file, "utf8");
    expect(line).toContain(PROMPT);
    expect(line).toContain(ANSWER);
  });
});

describe("message_logging: false on one handler", () => {
  /** The property the registry reads, set on the handler as LiteLLM's integrations set it on theirs. */
  const quiet = (spy: Spy): Spy => Object.defineProperty(spy, "message_logging", { value: false });

  it.each([
    ["acompletion", false],
    ["acompletion", true],
    ["completion", true],
  ] as const)("%s (stream %s): only that handler is redacted; the other and the built-ins still see the content", async (entry, stream) => {
    const redacted = new Spy();
    const plain = new Spy();
    const file = join(dir.path, "events.jsonl");
    const r = await start({ callbacks: [quiet(redacted), plain], success_callback: ["file"] }, { file: { path: file } });
    expect(await ask(r, entry, stream)).toBe(ANSWER);
    await r.flush();

    expect(redacted.events()).toEqual(plain.events());
    expect(redacted.events()).toContain("success");
    for (const s of redacted.seen) holdsNeither(s.json);
    const success = plain.seen.find((s) => s.event === "success")!;
    expect(success.json).toContain(PROMPT);
    expect(success.json).toContain(ANSWER);
    const line = await readFile(file, "utf8");
    expect(line).toContain(PROMPT);
    expect(line).toContain(ANSWER);
  });

  const supported = (new CustomLogger({ message_logging: false }) as unknown as { message_logging?: unknown }).message_logging === false;
  it.skipIf(!supported)("a CustomLogger built with { message_logging: false } is redacted", async () => {
    class Quiet extends Spy {}
    const redacted = new Quiet({ message_logging: false } as never);
    const r = await start({ callbacks: [redacted] });
    await ask(r, "acompletion", true);
    await r.flush();
    expect(redacted.events()).toContain("success");
    for (const s of redacted.seen) holdsNeither(s.json);
  });
});

describe("metadata.mask_input / mask_output on one call", () => {
  it.each([
    [{ mask_input: true }, { prompt: false, answer: true }],
    [{ mask_output: true }, { prompt: true, answer: false }],
    [{ mask_input: true, mask_output: true }, { prompt: false, answer: false }],
  ])("%o: the loggers and the file see only what is not masked; the next call is not masked", async (masks, shown) => {
    const spy = new Spy();
    const file = join(dir.path, "events.jsonl");
    const r = await start({ callbacks: [spy], success_callback: ["file"] }, { file: { path: file } });
    for (const stream of [false, true]) expect(await ask(r, "acompletion", stream, { ...masks, team: "search" })).toBe(ANSWER);
    await r.flush();

    const masked = spy.seen.filter((s) => s.event !== "stream_event");
    expect(masked.map((s) => s.event)).toEqual(["pre_api_call", "post_api_call", "success", "pre_api_call", "post_api_call", "success"]);
    for (const s of spy.seen) {
      if (!shown.prompt) expect(s.json).not.toContain(PROMPT);
      if (!shown.answer) expect(s.json).not.toContain(ANSWER);
    }
    const successes = spy.seen.filter((s) => s.event === "success");
    for (const s of successes) {
      expect(s.json.includes(PROMPT)).toBe(shown.prompt);
      expect(s.json.includes(ANSWER)).toBe(shown.answer);
      // The metadata itself is kept: only content is masked.
      expect(s.kwargs.litellm_params.metadata).toMatchObject({ team: "search" });
    }
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.includes(PROMPT)).toBe(shown.prompt);
      expect(line.includes(ANSWER)).toBe(shown.answer);
    }

    // A call without the flags is logged in full.
    spy.seen.length = 0;
    await ask(r, "acompletion", false);
    await r.flush();
    const next = spy.seen.find((s) => s.event === "success")!;
    expect(next.json).toContain(PROMPT);
    expect(next.json).toContain(ANSWER);
  });
});
