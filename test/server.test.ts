// The OpenAI-compatible server, driven by the real openai client: chat, streams, embeddings, models, auth, health.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, LiteLLMError, SERVER_ERROR_CODES, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { Recorder, useTempDir, user } from "./support/kit.ts";

const MASTER = "sk-master-0123456789";
const UPSTREAM_KEY = "sk-test-1234567890abcd";
/** Records each success and failure the runtime logs (an inline config holds it as it is); cleared before each test. */
const recorder = new Recorder({ events: ["success", "failure"] });

const tmp = useTempDir("litellm-server-", { per: "suite" });
let fake: FakeOpenAI;
let rt: Runtime;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "demo", litellm_params: { model: "mock/demo", mock_response: "Hello from the mock model" } },
        { model_name: "embedder", litellm_params: { model: "mock/embedder" } },
        { model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } },
        { model_name: "upstream-embed", litellm_params: { model: "openai/text-embedding-3-small", api_base: fake.url, api_key: UPSTREAM_KEY } },
      ],
      general_settings: { master_key: MASTER },
      litellm_settings: { callbacks: [recorder] },
    },
    cwd: tmp.path,
  });
  server = await startServer(rt, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER, maxRetries: 0 });
});

afterAll(async () => {
  await server?.close(1000);
  await rt?.close();
  await fake?.close();
});

beforeEach(() => {
  recorder.clear();
  fake.reset();
});

afterEach(async () => {
  await rt.flush();
});

describe("chat completions", () => {
  it("answers with the model's content and usage", async () => {
    const res = await client.chat.completions.create({ model: "demo", messages: user("hi") });
    expect(res.choices[0]!.message.content).toBe("Hello from the mock model");
    expect(res.object).toBe("chat.completion");
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(res.usage!.completion_tokens).toBeGreaterThan(0);
    expect(res).not.toHaveProperty("_hidden_params");
  });

  it("passes an upstream answer through, with LiteLLM's cost and cache headers", async () => {
    const { data, response } = await client.chat.completions.create({ model: "upstream", messages: user("ping") }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(fake.requests[0]!.body.model).toBe("gpt-4o-mini");
    expect(Number(response.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);
    expect(response.headers.get("x-litellm-cache-hit")).toBe("false");
  });

  it("streams chunk by chunk: the deltas join to the answer, the stream ends with [DONE]", async () => {
    const stream = await client.chat.completions.create({ model: "demo", messages: user("hi"), stream: true });
    const deltas: string[] = [];
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      deltas.push(chunk.choices[0]?.delta.content ?? "");
    }
    expect(deltas.join("")).toBe("Hello from the mock model");
    expect(chunks).toBeGreaterThan(3);
    await rt.flush();
    expect(recorder.events()).toEqual(["success"]);
    expect(recorder.last("success").kwargs.stream_aborted).toBeUndefined();
  });

  it("sends the wire format itself: SSE headers, data lines, [DONE] last", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "upstream", messages: user("wire"), stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const events = (await res.text()).split("\n\n").filter(Boolean);
    expect(events.filter((e) => !e.startsWith("data: "))).toEqual([]);
    expect(events.at(-1)).toBe("data: [DONE]");
    const content = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? "").join("");
    expect(content).toBe("Echo: wire");
  });

  it("sends the usage chunk only when stream_options asks for it", async () => {
    const withUsage = await client.chat.completions.create({ model: "upstream", messages: user("count me"), stream: true, stream_options: { include_usage: true } });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);

    const without = await client.chat.completions.create({ model: "upstream", messages: user("count me"), stream: true });
    const usages: OpenAI.CompletionUsage[] = [];
    for await (const chunk of without) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([]);
  });

  it("answers on the paths without /v1 too", async () => {
    const bare = new OpenAI({ baseURL: server.url, apiKey: MASTER, maxRetries: 0 });
    const res = await bare.chat.completions.create({ model: "demo", messages: user("hi") });
    expect(res.choices[0]!.message.content).toBe("Hello from the mock model");
    const models = await bare.models.list();
    expect(models.data.map((m) => m.id)).toContain("demo");
    const emb = await bare.embeddings.create({ model: "embedder", input: "x", encoding_format: "float" });
    expect(emb.data).toHaveLength(1);
  });
});

describe("embeddings", () => {
  it("returns float vectors, whether the client asks for floats or lets the openai client use base64", async () => {
    const floats = await client.embeddings.create({ model: "embedder", input: ["a", "b"], encoding_format: "float" });
    expect(floats.data).toHaveLength(2);
    expect(floats.data[0]!.embedding).toHaveLength(8);
    expect(floats.data[0]!.embedding.map((x) => typeof x)).toEqual(Array(8).fill("number"));

    // The openai client's default: it asks for base64 and decodes; the numbers must survive the trip.
    const decoded = await client.embeddings.create({ model: "embedder", input: ["a", "b"] });
    for (const [i, item] of decoded.data.entries()) {
      const expected = floats.data[i]!.embedding;
      item.embedding.forEach((x, j) => expect(x).toBeCloseTo(expected[j]!, 6));
    }
  });

  it("passes an upstream's embeddings through, asked as floats so callbacks see numbers", async () => {
    const res = await client.embeddings.create({ model: "upstream-embed", input: "hello" });
    expect(res.data[0]!.embedding.length).toBeGreaterThan(0);
    expect(fake.requests[0]!.body.encoding_format).toBe("float");
    await rt.flush();
    const [event] = recorder.seen;
    expect(event!.event).toBe("success");
    expect(event!.kwargs.call_type).toBe("aembedding");
  });
});

