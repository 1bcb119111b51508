import type { ResponseCache } from "../cache/types.ts";
import type { Provider, ProviderAnswer, ProviderRequest, ProviderStream, RequestOptions, ResolvedModel } from "../providers/types.ts";
import type { ChatMessage, CompletionParams, EmbeddingParams, HookCallType, Usage } from "../types.ts";

export type AnyParams = CompletionParams | EmbeddingParams;

/**
 * What one call type (chat, embeddings) brings to the call lifecycle: its
 * parameter check, its cache keys, its request and how its answer is put
 * together. Hooks, events, pricing, caching and routing are the lifecycle's,
 * written once for every call type (core/call/lifecycle.ts, attempt.ts).
 */
export interface CallKind<P extends AnyParams, R extends object> {
  /** `call_type` in the call hooks: LiteLLM's `"completion"` or `"embeddings"`. */
  readonly hookCallType: HookCallType;
  /** Throws InvalidParamsError for parameters that cannot make a call (checked again after the pre-call hooks). */
  check(params: P): void;
  /** What kwargs.messages holds: the chat messages, or the embedding input. */
  input(params: P): ChatMessage[] | string | string[];
  /** What the provider is sent when no cache says otherwise. */
  payload(params: P): unknown;
  /** The cache's view of this call: a hit, or what to send and how to store and merge the answer. Null when it cannot be keyed (a miss that is not stored). */
  lookup(cache: ResponseCache, params: P, optional: Record<string, unknown>): Promise<CacheLookup<R> | null>;
  request(provider: Provider, target: ResolvedModel, payload: unknown, optional: Record<string, unknown>, options: RequestOptions): ProviderRequest;
  send(provider: Provider, req: ProviderRequest): Promise<ProviderAnswer<R>>;
  /** The token counts an answer is priced by. */
  usage(response: R): Partial<Usage> | undefined;
  /** Streaming, for the call types that stream. */
  readonly stream?: StreamSupport<P, R>;
  /** The answer a pre-call hook's string makes (chat); absent where a string rejects the call with a 400 (embeddings). */
  answer?(text: string, params: P): R;
}

/** What a streaming call type adds. */
export interface StreamSupport<P extends AnyParams, R extends object> {
  open(provider: Provider, req: ProviderRequest): Promise<ProviderStream>;
  /** A stored answer played back as a stream. */
  replay(stored: R): ProviderStream;
  /** The messages a stream's usage is counted against, when the provider sends none. */
  messages(params: P): ChatMessage[];
  /** Whether the caller asked for the usage chunk. */
  includeUsage(params: P): boolean;
}

/** The cache's view of one call. */
export interface CacheLookup<R> {
  /** The stored answer, when the cache holds all of it; `key` is what kwargs.cache_key says. */
  readonly hit: { readonly response: R; readonly key: string } | null;
  /** What goes to the provider on a miss: the call's input, or the part of it the cache lacks. */
  readonly send: unknown;
  /** The key a miss is stored under (kwargs.cache_key on success), or null when it is not one key. */
  readonly key: string | null;
  /** The caller's answer from the provider's: with the stored parts merged in. */
  finish(fromProvider: R): R;
  /** Stores the provider's answer, in the background. */
  store(fromProvider: R): void;
}
