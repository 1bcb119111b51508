import { afterEach, beforeEach, describe, expect, it } from "vitest";
import litellm, {
  RateLimitError,
  acompletion,
  aembedding,
  completion,
  type ChatCompletionChunk,
  type ChatMessage,
} from "../../index.ts";
import { collect } from "../../../test/support/streams.ts";
import { Recorder, resetLitellm, user } from "../../../test/support/kit.ts";

// The built-in mock provider, through the public API: no network, deterministic answers.

let rec: Recorder;

beforeEach(() => {
  rec = new Recorder({ events: ["success", "failure"] });
  resetLitellm([rec]);
});
afterEach(() => litellm.flush());

const text = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

describe("answers", () => {
  it("echoes the last user message", async () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "Be brief." },
      { role: "user", content: "first question" },
      { role: "assistant", content: "first answer" },
      { role: "user", content: "second question" },
    ];
    const res = await acompletion({ model: "mock/echo", messages });
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: "second question" }, finish_reason: "stop" }]);
    expect(res).toMatchObject({ object: "chat.completion", model: "echo" });
    expect(res.id).toMatch(/^chatcmpl-/);
  });

  it("echoes the text parts of a content-part array", async () => {
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "hello " },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "text", text: "world" },
        ],
      },
    ];
    const res = await acompletion({ model: "mock/echo", messages });
    expect(res.choices[0]!.message.content).toBe("hello world");
  });

  it("answers mock_response when given", async () => {
    const res = await acompletion({ model: "mock/x", messages: user("ignored"), mock_response: "The answer is 42." });
    expect(res.choices[0]!.message.content).toBe("The answer is 42.");
  });

  it("completion() answers the same way", async () => {
    const res = await completion({ model: "mock/x", messages: user("sync echo") });
    expect(res.choices[0]!.message.content).toBe("sync echo");
  });

  it("reports usage with total = prompt + completion, growing with the prompt and the answer", async () => {
    const short = await acompletion({ model: "mock/x", messages: user("hi"), mock_response: "ok" });
    const long = await acompletion({
      model: "mock/x",
      messages: [...user("a much longer question than the first one"), ...user("and another")],
      mock_response: "a much longer answer than the first one, too",
    });
    for (const r of [short, long]) {
      expect(r.usage.prompt_tokens).toBeGreaterThan(0);
      expect(r.usage.completion_tokens).toBeGreaterThan(0);
      expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);
    }
    expect(long.usage.prompt_tokens).toBeGreaterThan(short.usage.prompt_tokens);
    expect(long.usage.completion_tokens).toBeGreaterThan(short.usage.completion_tokens);
    // About four characters a token.
    expect(long.usage.completion_tokens).toBe(Math.ceil("a much longer answer than the first one, too".length / 4));
  });
});

describe("streaming", () => {
  const answer = "  The quick brown fox\njumps over  the lazy dog. ";

  it("sends the answer in several chunks whose deltas join to it exactly", async () => {
    const stream = await acompletion({ model: "mock/x", messages: user("x"), mock_response: answer, stream: true });
    const chunks = await collect(stream);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(text(chunks)).toBe(answer);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([chunks[0]!.id]));
    // No usage chunk for a caller that did not ask for one.
    expect(chunks.filter((c) => c.usage)).toEqual([]);
  });

  it("streams an answer of only whitespace as it is", async () => {
    const stream = await acompletion({ model: "mock/x", messages: user("x"), mock_response: " \n ", stream: true });
    expect(text(await collect(stream))).toBe(" \n ");
  });

  it("ends with a usage chunk when asked, equal to the non-streamed usage", async () => {
    const messages = user("count my tokens please");
    const plain = await acompletion({ model: "mock/x", messages, mock_response: answer });
    const stream = await acompletion({ model: "mock/x", messages, mock_response: answer, stream: true, stream_options: { include_usage: true } });
    const chunks = await collect(stream);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(plain.usage);
    expect(last.usage!.total_tokens).toBe(last.usage!.prompt_tokens + last.usage!.completion_tokens);
  });

  it("one success event with the whole answer, its usage, and cost 0", async () => {
    const stream = await acompletion({ model: "mock/x", messages: user("x"), mock_response: answer, stream: true });
    await collect(stream);
    await litellm.flush();
    expect(rec.events()).toEqual(["success"]);
    const k = rec.last("success").kwargs;
    const full = k.complete_streaming_response!;
    expect(full.choices[0]!.message.content).toBe(answer);
    expect(full.usage.completion_tokens).toBe(Math.ceil(answer.length / 4));
    expect(full.usage.total_tokens).toBe(full.usage.prompt_tokens + full.usage.completion_tokens);
    expect(k.response_cost).toBe(0);
  });
});

