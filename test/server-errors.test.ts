// Every error the server answers, in OpenAI's shape with the right status: bad requests, and upstream failures passed on.
import { request } from "node:http";
import { connect } from "node:net";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, SERVER_ERROR_CODES, startServer, type RunningServer, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { useTempDir, user } from "./support/kit.ts";

const UPSTREAM_KEY = "sk-test-1234567890abcd";
const LIMIT = 64 * 1024;

interface WireError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const tmp = useTempDir("litellm-server-errors-", { per: "suite" });
let fake: FakeOpenAI;
let rt: Runtime;
let server: RunningServer;
let client: OpenAI;

const upstream = (name: string, model: string, extra: Record<string, unknown> = {}) => ({
  model_name: name,
  litellm_params: { model: `openai/${model}`, api_base: fake.url, api_key: UPSTREAM_KEY, ...extra },
});

beforeAll(async () => {
  fake = await startFakeOpenAI();
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "demo", litellm_params: { model: "mock/demo", mock_response: "ok" } },
        upstream("limited", "fail-429"),
        upstream("broken", "fail-500"),
        upstream("overloaded", "fail-503"),
        upstream("hanging", "slow-5000", { timeout: 0.2 }),
        upstream("dropping", "drop-2"),
        upstream("garbage", "gpt-4o-mini"),
        { model_name: "unreachable", litellm_params: { model: "openai/gpt-4o-mini", api_base: "http://127.0.0.1:1/v1", api_key: UPSTREAM_KEY } },
        // An unsupported prefix in model_list fails the load; a wildcard can still send a call to one.
        { model_name: "nowhere/*", litellm_params: { model: "*" } },
      ],
      general_settings: { max_request_body_bytes: LIMIT },
      // What is tested here is the server's mapping of one failure, not the router's retries of it.
      router_settings: { num_retries: 0 },
    },
    cwd: tmp.path,
  });
  server = await startServer(rt, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
});

afterAll(async () => {
  await server?.close(1000);
  await rt?.close();
  await fake?.close();
});

beforeEach(() => fake.reset());

async function post(path: string, body: string | object, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: WireError }> {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as WireError };
}

/** Checks the OpenAI error shape: exactly these four keys. */
function shaped(body: WireError): WireError["error"] {
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  return body.error;
}

