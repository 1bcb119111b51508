import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../../test/support/fake-anthropic.ts";
import litellm, { InvalidParamsError, acompletion, type ChatMessage } from "../../index.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";
import { collect } from "../../../test/support/streams.ts";

// The Anthropic provider end to end, through the public API, against the loopback fake Messages API.

const KEY = "sk-ant-test-1234567890abcd";
const MASKED = "sk-...abcd";
const MODEL = "anthropic/claude-sonnet-4-5";
// claude-sonnet-4-5's bundled list price (core/cost/table-anthropic.ts), USD per token:
// $3 input, $3.75 cache write, $0.30 cache read, $15 output per million tokens.
const IN = 3e-6;
const WRITE = 3.75e-6;
const READ = 3e-7;
const OUT = 1.5e-5;

let fake: FakeAnthropic;
let rec: Recorder;
const call = (params: Record<string, unknown>) => acompletion({ model: MODEL, messages: user("hi"), api_base: fake.url, api_key: KEY, ...params });
const callStream = (params: Record<string, unknown> = {}) => acompletion({ model: MODEL, messages: user("hi"), api_base: fake.url, api_key: KEY, ...params, stream: true });
const weather = {
  type: "function",
  function: { name: "get_weather", description: "Weather in a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};

beforeAll(async () => {
  fake = await startFakeAnthropic();
});
afterAll(() => fake.close());
beforeEach(() => {
  rec = new Recorder();
  resetLitellm([rec]);
});
afterEach(async () => {
  await litellm.flush();
  fake.reset();
  vi.unstubAllEnvs();
});

describe("the request", () => {
  it("lifts system messages out, defaults max_tokens, translates images, tools and params; the body sent is complete_input_dict", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "low" } },
        ],
      },
    ];
    await call({ messages, temperature: 0.2, top_p: 0.9, stop: "END", user: "user-42", tools: [weather], tool_choice: "required", metadata: { team: "search" } });
    const expected = {
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "Be brief.\n\nAnswer in French.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
      tools: [{ name: "get_weather", description: "Weather in a city", input_schema: weather.function.parameters }],
      tool_choice: { type: "any" },
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ["END"],
      metadata: { user_id: "user-42" },
    };
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0]!;
    expect(sent.path).toBe("/v1/messages");
    expect(sent.body).toEqual(expected);
    expect(sent.headers["x-api-key"]).toBe(KEY);
    expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
    await litellm.flush();
    for (const event of ["pre_api_call", "post_api_call", "success"] as const) {
      const k = rec.last(event).kwargs;
      expect(k.additional_args!.complete_input_dict, event).toEqual(expected);
      expect(k.additional_args!.headers["x-api-key"]).toBe(MASKED);
      expect(k.additional_args!.headers["anthropic-version"]).toBe("2023-06-01");
      expect(k.api_key).toBe(MASKED);
      expect(JSON.stringify(k)).not.toContain(KEY);
    }
  });

  it("max_completion_tokens is max_tokens; a named tool_choice is a tool; parallel_tool_calls: false disables parallel use", async () => {
    await call({ max_completion_tokens: 100, tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } }, parallel_tool_calls: false });
    const body = fake.requests[0]!.body;
    expect(body.max_tokens).toBe(100);
    expect(body.tool_choice).toEqual({ type: "tool", name: "get_weather", disable_parallel_tool_use: true });
    expect(body).not.toHaveProperty("parallel_tool_calls");
    expect(body).not.toHaveProperty("max_completion_tokens");
  });

  it("an OpenAI parameter Anthropic has no equivalent for fails before anything is sent, naming it; one set to its default is dropped", async () => {
    const err = await call({ frequency_penalty: 0.5, seed: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect((err as Error).message).toContain('"frequency_penalty", "seed"');
    expect(fake.requests).toHaveLength(0);
    await litellm.flush();
    expect(rec.of("failure")).toHaveLength(1);
    await call({ frequency_penalty: 0, n: 1, logprobs: false, top_k: 5 });
    expect(fake.requests[0]!.body).toEqual({ model: "claude-sonnet-4-5", max_tokens: 4096, messages: [{ role: "user", content: "hi" }], top_k: 5 });
  });

  it("takes the key and base URL from ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL; an api_base ending in /v1 works too", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", KEY);
    vi.stubEnv("ANTHROPIC_BASE_URL", fake.url);
    await acompletion({ model: MODEL, messages: user("hi") });
    await acompletion({ model: MODEL, messages: user("hi"), api_base: `${fake.url}/v1` });
    expect(fake.requests.map((r) => [r.path, r.headers["x-api-key"]])).toEqual([
      ["/v1/messages", KEY],
      ["/v1/messages", KEY],
    ]);
  });
});

