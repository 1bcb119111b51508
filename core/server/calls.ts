/** The model routes: chat completions (JSON or a stream) and embeddings, through the runtime. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CALLER } from "../call/caller.ts";
import { HIDDEN, SERVED, VERBATIM } from "../call/events.ts";
import { SECRET_PARAMS } from "../call/param-registry.ts";
import { CompletionStream } from "../call/stream.ts";
import type { Runtime } from "../config/runtime.ts";
import { maskKey } from "../secrets.ts";
import type { CompletionParams, EmbeddingParams, EmbeddingResponse, HiddenParams, ModelResponse, ProxyServerRequest } from "../types.ts";
import { SERVER_SPAN, type ServerSpan } from "../tracing/seam.ts";
import { callerFor } from "./auth.ts";
import { requestId } from "./request-id.ts";
import { parseObject, readBody, type BodyWaiter } from "./body.ts";
import type { ClientParamSwitch } from "./client-params.ts";
import { callParams } from "./params.ts";
import { sendJSON } from "./reply.ts";
import { ClientWatch, forwardStream, writeStream } from "./sse.ts";

/** What a handler needs of the server, read per request so a reload applies. */
export interface ServerContext {
  readonly runtime: Runtime;
  /** The config's model aliases. */
  aliases(): ReadonlySet<string>;
  /** Largest body accepted, in bytes. */
  bodyLimit(): number;
  /** The `general_settings` switches that are on, handing config-owned parameters to clients (client-params.ts). */
  clientSwitches(): ReadonlySet<ClientParamSwitch>;
  /** The master key in force (null or undefined: no authentication). */
  masterKey(): string | null | undefined;
  /** Answers `err` on the response (OpenAI's error shape), unless the client is gone: for handlers that do not return a promise. */
  fail(req: IncomingMessage, res: ServerResponse, err: unknown): void;
}

/** LiteLLM proxy's response headers: what the call cost and whether the cache answered. */
function hiddenHeaders(response: object): Record<string, string> | undefined {
  const hidden = (response as { [HIDDEN]?: HiddenParams })[HIDDEN] ?? (response as { _hidden_params?: HiddenParams })._hidden_params;
  if (!hidden) return undefined;
  const headers: Record<string, string> = { "x-litellm-cache-hit": String(hidden.cache_hit === true) };
  if (typeof hidden.response_cost === "number") headers["x-litellm-response-cost"] = String(hidden.response_cost);
  return headers;
}

/** Request headers that carry a credential: never recorded (node:http gives every name in lower case). */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(["authorization", "proxy-authorization", "api-key", "x-api-key", "x-litellm-api-key", "x-goog-api-key", "cookie"]);

/** Body keys that carry a credential (a client may send its own with allow_client_side_credentials): recorded masked. */
const CREDENTIAL_KEYS = SECRET_PARAMS;

/**
 * The request as LiteLLM's proxy records it for the callbacks
 * (`litellm_params.proxy_server_request`): its URL, method, headers without
 * credentials, and the body as checked (metadata merged), any key in it masked.
 */
