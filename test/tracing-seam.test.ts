// The core's side of the tracing seam (core/tracing/seam.ts), checked with a tracer that records what it is told:
// when a call starts, each attempt, the end, the trace on every event's kwargs, the headers sent upstream,
// and the server's request spans and ids. The otel built-in's own tests check the spans it builds from this.
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import litellm, { createRuntime, CustomLogger, startServer, type CallbackKwargs, type DualCache, type RunningServer, type Runtime, type UserAPIKeyAuth } from "../core/index.ts";
import { serverSpanOf, traceOf, TRACER, type CallTrace, type CallTracer, type ServerSpan, type TraceHeaders } from "../core/tracing/seam.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { resetLitellm, useTempDir, user } from "./support/kit.ts";

interface ProbeTrace extends CallTrace {
  readonly params: object;
  readonly attempts: CallbackKwargs[];
  ended: number;
  /** How many attempts had started when `end()` came. */
  attemptsAtEnd: number;
}

interface ProbeSpan extends ServerSpan {
  readonly method: string;
  readonly route: string;
  readonly headers: TraceHeaders;
  status: number | undefined;
}

/** A tracing built-in reduced to the seam: it records what the core and the server tell it, and the events it is handed. */
class Probe extends CustomLogger {
  readonly traces: ProbeTrace[] = [];
  readonly spans: ProbeSpan[] = [];
  readonly events: Array<{ event: "success" | "failure"; kwargs: CallbackKwargs }> = [];
  sample = true;
  readonly [TRACER]: CallTracer;

  constructor(readonly traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") {
    super();
    const probe = this;
    const tracer: CallTracer = {
      startCall(params) {
        if (!probe.sample) return undefined;
        const trace: ProbeTrace = {
          tracer,
          params,
          attempts: [],
          ended: 0,
          attemptsAtEnd: -1,
          attempt(kwargs, forward) {
            trace.attempts.push(kwargs);
            return forward ? { traceparent: probe.traceparent } : undefined;
          },
          end() {
            trace.ended++;
            trace.attemptsAtEnd = trace.attempts.length;
          },
        };
        probe.traces.push(trace);
        return trace;
      },
      startServerSpan(method, route, headers) {
        const span: ProbeSpan = {
          tracer,
          method,
          route,
          headers,
          status: undefined,
          traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
          end(status) {
            span.status = status;
          },
        };
        probe.spans.push(span);
        return span;
      },
    };
    this[TRACER] = tracer;
  }

  override async async_log_success_event(kwargs: CallbackKwargs) {
    this.events.push({ event: "success", kwargs });
  }
  override async async_log_failure_event(kwargs: CallbackKwargs) {
    this.events.push({ event: "failure", kwargs });
  }
}

let fake: FakeOpenAI;
const KEY = "sk-seam-test-1234567890";
const tmp = useTempDir("litellm-seam-");
let rt: Runtime | undefined;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());
afterEach(async () => {
  await rt?.close();
  rt = undefined;
  resetLitellm();
  litellm.forward_traceparent_to_llm_provider = false;
});

const direct = () => ({ model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY, messages: user("trace me") });

async function configured(probe: Probe, extra: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "main", litellm_params: { model: "openai/fail-500", api_base: fake.url, api_key: KEY } },
        { model_name: "backup", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } },
        { model_name: "ok", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } },
      ],
      router_settings: { fallbacks: [{ main: ["backup"] }] },
      litellm_settings: { callbacks: [probe], ...extra },
    },
    cwd: tmp.path,
  });
  return rt;
}