describe("the answer", () => {
  it("maps content, finish_reason and usage with cache tokens, and prices cache reads and writes", async () => {
    fake.set({ content: "Bonjour.", usage: { input_tokens: 1000, output_tokens: 300, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500 } });
    const res = await call({});
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: "Bonjour." }, finish_reason: "stop" }]);
    expect(res.object).toBe("chat.completion");
    expect(res.id).toBe("msg_fake1");
    expect(res.usage).toEqual({
      prompt_tokens: 3500,
      completion_tokens: 300,
      total_tokens: 3800,
      prompt_tokens_details: { cached_tokens: 2000 },
      cache_read_input_tokens: 2000,
      cache_creation_input_tokens: 500,
    });
    // 1000 uncached at $3, 2000 cache reads at $0.30, 500 cache writes at $3.75, 300 out at $15 (per million) = $0.009975.
    const cost = 1000 * IN + 2000 * READ + 500 * WRITE + 300 * OUT;
    expect(cost).toBeCloseTo(0.009975, 12);
    expect(res._hidden_params.response_cost).toBeCloseTo(cost, 15);
    expect(res._hidden_params.custom_llm_provider).toBe("anthropic");
    await litellm.flush();
    const post = rec.last("post_api_call").kwargs;
    // original_response is Anthropic's own text, not our translation.
    expect(JSON.parse(post.original_response as string)).toMatchObject({ id: "msg_fake1", type: "message", stop_reason: "end_turn", usage: { cache_read_input_tokens: 2000 } });
    expect(rec.last("success").kwargs.response_cost).toBe(res._hidden_params.response_cost);
  });

  it("stop_reason max_tokens is finish_reason length", async () => {
    fake.set({ content: "Once upon a", stopReason: "max_tokens" });
    const res = await call({ max_tokens: 3 });
    expect(res.choices[0]!.finish_reason).toBe("length");
  });
});

describe("streaming", () => {
  const content = "Il fait beau à Paris aujourd'hui.";

  it("Anthropic's events become OpenAI chunks, assembled into complete_streaming_response with usage and cost", async () => {
    fake.set({ content, usage: { input_tokens: 200, output_tokens: 50, cache_read_input_tokens: 800 } });
    const stream = await callStream({ stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    expect(fake.requests[0]!.body.stream).toBe(true);
    expect(fake.requests[0]!.body).not.toHaveProperty("stream_options");
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant" });
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(content);
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 50, total_tokens: 1050 });
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["msg_fake1"]));
    await litellm.flush();
    expect(rec.of("failure")).toEqual([]);
    const k = rec.last("success").kwargs;
    const full = k.complete_streaming_response!;
    expect(full.choices[0]).toMatchObject({ message: { role: "assistant", content }, finish_reason: "stop" });
    expect(full.usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 50, cache_read_input_tokens: 800, prompt_tokens_details: { cached_tokens: 800 } });
    // 200 uncached at $3, 800 cache reads at $0.30, 50 out at $15 (per million) = $0.00159.
    expect(k.response_cost).toBeCloseTo(200 * IN + 800 * READ + 50 * OUT, 15);
    expect(k.response_cost).toBeCloseTo(0.00159, 12);
    expect(k.additional_args!.complete_input_dict).toEqual(fake.requests[0]!.body);
  });

  it("a caller that did not ask for usage gets no usage chunk, and the success event still has it", async () => {
    fake.set({ content, usage: { input_tokens: 10, output_tokens: 5 } });
    const chunks = await collect(await callStream());
    expect(chunks.filter((c) => c.usage)).toEqual([]);
    await litellm.flush();
    expect(rec.last("success").kwargs.complete_streaming_response!.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
  });
  it("a consumer that stops early gets one success event marked stream_aborted, with what arrived", async () => {
    fake.set({ content: "one two three four five six seven eight", chunkDelayMs: 5 });
    const got: string[] = [];
    for await (const c of await callStream()) {
      if (c.choices[0]?.delta.content) got.push(c.choices[0].delta.content);
      if (got.length === 2) break;
    }
    await litellm.flush();
    expect(rec.of("success")).toHaveLength(1);
    const k = rec.last("success").kwargs;
    expect(k.stream_aborted).toBe(true);
    expect(k.complete_streaming_response!.choices[0]!.message.content).toBe("one two ");
  });
});