describe("bad requests", () => {
  it("malformed JSON is 400 invalid_json, saying where it broke", async () => {
    const res = await post("/v1/chat/completions", '{"model": "demo",\n  "messages": [}');
    expect(res.status).toBe(400);
    const e = shaped(res.body);
    expect(e.code).toBe(SERVER_ERROR_CODES.invalidJson);
    expect(e.type).toBe("invalid_request_error");
    expect(e.message).toContain("line 2, column 16");
  });

  it.each([
    ['{"model": "demo", "messages": [],}', "line 1, column 34"],
    ['{"model" "demo"}', "line 1, column 10"],
    ['{"model": "demo",\n "messages": [\n  {"role": "user", "content": tru}]}', "line 3, column 31"],
    ['{"model": "demo"} trailing', "line 1, column 19"],
    ['{"model": "demo", "messages": [', "the end of the body"],
  ])("malformed JSON %j is located at %s", async (text, where) => {
    const res = await post("/v1/chat/completions", text);
    expect(res.status).toBe(400);
    expect(shaped(res.body).message).toContain(where);
  });

  it("an empty body, a body that is not an object, and a missing or mistyped field are 400 naming the field", async () => {
    const cases: Array<[string | object, string, string | null]> = [
      ["", SERVER_ERROR_CODES.invalidJson, null],
      ["[1, 2]", SERVER_ERROR_CODES.invalidBody, null],
      [{ messages: user("x") }, SERVER_ERROR_CODES.missingParameter, "model"],
      [{ model: 42, messages: user("x") }, SERVER_ERROR_CODES.invalidType, "model"],
      [{ model: "demo" }, SERVER_ERROR_CODES.missingParameter, "messages"],
      [{ model: "demo", messages: "hi" }, SERVER_ERROR_CODES.invalidType, "messages"],
      [{ model: "demo", messages: user("x"), user: 7 }, SERVER_ERROR_CODES.invalidType, "user"],
      [{ model: "demo", messages: user("x"), metadata: [1] }, SERVER_ERROR_CODES.invalidType, "metadata"],
    ];
    for (const [body, code, param] of cases) {
      const res = await post("/v1/chat/completions", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const e = shaped(res.body);
      expect(e.code, JSON.stringify(body)).toBe(code);
      expect(e.param).toBe(param);
      if (param) expect(e.message).toContain(param);
    }
    const noInput = await post("/v1/embeddings", { model: "demo" });
    expect(noInput.status).toBe(400);
    expect(shaped(noInput.body).param).toBe("input");
  });

  it("a message the runtime rejects is 400 with the runtime's code", async () => {
    const res = await post("/v1/chat/completions", { model: "demo", messages: [{ content: "no role" }] });
    expect(res.status).toBe(400);
    expect(shaped(res.body).code).toBe("LLM_INVALID_PARAMS");
  });

  it("an unknown model is 400 naming it and listing the aliases (the openai client's BadRequestError)", async () => {
    const err = await client.chat.completions.create({ model: "gpt-4o", messages: user("x") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    const e = err as InstanceType<typeof OpenAI.BadRequestError>;
    expect(e.code).toBe(SERVER_ERROR_CODES.modelNotFound);
    expect(e.param).toBe("model");
    expect(e.message).toContain('"gpt-4o"');
    for (const alias of ["demo", "limited", "unreachable"]) expect(e.message).toContain(`"${alias}"`);
    // Provider-prefixed names are not served either: only the config's aliases.
    const prefixed = await post("/v1/embeddings", { model: "openai/text-embedding-3-small", input: "x" });
    expect(prefixed.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
  });

  it("parameters the config owns are 400 param_not_allowed, and nothing is sent upstream", async () => {
    for (const key of ["api_base", "api_key", "success_callback", "input_cost_per_token"]) {
      const res = await post("/v1/chat/completions", { model: "garbage", messages: user("x"), [key]: key === "success_callback" ? ["console"] : "http://evil.example/v1" });
      expect(res.status, key).toBe(400);
      expect(shaped(res.body)).toMatchObject({ code: SERVER_ERROR_CODES.paramNotAllowed, param: key });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("a malformed x-litellm-metadata header is 400", async () => {
    for (const header of ["{not json", '"a string"', "[1]"]) {
      const res = await post("/v1/chat/completions", { model: "demo", messages: user("x") }, { "x-litellm-metadata": header });
      expect(res.status, header).toBe(400);
      expect(shaped(res.body).code).toBe(SERVER_ERROR_CODES.invalidMetadataHeader);
    }
  });

  it("an unknown route is 404 and a wrong method 405, both OpenAI-shaped", async () => {
    const missing = await fetch(`${server.url}/v1/completions`, { method: "POST", body: "{}" });
    expect(missing.status).toBe(404);
    expect(shaped((await missing.json()) as WireError).code).toBe(SERVER_ERROR_CODES.routeNotFound);
    const wrongMethod = await fetch(`${server.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    expect(shaped((await wrongMethod.json()) as WireError).code).toBe(SERVER_ERROR_CODES.methodNotAllowed);
  });

  it("a request that is not HTTP gets an OpenAI-shaped 400 before the connection closes", async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let text = "";
      socket.setEncoding("utf8");
      socket.on("data", (d: string) => (text += d));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(raw.slice(0, raw.indexOf("\r\n"))).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as WireError;
    expect(shaped(body).type).toBe("invalid_request_error");
  });
});

describe("oversized bodies", () => {
  const big = JSON.stringify({ model: "demo", messages: user("x".repeat(LIMIT * 4)) });

  it("a declared length over the limit is 413 before the body is read", async () => {
    const res = await post("/v1/chat/completions", big);
    expect(res.status).toBe(413);
    expect(shaped(res.body).code).toBe(SERVER_ERROR_CODES.bodyTooLarge);
    expect(res.headers.get("connection")).toBe("close");
  });

  it("a chunked body is cut off at the limit with 413, and the server keeps serving", async () => {
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode!, text }));
      });
      req.on("error", reject);
      // Written in pieces: the server must answer before the whole body has arrived.
      const piece = big.slice(0, LIMIT / 2);
      for (let i = 0; i < 4; i++) req.write(piece);
      setTimeout(() => req.destroyed || req.end(), 2000).unref();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text).error.code).toBe(SERVER_ERROR_CODES.bodyTooLarge);
    const after = await client.chat.completions.create({ model: "demo", messages: user("x") });
    expect(after.choices[0]!.message.content).toBe("ok");
  });
});

describe("upstream errors pass their status on", () => {
  it("429 stays 429 (the client's RateLimitError), with retry-after", async () => {
    fake.set({ headers: { "retry-after": "7" } });
    const { response } = await client.chat.completions
      .create({ model: "limited", messages: user("x") })
      .withResponse()
      .catch((e: unknown) => ({ response: e }));
    expect(response).toBeInstanceOf(OpenAI.RateLimitError);
    const e = response as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.type).toBe("rate_limit_error");
    expect(e.code).toBe("LLM_RATE_LIMIT");
    expect(e.headers?.get("retry-after")).toBe("7");
  });

  it("500 is 500 and 503 is 503 (api_error)", async () => {
    const broken = await client.chat.completions.create({ model: "broken", messages: user("x") }).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(OpenAI.InternalServerError);
    expect((broken as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((broken as InstanceType<typeof OpenAI.APIError>).type).toBe("api_error");
    const overloaded = await post("/v1/chat/completions", { model: "overloaded", messages: user("x") });
    expect(overloaded.status).toBe(503);
    expect(shaped(overloaded.body).code).toBe("LLM_SERVICE_UNAVAILABLE");
  });

  it("an upstream that hangs past the model's timeout is 504 (type timeout)", async () => {
    const res = await post("/v1/chat/completions", { model: "hanging", messages: user("x") });
    expect(res.status).toBe(504);
    expect(shaped(res.body)).toMatchObject({ type: "timeout", code: "LLM_TIMEOUT" });
  });

  it("an unreachable upstream is 502 api_connection_error; a 2xx that is not a completion is 502 api_error", async () => {
    const unreachable = await post("/v1/chat/completions", { model: "unreachable", messages: user("x") });
    expect(unreachable.status).toBe(502);
    expect(shaped(unreachable.body)).toMatchObject({ type: "api_connection_error", code: "LLM_CONNECTION" });
    expect(unreachable.body.error.message).not.toContain(UPSTREAM_KEY);

    fake.set({ malformedBody: "<html>not json</html>" });
    const garbage = await post("/v1/chat/completions", { model: "garbage", messages: user("x") });
    expect(garbage.status).toBe(502);
    expect(shaped(garbage.body)).toMatchObject({ type: "api_error", code: "LLM_INVALID_RESPONSE" });
  });

  it("a model whose provider does not exist is a server-side problem: 500 saying so", async () => {
    const res = await post("/v1/chat/completions", { model: "nowhere/nosuchprovider/model-x", messages: user("x") });
    expect(res.status).toBe(500);
    expect(shaped(res.body)).toMatchObject({ code: "LLM_UNSUPPORTED_PROVIDER", type: "api_error" });
    expect(res.body.error.message).toContain("misconfigured");
  });

  it("an upstream that fails mid-stream ends the stream with one error event and no [DONE]", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "dropping", messages: user("one two three four five six") , stream: true }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text()).split("\n\n").filter(Boolean);
    expect(events).not.toContain("data: [DONE]");
    const last = JSON.parse(events.at(-1)!.slice("data: ".length)) as WireError;
    expect(shaped(last)).toMatchObject({ code: "LLM_CONNECTION", type: "api_connection_error" });
    expect(events.length).toBeGreaterThan(1);

    // The openai client turns that event into an APIError thrown from the iterator.
    const stream = await client.chat.completions.create({ model: "dropping", messages: user("one two three four"), stream: true });
    const err = await (async () => {
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
  });
});
