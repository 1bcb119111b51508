// A server whose config names no callback: what only callbacks read is not made, and nothing a client sees changes.
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import litellm, { createRuntime, startServer, type CallbackKwargs, type RunningServer, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { listenLoopback } from "./support/loopback.ts";
import { user } from "./support/kit.ts";

const UPSTREAM_KEY = "sk-test-quiet-1234567890";
let fake: FakeOpenAI;
let rt: Runtime;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  rt = await createRuntime({
    config: {
      model_list: [{ model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } }],
      litellm_settings: { cache: true, cache_params: { type: "local", namespace: `quiet-${process.pid}` } },
    },
  });
  server = await startServer(rt, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterAll(async () => {
  litellm.callbacks = [];
  await server?.close(1000);
  await rt?.close();
  await fake?.close();
});

afterEach(() => {
  litellm.callbacks = [];
});

describe("a server with no callback", () => {
  it("knows nothing reads the calls' kwargs until a process-wide callback is added", () => {
    expect(rt.listens()).toBe(false);
    litellm.callbacks = [{ log_success_event() {} }];
    expect(rt.listens()).toBe(true);
    litellm.callbacks = [];
    expect(rt.listens()).toBe(false);
  });

  it("still answers with LiteLLM's cost and cache headers, and no hidden params in the body", async () => {
    const first = await client.chat.completions.create({ model: "upstream", messages: user("quiet ping") }).withResponse();
    expect(first.data.choices[0]!.message.content).toBe("Echo: quiet ping");
    expect(Number(first.response.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);
    expect(first.response.headers.get("x-litellm-cache-hit")).toBe("false");
    expect(first.data).not.toHaveProperty("_hidden_params");
    expect(Object.getOwnPropertySymbols(first.data)).toEqual([]);

    // The same request again: the cache answers, and says so.
    const again = await client.chat.completions.create({ model: "upstream", messages: user("quiet ping") }).withResponse();
    expect(again.response.headers.get("x-litellm-cache-hit")).toBe("true");
    expect(again.data.choices[0]!.message.content).toBe("Echo: quiet ping");
    expect(fake.requests.filter((r) => JSON.stringify(r.body).includes("quiet ping"))).toHaveLength(1);
  });

  it("streams every delta unparsed, and the usage chunk only to a client that asked for it", async () => {
    // No cache (which would store the whole answer) and no rpm/tpm (which would count its tokens): nothing reads the chunks.
    const runtime = await createRuntime({ config: { model_list: [{ model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } }] } });
    const served = await startServer(runtime, { port: 0 });
    const client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: "unused", maxRetries: 0 });
    onTestFinished(async () => {
      await served.close(1000);
      await runtime.close();
    });
    // The server asks the upstream for usage either way, to price the call.
    const plain = await client.chat.completions.create({ model: "upstream", messages: user("stream me"), stream: true });
    const deltas: string[] = [];
    let usage = 0;
    for await (const chunk of plain) {
      deltas.push(chunk.choices[0]?.delta.content ?? "");
      if (chunk.usage) usage++;
    }
    expect(deltas.join("")).toBe("Echo: stream me");
    expect(usage).toBe(0);
    expect(fake.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });

    const asked = await client.chat.completions.create({ model: "upstream", messages: user("stream me too"), stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of asked) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: stream me too");
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
  });

  it("records the request for a callback added while it serves, with its credentials masked", async () => {
    const seen: CallbackKwargs[] = [];
    litellm.callbacks = [{ async_log_success_event: async (kwargs: CallbackKwargs) => void seen.push(kwargs) }];
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-client-secret-000000", "x-team": "search" },
      body: JSON.stringify({ model: "upstream", messages: user("now heard") }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("_hidden_params");
    await rt.flush();
    expect(seen).toHaveLength(1);
    const request = seen[0]!.litellm_params.proxy_server_request as { url: string; method: string; headers: Record<string, string>; body: Record<string, unknown> };
    expect(request.url).toBe(`${server.url}/v1/chat/completions`);
    expect(request.method).toBe("POST");
    expect(request.headers["x-team"]).toBe("search");
    expect(request.headers).not.toHaveProperty("authorization");
    expect(request.body.model).toBe("upstream");
    // The callback also gets the request as sent upstream, with the upstream key masked.
    expect(seen[0]!.additional_args?.complete_input_dict).toMatchObject({ model: "gpt-4o-mini" });
    expect(JSON.stringify(seen[0]!.additional_args)).not.toContain(UPSTREAM_KEY);
  });
});

/** An OpenAI-format upstream that answers every request with the same indented JSON text. */
async function indentedUpstream(text: string): Promise<{ url: string; close(): Promise<void> }> {
  const { port, close } = await listenLoopback(
    async (req, res) => {
      for await (const _ of req);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
    },
    (res) => void res.writeHead(500).end(),
  );
  return { url: `http://127.0.0.1:${port}/v1`, close };
}

