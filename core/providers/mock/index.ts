import { APIConnectionError, APIError, PROVIDER_ERRORS, type ProviderErrorName } from "../../errors.ts";
import { sleepUnless } from "../../call/signal.ts";
import type { ChatCompletionChunk, ChatMessage } from "../../types.ts";
import type { Provider, ProviderRequest, ProviderStream, RawChat, RawEmbedding, ResolvedModel, RequestOptions } from "../types.ts";
import { RandomPool } from "../../uuid.ts";

/**
 * The built-in mock: no network. It answers `mock_response` (or echoes the last
 * user message), streams in word-sized chunks with a usage chunk at the end, and
 * fails on demand when `mock_response` names an error (`"litellm.RateLimitError"`).
 */

/** A rough, deterministic token count: about four characters a token, as OpenAI's rule of thumb. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function messageText(m: ChatMessage): string {
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (typeof p.text === "string" ? p.text : "")).join("");
  return "";
}

function promptTokens(messages: ChatMessage[]): number {
  let n = 0;
  for (const m of messages) n += 3 + countTokens(messageText(m));
  return n + 3;
}

const ERROR_NAME = /^(?:litellm\.)?([A-Za-z]+Error|Timeout)$/;

/** The error a `mock_response` asks for, or undefined when it is an answer. */
export function mockError(answer: string | Error | undefined, model: string, provider = "mock"): Error | undefined {
  if (answer instanceof Error) return answer;
  if (typeof answer !== "string") return undefined;
  const m = ERROR_NAME.exec(answer);
  if (!m) return undefined;
  const Cls = PROVIDER_ERRORS[m[1] as ProviderErrorName];
  const message = `mock_response asked for ${m[1]}`;
  // The model's own provider, as LiteLLM: a mocked "gpt-4o-mini" fails as OpenAI would.
  return Cls ? new Cls(message, { llm_provider: provider, model }) : new APIError(`${message}, which is not an error class this runtime knows`, { llm_provider: provider, model });
}

function answerFor(req: ProviderRequest): string {
  const answer = req.mock?.response;
  if (typeof answer === "string") return answer;
  const messages = (req.body.messages ?? []) as ChatMessage[];
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === "user") return messageText(messages[i]!);
  return "";
}

// The answers' ids, 9 random bytes each from a pool: a `randomBytes` call per id was half of a mock call's own time.
const ids = new RandomPool(9, 256);

function newId(prefix: string): string {
  const at = ids.draw();
  return `${prefix}-mock-${ids.bytes.toString("base64url", at, at + ids.size)}`;
}

async function settle(req: ProviderRequest): Promise<void> {
  const delay = req.mock?.delayMs ?? 0;
  if (delay > 0) await sleepUnless(delay, req.signal);
  if (req.signal?.aborted) throw new APIConnectionError("mock: the request was aborted by the caller.", { llm_provider: "mock", model: req.target.model });
  const err = mockError(req.mock?.response, req.target.model, req.target.provider);
  if (err) throw err;
}

function request(target: ResolvedModel, body: Record<string, unknown>, input: unknown, opts: RequestOptions): ProviderRequest {
  return { target, body, input, url: null, headers: {}, timeoutMs: opts.timeoutMs, maxRetries: opts.maxRetries, signal: opts.signal, mock: opts.mock ?? { response: target.mock_response, delayMs: 0 } };
}

export const mockProvider: Provider = {
  name: "mock",

  chatRequest(target, messages, optional, opts) {
    const body: Record<string, unknown> = { model: target.model, messages, ...optional };
    if (opts.stream) body.stream = true;
    return request(target, body, messages, opts);
  },

  async chat(req) {
    await settle(req);
    const content = answerFor(req);
    const prompt = promptTokens(req.body.messages as ChatMessage[]);
    const completion = countTokens(content);
    const response: RawChat = {
      id: newId("chatcmpl"),
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: req.target.model,
      choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
    return { response, raw: JSON.stringify(response) };
  },

  async chatStream(req) {
    await settle(req);
    const content = answerFor(req);
    const id = newId("chatcmpl");
    const created = Math.floor(Date.now() / 1000);
    const model = req.target.model;
    const prompt = promptTokens(req.body.messages as ChatMessage[]);
    const completion = countTokens(content);
    // An answer of only whitespace has no word to split on: it goes as one piece, so the deltas still join to it.
    const pieces = content.match(/\s*\S+\s*/g) ?? (content ? [content] : []);
    const delay = req.mock?.delayMs ?? 0;
    let aborted = false;
    const chunk = (delta: ChatCompletionChunk["choices"][0]["delta"], finish: string | null): ChatCompletionChunk => ({
      id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }],
    });
    async function* chunks(): AsyncGenerator<ChatCompletionChunk> {
      yield chunk({ role: "assistant", content: "" }, null);
      for (const piece of pieces) {
        if (delay > 0) await sleepUnless(delay, undefined);
        if (aborted) return;
        yield chunk({ content: piece }, null);
      }
      yield chunk({}, "stop");
      yield { id, object: "chat.completion.chunk", created, model, choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } };
    }
    const it = chunks();
    const stream: ProviderStream = {
      [Symbol.asyncIterator]: () => it,
      abort: () => {
        aborted = true;
      },
    };
    return stream;
  },

  embeddingRequest(target, input, optional, opts) {
    return request(target, { model: target.model, input, ...optional }, input, opts);
  },

  async embed(req) {
    await settle(req);
    const inputs = typeof req.body.input === "string" ? [req.body.input] : (req.body.input as string[]);
    const dims = typeof req.body.dimensions === "number" ? req.body.dimensions : 8;
    const tokens = inputs.reduce((n, s) => n + countTokens(s), 0);
    const response: RawEmbedding = {
      object: "list",
      data: inputs.map((text, index) => ({ object: "embedding", index, embedding: vectorOf(text, dims) })),
      model: req.target.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return { response, raw: JSON.stringify(response) };
  },
};

/** A deterministic unit vector from the text, so equal inputs embed equally. */
function vectorOf(text: string, dims: number): number[] {
  const v: number[] = [];
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) ^ i;
    const x = ((h >>> 0) / 4294967295) * 2 - 1;
    v.push(x);
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  return v.map((x) => x / norm);
}
