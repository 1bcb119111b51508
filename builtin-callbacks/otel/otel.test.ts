import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { context, trace, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createRuntime, CustomLogger, type Runtime } from "../../core/index.ts";
import { SERVER_SPAN, tracerOf } from "../../core/tracing/seam.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/support/fake-openai.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../../test/support/otlp-receiver.ts";
import type { OtelLogger } from "./index.ts";

const API_KEY = "sk-otel-test-key-7Hq2ZpX9w4";
const user = (content: string) => [{ role: "user" as const, content }];

let upstream: FakeOpenAI;
let exporter: InMemorySpanExporter;
let rt: Runtime | undefined;
let stderr: string[];

beforeAll(async () => {
  upstream = await startFakeOpenAI();
});
afterAll(async () => {
  await upstream.close();
});
beforeEach(() => {
  exporter = new InMemorySpanExporter();
  upstream.reset();
  stderr = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
});

/** A runtime with the otel built-in exporting to memory, a real upstream (`gpt`), mocks and a fallback pair. */
async function start(options: Record<string, unknown> = {}, litellm: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: upstream.url, api_key: API_KEY } },
        { model_name: "emb", litellm_params: { model: "openai/text-embedding-3-small", api_base: upstream.url, api_key: API_KEY } },
        { model_name: "flaky", litellm_params: { model: "mock/flaky", mock_response: "litellm.RateLimitError" } },
        { model_name: "steady", litellm_params: { model: "mock/steady", mock_response: "fine" } },
      ],
      router_settings: { fallbacks: [{ flaky: ["steady"] }] },
      litellm_settings: { callbacks: [{ callback: "otel", options: { span_exporter: exporter, scheduled_delay_ms: 5, ...options } }], ...litellm },
    } as never,
  });
  rt.on("callback_error", () => {});
  return rt;
}