describe("mock_delay", () => {
  it("holds the answer back: an undelayed call started later finishes first", async () => {
    const order: string[] = [];
    const slow = acompletion({ model: "mock/x", messages: user("slow"), mock_delay: 100 }).then((r) => order.push(r.choices[0]!.message.content!));
    await acompletion({ model: "mock/x", messages: user("fast") }).then((r) => order.push(r.choices[0]!.message.content!));
    await slow;
    expect(order).toEqual(["fast", "slow"]);
  });

  it("holds a failure back too", async () => {
    const order: string[] = [];
    const slow = acompletion({ model: "mock/x", messages: user("x"), mock_delay: 100, mock_response: "litellm.RateLimitError" }).catch(() => order.push("failed"));
    await acompletion({ model: "mock/x", messages: user("fast") }).then(() => order.push("fast"));
    await slow;
    expect(order).toEqual(["fast", "failed"]);
  });
});

describe("cost", () => {
  it("mock/<name> is free: response_cost 0, in the response and in the callbacks", async () => {
    const res = await acompletion({ model: "mock/anything-at-all", messages: user("x") });
    expect(res._hidden_params).toMatchObject({ response_cost: 0, custom_llm_provider: "mock", api_base: null, cache_hit: false });
    await litellm.flush();
    expect(rec.last("success").kwargs).toMatchObject({ response_cost: 0, response_cost_failure_debug_information: null });
  });

  it("a mock_response on a priced model is priced as that model", async () => {
    const res = await acompletion({ model: "gpt-4o-mini", messages: user("x"), mock_response: "priced" });
    const { prompt_tokens, completion_tokens } = res.usage;
    // gpt-4o-mini: $0.15 / $0.60 per million tokens (core/cost/table-openai.ts).
    expect(res._hidden_params.response_cost).toBeCloseTo(prompt_tokens * 1.5e-7 + completion_tokens * 6e-7, 15);
    expect(res._hidden_params.custom_llm_provider).toBe("openai");
  });
});

describe("embeddings", () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((n, x) => n + x * x, 0));

  it("are deterministic unit vectors: equal texts embed equally, different ones differently", async () => {
    const a = await aembedding({ model: "mock/e", input: ["alpha", "beta", "alpha"] });
    const b = await aembedding({ model: "mock/e", input: "alpha" });
    const vectors = a.data.map((d) => d.embedding as number[]);
    expect(a.data.map((d) => d.index)).toEqual([0, 1, 2]);
    for (const v of vectors) {
      expect(v).toHaveLength(8);
      expect(norm(v)).toBeCloseTo(1, 12);
    }
    expect(vectors[2]).toEqual(vectors[0]);
    expect(vectors[1]).not.toEqual(vectors[0]);
    expect(b.data[0]!.embedding).toEqual(vectors[0]);
  });

  it("honour dimensions, report usage, and are free", async () => {
    const res = await aembedding({ model: "mock/e", input: ["abcdefgh", "abc"], dimensions: 16 });
    expect(res.data.map((d) => (d.embedding as number[]).length)).toEqual([16, 16]);
    expect(norm(res.data[0]!.embedding as number[])).toBeCloseTo(1, 12);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(res._hidden_params.response_cost).toBe(0);
    expect(res.model).toBe("e");
  });
});

describe("mock_response as an Error", () => {
  it("throws that very error, and the failure event carries it", async () => {
    const boom = new Error("boom from the test");
    const err = await acompletion({ model: "mock/x", messages: user("x"), mock_response: boom }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    await litellm.flush();
    expect(rec.events()).toEqual(["failure"]);
    expect(rec.last("failure").kwargs.exception).toBe(boom);
  });

  it("an error of the catalogue comes back as it is, in a stream and for embeddings too", async () => {
    const limited = new RateLimitError("slow down", { retry_after: 7 });
    await expect(acompletion({ model: "mock/x", messages: user("x"), mock_response: limited, stream: true })).rejects.toBe(limited);
    await expect(aembedding({ model: "mock/e", input: "x", mock_response: limited })).rejects.toBe(limited);
    expect(limited.retry_after).toBe(7);
  });
});
