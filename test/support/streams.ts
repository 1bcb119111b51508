// Reading a completion stream in tests: every chunk, or every chunk up to the error that ended it.
import type { ChatCompletionChunk } from "../../core/index.ts";

export async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

/** The chunks that arrived, and the error the iterator threw (undefined when the stream ended cleanly). */
export async function collectUntilError(stream: AsyncIterable<ChatCompletionChunk>): Promise<{ chunks: ChatCompletionChunk[]; error?: unknown }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const c of stream) chunks.push(c);
    return { chunks };
  } catch (error) {
    return { chunks, error };
  }
}
