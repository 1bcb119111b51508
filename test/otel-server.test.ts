// The otel built-in through the server, on the wire both ways: the real openai client calls `serve` with a W3C
// traceparent, the server exports over OTLP (protobuf and JSON) to a loopback receiver that decodes with the official
// definitions, and the fake upstream records the traceparent it was sent. Caller → server span → attempt spans → upstream.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.ts";
import { useTempDir, user } from "./support/kit.ts";

const KEY = "sk-upstream-otel-9Zq4Lm2Xw8";
const MASTER = "sk-master-otel-4Rt7Yu1Io3";
const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

/** A caller's span context: a fresh trace per test, so the receiver's spans can be told apart. */
function callerContext(): { traceId: string; spanId: string; traceparent: string } {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const traceId = hex(32);
  const spanId = hex(16);
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** Every span of one trace, once at least `n` of them arrived. */
async function trace(receiver: OtlpReceiver, traceId: string, n: number): Promise<ReceivedSpan[]> {
  for (let i = 0; i < 200; i++) {
    const found = receiver.spans.filter((s) => s.traceId === traceId);
    if (found.length >= n) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  const found = receiver.spans.filter((s) => s.traceId === traceId);
  throw new Error(`trace ${traceId}: ${found.length} of ${n} spans arrived: ${found.map((s) => s.name).join(", ")}`);
}

/** The spans as text, to look for what must never be there. */
const text = (spans: ReceivedSpan[]) => JSON.stringify(spans, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

for (const protocol of ["http/protobuf", "http/json"] as const) {
  describe(`otel through the server, over ${protocol}`, () => {
    const tmp = useTempDir("litellm-otel-server-", { per: "suite" });
    let receiver: OtlpReceiver;
    let rt: Runtime;
    let server: RunningServer;
    let client: OpenAI;

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      rt = await createRuntime({
        config: {
          model_list: [
            { model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } },
            { model_name: "main", litellm_params: { model: "openai/fail-503", api_base: fake.url, api_key: KEY } },
            { model_name: "backup", litellm_params: { model: "openai/gpt-4o", api_base: fake.url, api_key: KEY } },
          ],
          router_settings: { fallbacks: [{ main: ["backup"] }] },
          litellm_settings: { callbacks: ["otel"], forward_traceparent_to_llm_provider: true },
          callback_settings: { otel: { endpoint: receiver.url, protocol, service_name: "otel-server-test", scheduled_delay_ms: 10 } },
          general_settings: { master_key: MASTER },
        },
        cwd: tmp.path,
      });
      server = await startServer(rt, { port: 0 });
      client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    });
    afterAll(async () => {
      await server?.close(1000);
      await rt?.close();
      await receiver?.close();
    });
    beforeEach(() => fake.reset());

    it("links the caller's span, the server's span, the attempt's span and the provider's request in one trace", async () => {
      const caller = callerContext();
      const { data, response } = await client.chat.completions.create({ model: "gpt", messages: user("trace this") }, { headers: { traceparent: caller.traceparent } }).withResponse();
      expect(data.choices[0]!.message.content).toContain("trace this");
      await rt.flush();
      const spans = await trace(receiver, caller.traceId, 2);
      expect(spans.map((s) => [s.kind, s.name]).sort()).toEqual([
        [SERVER, "POST /v1/chat/completions"],
        [CLIENT, "chat gpt-4o-mini"],
      ]);
      const serverSpan = spans.find((s) => s.kind === SERVER)!;
      const attempt = spans.find((s) => s.kind === CLIENT)!;
      expect(serverSpan.parentSpanId).toBe(caller.spanId);
      expect(serverSpan.attributes).toMatchObject({ "http.request.method": "POST", "http.response.status_code": 200 });
      expect(attempt.parentSpanId).toBe(serverSpan.spanId);
      expect(attempt.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.response.id": data.id,
        "litellm.model_group": "gpt",
        "litellm.call_id": response.headers.get("x-litellm-call-id"),
        "litellm.stream": false,
        "server.address": "127.0.0.1",
      });
      expect(attempt.resource).toMatchObject({ "service.name": "otel-server-test" });
      // The provider's span is the attempt's child, not its sibling.
      expect(fake.requests[0]!.headers.traceparent).toBe(`00-${caller.traceId}-${attempt.spanId}-01`);
      expect(response.headers.get("x-litellm-trace-id")).toBe(caller.traceId);
      // No prompt, no answer, no key.
      expect(attempt.attributes["gen_ai.input.messages"]).toBeUndefined();
      expect(attempt.attributes["gen_ai.output.messages"]).toBeUndefined();
      expect(text(spans)).not.toContain("trace this");
      expect(text(spans)).not.toContain(KEY.slice(-8));
      expect(text(spans)).not.toContain(MASTER.slice(-8));
      expect(receiver.requests.at(-1)!.contentType).toBe(protocol === "http/json" ? "application/json" : "application/x-protobuf");
    });

    it("a stream is one attempt span, not one per chunk, with its time to first token", async () => {
      const caller = callerContext();
      const stream = await client.chat.completions.create({ model: "gpt", messages: user("one two three four five"), stream: true }, { headers: { traceparent: caller.traceparent } });
      let chunks = 0;
      for await (const _ of stream) chunks++;
      expect(chunks).toBeGreaterThan(3);
      await rt.flush();
      const spans = await trace(receiver, caller.traceId, 2);
      // Give a duplicate every chance to arrive before counting.
      await rt.flush();
      const attempts = receiver.spans.filter((s) => s.traceId === caller.traceId && s.kind === CLIENT);
      expect(attempts).toHaveLength(1);
      expect(attempts[0]!.attributes["litellm.stream"]).toBe(true);
      expect(typeof attempts[0]!.attributes["litellm.time_to_first_token_ms"]).toBe("number");
      expect(attempts[0]!.events.map((e) => e.name)).toContain("gen_ai.first_token");
      expect(spans.find((s) => s.kind === SERVER)!.attributes["http.response.status_code"]).toBe(200);
    });

    it("a fallback is two sibling attempt spans under the server's span, the failed one an error", async () => {
      const caller = callerContext();
      const { data } = await client.chat.completions.create({ model: "main", messages: user("fall back") }, { headers: { traceparent: caller.traceparent } }).withResponse();
      expect(data.model).toContain("gpt-4o");
      await rt.flush();
      const spans = await trace(receiver, caller.traceId, 3);
      const serverSpan = spans.find((s) => s.kind === SERVER)!;
      const attempts = spans.filter((s) => s.kind === CLIENT).sort((a, b) => Number(a.attributes["litellm.attempt"]) - Number(b.attributes["litellm.attempt"]));
      expect(attempts.map((s) => [s.name, s.parentSpanId, s.attributes["litellm.model_group"], s.status.code === ERROR])).toEqual([
        ["chat fail-503", serverSpan.spanId, "main", true],
        ["chat gpt-4o", serverSpan.spanId, "backup", false],
      ]);
      expect(attempts[0]!.attributes["error.type"]).toBeTruthy();
      // Each attempt sent its own span's context upstream.
      expect(fake.requests.map((r) => r.headers.traceparent)).toEqual(attempts.map((a) => `00-${caller.traceId}-${a.spanId}-01`));
    });

    it("a request without a traceparent starts its own trace, named in x-litellm-trace-id", async () => {
      const { response } = await client.chat.completions.create({ model: "gpt", messages: user("no parent") }).withResponse();
      const traceId = response.headers.get("x-litellm-trace-id")!;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await rt.flush();
      const spans = await trace(receiver, traceId, 2);
      expect(spans.find((s) => s.kind === SERVER)!.parentSpanId).toBe("");
    });
  });
}

