import { beforeEach, describe, expect, it } from "vitest";
import litellm, { acompletion, completion, type CallbackKwargs, type ChatCompletionChunk } from "../index.ts";

const messages = [{ role: "user", content: "stream please" }];
let events: Array<{ type: string; kwargs: CallbackKwargs; response: unknown }> = [];

beforeEach(async () => {
  await litellm.flush();
  events = [];
  litellm.callbacks = [
    {
      log_stream_event: (kwargs: CallbackKwargs, chunk: ChatCompletionChunk) => void events.push({ type: "chunk", kwargs, response: chunk }),
      log_success_event: (kwargs: CallbackKwargs, response: unknown) => void events.push({ type: "success", kwargs, response }),
      log_failure_event: (kwargs: CallbackKwargs) => void events.push({ type: "failure", kwargs, response: null }),
    },
  ];
});

describe("streaming", () => {
  it("yields OpenAI-shaped chunks and one success after the last, with the whole response", async () => {
    const stream = await acompletion({ model: "mock/s", messages, stream: true, mock_response: "one two three four" });
    let text = "";
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    await litellm.flush();
    expect(text).toBe("one two three four");
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    const success = events.filter((e) => e.type === "success");
    expect(success).toHaveLength(1);
    expect(events.at(-1)!.type).toBe("success");
    const complete = success[0]!.kwargs.complete_streaming_response!;
    expect(complete.choices[0]!.message.content).toBe("one two three four");
    expect(complete.choices[0]!.finish_reason).toBe("stop");
    expect(complete.usage.total_tokens).toBe(complete.usage.prompt_tokens + complete.usage.completion_tokens);
    expect(success[0]!.response).toBe(complete);
    expect(success[0]!.kwargs.stream_aborted).toBeUndefined();
    expect(success[0]!.kwargs.completion_start_time).toBeInstanceOf(Date);
    expect(events.filter((e) => e.type === "chunk").length).toBe(chunks.length + 1);
  });

  it("passes the usage chunk on only when the caller asked for it", async () => {
    const stream = await completion({ model: "mock/s", messages, stream: true, stream_options: { include_usage: true } });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("a consumer that stops early still produces one success, with the part received and stream_aborted", async () => {
    const stream = await acompletion({ model: "mock/s", messages, stream: true, mock_response: "alpha beta gamma delta epsilon" });
    let text = "";
    let n = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (++n === 3) break;
    }
    await litellm.flush();
    const success = events.filter((e) => e.type === "success");
    expect(success).toHaveLength(1);
    expect(events.filter((e) => e.type === "failure")).toHaveLength(0);
    expect(success[0]!.kwargs.stream_aborted).toBe(true);
    expect(success[0]!.kwargs.complete_streaming_response!.choices[0]!.message.content).toBe(text);
    expect(text).toBe("alpha beta ");
  });

  it("a stream can be read once", async () => {
    const stream = await acompletion({ model: "mock/s", messages, stream: true });
    for await (const _ of stream) void _;
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/iterated once/);
  });

  it("a failure before the first chunk rejects the call with one failure event", async () => {
    await expect(acompletion({ model: "mock/s", messages, stream: true, mock_response: "litellm.ServiceUnavailableError" })).rejects.toMatchObject({
      name: "ServiceUnavailableError",
      status: 503,
    });
    await litellm.flush();
    expect(events.map((e) => e.type)).toEqual(["failure"]);
  });

  it("a signal aborts a call in flight: it fails with APIConnectionError and logs one failure", async () => {
    const controller = new AbortController();
    const pending = acompletion({ model: "mock/s", messages, mock_response: "too late", mock_delay: 5_000, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "APIConnectionError", code: "LLM_CONNECTION" });
    await litellm.flush();
    expect(events.map((e) => e.type)).toEqual(["failure"]);
    expect(events[0]!.kwargs.optional_params).not.toHaveProperty("signal");
  });
});
