// Each handler gets its own copy: what one changes in kwargs, the response or a chunk reaches no other handler and not the caller.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, { Cache, CustomLogger, acompletion, completion, type CallbackInput, type CallbackKwargs, type ChatCompletionChunk } from "../core/index.ts";
import { ownCopy } from "../core/callbacks/handler-copy.ts";
import { compileCallbacks } from "../core/callbacks/registry.ts";
import { createBuiltin } from "../core/callbacks/builtins.ts";
import "../builtin-callbacks/index.ts";
import { resetLitellm } from "./support/globals.ts";

type Json = Record<string, any>;

/** Changes everything it is given, as a careless handler would: the record, the messages, the metadata, the response, the chunk. */
class Mutator extends CustomLogger {
  override log_pre_api_call(_model: string, messages: Json[], kwargs: CallbackKwargs): void {
    messages[0]!.content = "tampered at pre";
    (kwargs.litellm_params.metadata as Json).user_id = "tampered at pre";
  }
  override log_stream_event(kwargs: CallbackKwargs, chunk: ChatCompletionChunk): void {
    if (chunk.choices[0]?.delta) chunk.choices[0].delta.content = "tampered";
    delete (kwargs as Json).messages;
  }
  override log_success_event(kwargs: CallbackKwargs, response: Json): void {
    const slo = kwargs.standard_logging_object as Json;
    slo.model = "tampered";
    slo.response.choices[0].message.content = "tampered via the record";
    delete slo.metadata.spend_logs_metadata.tag;
    delete kwargs.standard_logging_object;
    (kwargs.messages as Json[])[0]!.content = "tampered";
    (kwargs.messages as Json[]).push({ role: "user", content: "added" });
    const metadata = kwargs.litellm_params.metadata as Json;
    metadata.user_id = "tampered";
    delete metadata.tag;
    response.choices[0].message.content = "tampered";
    delete response.usage;
    response._hidden_params.response_cost = 999;
    if (kwargs.complete_streaming_response) (kwargs.complete_streaming_response as Json).choices[0].message.content = "tampered";
  }
  override log_failure_event(kwargs: CallbackKwargs): void {
    (kwargs.standard_logging_object as Json).error_str = "tampered";
    delete kwargs.standard_logging_object;
    (kwargs.litellm_params.metadata as Json).user_id = "tampered";
  }
}

/** Keeps what it saw, at the moment it saw it. */
class Observer extends CustomLogger {
  seen: Json[] = [];
  chunks: string[] = [];
  override log_stream_event(_kwargs: CallbackKwargs, chunk: ChatCompletionChunk): void {
    this.chunks.push(chunk.choices[0]?.delta?.content ?? "");
  }
  override log_success_event(kwargs: CallbackKwargs, response: Json): void {
    this.seen.push(
      structuredClone({
        slo: kwargs.standard_logging_object,
        messages: kwargs.messages,
        metadata: kwargs.litellm_params.metadata,
        response,
        hidden: response._hidden_params,
        complete: kwargs.complete_streaming_response ?? null,
      }),
    );
  }
  override log_failure_event(kwargs: CallbackKwargs): void {
    this.seen.push({ error: kwargs.standard_logging_object?.error_str, status: kwargs.standard_logging_object?.status, metadata: kwargs.litellm_params.metadata });
  }
}

let dir: string;
let path: string;

beforeEach(async () => {
  await litellm.flush();
  dir = await mkdtemp(join(tmpdir(), "handler-copies-"));
  path = join(dir, "events.jsonl");
});

afterEach(async () => {
  await litellm.flush();
  resetLitellm();
  litellm.cache = null;
  await litellm.close();
  await rm(dir, { recursive: true, force: true });
});

const file = (): CallbackInput => ({ callback: "file", options: { path } });
const question = (i: number) => [{ role: "user", content: `question ${i}` }];
// spend_logs_metadata is a key LiteLLM's record keeps from the call's metadata (the others stay in kwargs only).
const metadataOf = (i: number) => ({ user_id: `user-${i}`, tag: "kept", spend_logs_metadata: { user_id: `user-${i}`, tag: "kept" } });

