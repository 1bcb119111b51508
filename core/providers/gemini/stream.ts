/** Gemini's server-sent events → OpenAI-shaped chunks. Pure: the HTTP and SSE parsing are in http.ts. */
import { InvalidResponseError } from "../../errors.ts";
import type { ChatCompletionChunk, ChunkChoice } from "../../types.ts";
import { errorObject, geminiError, type Where } from "./errors.ts";
import { completionId, finishReason, readParts, toUsage, toolCallId, type GenerateContentResponse, type GeminiUsage } from "./response.ts";

/**
 * Turns one stream's events, in order, into chunks as OpenAI streams them. Each event is a
 * whole `GenerateContentResponse` holding the next piece of each candidate: a first chunk with
 * the role, content and tool-call deltas, a finish chunk when a candidate has its finishReason,
 * then, once every candidate has finished, a usage chunk with no choices (OpenAI's `include_usage`
 * form), so the assembler and the cost see the same as for OpenAI.
 */
export class StreamTranslator {
  /** Every candidate has finished: the answer is complete. */
  done = false;
  /** Events seen; none at all means the server did not stream. */
  events = 0;
  private readonly id = completionId();
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: GeminiUsage = {};
  /** Candidate index → the tool calls it made so far (OpenAI numbers them from 0 per choice); absent until it first speaks. */
  private readonly toolCalls = new Map<number, number>();
  private readonly finished = new Set<number>();

  constructor(private readonly where: Where) {}

  /** The chunks one SSE event yields; an `error` object throws it as our error class. */
  translate(data: string): ChatCompletionChunk[] {
    const e = this.parse(data);
    this.events++;
    if (e.error && typeof e.error === "object") throw geminiError(this.where, undefined, errorObject(e.error as Record<string, unknown>));
    const res = e as GenerateContentResponse;
    // Each event carries the counts so far: the last one holds the totals.
    if (res.usageMetadata) this.usage = res.usageMetadata;
    const out: ChatCompletionChunk[] = [];
    const candidates = res.candidates ?? [];
    // A blocked prompt has no candidate, only promptFeedback: the answer ends there, filtered.
    if (candidates.length === 0 && res.promptFeedback?.blockReason) {
      this.start(0, out);
      out.push(this.chunk(0, {}, "content_filter"));
      this.finished.add(0);
    }
    candidates.forEach((c, i) => {
      const index = c.index ?? i;
      if (this.finished.has(index)) return;
      this.start(index, out);
      const { text, hasText, reasoning, calls } = readParts(c.content?.parts);
      // LiteLLM's delta field for thinking.
      if (reasoning !== undefined) out.push(this.chunk(index, { reasoning_content: reasoning }));
      if (hasText && text !== "") out.push(this.chunk(index, { content: text }));
      // Gemini sends each function call whole: one delta with its id, name and all its arguments.
      for (const call of calls) {
        const n = this.toolCalls.get(index)!;
        this.toolCalls.set(index, n + 1);
        out.push(this.chunk(index, { tool_calls: [{ index: n, id: toolCallId(), type: "function", function: { name: call.name, arguments: call.args } }] }));
      }
      if (c.finishReason !== undefined) {
        this.finished.add(index);
        out.push(this.chunk(index, {}, finishReason(c.finishReason, this.toolCalls.get(index)! > 0)));
      }
    });
    if (!this.done && this.finished.size > 0 && this.finished.size >= this.toolCalls.size) {
      this.done = true;
      out.push({ ...this.head(), choices: [], usage: toUsage(this.usage) });
    }
    return out;
  }

  /** A candidate's first chunk says who speaks, with no content: an answer of only tool calls assembles to content null. */
  private start(index: number, out: ChatCompletionChunk[]): void {
    if (this.toolCalls.has(index)) return;
    this.toolCalls.set(index, 0);
    out.push(this.chunk(index, { role: "assistant" }));
  }

  private parse(data: string): Record<string, unknown> {
    try {
      const e: unknown = JSON.parse(data);
      if (e && typeof e === "object" && !Array.isArray(e)) return e as Record<string, unknown>;
    } catch {
      // reported below
    }
    const preview = data.length > 200 ? `${data.slice(0, 200)}...` : data;
    throw new InvalidResponseError(`${this.where.provider}: ${this.where.url} sent an event whose data is not a JSON object: ${JSON.stringify(preview)}`, {
      llm_provider: this.where.provider,
      model: this.where.model,
    });
  }

  private head() {
    return { id: this.id, object: "chat.completion.chunk" as const, created: this.created, model: this.where.model };
  }

  private chunk(index: number, delta: ChunkChoice["delta"], finish: string | null = null): ChatCompletionChunk {
    return { ...this.head(), choices: [{ index, delta, finish_reason: finish }] };
  }
}
