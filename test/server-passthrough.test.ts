// Streams passed on as the upstream sent them: the client's bytes are the upstream's, the callbacks still get parsed
// chunks and the whole response, and a hook that can change chunks turns the passing-on off.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createRuntime,
  CustomLogger,
  startServer,
  type ChatCompletionChunk,
  type EmbeddingResponse,
  type ModelResponse,
  type RunningServer,
  type Runtime,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { Recorder, useTempDir, user } from "./support/kit.ts";

const UPSTREAM_KEY = "sk-test-1234567890abcd";
/** A chunk no serialiser of ours would write: odd spacing, a field OpenAI does not send, keys in an odd order. */
const ODD = '{"choices" : [ {"index":0,"delta":{"content":" odd"},  "finish_reason":null} ],"id":"chatcmpl-odd","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","x_extra":{"kept":true}}';

/** Upper-cases every chunk's content on its way to the client. */
class Shouting extends CustomLogger {
  override async *async_post_call_streaming_iterator_hook(_caller: UserAPIKeyAuth, response: AsyncIterable<ChatCompletionChunk>) {
    for await (const chunk of response) {
      const delta = chunk.choices[0]?.delta;
      if (delta && typeof delta.content === "string") delta.content = delta.content.toUpperCase();
      yield chunk;
    }
  }
}

/** Puts its own text in place of every chunk (a string a per-chunk hook returns is sent as it is). */
class Replacing extends CustomLogger {
  override async async_post_call_streaming_hook(_caller: UserAPIKeyAuth, response: string) {
    return JSON.stringify({ replaced: response.length });
  }
}

/** Keeps the whole response its success hook gets, and the errors its failure hook gets: hooks that cannot change a chunk. */
class Watching extends CustomLogger {
  responses: ModelResponse[] = [];
  errors: Error[] = [];
  override async async_post_call_success_hook(_data: Record<string, unknown>, _caller: UserAPIKeyAuth, response: ModelResponse | EmbeddingResponse) {
    this.responses.push(response as ModelResponse);
  }
  override async async_post_call_failure_hook(_data: Record<string, unknown>, error: Error) {
    this.errors.push(error);
  }
}

const watching = new Watching();
const recorder = new Recorder({ events: ["stream_event", "success", "failure"] });
const tmp = useTempDir("litellm-passthrough-", { per: "suite" });
let fake: FakeOpenAI;
const runtimes: Runtime[] = [];
const servers: RunningServer[] = [];

async function serve(callbacks: CustomLogger[]): Promise<OpenAI> {
  const rt = await createRuntime({
    config: {
      model_list: [{ model_name: "upstream", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: UPSTREAM_KEY } }],
      litellm_settings: { callbacks },
    },
    cwd: tmp.path,
  });
  runtimes.push(rt);
  const server = await startServer(rt, { port: 0 });
  servers.push(server);
  return new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });
}

/** The raw body of a stream through the openai client, and its events. */
async function rawStream(client: OpenAI, body: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}): Promise<{ text: string; events: string[] }> {
  const response = await client.chat.completions.create({ model: "upstream", messages: user("one two three"), stream: true, ...body }).asResponse();
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const text = await response.text();
  return { text, events: text.split("\n\n").filter(Boolean) };
}

let plain: OpenAI;
let hooked: OpenAI;
let replaced: OpenAI;
let watched: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  plain = await serve([recorder]);
  hooked = await serve([recorder, new Shouting()]);
  replaced = await serve([new Replacing()]);
  watched = await serve([watching]);
});

afterAll(async () => {
  for (const server of servers) await server.close(1000);
  for (const rt of runtimes) await rt.close();
  await fake?.close();
});

beforeEach(async () => {
  // The last test's events are delivered before this one's are recorded.
  for (const rt of runtimes) await rt.flush();
  recorder.clear();
  fake.reset();
});