/** A line as written, without what differs from run to run (ids and times). */
function comparable(line: string): Json {
  const { id, trace_id, litellm_call_id, startTime, endTime, completionStartTime, response_time, ...rest } = JSON.parse(line) as Json;
  if (rest.hidden_params && typeof rest.hidden_params === "object") rest.hidden_params = { ...rest.hidden_params, litellm_overhead_time_ms: "a time" };
  if (rest.response && typeof rest.response === "object") {
    const { id: responseId, created, ...response } = rest.response;
    rest.response = response;
  }
  return rest;
}

async function lines(): Promise<Json[]> {
  return (await readFile(path, "utf8")).trim().split("\n").map(comparable);
}

/** Twenty calls, each with its own messages and metadata; returns what the caller holds, and snapshots of it taken right after each call. */
async function twentyCalls(): Promise<{ held: Json[]; snapshots: Json[] }> {
  const held: Json[] = [];
  const snapshots: Json[] = [];
  for (let i = 0; i < 20; i++) {
    const messages = question(i);
    const metadata = metadataOf(i);
    const response = await acompletion({ model: "gpt-4o-mini", messages, metadata, mock_response: `answer ${i}` });
    held.push({ response, hidden: response._hidden_params, messages, metadata });
    snapshots.push(structuredClone({ response, hidden: response._hidden_params, messages, metadata }));
  }
  await litellm.flush();
  return { held, snapshots };
}