async function spans(r: Runtime): Promise<ReadableSpan[]> {
  await r.flush();
  return exporter.getFinishedSpans();
}
const byKind = (all: ReadableSpan[], kind: SpanKind) => all.filter((s) => s.kind === kind);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("spans of a call", () => {
  it("chat: one CLIENT span under the call's INTERNAL span, every GenAI and litellm attribute by value", async () => {
    const r = await start();
    upstream.set({ content: "Hello there", usage: { prompt_tokens: 11, completion_tokens: 3 } });
    await r.acompletion({ model: "gpt", messages: user("Hi"), temperature: 0.2, max_tokens: 50, top_p: 0.9, frequency_penalty: 0.1, presence_penalty: 0.3, stop: ["END"], seed: 7, n: 1 } as never);
    const all = await spans(r);
    expect(all).toHaveLength(2);
    const [attempt] = byKind(all, SpanKind.CLIENT);
    const [call] = byKind(all, SpanKind.INTERNAL);
    expect(call!.name).toBe("litellm chat gpt");
    expect(attempt!.name).toBe("chat gpt-4o-mini");
    expect(parentOf(attempt!)).toBe(call!.spanContext().spanId);
    expect(attempt!.spanContext().traceId).toBe(call!.spanContext().traceId);
    const port = Number(new URL(upstream.url).port);
    expect(attempt!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.request.temperature": 0.2,
      "gen_ai.request.max_tokens": 50,
      "gen_ai.request.top_p": 0.9,
      "gen_ai.request.frequency_penalty": 0.1,
      "gen_ai.request.presence_penalty": 0.3,
      "gen_ai.request.stop_sequences": ["END"],
      "gen_ai.request.seed": 7,
      "gen_ai.request.choice.count": 1,
      "gen_ai.response.model": expect.any(String),
      "gen_ai.response.id": expect.stringMatching(/^chatcmpl-/),
      "gen_ai.response.finish_reasons": ["stop"],
      "gen_ai.usage.input_tokens": 11,
      "gen_ai.usage.output_tokens": 3,
      "server.address": "127.0.0.1",
      "server.port": port,
      "litellm.call_id": expect.any(String),
      "litellm.trace_id": expect.any(String),
      "litellm.model_group": "gpt",
      "litellm.deployment": "openai/gpt-4o-mini",
      "litellm.attempt": 1,
      "litellm.response_cost": expect.any(Number),
      "litellm.cache_hit": false,
      "litellm.stream": false,
    });
    expect(attempt!.status.code).toBe(SpanStatusCode.UNSET);
    expect(attempt!.attributes).not.toHaveProperty("gen_ai.input.messages");
    expect(attempt!.attributes).not.toHaveProperty("gen_ai.output.messages");
    // No secret anywhere: attributes, names, status, resource.
    const dump = JSON.stringify(all.map((s) => [s.name, s.attributes, s.status, s.events, s.resource.attributes]));
    expect(dump).not.toContain(API_KEY);
    expect(dump).not.toContain(API_KEY.slice(-8));
  });

  it("stream: exactly one span, with the first-token event and time to first token", async () => {
    const r = await start();
    upstream.set({ content: "one two three four", chunkDelayMs: 2 });
    const stream = (await r.acompletion({ model: "gpt", messages: user("count"), stream: true })) as AsyncIterable<unknown>;
    for await (const _ of stream) void _;
    const attempts = byKind(await spans(r), SpanKind.CLIENT);
    expect(attempts).toHaveLength(1);
    const s = attempts[0]!;
    expect(s.attributes["litellm.stream"]).toBe(true);
    expect(typeof s.attributes["litellm.time_to_first_token_ms"]).toBe("number");
    expect(s.events.map((e) => e.name)).toEqual(["gen_ai.first_token"]);
  });

  it("embeddings: `embeddings <model>`, operation embeddings", async () => {
    const r = await start();
    await r.aembedding({ model: "emb", input: ["a", "b"] });
    const [s] = byKind(await spans(r), SpanKind.CLIENT);
    expect(s!.name).toBe("embeddings text-embedding-3-small");
    expect(s!.attributes).toMatchObject({ "gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small", "gen_ai.provider.name": "openai" });
  });

  it("a fallback reads as one trace: sibling attempt spans, the failed one ERROR with error.type", async () => {
    const r = await start();
    await r.acompletion({ model: "flaky", messages: user("hi") });
    const all = await spans(r);
    const attempts = byKind(all, SpanKind.CLIENT);
    const [call] = byKind(all, SpanKind.INTERNAL);
    expect(attempts.map((s) => s.name).sort()).toEqual(["chat flaky", "chat steady"]);
    expect(new Set(all.map((s) => s.spanContext().traceId)).size).toBe(1);
    for (const s of attempts) expect(parentOf(s)).toBe(call!.spanContext().spanId);
    const failed = attempts.find((s) => s.name === "chat flaky")!;
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes).toMatchObject({ "error.type": "RateLimitError", "gen_ai.provider.name": "litellm.mock", "litellm.model_group": "flaky" });
    expect(attempts.find((s) => s.name === "chat steady")!.attributes["litellm.model_group"]).toBe("steady");
    expect(call!.status.code).toBe(SpanStatusCode.UNSET);
    expect(call!.attributes["litellm.attempts"]).toBe(2);
  });

  it("a call rejected by a pre-call hook still has one ERROR span", async () => {
    class Gate extends CustomLogger {
      override async async_pre_call_hook(): Promise<never> {
        throw new Error("blocked by policy");
      }
    }
    const r = await start({}, { callbacks: [{ callback: "otel", options: { span_exporter: exporter, scheduled_delay_ms: 5 } }, new Gate()] });
    await expect(r.acompletion({ model: "steady", messages: user("hi") })).rejects.toThrow();
    const all = await spans(r);
    const attempts = byKind(all, SpanKind.CLIENT);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(byKind(all, SpanKind.INTERNAL)[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("sample_rate 0: nothing is recorded", async () => {
    const r = await start({ sample_rate: 0 });
    await r.acompletion({ model: "steady", messages: user("hi") });
    expect(await spans(r)).toEqual([]);
  });

  it("forward_traceparent_to_llm_provider: the provider request carries the attempt span's context", async () => {
    const r = await start({}, { forward_traceparent_to_llm_provider: true });
    await r.acompletion({ model: "gpt", messages: user("hi") });
    const [s] = byKind(await spans(r), SpanKind.CLIENT);
    const { traceId, spanId } = s!.spanContext();
    expect(upstream.requests.at(-1)!.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });
});

describe("content", () => {
  const ask = (r: Runtime, metadata?: Record<string, unknown>) => r.acompletion({ model: "steady", messages: user("my secret question"), ...(metadata && { metadata }) });

  it("capture_content: input and output messages in the conventions' parts shape", async () => {
    const r = await start({ capture_content: true });
    await ask(r);
    const [s] = byKind(await spans(r), SpanKind.CLIENT);
    expect(JSON.parse(s!.attributes["gen_ai.input.messages"] as string)).toEqual([{ role: "user", parts: [{ type: "text", content: "my secret question" }] }]);
    expect(JSON.parse(s!.attributes["gen_ai.output.messages"] as string)).toEqual([{ role: "assistant", parts: [{ type: "text", content: "fine" }], finish_reason: "stop" }]);
  });

  it("never under turn_off_message_logging, mask_input, or message_logging: false (no redaction marker either)", async () => {
    for (const [opts, litellm, metadata] of [
      [{ capture_content: true }, { turn_off_message_logging: true }, undefined],
      [{ capture_content: true, message_logging: false }, {}, undefined],
      [{ capture_content: true }, {}, { mask_input: true }],
    ] as const) {
      // A closed runtime shut its provider down, and the exporter with it: each runtime gets its own.
      exporter = new InMemorySpanExporter();
      const r = await start(opts, litellm);
      await ask(r, metadata);
      const [s] = byKind(await spans(r), SpanKind.CLIENT);
      const dump = JSON.stringify(s!.attributes);
      expect(dump).not.toContain("my secret question");
      expect(dump).not.toContain("redacted-by-litellm");
      expect(s!.attributes).not.toHaveProperty("gen_ai.input.messages");
      await r.close();
      rt = undefined;
    }
  });

  it("attribute_style langfuse adds the names Langfuse reads", async () => {
    const r = await start({ attribute_style: "langfuse", capture_content: true });
    await r.acompletion({ model: "steady", messages: user("q"), user: "alice", metadata: { tags: ["t1"], session_id: "s-1", requester_metadata: { team: "search" } } } as never);
    const [s] = byKind(await spans(r), SpanKind.CLIENT);
    expect(s!.attributes).toMatchObject({ "langfuse.observation.type": "generation", "langfuse.session.id": "s-1", "langfuse.trace.tags": ["t1"], "langfuse.trace.metadata.team": "search" });
    expect(s!.attributes["langfuse.observation.input"]).toContain("q");
  });

  it("attribute_style openinference and traceloop", async () => {
    let r = await start({ attribute_style: "openinference" });
    await ask(r);
    let [s] = byKind(await spans(r), SpanKind.CLIENT);
    expect(s!.attributes).toMatchObject({ "openinference.span.kind": "LLM", "llm.model_name": "steady", "llm.token_count.prompt": expect.any(Number) });
    await r.close();
    exporter = new InMemorySpanExporter();
    r = await start({ attribute_style: "traceloop" });
    await ask(r);
    [s] = byKind(await spans(r), SpanKind.CLIENT);
    expect(s!.attributes).toMatchObject({ "llm.request.type": "chat", "llm.is_streaming": false, "llm.usage.total_tokens": expect.any(Number) });
  });
});

describe("the server's span", () => {
  it("SERVER span under the caller's traceparent; the attempt under it; ERROR on 5xx", async () => {
    const r = await start();
    const otel = (r as unknown as { tracers(): unknown[] }).tracers()[0] as ReturnType<typeof tracerOf> & object;
    const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const server = otel.startServerSpan("POST", "/v1/chat/completions", { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` })!;
    expect(server.traceId).toBe(callerTrace);
    await r.acompletion({ model: "steady", messages: user("hi"), [SERVER_SPAN]: [server] } as never);
    server.end(503, new Error("upstream down"));
    const all = await spans(r);
    const [srv] = byKind(all, SpanKind.SERVER);
    const [attempt] = byKind(all, SpanKind.CLIENT);
    expect(byKind(all, SpanKind.INTERNAL)).toEqual([]);
    expect(srv!.name).toBe("POST /v1/chat/completions");
    expect(parentOf(srv!)).toBe("00f067aa0ba902b7");
    expect(parentOf(attempt!)).toBe(srv!.spanContext().spanId);
    expect(srv!.attributes).toMatchObject({ "http.request.method": "POST", "url.path": "/v1/chat/completions", "http.response.status_code": 503 });
    expect(srv!.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("the app's own provider", () => {
  it("spans go through it, the attempt a child of the app's active span", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const appExporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(appExporter)] });
    trace.setGlobalTracerProvider(provider);
    try {
      rt = await createRuntime({ config: { litellm_settings: { callbacks: ["otel"] } } as never });
      const r = rt;
      await trace.getTracer("app").startActiveSpan("handle request", async (span) => {
        await r.acompletion({ model: "mock/demo", messages: user("hi"), mock_response: "ok" });
        span.end();
      });
      await r.flush();
      const all = appExporter.getFinishedSpans();
      const app = all.find((s) => s.name === "handle request")!;
      const attempt = all.find((s) => s.name === "chat demo")!;
      expect(parentOf(attempt)).toBe(app.spanContext().spanId);
      expect(all.filter((s) => s.kind === SpanKind.INTERNAL && s.name.startsWith("litellm"))).toEqual([]);
    } finally {
      trace.disable();
      context.disable();
      await provider.shutdown();
    }
  });
});

describe("loss is never silent", () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it("collector refusing: no call fails, the loss is reported once with a count, spans arrive again after accept()", async () => {
    rt = await createRuntime({
      config: { litellm_settings: { callbacks: [{ callback: "otel", options: { endpoint: receiver.url, scheduled_delay_ms: 10, export_timeout_ms: 300 } }] } } as never,
    });
    rt.on("callback_error", () => {});
    const r = rt;
    receiver.refuse(503);
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => r.acompletion({ model: "mock/demo", messages: user(`q${i}`), mock_response: "a" })));
    expect(results.every((x) => x.status === "fulfilled")).toBe(true);
    await r.flush();
    // flush() waits for a batch up to export_timeout_ms; on a loaded machine the refusal can come after it
    // gave up, and the batch is counted (and reported) then: wait for the count, then read the report.
    const sink = (r as unknown as { tracers(): Array<{ sink: { stats(): { lost: number } } }> }).tracers()[0]!.sink;
    await vi.waitFor(() => expect(sink.stats().lost).toBe(400), { timeout: 5_000, interval: 20 });
    const lossLines = stderr.filter((l) => l.includes("[DELIVERY_FAILED]") && l.includes("otel"));
    expect(lossLines).toHaveLength(1);
    expect(lossLines[0]).toMatch(/\d+ spans? lost/);
    receiver.accept();
    await r.acompletion({ model: "mock/demo", messages: user("back"), mock_response: "a" });
    await r.flush();
    expect((await receiver.waitForSpans(2)).map((s) => s.name).sort()).toEqual(["chat demo", "litellm chat mock/demo"]);
    expect(stderr.some((l) => l.includes("takes spans again") && /400 spans were lost/.test(l))).toBe(true);
  });

  it("a full queue drops, counts and reports once", async () => {
    const r = await start({ max_queue_size: 4, max_export_batch_size: 4, scheduled_delay_ms: 60_000 });
    for (let i = 0; i < 6; i++) await r.acompletion({ model: "steady", messages: user("x") });
    await new Promise((res) => setTimeout(res, 50));
    const otel = (r as unknown as { tracers(): Array<{ sink: { stats(): { dropped: number } } }> }).tracers()[0]!;
    expect(otel.sink.stats().dropped).toBeGreaterThan(0);
    expect(stderr.filter((l) => l.includes("[CALLBACK_QUEUE_FULL]") && l.includes("otel"))).toHaveLength(1);
  });
});

describe("options", () => {
  const make = async (options: Record<string, unknown>, env: Record<string, string> = {}) => {
    const { createBuiltin } = await import("../../core/callbacks/builtins.ts");
    return createBuiltin("otel", options, { dir: process.cwd(), env }) as OtelLogger;
  };

  it("config wins over the standard variables; the generic endpoint gets /v1/traces", async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_EXPORTER_OTLP_HEADERS: "api-key=a%20b,x=1", OTEL_SERVICE_NAME: "svc", OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=prod" };
    expect((await make({}, env)).settings).toMatchObject({ endpoint: "http://collector:4318/v1/traces", headers: { "api-key": "a b", x: "1" }, service_name: "svc", resource_attributes: { "deployment.environment": "prod" }, protocol: "http/protobuf", sample_rate: 1, capture_content: false, attribute_style: "genai" });
    expect((await make({ endpoint: "http://other:4318", service_name: "mine" }, env)).settings).toMatchObject({ endpoint: "http://other:4318/v1/traces", service_name: "mine" });
    expect((await make({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c:4318/custom" })).settings.endpoint).toBe("http://c:4318/custom");
    expect((await make({}, { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "true" })).settings.capture_content).toBe(true);
    expect(Object.isFrozen((await make({})).settings)).toBe(true);
  });

  it("clear errors", async () => {
    await expect(make({ protocol: "grpc" })).rejects.toThrow(/4318/);
    await expect(make({}, { OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).rejects.toThrow(/http\/protobuf/);
    await expect(make({ sample_rate: 2 })).rejects.toThrow(/sample_rate must be a number from 0 to 1/);
    await expect(make({ endpoint: "not a url" })).rejects.toThrow(/not a valid URL/);
    await expect(make({ attribute_style: "x" })).rejects.toThrow(/genai, langfuse, openinference, traceloop/);
    await expect(make({ endpont: "x" })).rejects.toThrow(/unknown option "endpont"/);
  });
});