describe("a stream no hook can change", () => {
  it("reaches the client as the upstream's bytes, while the callbacks get parsed chunks and the whole response", async () => {
    fake.set({ content: "one two three", malformedChunk: ODD });
    const { events } = await rawStream(plain);
    // The upstream's event, verbatim: no parse and re-serialise on the way.
    expect(events).toContain(`data: ${ODD}`);
    expect(events.at(-1)).toBe("data: [DONE]");
    // The fake sends its whole answer at once: our [DONE] leaves with its last read, and only once.
    expect(events.filter((e) => e === "data: [DONE]")).toHaveLength(1);
    await runtimes[0]!.flush();

    const chunks = recorder.of("stream_event").map((e) => e.response as ChatCompletionChunk);
    const odd = chunks.find((c) => c.id === "chatcmpl-odd");
    expect(odd).toMatchObject({ choices: [{ index: 0, delta: { content: " odd" } }], x_extra: { kept: true } });
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    const success = recorder.last("success").kwargs;
    expect(success.complete_streaming_response?.choices[0]?.message.content).toBe(content);
    expect(content).toContain(" odd");
    expect(success.complete_streaming_response?.usage?.total_tokens).toBeGreaterThan(0);
    expect(success.response_cost).toBeGreaterThan(0);
    expect(success.completion_start_time).toBeInstanceOf(Date);
  });

  it("is parsed as usual by the openai client, the usage chunk only when asked for", async () => {
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of await plain.chat.completions.create({ model: "upstream", messages: user("four five"), stream: true, stream_options: { include_usage: true } })) {
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: four five");
    expect(usage?.total_tokens).toBeGreaterThan(0);

    const { events } = await rawStream(plain);
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice("data: ".length)) as ChatCompletionChunk);
    expect(parsed.every((c) => c.choices.length > 0)).toBe(true);
  });

  it("an event that carries an error ends the stream with one error event of ours, not the upstream's", async () => {
    fake.set({ content: "one two three", malformedChunk: '{"error": {"message": "upstream broke", "type": "server_error"}}' });
    const { events } = await rawStream(plain);
    expect(events).not.toContain("data: [DONE]");
    expect(events.join("\n")).not.toContain('"type": "server_error"');
    const last = JSON.parse(events.at(-1)!.slice("data: ".length)) as { error: { message: string } };
    expect(last.error.message).toContain("upstream broke");
    await runtimes[0]!.flush();
    expect(recorder.events().filter((e) => e !== "stream_event")).toEqual(["failure"]);
  });
});

describe("a stream whose hooks cannot change a chunk", () => {
  it("is passed on as sent; the success hook gets the whole response, the failure hook the error", async () => {
    watching.responses.length = 0;
    watching.errors.length = 0;
    fake.set({ content: "seen whole", malformedChunk: ODD });
    const { events } = await rawStream(watched);
    expect(events).toContain(`data: ${ODD}`);
    expect(watching.responses).toHaveLength(1);
    const sent = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e.slice("data: ".length)) as ChatCompletionChunk).choices[0]?.delta?.content ?? "")
      .join("");
    expect(watching.responses[0]!.choices[0]!.message.content).toBe(sent);
    expect(sent).toContain(" odd");
    expect(watching.errors).toEqual([]);

    fake.set({ content: "one two", malformedChunk: '{"error": {"message": "upstream broke", "type": "server_error"}}' });
    const failed = await rawStream(watched);
    expect(failed.events).not.toContain("data: [DONE]");
    expect(watching.errors.map((e) => e.message).join()).toContain("upstream broke");
  });
});

describe("a stream with a hook that can change chunks", () => {
  it("is parsed and serialised again, so the hook's change reaches the client", async () => {
    fake.set({ content: "quiet words", malformedChunk: ODD });
    const { events } = await rawStream(hooked);
    expect(events).not.toContain(`data: ${ODD}`);
    const content = events
      .slice(0, -1)
      .map((e) => (JSON.parse(e.slice("data: ".length)) as ChatCompletionChunk).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content).toContain("QUIET WORDS");
    expect(content).toContain(" ODD");
    await runtimes[1]!.flush();
    // The loggers see the upstream's chunks, not the hook's.
    const logged = recorder.last("success").kwargs.complete_streaming_response?.choices[0]?.message.content ?? "";
    expect(logged).toContain("quiet");
  });

  it("a per-chunk hook's replacement is what the client gets", async () => {
    fake.set({ content: "a b", malformedChunk: ODD });
    const { events } = await rawStream(replaced);
    expect(events).not.toContain(`data: ${ODD}`);
    expect(events.at(-1)).toBe("data: [DONE]");
    for (const event of events.slice(0, -1)) expect(Object.keys(JSON.parse(event.slice("data: ".length)) as object)).toEqual(["replaced"]);
  });
});