describe("a whole answer nothing can change", () => {
  const answer = {
    id: "chatcmpl-verbatim",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, message: { role: "assistant", content: "as sent" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
  };
  const text = JSON.stringify(answer, null, 2);

  it("is sent on as the upstream's text without a callback, and serialised again when a callback sees it", async () => {
    const upstream = await indentedUpstream(text);
    const runtime = await createRuntime({ config: { model_list: [{ model_name: "indented", litellm_params: { model: "openai/gpt-4o-mini", api_base: upstream.url, api_key: UPSTREAM_KEY } }] } });
    const served = await startServer(runtime, { port: 0 });
    const post = () =>
      fetch(`${served.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "indented", messages: user("hi") }) });
    try {
      const quiet = await post();
      expect(quiet.status).toBe(200);
      expect(await quiet.text()).toBe(text);
      expect(Number(quiet.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);

      // A callback may change the answer it is handed: from then on the server writes the answer it holds.
      litellm.callbacks = [{ log_success_event() {} }];
      const heard = await post();
      expect(heard.status).toBe(200);
      expect(await heard.text()).toBe(JSON.stringify(answer));
      // A quiet call is priced without filling kwargs: the same price and cache header as a call its callbacks see.
      expect(heard.headers.get("x-litellm-response-cost")).toBe(quiet.headers.get("x-litellm-response-cost"));
      expect(quiet.headers.get("x-litellm-cache-hit")).toBe("false");
      expect(heard.headers.get("x-litellm-cache-hit")).toBe("false");
    } finally {
      litellm.callbacks = [];
      await served.close(1000);
      await runtime.close();
      await upstream.close();
    }
  });

  it("goes for embeddings too: floats as the upstream sent them, base64 encoded here", async () => {
    // Multiples of 2^-15, so float32 (base64) keeps them exactly.
    const vectors = { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.5, -0.25, 0.125] }], model: "text-embedding-3-small", usage: { prompt_tokens: 2, total_tokens: 2 } };
    const listText = JSON.stringify(vectors, null, 2);
    const upstream = await indentedUpstream(listText);
    const runtime = await createRuntime({ config: { model_list: [{ model_name: "vectors", litellm_params: { model: "openai/text-embedding-3-small", api_base: upstream.url, api_key: UPSTREAM_KEY } }] } });
    const served = await startServer(runtime, { port: 0 });
    const post = (encoding_format: string) =>
      fetch(`${served.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "vectors", input: "hi", encoding_format }) });
    try {
      const floats = await post("float");
      expect(floats.status).toBe(200);
      expect(await floats.text()).toBe(listText);
      expect(Number(floats.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);

      const base64 = (await (await post("base64")).json()) as { data: Array<{ embedding: string }> };
      const bytes = Buffer.from(base64.data[0]!.embedding, "base64");
      expect([...new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)]).toEqual([0.5, -0.25, 0.125]);
    } finally {
      await served.close(1000);
      await runtime.close();
      await upstream.close();
    }
  });
});

describe("a stream nothing reads", () => {
  let served: RunningServer;
  let runtime: Runtime;
  beforeAll(async () => {
    // No cache (which would store the whole answer), no rpm/tpm (which would count its tokens), no callback.
    runtime = await createRuntime({ config: { model_list: [{ model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } }] } });
    served = await startServer(runtime, { port: 0 });
  });
  afterAll(async () => {
    await served?.close(1000);
    await runtime?.close();
  });
  afterEach(() => fake.reset());

  /** The events of a stream's raw body, as the client got them. */
  async function events(body: Record<string, unknown> = {}): Promise<string[]> {
    const res = await fetch(`${served.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "upstream", messages: user("one two three"), stream: true, ...body }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    return (await res.text()).split("\n\n").filter(Boolean);
  }

  // A usage chunk no serialiser of ours would write: odd spacing, keys in an odd order.
  const USAGE = '{"usage" : {"prompt_tokens":3,"completion_tokens":4,"total_tokens":7},"choices": [ ],"id":"chatcmpl-usage","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini"}';

  it("passes the upstream's usage chunk on as its text when the client asked for it, and drops it when not", async () => {
    fake.set({ malformedChunk: USAGE });
    const asked = await events({ stream_options: { include_usage: true } });
    expect(asked).toContain(`data: ${USAGE}`);
    expect(asked.at(-1)).toBe("data: [DONE]");

    const unasked = await events();
    expect(unasked).not.toContain(`data: ${USAGE}`);
    const chunks = unasked.slice(0, -1).map((e) => JSON.parse(e.slice("data: ".length)) as { choices: Array<{ delta: { content?: string } }> });
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? "").join("")).toBe("Echo: one two three");
    expect(unasked.at(-1)).toBe("data: [DONE]");
  });

  it("drops Azure's content-filter report, which has no choices and no usage, even for a client that asked for usage", async () => {
    fake.set({ malformedChunk: '{"id":"","object":"","created":0,"model":"","choices":[],"prompt_filter_results":[{"prompt_index":0}]}' });
    const got = await events({ stream_options: { include_usage: true } });
    expect(got.join("\n")).not.toContain("prompt_filter_results");
    expect(got.at(-1)).toBe("data: [DONE]");
  });

  it("ends with one error event of ours when the upstream sends one, even beside an empty list of choices", async () => {
    fake.set({ malformedChunk: '{"choices": [], "usage": {"total_tokens": 1}, "error": {"message": "upstream broke", "type": "server_error"}}' });
    const got = await events({ stream_options: { include_usage: true } });
    expect(got).not.toContain("data: [DONE]");
    expect(got.join("\n")).not.toContain('"type": "server_error"');
    const last = JSON.parse(got.at(-1)!.slice("data: ".length)) as { error: { message: string } };
    expect(last.error.message).toContain("upstream broke");
  });
});
