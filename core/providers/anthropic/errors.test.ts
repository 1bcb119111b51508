import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/support/fake-anthropic.ts";
import litellm, {
  APIConnectionError,
  AuthenticationError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InvalidResponseError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
  UnsupportedProviderError,
  acompletion,
  aembedding,
} from "../../index.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";
import { collectUntilError } from "../../../test/support/streams.ts";

// How Anthropic's failures reach the caller and the callbacks: one error class each, one failure event per call.

const KEY = "sk-ant-test-1234567890abcd";
const MODEL = "anthropic/claude-sonnet-4-5";

let fake: FakeAnthropic;
let rec: Recorder;
const base = () => ({ model: MODEL, messages: user("hi"), api_base: fake.url, api_key: KEY });
const call = (params: Record<string, unknown> = {}) => acompletion({ ...base(), ...params });
const callStream = (params: Record<string, unknown> = {}) => acompletion({ ...base(), ...params, stream: true });
const failed = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

/** After a failed call: exactly one failure event, carrying the error the caller got, and no success. */
async function expectOneFailure(err: unknown) {
  await litellm.flush();
  expect(rec.events()).toEqual(["failure"]);
  expect(rec.last("failure").kwargs.exception).toBe(err);
}

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => {
  rec = new Recorder({ events: ["success", "failure"] });
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  fake.reset();
  vi.unstubAllEnvs();
});

describe("HTTP errors", () => {
  it("529 overloaded_error is ServiceUnavailableError", async () => {
    fake.set({ status: 529 });
    const err = await failed(call());
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err).toMatchObject({ code: "LLM_SERVICE_UNAVAILABLE", status: 529, llm_provider: "anthropic", model: "claude-sonnet-4-5" });
    expect((err as Error).message).toContain("overloaded_error");
    await expectOneFailure(err);
  });

  it("529 to a streaming request fails the call before any chunk", async () => {
    fake.set({ status: 529 });
    const err = await failed(callStream());
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    await expectOneFailure(err);
  });

  it("429 rate_limit_error with retry-after is RateLimitError carrying retry_after", async () => {
    fake.set({ status: 429, headers: { "retry-after": "7" } });
    const err = await failed(call());
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ code: "LLM_RATE_LIMIT", status: 429, retry_after: 7 });
    await expectOneFailure(err);
  });

  it("a prompt too long is ContextWindowExceededError (a context_window_fallbacks trigger)", async () => {
    fake.set({ status: 400, errorType: "invalid_request_error", errorMessage: "prompt is too long: 215000 tokens > 200000 maximum" });
    const err = await failed(call());
    expect(err).toBeInstanceOf(ContextWindowExceededError);
    expect(err).toMatchObject({ code: "LLM_CONTEXT_WINDOW_EXCEEDED", status: 400 });
    expect((err as Error).message).toContain("215000 tokens > 200000 maximum");
    await expectOneFailure(err);
  });

  it("a content filtering refusal is ContentPolicyViolationError", async () => {
    fake.set({ status: 400, errorMessage: "Output blocked by content filtering policy" });
    expect(await failed(call())).toBeInstanceOf(ContentPolicyViolationError);
  });

  it("no key anywhere: Anthropic's 401 is AuthenticationError saying where to set one", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", undefined);
    const err = await failed(acompletion({ model: MODEL, messages: [{ role: "user", content: "hi" }], api_base: fake.url }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as Error).message).toContain("ANTHROPIC_API_KEY");
    expect(fake.requests[0]!.headers["x-api-key"]).toBeUndefined();
  });

  it("a 200 whose body is not a Messages response is InvalidResponseError", async () => {
    fake.set({ malformedBody: "<html>gateway</html>" });
    const err = await failed(call());
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as Error).message).toContain("<html>gateway</html>");
    await expectOneFailure(err);
  });
});

describe("num_retries", () => {
  it("a 529 then a 500 are retried (retry-after-ms keeps the wait short): one success, three requests", async () => {
    fake.queue({ status: 529, headers: { "retry-after-ms": "5" } }, { status: 500, headers: { "retry-after-ms": "5" } });
    const res = await call({ num_retries: 2 });
    expect(res.choices[0]!.message.content).toBeTypeOf("string");
    expect(fake.requests).toHaveLength(3);
    await litellm.flush();
    expect(rec.events()).toEqual(["success"]);
  });

  it("a stream is retried until its headers arrive", async () => {
    fake.queue({ status: 503, headers: { "retry-after-ms": "5" } });
    const stream = await callStream({ num_retries: 1 });
    const { chunks, error } = await collectUntilError(stream);
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });

  it("a 400 is never retried, whatever num_retries says", async () => {
    fake.queue({ status: 400, errorType: "invalid_request_error", errorMessage: "bad" });
    const err = await failed(call({ num_retries: 3 }));
    expect(err).toMatchObject({ status: 400 });
    expect(fake.requests).toHaveLength(1);
  });
});

describe("errors mid-stream", () => {
  it("an SSE error event (overloaded_error) after some text is ServiceUnavailableError from the iterator, one failure event", async () => {
    fake.set({ content: "one two three four five", streamErrorAfter: 2 });
    const { chunks, error } = await collectUntilError(await callStream());
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("one two ");
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ status: 529, llm_provider: "anthropic" });
    expect((error as Error).message).toContain("mid-stream");
    await expectOneFailure(error);
  });

  it("a stream cut before message_stop is APIConnectionError", async () => {
    fake.set({ content: "one two three four five", dropAfterEvents: 5 });
    const { chunks, error } = await collectUntilError(await callStream());
    expect(chunks.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain("before the response was complete");
    await expectOneFailure(error);
  });

  it("a 200 to a streaming request without a single event is InvalidResponseError", async () => {
    fake.set({ malformedBody: '{"hello":"world"}' });
    const { chunks, error } = await collectUntilError(await callStream());
    expect(chunks).toEqual([]);
    expect(error).toBeInstanceOf(InvalidResponseError);
  });
});

describe("the network", () => {
  it("connection refused is APIConnectionError naming the URL", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failed(call({ api_base: `http://127.0.0.1:${port}` }));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).toMatchObject({ code: "LLM_CONNECTION", llm_provider: "anthropic" });
    expect((err as Error).message).toContain(`http://127.0.0.1:${port}/v1/messages`);
    expect((err as Error).message).toContain("ECONNREFUSED");
    await expectOneFailure(err);
  });

  it("no answer within timeout is Timeout", async () => {
    fake.set({ delayMs: 5_000 });
    const err = await failed(call({ timeout: 0.2 }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toMatchObject({ code: "LLM_TIMEOUT", llm_provider: "anthropic" });
    await expectOneFailure(err);
  });

  it("the caller's signal aborts the request", async () => {
    fake.set({ delayMs: 5_000 });
    const controller = new AbortController();
    const pending = failed(call({ signal: controller.signal }));
    // Abort once the request is in flight (the fake has recorded it).
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    controller.abort();
    const err = await pending;
    expect(err).toBeInstanceOf(APIConnectionError);
    expect((err as Error).message).toContain("aborted");
  });
});

it("embedding with an Anthropic model is UnsupportedProviderError: Anthropic has no embeddings API", async () => {
  const err = await failed(aembedding({ model: MODEL, input: "x", api_base: fake.url, api_key: KEY }));
  expect(err).toBeInstanceOf(UnsupportedProviderError);
  expect((err as Error).message).toContain("no embeddings API");
  expect(fake.requests).toHaveLength(0);
});
