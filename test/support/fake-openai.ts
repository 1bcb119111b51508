// A loopback OpenAI upstream speaking the real wire format, so tests and benchmarks never leave the machine.
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenLoopback } from "./loopback.ts";
import { chatChunks, chatCompletion, embeddingList, errorPayload, makeAnswer, modelList } from "./openai-wire.ts";
import { pause, sendJSON, sendSSE, sendTruncatedJSON } from "./sse.ts";

export interface FakeBehaviour {
  /** Fixed answer text; default: echo "Echo: " + last user message content. */
  content?: string;
  /** Fail with this HTTP status and an OpenAI error body {"error":{"message","type","param","code"}}. */
  status?: number;
  /** Error body override (raw string sent as is, e.g. invalid JSON) */
  errorBody?: string;
  /** Extra response headers, e.g. {"retry-after": "1"} */
  headers?: Record<string, string>;
  /** Wait this many ms before sending headers. */
  delayMs?: number;
  /** Streaming: wait this many ms between chunks. */
  chunkDelayMs?: number;
  /** Streaming: destroy the socket after this many content chunks (connection dropped mid-stream). */
  dropAfterChunks?: number;
  /** Send a 200 with this raw body instead of a proper completion (malformed JSON / garbage). */
  malformedBody?: string;
  /** Streaming: send this raw line as one SSE data payload in the middle (garbage in the stream). */
  malformedChunk?: string;
  /** Reply with a tool call instead of text. */
  toolCall?: { name: string; arguments: string };
  /** Usage override. */
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeOpenAI {
  url: string; // e.g. "http://127.0.0.1:43121/v1"  (note: includes /v1, usable as openai baseURL)
  port: number;
  requests: RecordedRequest[]; // every request received, in order (body parsed as JSON when it is JSON)
  /** Set the behaviour for following requests; a queue form lets tests say "fail twice then succeed". */
  set(b: FakeBehaviour): void;
  queue(...bs: FakeBehaviour[]): void; // consumed one per request before falling back to set()'s behaviour
  reset(): void; // clear requests, queue and behaviour
  close(): Promise<void>; // closes the server and all open sockets
}

/**
 * Model names that carry their own behaviour, so concurrent requests in one test can differ:
 *   fail-<status>  e.g. "fail-429"  -> status
 *   slow-<ms>      e.g. "slow-250"  -> delayMs
 *   drop-<n>       e.g. "drop-2"    -> dropAfterChunks (non-streamed replies are cut off half-way)
 * They override the queued or set() behaviour; a provider prefix ("openai/fail-429") is ignored.
 */
const MODEL_BEHAVIOUR = /(?:^|\/)(fail|slow|drop)-(\d+)$/;

export function behaviourFromModel(model: unknown): FakeBehaviour {
  const m = typeof model === "string" ? MODEL_BEHAVIOUR.exec(model) : null;
  if (!m) return {};
  const n = Number(m[2]);
  return m[1] === "fail" ? { status: n } : m[1] === "slow" ? { delayMs: n } : { dropAfterChunks: n };
}

type Route = (body: any, b: FakeBehaviour, res: ServerResponse, headers: Record<string, string>, seq: number) => void | Promise<void>;

/** The request checks OpenAI makes before anything else, with its wording; undefined when fine. */
function missing(body: any, field: string) {
  if (typeof body?.model !== "string" || body.model === "") return errorPayload(400, "you must provide a model parameter", null, null);
  if (body[field] === undefined) return errorPayload(400, `Missing required parameter: '${field}'.`, field, "missing_required_parameter");
  return undefined;
}

const ROUTES: Record<string, { check?: (body: any) => object | undefined; reply: Route }> = {
  "POST /v1/chat/completions": {
    check: (body) => missing(body, "messages") ?? (Array.isArray(body.messages) ? undefined : errorPayload(400, "'messages' must be an array.", "messages", "invalid_type")),
    reply: (body, b, res, headers, seq) => {
      const answer = makeAnswer(body, b, seq);
      if (body.stream === true) return sendSSE(res, chatChunks(answer, body.stream_options?.include_usage === true), b, headers);
      if (b.dropAfterChunks !== undefined) return sendTruncatedJSON(res, chatCompletion(answer), headers);
      sendJSON(res, 200, chatCompletion(answer), headers);
    },
  },
  "POST /v1/embeddings": {
    check: (body) => missing(body, "input"),
    reply: (body, b, res, headers) => sendJSON(res, 200, embeddingList(body, b), headers),
  },
  "GET /v1/models": { reply: (_body, _b, res, headers) => sendJSON(res, 200, modelList(), headers) },
};

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function parseJSON(text: string): { ok: true; value: any } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export async function startFakeOpenAI(initial: FakeBehaviour = {}): Promise<FakeOpenAI> {
  let current: FakeBehaviour = { ...initial };
  const pending: FakeBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const parsed = parseJSON(raw);
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ method, path, headers: { ...req.headers }, body: parsed.ok ? parsed.value : raw || undefined });
    const id = ++seq;
    const baseHeaders = { "x-request-id": `req_fake${id}` };

    const route = ROUTES[`${method} ${path}`];
    if (!route) return sendJSON(res, 404, errorPayload(404, `Invalid URL (${method} ${path})`, null, null), baseHeaders);

    // The queue is consumed by every request to a known route, even one that fails validation.
    const b: FakeBehaviour = { ...(pending.shift() ?? current), ...behaviourFromModel(parsed.ok ? parsed.value?.model : undefined) };
    const headers = { ...baseHeaders, ...b.headers };
    await pause(b.delayMs, res);
    if (res.destroyed) return; // the client gave up while we waited

    if (method === "POST" && !parsed.ok) {
      const hint = "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)";
      return sendJSON(res, 400, errorPayload(400, hint, null, null), headers);
    }
    const invalid = route.check?.(parsed.ok ? parsed.value : undefined);
    if (invalid) return sendJSON(res, 400, invalid, headers);
    if (b.status !== undefined || b.errorBody !== undefined) {
      const status = b.status ?? 500;
      return sendJSON(res, status, b.errorBody ?? errorPayload(status), headers);
    }
    // Sent as application/json on purpose: the openai client returns other content types as raw text.
    if (b.malformedBody !== undefined) return sendJSON(res, 200, b.malformedBody, headers);
    await route.reply(parsed.ok ? parsed.value : undefined, b, res, headers, id);
  }

  const { port, close } = await listenLoopback(handle, (res, err) => sendJSON(res, 500, errorPayload(500, `Fake upstream crashed: ${String(err)}`)));

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    set: (b) => void (current = { ...b }),
    queue: (...bs) => void pending.push(...bs),
    reset: () => {
      requests.length = 0; // in place: tests may hold the array
      pending.length = 0;
      current = {};
    },
    close,
  };
}
