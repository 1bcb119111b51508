/** Anthropic's stream events → OpenAI-shaped chunks. Pure: the HTTP and SSE parsing are in http.ts. */
import { InvalidResponseError } from "../../errors.ts";
import type { ChatCompletionChunk, ChunkChoice, ToolCall } from "../../types.ts";
import { anthropicError, type Where } from "./errors.ts";
import { finishReason, toUsage, type AnthropicUsage } from "./response.ts";

type Event = Record<string, any>;

/**
 * Turns one stream's events, in order, into chunks as OpenAI streams them: a first chunk
 * with the role, content and tool-call deltas, a finish chunk at `message_stop`, then a
 * usage chunk with no choices (OpenAI's `include_usage` form), so the assembler and the
 * cost see the same as for OpenAI.
 */
export class StreamTranslator {
  /** `message_stop` arrived: the answer is complete. */
  done = false;
  /** Events seen; none at all means the server did not stream. */
  events = 0;
  private id = "";
  private model = "";
  private readonly created = Math.floor(Date.now() / 1000);
  private usage: AnthropicUsage = {};
  private stop: string | null = null;
  /** Content block index → index among the tool calls (OpenAI numbers tool calls from 0). */
  private readonly tools = new Map<number, number>();

  constructor(private readonly where: Where) {}

  /** The chunks one SSE event yields; an `error` event throws it as our error class. */
  translate(name: string | undefined, data: string): ChatCompletionChunk[] {
    const e = this.parse(name, data);
    this.events++;
    switch (e.type ?? name) {
      case "message_start": {
        const m = (e.message ?? {}) as Event;
        this.id = String(m.id ?? "");
        this.model = String(m.model ?? this.where.model);
        this.usage = { ...(m.usage as AnthropicUsage | undefined) };
        // No content yet: an answer of only tool calls must assemble to content null, as it arrives unstreamed.
        return [this.chunk({ role: "assistant" })];
      }
      case "content_block_start": {
        const b = (e.content_block ?? {}) as Event;
        if (b.type === "tool_use") {
          const index = this.tools.size;
          this.tools.set(e.index as number, index);
          return [this.chunk({ tool_calls: [{ index, id: String(b.id), type: "function", function: { name: String(b.name), arguments: "" } }] })];
        }
        return b.type === "text" && typeof b.text === "string" && b.text !== "" ? [this.chunk({ content: b.text })] : [];
      }
      case "content_block_delta": {
        const d = (e.delta ?? {}) as Event;
        if (d.type === "text_delta") return [this.chunk({ content: String(d.text ?? "") })];
        if (d.type === "input_json_delta") {
          const index = this.tools.get(e.index as number);
          // Only the arguments, as OpenAI's later tool-call chunks carry them.
          return index === undefined || !d.partial_json ? [] : [this.chunk({ tool_calls: [{ index, function: { arguments: String(d.partial_json) } as ToolCall["function"] }] })];
        }
        // LiteLLM's delta field for extended thinking.
        if (d.type === "thinking_delta") return [this.chunk({ reasoning_content: String(d.thinking ?? "") })];
        return [];
      }
      case "message_delta": {
        const delta = e.delta as { stop_reason?: string | null } | undefined;
        if (delta?.stop_reason !== undefined) this.stop = delta.stop_reason;
        // Counts here are cumulative: they replace message_start's (whose output_tokens is a placeholder).
        for (const [k, v] of Object.entries((e.usage ?? {}) as Record<string, unknown>)) if (typeof v === "number") (this.usage as Record<string, number>)[k] = v;
        return [];
      }
      case "message_stop":
        this.done = true;
        return [this.chunk({}, finishReason(this.stop)), { ...this.head(), choices: [], usage: toUsage(this.usage) }];
      case "error":
        throw anthropicError(this.where, undefined, (e.error ?? {}) as { type?: string; message?: string });
      default:
        // ping, content_block_stop, and event types Anthropic may add (its docs ask clients to ignore unknown ones).
        return [];
    }
  }

  private parse(name: string | undefined, data: string): Event {
    try {
      const e: unknown = JSON.parse(data);
      if (e && typeof e === "object") return e as Event;
    } catch {
      // reported below
    }
    const preview = data.length > 200 ? `${data.slice(0, 200)}...` : data;
    throw new InvalidResponseError(`${this.where.provider}: ${this.where.url} sent a "${name ?? "message"}" event whose data is not JSON: ${JSON.stringify(preview)}`, {
      llm_provider: this.where.provider,
      model: this.where.model,
    });
  }

  private head() {
    return { id: this.id, object: "chat.completion.chunk" as const, created: this.created, model: this.model };
  }

  private chunk(delta: ChunkChoice["delta"], finish: string | null = null): ChatCompletionChunk {
    return { ...this.head(), choices: [{ index: 0, delta, finish_reason: finish }] };
  }
}