describe("a handler that changes what it is given", () => {
  it("leaves file's lines as an unmodified run writes them (20 of 20), and the second handler sees the originals", async () => {
    const plain = new Observer();
    litellm.callbacks = [file(), plain];
    await twentyCalls();
    const unmodified = await lines();
    await litellm.close();
    await rm(path);

    const observer = new Observer();
    litellm.callbacks = [new Mutator(), file(), observer];
    await twentyCalls();
    const written = await lines();

    expect(written).toHaveLength(20);
    expect(written).toEqual(unmodified);
    expect(written.map((l) => l.metadata.spend_logs_metadata)).toEqual(Array.from({ length: 20 }, (_, i) => metadataOf(i).spend_logs_metadata));
    // What the second user handler saw, ids and times aside, is what a handler saw in the run with no mutator.
    const strip = (s: Json) => ({ ...s, slo: comparable(JSON.stringify(s.slo)), response: { ...s.response, id: 0, created: 0 }, hidden: { ...s.hidden, litellm_overhead_time_ms: 0 } });
    expect(observer.seen.map(strip)).toEqual(plain.seen.map(strip));
    expect(observer.seen[3]!.messages).toEqual(question(3));
    expect(observer.seen[3]!.metadata).toEqual(metadataOf(3));
    expect(observer.seen[3]!.response.choices[0].message.content).toBe("answer 3");
    expect(observer.seen[3]!.hidden.response_cost).toBeGreaterThan(0);
  });

  it("leaves the caller's response, messages and metadata as they were right after the call", async () => {
    litellm.callbacks = [new Mutator(), file(), new Observer()];
    const { held, snapshots } = await twentyCalls();
    expect(held).toEqual(snapshots);
    expect(held.map((h) => h.response._hidden_params)).toEqual(snapshots.map((s) => s.hidden));
  });

  it("leaves a streamed call's chunks as the caller got them, and complete_streaming_response as the others see it", async () => {
    const observer = new Observer();
    litellm.callbacks = [new Mutator(), file(), observer];
    const messages = question(1);
    const stream = await acompletion({ model: "gpt-4o-mini", messages, mock_response: "one two three", stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const snapshot = structuredClone(chunks);
    await litellm.flush();

    expect(chunks).toEqual(snapshot);
    expect(messages).toEqual(question(1));
    const text = snapshot.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("one two three");
    expect(observer.chunks.join("")).toBe(text);
    const seen = observer.seen[0]!;
    expect(seen.complete.choices[0].message.content).toBe(text);
    expect(seen.response).toEqual(seen.complete);
    expect(seen.slo.response.choices[0].message.content).toBe(text);
    const [line] = await lines();
    expect(line!.response.choices[0].message.content).toBe(text);
    expect(line!.messages).toEqual(question(1));
    expect(line!.model).toBe("gpt-4o-mini");
  });

  it("leaves a cache hit as the caller got it, and the cache as it was", async () => {
    litellm.cache = new Cache({ type: "local" });
    const observer = new Observer();
    litellm.callbacks = [new Mutator(), file(), observer];
    const ask = () => acompletion({ model: "gpt-4o-mini", messages: question(7), mock_response: "cached answer" });
    await ask();
    const hit = await ask();
    const snapshot = structuredClone({ hit, hidden: hit._hidden_params });
    await litellm.flush();

    expect(hit._hidden_params.cache_hit).toBe(true);
    expect({ hit, hidden: hit._hidden_params }).toEqual(snapshot);
    expect(observer.seen.map((s) => [s.slo.cache_hit, s.response.choices[0].message.content, s.slo.response.choices[0].message.content])).toEqual([
      [false, "cached answer", "cached answer"],
      [true, "cached answer", "cached answer"],
    ]);
    expect((await lines()).map((l) => [l.cache_hit, l.response.choices[0].message.content])).toEqual([
      [false, "cached answer"],
      [true, "cached answer"],
    ]);
    const again = await ask();
    expect(again.choices[0]!.message.content).toBe("cached answer");
  });

  it("leaves the failure record and the caller's metadata untouched", async () => {
    const observer = new Observer();
    litellm.callbacks = [new Mutator(), file(), observer];
    const metadata = metadataOf(2);
    const caught = await acompletion({ model: "gpt-4o-mini", messages: question(2), metadata, mock_response: new Error("upstream said no") }).catch((e: Error) => e);
    await litellm.flush();
    expect((caught as Error).message).toBe("upstream said no");
    expect(metadata).toEqual(metadataOf(2));
    expect(observer.seen).toEqual([{ error: "upstream said no", status: "failure", metadata: metadataOf(2) }]);
    const [line] = await lines();
    expect([line!.status, line!.error_str]).toEqual(["failure", "upstream said no"]);
  });

  it("works for completion() too: the sync methods get their own copies", async () => {
    const observer = new Observer();
    litellm.callbacks = [new Mutator(), file(), observer];
    const messages = question(5);
    const response = completion({ model: "gpt-4o-mini", messages, mock_response: "sync answer" });
    const held = await response;
    const snapshot = structuredClone(held);
    await litellm.flush();
    expect(held).toEqual(snapshot);
    expect(messages).toEqual(question(5));
    expect(observer.seen[0]!.response.choices[0].message.content).toBe("sync answer");
    expect((await lines())[0]!.response.choices[0].message.content).toBe("sync answer");
  });
});

describe("LiteLLM-style callbacks still write into kwargs", () => {
  it("a function that adds keys to kwargs and to the record runs without an error, and nobody else sees its keys", async () => {
    const errorsBefore = litellm.stats().errors;
    const wrote: Json[] = [];
    const writer = (k: CallbackKwargs, r: unknown) => {
      const kwargs = k as Json;
      const response = r as Json;
      kwargs["my_key"] = "mine";
      kwargs["standard_logging_object"]["my_field"] = 1;
      kwargs["litellm_params"]["metadata"]["added"] = true;
      response["extra"] = "mine";
      wrote.push({ key: kwargs["my_key"], field: kwargs["standard_logging_object"]["my_field"] });
    };
    const observer = new Observer();
    litellm.success_callback = [writer];
    litellm.callbacks = [file(), observer];
    const metadata = metadataOf(1);
    const response = await acompletion({ model: "gpt-4o-mini", messages: question(1), metadata, mock_response: "ok" });
    await litellm.flush();
    expect(litellm.stats().errors).toBe(errorsBefore);
    expect(wrote).toEqual([{ key: "mine", field: 1 }]);
    expect(metadata).toEqual(metadataOf(1));
    expect("extra" in response).toBe(false);
    expect(observer.seen[0]!.slo.my_field).toBeUndefined();
    expect(observer.seen[0]!.metadata).toEqual(metadataOf(1));
    expect((await lines())[0]!.my_field).toBeUndefined();
  });
});

describe("who gets a copy, and what a copy holds", () => {
  it("is decided when the lists are compiled: the project's built-ins share, a handler that can see its arguments copies", () => {
    const reads = { log_success_event(kwargs: unknown) { return kwargs; } };
    const blind = { log_success_event() { return 1; } };
    const rest = { log_success_event(...args: unknown[]) { return args; } };
    const viaArguments = { log_success_event: function () { return arguments.length; } };
    const compiled = compileCallbacks(
      [{ list: "callbacks", entries: ["file", reads, blind, rest, viaArguments, () => 1, (k: unknown) => k] }],
      (name, _list, options) => createBuiltin(name, { path, ...options }),
    );
    expect(compiled.async.success.map((h) => h.copies)).toEqual([false, true, false, true, true, false, true]);
    expect(compiled.async.success.map((h) => h.blind)).toEqual([false, false, true, false, false, true, false]);
  });

  it("builds no copy and no record for an event that no handler can see", () => {
    const blind = () => 1;
    const reads = (k: unknown) => k;
    const table = (entries: CallbackInput[]) => compileCallbacks([{ list: "success_callback", entries }], () => ({})).async.seen;
    expect(table([blind])).toEqual({ pre_api_call: false, post_api_call: false, stream_event: false, success: false, failure: false });
    // One handler that can see it is enough: the event is built for everyone.
    expect(table([blind, reads]).success).toBe(true);
    // The project's built-ins read what they are given.
    expect(compileCallbacks([{ list: "success_callback", entries: ["file"] }], (name, _list, options) => createBuiltin(name, { path, ...options })).async.seen.success).toBe(true);
  });

  it("keeps _hidden_params (not enumerable), aliases, Dates and cycles; shares errors, and values past a depth bound", () => {
    class Boom extends TypeError {
      code = "X";
    }
    const response: Json = { choices: [{ message: { content: "a" } }] };
    Object.defineProperty(response, "_hidden_params", { value: { response_cost: 1 }, enumerable: false, writable: true, configurable: true });
    const messages = [{ role: "user", content: "hi" }];
    const metadata: Json = { deep: {} };
    metadata.self = metadata;
    let deep: Json = metadata.deep;
    for (let i = 0; i < 20_000; i++) deep = deep.next = {};
    const start = new Date(0);
    const kwargs = { messages, litellm_params: { metadata }, start_time: start, exception: new Boom("no"), standard_logging_object: { messages, response, metadata } } as unknown as CallbackKwargs;
    const copy = ownCopy({ kwargs, response, start, end: start });
    const k = copy.kwargs as Json;

    expect(copy.response).not.toBe(response);
    expect(copy.response).toEqual(response);
    expect(Object.getOwnPropertyDescriptor(copy.response, "_hidden_params")).toMatchObject({ enumerable: false, value: { response_cost: 1 } });
    expect((copy.response as Json)._hidden_params).not.toBe(response._hidden_params);
    expect(k.standard_logging_object.response).toBe(copy.response);
    expect(k.standard_logging_object.messages).toBe(k.messages);
    expect(k.messages).not.toBe(messages);
    expect(k.litellm_params.metadata.self).toBe(k.litellm_params.metadata);
    expect(copy.start).toEqual(start);
    expect(copy.start).not.toBe(start);
    expect(k.start_time).toBe(copy.start);
    expect(k.exception).toBe(kwargs.exception);
    expect(k.litellm_params.metadata.deep).not.toBe(metadata.deep);
    let copied: Json = k.litellm_params.metadata.deep;
    let original: Json = metadata.deep;
    for (let i = 0; i < 100; i++) [copied, original] = [copied.next, original.next];
    expect(copied).toBe(original);
  });
});
