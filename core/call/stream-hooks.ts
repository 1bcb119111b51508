import type { CallHooks } from "../callbacks/call-hooks.ts";
import { CALLBACK_ERROR_CODES } from "../errors.ts";
import { callbackFailure, isReadableError } from "../callbacks/failure.ts";
import type { ChatCompletionChunk, ChatMessage, ModelResponse, UserAPIKeyAuth } from "../types.ts";
import { StreamAssembler } from "./assemble.ts";
import { asError } from "./events.ts";
import { runFailureHooks, runSuccessHooks, settle, type HookEnv } from "./hooks.ts";
import type { ChunkSource, FrameSink } from "./stream.ts";

/** What the stream hooks of one call need: its hooks, its request data and caller, and where their faults go. */
export interface StreamHookCall {
  readonly hooks: CallHooks;
  readonly data: Record<string, unknown>;
  readonly caller: UserAPIKeyAuth;
  readonly env: HookEnv;
}

/** Whether a stream has hooks to run through. */
export function hasStreamHooks(h: CallHooks): boolean {
  return h.iterator.length > 0 || h.chunk.length > 0 || h.success.length > 0 || h.failure.length > 0;
}

/**
 * A stream as the caller reads it through the call's hooks, as LiteLLM's proxy
 * runs them: the iterator hooks wrap it (each the previous one's stream), the
 * per-chunk hooks see the text so far and may replace each chunk, the success
 * hooks get the whole response once it has been sent, and an error on the way
 * goes through the failure hooks. The hooks read a view of the attempt's stream
 * that cannot end it: this wrapper ends it, once, as a success or a failure.
 */
export async function* hookedChunks(inner: ChunkSource, call: StreamHookCall): AsyncGenerator<ChatCompletionChunk> {
  const { hooks, data, caller, env } = call;
  // Iterator hooks get copies of the chunks: one that edits a chunk in place changes what the caller reads, not what the loggers were given.
  const next = hooks.iterator.length === 0 ? () => inner.next() : async () => copied(await inner.next());
  const view: AsyncIterable<ChatCompletionChunk> = { [Symbol.asyncIterator]: () => ({ next }) };
  const assembler = new StreamAssembler();
  let text = "";
  let finished = false;
  try {
    let source: AsyncIterable<ChatCompletionChunk> = view;
    for (const hook of hooks.iterator) source = iterable(hook, hook.call(caller, source, data));
    for await (let chunk of source) {
      for (const hook of hooks.chunk) chunk = await perChunk(hook, caller, chunk, text, env);
      if (chunk && typeof chunk === "object" && Array.isArray(chunk.choices)) {
        assembler.add(chunk);
        text += textOf(chunk);
      }
      yield chunk;
    }
    finished = true;
  } catch (err) {
    finished = true;
    const e = asError(err);
    inner.fail(e);
    throw await runFailureHooks(hooks.failure, data, e, caller, env);
  } finally {
    // The caller stopped reading, or an iterator hook stopped before the end: the attempt logs what arrived.
    if (!finished) await inner.return();
  }
  await inner.return();
  if (hooks.success.length > 0) {
    const complete = assembler.build((data.messages ?? []) as ChatMessage[]) as ModelResponse;
    await runSuccessHooks(hooks.success, data, caller, complete, env);
  }
}

/** Whether a stream's hooks can change what the caller reads (iterator or per-chunk hooks). */
export function changesChunks(h: CallHooks): boolean {
  return h.iterator.length > 0 || h.chunk.length > 0;
}

/**
 * `hookedChunks` for hooks that cannot change a chunk (success and failure hooks only), which can
 * also pass the upstream's events on as sent (`forward`): the success hooks then get the whole
 * response (of the chunks the caller got) after the last event, and an error goes through the
 * failure hooks, as when the stream is read chunk by chunk.
 */
export function endHooked(inner: ChunkSource, call: StreamHookCall): ChunkSource {
  let gen: AsyncGenerator<ChatCompletionChunk> | undefined;
  const chunks = () => (gen ??= hookedChunks(inner, call));
  return {
    next: () => chunks().next(),
    return: () => chunks().return(undefined),
    fail: () => void chunks().return(undefined),
    forwards: inner.forwards === true,
    async forward(sink: FrameSink) {
      const { hooks, data, caller, env } = call;
      const assembler = new StreamAssembler();
      try {
        await inner.forward!(sink, (chunk) => assembler.add(chunk));
      } catch (err) {
        const e = asError(err);
        inner.fail(e);
        throw await runFailureHooks(hooks.failure, data, e, caller, env);
      }
      // A reader that left stopped the stream: no success hooks, as when it stops reading chunks.
      if (sink.gone || hooks.success.length === 0) return;
      await runSuccessHooks(hooks.success, data, caller, assembler.build((data.messages ?? []) as ChatMessage[]) as ModelResponse, env);
    },
  };
}

/**
 * One per-chunk hook, `(user_api_key_dict, response)` with the text so far, as
 * LiteLLM passes it: what it returns replaces the chunk. An Error (or a message)
 * it throws fails the stream; a hook past its time, or one that throws anything
 * else, is reported and the chunk is sent as it was.
 */
async function perChunk(
  hook: CallHooks["chunk"][number],
  caller: UserAPIKeyAuth,
  chunk: ChatCompletionChunk,
  before: string,
  env: HookEnv,
): Promise<ChatCompletionChunk> {
  const out = await settle(hook, [caller, before + textOf(chunk)], env.timeoutMs);
  const kept = "The chunk was sent as it was.";
  if ("timedOut" in out) env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.timeout, hook.name, hook.method, { timeoutMs: env.timeoutMs }, kept));
  else if ("thrown" in out) {
    if (isReadableError(out.thrown) || typeof out.thrown === "string") throw out.thrown;
    env.dispatcher.fault(callbackFailure(CALLBACK_ERROR_CODES.threw, hook.name, hook.method, { thrown: out.thrown }, kept));
  } else if (out.value !== undefined && out.value !== null) return out.value as ChatCompletionChunk;
  return chunk;
}

/** What an iterator hook returned, when it is a stream to read; else the stream fails with an error naming the hook. */
function iterable(hook: CallHooks["iterator"][number], value: unknown): AsyncIterable<ChatCompletionChunk> {
  if (value !== null && typeof value === "object" && (Symbol.asyncIterator in value || Symbol.iterator in value)) return value as AsyncIterable<ChatCompletionChunk>;
  // A promise is not a stream (an `async` method where `async *` was meant): its rejection, if any, is this error's, not the process's.
  if (value && typeof (value as PromiseLike<unknown>).then === "function") (value as PromiseLike<unknown>).then(undefined, () => undefined);
  throw new TypeError(`callback "${hook.name}": ${hook.method} must return an async iterable (write it as \`async *${hook.method}(...)\`); it returned ${value === null ? "null" : typeof value}.`);
}

function copied(r: IteratorResult<ChatCompletionChunk>): IteratorResult<ChatCompletionChunk> {
  return r.done ? r : { done: false, value: structuredClone(r.value) };
}

/** A chunk's text, as LiteLLM's `get_response_string` reads it: the first choice's content. */
function textOf(chunk: unknown): string {
  const content = (chunk as Partial<ChatCompletionChunk> | null)?.choices?.[0]?.delta?.content;
  return typeof content === "string" ? content : "";
}