describe("otel content capture, on the wire", () => {
  const tmp = useTempDir("litellm-otel-content-", { per: "suite" });

  it("sends the prompt and the answer in the conventions' shape only when capture_content is on", async () => {
    const receiver = await startOtlpReceiver();
    const rt = await createRuntime({
      config: {
        model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } }],
        litellm_settings: { callbacks: ["otel"] },
        callback_settings: { otel: { endpoint: receiver.url, protocol: "http/json", capture_content: true, scheduled_delay_ms: 10 } },
      },
      cwd: tmp.path,
    });
    try {
      fake.set({ content: "the answer is 42" });
      await rt.acompletion({ model: "gpt", messages: user("what is the answer?") });
      await rt.flush();
      const [attempt] = (await receiver.waitForSpans(2)).filter((s) => s.kind === CLIENT);
      expect(JSON.parse(String(attempt!.attributes["gen_ai.input.messages"]))).toEqual([{ role: "user", parts: [{ type: "text", content: "what is the answer?" }] }]);
      expect(JSON.parse(String(attempt!.attributes["gen_ai.output.messages"]))).toMatchObject([{ role: "assistant", parts: [{ type: "text", content: "the answer is 42" }] }]);
    } finally {
      await rt.close();
      await receiver.close();
    }
  });
});
