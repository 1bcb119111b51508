import { randomUUID } from "node:crypto";
import type { CompletionParams, ModelResponse } from "../types.ts";
import { cacheUse, lookup, store } from "./cache-step.ts";
import type { CallEnv } from "./env.ts";
import type { CallKind } from "./kind.ts";
import { runCall } from "./lifecycle.ts";
import { checkCompletionParams } from "./params.ts";
import { replay } from "./replay.ts";
import type { CompletionStream } from "./stream.ts";

type Stored = Omit<ModelResponse, "_hidden_params">;

/** What a chat completion brings to the call lifecycle: messages in, one response (or a stream) out, one cache key per call. */
export const CHAT: CallKind<CompletionParams, ModelResponse> = {
  hookCallType: "completion",
  check: checkCompletionParams,
  input: (params) => params.messages,
  payload: (params) => params.messages,
  async lookup(cache, params, optional) {
    const use = cacheUse(cache, params, { kind: "chat", messages: params.messages, params: optional });
    if (!use) return null;
    const hit = await lookup<Stored>(use);
    return {
      hit: hit ? { response: hit as ModelResponse, key: use.key } : null,
      send: params.messages,
      key: use.key,
      finish: (response) => response,
      store: (response) => store(use, response),
    };
  },
  request: (provider, target, messages, optional, options) => provider.chatRequest(target, messages as CompletionParams["messages"], optional, options),
  send: (provider, req) => provider.chat(req) as ReturnType<CallKind<CompletionParams, ModelResponse>["send"]>,
  usage: (response) => response.usage,
  stream: {
    open: (provider, req) => provider.chatStream(req),
    replay: (stored) => replay(stored),
    messages: (params) => params.messages,
    includeUsage: (params) => (params.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
  },
  answer: rejectionAnswer,
};

/**
 * The answer a pre-call hook's string makes, as LiteLLM's proxy builds it: one
 * assistant message holding the string, no tokens spent.
 */
function rejectionAnswer(text: string, params: CompletionParams): ModelResponse {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: params.model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  } as ModelResponse;
}

/** One chat completion: to a config alias through its router (retries, fallbacks), else straight to its model. */
export function runCompletion(env: CallEnv, params: CompletionParams, callType: "completion" | "acompletion"): Promise<ModelResponse | CompletionStream> {
  return runCall(env, CHAT, params, callType);
}