describe("a library call", () => {
  it("starts one trace with the call's params, tells it of its attempt before the request, ends it, and hands it on every event's kwargs", async () => {
    const probe = new Probe();
    resetLitellm([probe]);
    const params = direct();
    await litellm.acompletion(params);
    await litellm.flush();
    expect(probe.traces).toHaveLength(1);
    const [trace] = probe.traces;
    expect(trace!.params).toMatchObject({ model: "openai/gpt-4o-mini" });
    expect(trace!.attempts.map((k) => k.model)).toEqual(["gpt-4o-mini"]);
    expect(trace!.ended).toBe(1);
    expect(trace!.attemptsAtEnd).toBe(1);
    expect(probe.events.map((e) => e.event)).toEqual(["success"]);
    expect(traceOf(probe.events[0]!.kwargs, probe[TRACER])).toBe(trace);
    // A symbol key: no record, no JSON, no key listing shows it.
    expect(Object.keys(probe.events[0]!.kwargs)).not.toContain("CALL_TRACE");
    expect(JSON.stringify(probe.events[0]!.kwargs.standard_logging_object)).not.toContain("tracer");
  });

  it("a tracer that samples a call out is not told of its attempts, and its events carry no trace", async () => {
    const probe = new Probe();
    probe.sample = false;
    resetLitellm([probe]);
    await litellm.acompletion(direct());
    await litellm.flush();
    expect(probe.traces).toEqual([]);
    expect(traceOf(probe.events[0]!.kwargs, probe[TRACER])).toBeUndefined();
  });

  it("sends the first tracer's traceparent upstream when forwarding is on, over a caller's own header; nothing when it is off", async () => {
    const probe = new Probe();
    resetLitellm([probe]);
    await litellm.acompletion(direct());
    expect(fake.requests[0]!.headers.traceparent).toBeUndefined();

    litellm.forward_traceparent_to_llm_provider = true;
    await litellm.acompletion({ ...direct(), extra_headers: { traceparent: "00-ffffffffffffffffffffffffffffffff-ffffffffffffffff-01", "x-mine": "kept" } });
    expect(fake.requests[1]!.headers.traceparent).toBe(probe.traceparent);
    expect(fake.requests[1]!.headers["x-mine"]).toBe("kept");
  });

  it("two tracers each get their own trace of the call; only the first one's context goes upstream", async () => {
    const first = new Probe("00-11111111111111111111111111111111-1111111111111111-01");
    const second = new Probe("00-22222222222222222222222222222222-2222222222222222-01");
    resetLitellm([first, second]);
    litellm.forward_traceparent_to_llm_provider = true;
    await litellm.acompletion(direct());
    await litellm.flush();
    expect(fake.requests[0]!.headers.traceparent).toBe(first.traceparent);
    expect(first.traces[0]!.attempts).toHaveLength(1);
    expect(second.traces[0]!.attempts).toHaveLength(1);
    expect(traceOf(first.events[0]!.kwargs, first[TRACER])).toBe(first.traces[0]);
    expect(traceOf(second.events[0]!.kwargs, second[TRACER])).toBe(second.traces[0]);
  });
});

describe("a routed call", () => {
  it("a fallback is two attempts of one trace, each event carrying it, and the trace ends after both started", async () => {
    const probe = new Probe();
    const runtime = await configured(probe);
    await runtime.acompletion({ model: "main", messages: user("fall back") });
    await runtime.flush();
    expect(probe.traces).toHaveLength(1);
    const [trace] = probe.traces;
    expect(trace!.attempts.map((k) => [k.litellm_params.model_group, (k.litellm_params.metadata as { attempt?: number }).attempt])).toEqual([
      ["main", 1],
      ["backup", 2],
    ]);
    expect(trace!.attemptsAtEnd).toBe(2);
    expect(probe.events.map((e) => [e.event, traceOf(e.kwargs, probe[TRACER]) === trace])).toEqual([
      ["failure", true],
      ["success", true],
    ]);
  });

  it("a call a pre-call hook rejects is one attempt of its trace, with a failure event", async () => {
    class Rejecting extends Probe {
      override async async_pre_call_hook(_u: UserAPIKeyAuth, _c: DualCache, _data: Record<string, unknown>) {
        throw Object.assign(new Error("not today"), { status_code: 403 });
      }
    }
    const probe = new Rejecting();
    const runtime = await configured(probe);
    await expect(runtime.acompletion({ model: "ok", messages: user("let me in") })).rejects.toThrow("not today");
    await runtime.flush();
    expect(probe.traces[0]!.attempts).toHaveLength(1);
    expect(probe.traces[0]!.ended).toBe(1);
    expect(probe.events.map((e) => [e.event, traceOf(e.kwargs, probe[TRACER]) === probe.traces[0]])).toEqual([["failure", true]]);
    expect(fake.requests).toEqual([]);
  });
});

