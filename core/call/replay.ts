import type { ChatCompletionChunk, ModelResponse } from "../types.ts";
import type { ProviderStream } from "../providers/types.ts";

/**
 * A stored response played back as a stream, for a streaming call served from
 * the cache: the same content and tool calls, in word-sized chunks, then the
 * finish reason and the usage chunk, as a provider would send them.
 */
export function replay(response: Omit<ModelResponse, "_hidden_params">): ProviderStream {
  const { id, created, model } = response;
  const chunk = (choices: ChatCompletionChunk["choices"], usage?: ChatCompletionChunk["usage"]): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    choices,
    ...(usage ? { usage } : {}),
  });
  function* chunks(): Generator<ChatCompletionChunk> {
    for (const choice of response.choices) {
      const index = choice.index;
      yield chunk([{ index, delta: { role: "assistant", content: "" }, finish_reason: null }]);
      const content = typeof choice.message.content === "string" ? choice.message.content : "";
      for (const piece of content.match(/\s*\S+\s*/g) ?? (content ? [content] : [])) yield chunk([{ index, delta: { content: piece }, finish_reason: null }]);
      if (choice.message.tool_calls?.length) {
        const tool_calls = choice.message.tool_calls.map((t, i) => ({ index: i, id: t.id, type: t.type, function: { ...t.function } }));
        yield chunk([{ index, delta: { tool_calls }, finish_reason: null }]);
      }
      yield chunk([{ index, delta: {}, finish_reason: choice.finish_reason }]);
    }
    if (response.usage) yield chunk([], response.usage);
  }
  const it = chunks();
  return {
    async *[Symbol.asyncIterator]() {
      yield* it;
    },
    abort: () => void it.return(undefined),
  };
}