function serverRequest(req: IncomingMessage, params: Record<string, unknown>): ProxyServerRequest {
  const headers: Record<string, string> = {};
  const sent = req.headers;
  for (const name in sent) {
    const value = sent[name];
    if (value === undefined || CREDENTIAL_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  // Copied key by key, leaving one out: a spread then `delete` would leave a slow dictionary object for every callback to read.
  const body: Record<string, unknown> = {};
  for (const key in params) if (key !== "proxy_server_request") body[key] = params[key];
  for (const key of CREDENTIAL_KEYS) if (typeof body[key] === "string") body[key] = maskKey(body[key] as string);
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
  return { url: `${scheme}://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, method: req.method ?? "POST", headers, body };
}

/**
 * Each tracing built-in's span of this request (kind SERVER, the caller's `traceparent`
 * its parent), ended with the response's status when the response is done. The first
 * one's trace id goes back in `x-litellm-trace-id`.
 */
function requestSpans(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, route: string): readonly ServerSpan[] | undefined {
  const tracers = ctx.runtime.tracers();
  if (tracers.length === 0) return undefined;
  const headers = { traceparent: one(req.headers.traceparent), tracestate: one(req.headers.tracestate) };
  let spans: ServerSpan[] | undefined;
  for (const tracer of tracers) {
    const span = tracer.startServerSpan(req.method ?? "POST", route, headers);
    if (span) (spans ??= []).push(span);
  }
  if (!spans) return undefined;
  if (!res.headersSent) res.setHeader("x-litellm-trace-id", spans[0]!.traceId);
  res.once("close", () => {
    for (const span of spans) span.end(res.statusCode);
  });
  return spans;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The request's call id (`x-litellm-call-id`, set by the server on every response) and spans, for the call's kwargs and tracers. */
function identify(params: CompletionParams | EmbeddingParams, req: IncomingMessage, spans: readonly ServerSpan[] | undefined): void {
  params.litellm_call_id = requestId(req);
  if (spans) (params as { [SERVER_SPAN]?: unknown })[SERVER_SPAN] = spans;
}

/**
 * What only callbacks, hooks and tracers read: the server's record of the request (whatever a
 * client sent under that name, it is replaced) and who calls, for the hooks (under a symbol key,
 * which no JSON body can hold). With none in service, nobody would read them and neither is made.
 */
function listened(req: IncomingMessage, params: CompletionParams | EmbeddingParams, ctx: ServerContext): void {
  // The answer's hidden params are read here, for the headers (hiddenHeaders).
  (params as { [SERVED]?: boolean })[SERVED] = true;
  if (!ctx.runtime.listens()) {
    if (params.proxy_server_request !== undefined) delete params.proxy_server_request;
    return;
  }
  params.proxy_server_request = serverRequest(req, params);
  (params as { [CALLER]?: unknown })[CALLER] = callerFor(req, ctx.masterKey(), params.user);
}

/**
 * One model route's request, from its body to its answer, with one promise in all (the call's):
 * the body arrives through the request's own events (body.ts), the call starts in that tick,
 * and any error is answered by the server (`ServerContext.fail`) once the client watch is done.
 * Whatever `body` throws reaches `failed` (body.ts calls it so); so does whatever `answered` throws.
 */
abstract class ModelRequest<A extends object> implements BodyWaiter {
  protected watch: ClientWatch | undefined;

  constructor(
    protected readonly req: IncomingMessage,
    protected readonly res: ServerResponse,
    protected readonly ctx: ServerContext,
    private readonly spans: readonly ServerSpan[] | undefined,
  ) {}

  abstract body(bytes: Buffer): void;

  /** Writes the call's answer. */
  protected abstract answered(answer: A): void;

  /** The request's params made ready for the call: its id and spans, what callbacks read, and the watch as its signal. */
  protected prepare(params: CompletionParams | EmbeddingParams): void {
    identify(params, this.req, this.spans);
    listened(this.req, params, this.ctx);
    // The call reads `signal` as a CallSignal, which the watch is (cheaper than an AbortSignal).
    params.signal = (this.watch = new ClientWatch(this.res)) as unknown as AbortSignal;
  }

  /** Waits for the call: its answer written, or its error answered. */
  protected waitFor(call: Promise<A>): void {
    call.then(
      (answer) => {
        try {
          this.answered(answer);
        } catch (err) {
          this.failed(err);
        }
      },
      (err: unknown) => this.failed(err),
    );
  }

  /** The call's answer, in JSON with the hidden params' headers. */
  protected sendWhole(response: object, text: string): void {
    sendJSON(this.res, 200, text, hiddenHeaders(response));
    this.watch!.done();
  }

  failed(err: unknown): void {
    this.watch?.done();
    this.ctx.fail(this.req, this.res, err);
  }
}

class ChatRequest extends ModelRequest<ModelResponse | CompletionStream> {
  body(bytes: Buffer): void {
    const { req, ctx } = this;
    const params = callParams(parseObject(bytes), req, ctx.aliases(), "messages", ctx.clientSwitches()) as CompletionParams;
    this.prepare(params);
    this.waitFor(ctx.runtime.acompletion(params));
  }

  protected answered(answer: ModelResponse | CompletionStream): void {
    // The answer's kind decides, not the request's `stream`: a pre-call hook may have changed it.
    if (answer instanceof CompletionStream) {
      const { req, res, ctx } = this;
      const watch = this.watch!;
      watch.startStreaming();
      // Decided once per call: an OpenAI-format upstream with no hook that changes chunks passes its events on as sent.
      const write = answer.passthrough ? forwardStream : writeStream;
      write(res, answer, watch, `${req.method} ${req.url}`, ctx.runtime.scrub).then(
        () => watch.done(),
        (err: unknown) => this.failed(err),
      );
      return;
    }
    // The upstream's own text when nothing could change the answer (a call no callback sees), else the answer serialised.
    this.sendWhole(answer, (answer as { [VERBATIM]?: string })[VERBATIM] ?? JSON.stringify(answer));
  }
}

export function chatCompletions(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): void {
  readBody(req, ctx.bodyLimit(), new ChatRequest(req, res, ctx, requestSpans(req, res, ctx, "/v1/chat/completions")));
}

/** The vectors as OpenAI's base64 (little-endian float32), in a copy: callbacks may still hold the response. */
function asBase64(response: EmbeddingResponse): EmbeddingResponse {
  const data = response.data.map((d) => (Array.isArray(d.embedding) ? { ...d, embedding: Buffer.from(new Float32Array(d.embedding).buffer).toString("base64") } : d));
  return { ...response, data };
}

class EmbeddingRequest extends ModelRequest<EmbeddingResponse> {
  private base64 = false;

  body(bytes: Buffer): void {
    const { req, ctx } = this;
    const params = callParams(parseObject(bytes), req, ctx.aliases(), "input", ctx.clientSwitches()) as unknown as EmbeddingParams;
    // The openai client asks for base64 unless told otherwise: the call runs in floats (callbacks, cache) and is encoded on the way out.
    this.base64 = params.encoding_format === "base64";
    if (this.base64) delete params.encoding_format;
    this.prepare(params);
    this.waitFor(ctx.runtime.aembedding(params));
  }

  protected answered(response: EmbeddingResponse): void {
    // Floats, as the upstream sent them when nothing could change them; base64 is always encoded here.
    this.sendWhole(response, this.base64 ? JSON.stringify(asBase64(response)) : ((response as { [VERBATIM]?: string })[VERBATIM] ?? JSON.stringify(response)));
  }
}

export function embeddings(req: IncomingMessage, res: ServerResponse, ctx: ServerContext): void {
  readBody(req, ctx.bodyLimit(), new EmbeddingRequest(req, res, ctx, requestSpans(req, res, ctx, "/v1/embeddings")));
}