describe("models", () => {
  it("lists the config's aliases in OpenAI's list shape", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(["demo", "embedder", "upstream", "upstream-embed"]);
    for (const m of list.data) {
      expect(m.object).toBe("model");
      expect(m.owned_by).toBe("litellm-runtime");
      expect(m.created).toSatisfy(Number.isInteger);
    }
  });
});

describe("auth", () => {
  it("a wrong key is 401 in OpenAI's shape (the client's AuthenticationError), and the key is not echoed", async () => {
    const wrong = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "sk-wrong-key-abc", maxRetries: 0 });
    const err = await wrong.chat.completions.create({ model: "demo", messages: user("hi") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    const e = err as InstanceType<typeof OpenAI.AuthenticationError>;
    expect(e.status).toBe(401);
    expect(e.code).toBe("invalid_api_key");
    expect(e.type).toBe("authentication_error");
    expect(JSON.stringify(e.error)).not.toContain("sk-wrong-key-abc");
    expect(JSON.stringify(e.error)).not.toContain(MASTER);
    await rt.flush();
    expect(recorder.seen).toEqual([]);
  });

  it("a missing key, a key of another length and a non-Bearer header are 401 on every model route", async () => {
    const cases: Array<[string, string, Record<string, string>]> = [
      ["POST", "/v1/chat/completions", {}],
      ["POST", "/v1/embeddings", { authorization: `Bearer ${MASTER}x` }],
      ["GET", "/v1/models", { authorization: `Basic ${MASTER}` }],
      ["GET", "/models", { authorization: MASTER }],
    ];
    for (const [method, path, headers] of cases) {
      const res = await fetch(server.url + path, { method, headers, body: method === "POST" ? JSON.stringify({ model: "demo", messages: user("x"), input: "x" }) : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
      expect(body.error.code).toBe("invalid_api_key");
    }
  });

  it("health checks need no key", async () => {
    const live = await fetch(`${server.url}/health/liveliness`);
    expect(live.status).toBe(200);
    expect(await live.json()).toBe("I'm alive!");
    const ready = await fetch(`${server.url}/health/readiness`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "healthy", cache: "none", models: 4 });
  });

  it("without a master key no auth is needed, and a master key given to startServer wins over the config", async () => {
    const open = await startServer(rt, { port: 0, masterKey: null });
    const other = await startServer(rt, { port: 0, masterKey: "sk-other-key" });
    try {
      const anon = new OpenAI({ baseURL: `${open.url}/v1`, apiKey: "anything", maxRetries: 0 });
      const res = await anon.chat.completions.create({ model: "demo", messages: user("hi") });
      expect(res.choices[0]!.message.content).toBe("Hello from the mock model");

      const withConfigKey = new OpenAI({ baseURL: `${other.url}/v1`, apiKey: MASTER, maxRetries: 0 });
      await expect(withConfigKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const withOwnKey = new OpenAI({ baseURL: `${other.url}/v1`, apiKey: "sk-other-key", maxRetries: 0 });
      expect((await withOwnKey.models.list()).data.length).toBe(4);
    } finally {
      await open.close(1000);
      await other.close(1000);
    }
  });
});

describe("startServer", () => {
  it("a port that is taken is SERVER_LISTEN naming the address; a bad option is a RangeError", async () => {
    const err = await startServer(rt, { host: "127.0.0.1", port: server.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect((err as LiteLLMError).code).toBe(SERVER_ERROR_CODES.listen);
    expect((err as LiteLLMError).message).toContain(`127.0.0.1:${server.port}`);
    await expect(startServer(rt, { port: 70000 })).rejects.toBeInstanceOf(RangeError);
    await expect(startServer(rt, { port: 0, maxBodyBytes: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it("reports where it listens: url, host and port agree", () => {
    expect(server.host).toBe("127.0.0.1");
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.inflight()).toBe(0);
  });
});

describe("reload under the server", () => {
  it("a reload that changes master_key and the model list applies to the next request", async () => {
    const file = join(tmp.path, "reload.config.yaml");
    const config = (key: string, alias: string) => `model_list:\n  - model_name: ${alias}\n    litellm_params:\n      model: mock/${alias}\n      mock_response: "from ${alias}"\ngeneral_settings:\n  master_key: ${key}\n`;
    await writeFile(file, config("sk-first-key", "before"));
    const live = await createRuntime({ config: file });
    const own = await startServer(live, { port: 0 });
    try {
      const first = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: "sk-first-key", maxRetries: 0 });
      expect((await first.models.list()).data.map((m) => m.id)).toEqual(["before"]);

      await writeFile(file, config("sk-second-key", "after"));
      expect(await live.reload()).toBe(true);

      await expect(first.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const second = new OpenAI({ baseURL: `${own.url}/v1`, apiKey: "sk-second-key", maxRetries: 0 });
      expect((await second.models.list()).data.map((m) => m.id)).toEqual(["after"]);
      const res = await second.chat.completions.create({ model: "after", messages: user("x") });
      expect(res.choices[0]!.message.content).toBe("from after");
      await expect(second.chat.completions.create({ model: "before", messages: user("x") })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    } finally {
      await own.close(1000);
      await live.close();
    }
  });
});