describe("through the server", () => {
  let server: RunningServer;
  let client: OpenAI;
  let probe: Probe;

  beforeEach(async () => {
    probe = new Probe();
    const runtime = await configured(probe, { forward_traceparent_to_llm_provider: true });
    server = await startServer(runtime, { port: 0 });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
  });
  afterEach(() => server.close(1000));

  it("opens a span per request as the caller's child, hands it to the call, and answers with the call id and the trace id", async () => {
    const caller = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
    const { data, response } = await client.chat.completions.create({ model: "ok", messages: user("hi") }, { headers: { traceparent: caller, tracestate: "vendor=1" } }).withResponse();
    expect(data.choices[0]!.message.content).toContain("hi");
    await rt!.flush();
    expect(probe.spans).toHaveLength(1);
    const [span] = probe.spans;
    expect([span!.method, span!.route, span!.headers]).toEqual(["POST", "/v1/chat/completions", { traceparent: caller, tracestate: "vendor=1" }]);
    expect(span!.status).toBe(200);
    expect(response.headers.get("x-litellm-trace-id")).toBe(span!.traceId);
    expect(serverSpanOf(probe.traces[0]!.params, probe[TRACER])).toBe(span);
    // The call id of the response is the one the callbacks logged.
    const id = response.headers.get("x-litellm-call-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(probe.events[0]!.kwargs.litellm_call_id).toBe(id);
    expect(probe.events[0]!.kwargs.standard_logging_object!.hidden_params).toBeDefined();
    // forward_traceparent_to_llm_provider: the attempt's context, not the caller's.
    expect(fake.requests[0]!.headers.traceparent).toBe(probe.traceparent);
  });

  it("takes a caller's x-litellm-call-id, and puts the call id on error answers too", async () => {
    const sent = "client-request-42";
    const { response } = await client.chat.completions.create({ model: "ok", messages: user("hi") }, { headers: { "x-litellm-call-id": sent } }).withResponse();
    expect(response.headers.get("x-litellm-call-id")).toBe(sent);
    await rt!.flush();
    expect(probe.events[0]!.kwargs.litellm_call_id).toBe(sent);

    const bad = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-litellm-call-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(probe.spans.at(-1)!.status).toBe(400);
    const missing = await fetch(`${server.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-litellm-call-id")).toMatch(/^[0-9a-f-]{36}$/);
    // An id that is not a plain token is replaced.
    const odd = await fetch(`${server.url}/health/liveliness`, { headers: { "x-litellm-call-id": "a b\tc" } });
    expect(odd.headers.get("x-litellm-call-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers every route with the call id once: a stream, an embedding, the model list, a health check", async () => {
    const sent = "stream-request-7";
    const stream = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-litellm-call-id": sent },
      body: JSON.stringify({ model: "ok", messages: user("hi"), stream: true }),
    });
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect((await stream.text()).trimEnd().endsWith("data: [DONE]")).toBe(true);
    // fetch joins repeated headers with ", ": one value means one header.
    expect(stream.headers.get("x-litellm-call-id")).toBe(sent);
    await rt!.flush();
    expect(probe.events.at(-1)!.kwargs.litellm_call_id).toBe(sent);
    for (const [path, init] of [
      ["/v1/models", {}],
      ["/health/readiness", {}],
      ["/v1/embeddings", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "ok", input: "hi" }) }],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, init);
      await res.arrayBuffer();
      expect([path, res.headers.get("x-litellm-call-id")]).toEqual([path, expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    }
  });

  it("a fallback's attempts share the request's call id, as LiteLLM's proxy's do", async () => {
    const { response } = await client.chat.completions.create({ model: "main", messages: user("fall back") }).withResponse();
    await rt!.flush();
    const id = response.headers.get("x-litellm-call-id");
    expect(probe.events.map((e) => [e.event, e.kwargs.litellm_call_id])).toEqual([
      ["failure", id],
      ["success", id],
    ]);
  });
});

describe("without a tracer", () => {
  it("forwards the traceparent the server's caller sent, as LiteLLM does, only when asked", async () => {
    rt = await createRuntime({
      config: {
        model_list: [{ model_name: "ok", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY } }],
        litellm_settings: { forward_traceparent_to_llm_provider: true },
      },
      cwd: tmp.path,
    });
    const server = await startServer(rt, { port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
      const caller = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
      const { response } = await client.chat.completions.create({ model: "ok", messages: user("hi") }, { headers: { traceparent: caller } }).withResponse();
      expect(fake.requests[0]!.headers.traceparent).toBe(caller);
      expect(response.headers.get("x-litellm-trace-id")).toBeNull();
      expect(response.headers.get("x-litellm-call-id")).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await server.close(1000);
    }
  });
});
