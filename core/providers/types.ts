import type { CallSignal } from "../call/signal.ts";
import type { ProviderOptions } from "./options.ts";
import type { ChatCompletionChunk, ChatMessage, EmbeddingResponse, ModelResponse } from "../types.ts";

/** Where a call goes: the provider, its own model name, and how to reach it. */
export interface ResolvedModel {
  /** The provider whose prices and errors apply (`kwargs.litellm_params.custom_llm_provider`). */
  readonly provider: string;
  /** The provider implementation that answers: `mock` when `mock_response` is set. */
  readonly transport: string;
  /** The provider's name for the model, without the prefix. */
  readonly model: string;
  readonly api_base: string | null;
  readonly api_key: string | undefined;
  /**
   * The provider's own options, as given: the call's routing keys over the deployment's `litellm_params`,
   * those without a field here (Azure's `api_version`, OpenAI's `organization`). Each provider reads its
   * own in its folder; see core/providers/options.ts.
   */
  readonly options: ProviderOptions;
  /** The config alias asked for, or null. */
  readonly model_group: string | null;
  readonly model_info: Record<string, unknown> | null;
  /** The deployment's `mock_response`, if the config gives one. */
  readonly mock_response?: string | Error | undefined;
  /** Set when the model cannot be served (an unsupported provider): the call fails with it, and its callbacks see the failure. */
  readonly error?: Error;
  /**
   * Where the provider reads its default key and base (OPENAI_API_KEY, AZURE_API_BASE, ...) when the call
   * and the config give none: a config runtime's own environment (process.env with its `environment_variables`
   * over it). Undefined: process.env, for calls made without a config.
   */
  readonly env?: ProviderEnv | undefined;
}

/** Environment variables as a provider reads them. */
export type ProviderEnv = Readonly<Record<string, string | undefined>>;

/** One request as a provider will send it: `body` is `additional_args.complete_input_dict`. */
export interface ProviderRequest {
  readonly target: ResolvedModel;
  readonly body: Record<string, unknown>;
  /** `kwargs.input`: the prompt as sent. */
  readonly input: unknown;
  readonly url: string | null;
  /** Headers as sent, secrets included: mask before anyone logs them. */
  readonly headers: Record<string, string>;
  /** The key the request carries (masked before anyone logs it). */
  readonly apiKey?: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly signal?: CallSignal | undefined;
  /** Largest JSON answer read, in bytes (`max_response_bytes`); past it the request is stopped. */
  readonly maxResponseBytes?: number | undefined;
  /** Largest streamed answer read, in bytes (`max_stream_bytes`); past it the request is stopped. */
  readonly maxStreamBytes?: number | undefined;
  /** For the mock: what to answer, and how slowly. */
  readonly mock?: { response: string | Error | undefined; delayMs: number };
}

export interface ProviderAnswer<T> {
  response: T;
  /** The provider's raw response text (`kwargs.original_response`). */
  raw: string;
  /** The upstream's rate-limit response headers (`x-ratelimit-*`, lower-case); absent where nothing was asked over HTTP. */
  headers?: Readonly<Record<string, string>>;
  /** `raw` is the JSON text `response` was parsed from, nothing changed (an OpenAI-format upstream): it can be sent on as it is. */
  verbatim?: boolean;
}

/** A provider's stream: chunks in OpenAI's shape, and a way to stop the upstream. */
export interface ProviderStream extends AsyncIterable<ChatCompletionChunk> {
  abort(): void;
  /** The upstream's rate-limit response headers, as on `ProviderAnswer`. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * OpenAI-format upstreams only (absent where the stream is translated): the same stream as its events'
   * data, as the upstream sent it, for a caller that passes them on unchanged. Called once; read this or the chunks, not both.
   */
  events?(): EventBatches;
  /**
   * Runs `fn` once the upstream's answer is over on the wire (all of it arrived, it failed, or it was
   * stopped), whether or not the stream was read; absent where that cannot be told (the mock, a replay).
   */
  settled?(fn: () => void): void;
}

/** The events of one read of an OpenAI-format upstream. */
export interface EventBatch {
  /**
   * The read's first events when each is framed as they are passed on (`data: <the data>`, one line, then a blank
   * line) and is `plain`: the upstream's own text, to be written as it is. "" when the read opens otherwise.
   */
  readonly framed: string;
  /** The data of the events after those (`[DONE]` left out). */
  readonly data: readonly string[];
}

/** An OpenAI-format stream read as the data of its events, one batch per read of the upstream. */
export interface EventBatches {
  /** The events of the next read, or null at the end; throws as the chunks would (a cut, a timeout). */
  next(): Promise<EventBatch | null>;
  /** The next read's events when they already arrived, without waiting; undefined when they did not (then `next()`). */
  now(): EventBatch | undefined;
  /**
   * Whether the stream is over with the batches handed out so far, told without waiting: the body ended, nothing
   * of it is left, and it is a whole answer (checked as `next()` checks its end; a stream cut short throws here).
   * The caller may then end its own answer with the last events. False when that cannot be told now; absent: never.
   */
  ending?(): boolean;
  /** An event's chunk as the chunks would give it: null for one they skip; throws the error an event carries (or is). */
  parse(data: string): ChatCompletionChunk | null;
  /** Whether an event is surely a chunk with choices without parsing it, so it can be passed on before it is parsed. */
  plain(data: string): boolean;
  /** Whether an event is surely the usage chunk without parsing it: no choices, a usage object, no error. */
  usage(data: string): boolean;
}

export type RawChat = Omit<ModelResponse, "_hidden_params">;
export type RawEmbedding = Omit<EmbeddingResponse, "_hidden_params">;

/** What every provider meets. Providers know nothing of callbacks. */
export interface Provider {
  readonly name: string;
  chatRequest(target: ResolvedModel, messages: ChatMessage[], optional: Record<string, unknown>, opts: RequestOptions): ProviderRequest;
  chat(req: ProviderRequest): Promise<ProviderAnswer<RawChat>>;
  chatStream(req: ProviderRequest): Promise<ProviderStream>;
  /** Embeddings, for a provider that has them: absent, an embedding call fails with UnsupportedProviderError (core/call/embedding.ts). */
  embeddingRequest?(target: ResolvedModel, input: string | string[], optional: Record<string, unknown>, opts: RequestOptions): ProviderRequest;
  embed?(req: ProviderRequest): Promise<ProviderAnswer<RawEmbedding>>;
}

export interface RequestOptions {
  stream: boolean;
  /** Aborts the request (a server's client went away). */
  signal?: CallSignal | undefined;
  timeoutMs: number;
  maxRetries: number;
  maxResponseBytes?: number | undefined;
  maxStreamBytes?: number | undefined;
  mock?: { response: string | Error | undefined; delayMs: number };
  /** The call's `extra_headers` (and `headers`), sent over the provider's own; see core/providers/request-extras.ts. */
  extraHeaders?: Readonly<Record<string, string>> | undefined;
  /** Drop parameters the provider does not take (with one warning) instead of failing with UnsupportedParamsError. @default false */
  dropParams?: boolean | undefined;
}
