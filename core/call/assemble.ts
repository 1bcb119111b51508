import { boundedJson } from "../callbacks/safe-json.ts";
import type { ChatCompletionChunk, ChatMessage, ModelResponse, ToolCall, Usage } from "../types.ts";
import { countTokens } from "../providers/mock/index.ts";

interface ChoiceAcc {
  role: string;
  content: string;
  hasContent: boolean;
  tools: ToolCall[];
  finish: string | null;
}

/**
 * Gathers a stream into one response, as the chunks arrive: the deltas joined,
 * tool calls merged by index, and the provider's usage (or a count, where it sent none).
 */
export class StreamAssembler {
  private choices: ChoiceAcc[] = [];
  private id = "";
  private created = 0;
  private model = "";
  private fingerprint: string | null | undefined;
  usage: Usage | undefined;

  add(chunk: ChatCompletionChunk): void {
    if (!this.id) {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.system_fingerprint) this.fingerprint = chunk.system_fingerprint;
    if (chunk.usage) this.usage = chunk.usage;
    for (const c of chunk.choices) {
      const acc = (this.choices[c.index] ??= { role: "assistant", content: "", hasContent: false, tools: [], finish: null });
      const d = c.delta;
      if (d) {
        if (typeof d.role === "string") acc.role = d.role;
        if (typeof d.content === "string") {
          acc.content += d.content;
          acc.hasContent = true;
        }
        if (d.tool_calls) for (const t of d.tool_calls) mergeTool(acc.tools, t);
      }
      if (c.finish_reason) acc.finish = c.finish_reason;
    }
  }

  /** The whole response so far; `messages` are used to count prompt tokens when the provider gave no usage. */
  build(messages: ChatMessage[]): Omit<ModelResponse, "_hidden_params"> {
    const choices = this.choices.map((acc, index) => {
      const message: ModelResponse["choices"][0]["message"] = { role: "assistant", content: acc.hasContent || acc.tools.length === 0 ? acc.content : null };
      if (acc.tools.length > 0) message.tool_calls = acc.tools;
      return { index, message, finish_reason: acc.finish };
    });
    return {
      id: this.id,
      object: "chat.completion",
      created: this.created || Math.floor(Date.now() / 1000),
      model: this.model,
      choices,
      usage: this.usage ?? this.countedUsage(messages),
      ...(this.fingerprint ? { system_fingerprint: this.fingerprint } : {}),
    };
  }

  private countedUsage(messages: ChatMessage[]): Usage {
    let prompt = 0;
    for (const m of messages) prompt += 3 + countTokens(typeof m.content === "string" ? m.content : boundedJson(m.content ?? ""));
    let completion = 0;
    for (const acc of this.choices) completion += countTokens(acc.content) + acc.tools.reduce((n, t) => n + countTokens(t.function.arguments), 0);
    return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  }
}

function mergeTool(tools: ToolCall[], t: Partial<ToolCall> & { index: number }): void {
  const cur = (tools[t.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
  if (t.id) cur.id = t.id;
  if (t.type) cur.type = t.type;
  if (t.function?.name) cur.function.name += t.function.name;
  if (t.function?.arguments) cur.function.arguments += t.function.arguments;
}