describe("tool calls", () => {
  const input = { city: "Paris", unit: "celsius" };

  it("round trip: tool_use becomes tool_calls; the tool's answer goes back as a tool_result for that tool_use_id", async () => {
    fake.set({ content: "Let me check.", toolUse: { name: "get_weather", input } });
    const messages = user("Weather in Paris?");
    const first = await acompletion({ model: MODEL, messages, tools: [weather], api_base: fake.url, api_key: KEY });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("Let me check.");
    expect(choice.message.tool_calls).toEqual([{ id: "toolu_fake1", type: "function", function: { name: "get_weather", arguments: JSON.stringify(input) } }]);

    fake.set({ content: "18°C and sunny." });
    const followUp: ChatMessage[] = [...messages, choice.message, { role: "tool", tool_call_id: "toolu_fake1", content: "18°C, sunny" }];
    const second = await acompletion({ model: MODEL, messages: followUp, tools: [weather], api_base: fake.url, api_key: KEY });
    expect(second.choices[0]!.message.content).toBe("18°C and sunny.");
    expect(fake.requests[1]!.body.messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_fake1", name: "get_weather", input }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_fake1", content: "18°C, sunny" }] },
    ]);
  });

  it("consecutive tool results are merged into one user turn", async () => {
    const calls = ["toolu_a", "toolu_b"].map((id, i) => ({ id, type: "function" as const, function: { name: "get_weather", arguments: JSON.stringify({ city: ["Paris", "Rome"][i] }) } }));
    const messages: ChatMessage[] = [
      ...user("Paris and Rome?"),
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: "toolu_a", content: "18°C" },
      { role: "tool", tool_call_id: "toolu_b", content: [{ type: "text", text: "24°C" }] },
    ];
    await call({ messages, tools: [weather] });
    expect(fake.requests[0]!.body.messages.slice(1)).toEqual([
      { role: "assistant", content: calls.map((c) => ({ type: "tool_use", id: c.id, name: "get_weather", input: JSON.parse(c.function.arguments) })) },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_b", content: [{ type: "text", text: "24°C" }] },
        ],
      },
    ]);
  });

  it("streamed: input_json_delta pieces assemble into the tool call's arguments", async () => {
    fake.set({ toolUse: { name: "get_weather", input } });
    const chunks = await collect(await callStream({ tools: [weather] }));
    expect(chunks.filter((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments).length).toBeGreaterThan(2);
    await litellm.flush();
    const full = rec.last("success").kwargs.complete_streaming_response!;
    expect(full.choices[0]!.finish_reason).toBe("tool_calls");
    expect(full.choices[0]!.message.content).toBeNull();
    expect(full.choices[0]!.message.tool_calls).toEqual([{ id: "toolu_fake1", type: "function", function: { name: "get_weather", arguments: JSON.stringify(input) } }]);
  });
});
