// A loopback Anthropic upstream speaking the Messages API's wire format (JSON, and SSE events with `event:` lines), so tests never leave the machine.
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenLoopback } from "./loopback.ts";
import { pause, sendJSON } from "./sse.ts";

export interface AnthropicBehaviour {
  /** Answer text; default "Echo: " + the text of the last user turn. With `toolUse`, text sent before the tool call. */
  content?: string;
  /** Answer with a tool_use block (stop_reason "tool_use"). */
  toolUse?: { name: string; input: Record<string, unknown> };
  /** Usage override; `input_tokens` excludes cache reads and writes, as Anthropic counts it. */
  usage?: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number };
  stopReason?: string;
  /** Fail with this status and Anthropic's error body {"type":"error","error":{"type","message"}}. */
  status?: number;
  /** The error's type (default: by status, e.g. 529 → overloaded_error) and message. */
  errorType?: string;
  errorMessage?: string;
  /** Extra response headers, e.g. {"retry-after": "7"}. */
  headers?: Record<string, string>;
  /** Wait this many ms before sending headers. */
  delayMs?: number;
  /** Streaming: wait this many ms between events. */
  chunkDelayMs?: number;
  /** Streaming: send an `error` event (errorType, default overloaded_error) after this many content deltas, then end. */
  streamErrorAfter?: number;
  /** Streaming: destroy the socket after this many events. */
  dropAfterEvents?: number;
  /** Answer 200 with this raw body instead of a message. */
  malformedBody?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeAnthropic {
  /** The origin, e.g. "http://127.0.0.1:43121" (as ANTHROPIC_BASE_URL is written); requests go to /v1/messages. */
  url: string;
  port: number;
  /** Every request received, in order (body parsed as JSON when it is JSON). */
  requests: RecordedRequest[];
  set(b: AnthropicBehaviour): void;
  /** Consumed one per request before falling back to set()'s behaviour: "overloaded twice, then answer". */
  queue(...bs: AnthropicBehaviour[]): void;
  /** Clears requests, queue and behaviour, and restarts the ids. */
  reset(): void;
  close(): Promise<void>;
}

type Json = Record<string, any>;

const ERRORS: Record<number, [type: string, message: string]> = {
  400: ["invalid_request_error", "Invalid request."],
  401: ["authentication_error", "invalid x-api-key"],
  403: ["permission_error", "Your API key does not have permission to use the specified resource."],
  404: ["not_found_error", "Not found."],
  413: ["request_too_large", "Request exceeds the maximum allowed number of bytes."],
  429: ["rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute."],
  500: ["api_error", "Internal server error"],
  529: ["overloaded_error", "Overloaded"],
};

export function errorBody(status: number, type?: string, message?: string): Json {
  const [defType, defMessage] = ERRORS[status] ?? [status >= 500 ? "api_error" : "invalid_request_error", `Upstream error ${status}.`];
  return { type: "error", error: { type: type ?? defType, message: message ?? defMessage }, request_id: "req_fake_error" };
}

const TOP_LEVEL = new Set(["model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management"]);

/** The request checks Anthropic makes, in its wording; undefined when the request is fine. */
function invalid(body: any): string | undefined {
  if (typeof body?.model !== "string") return "model: Field required";
  if (typeof body.max_tokens !== "number") return "max_tokens: Field required";
  if (!Array.isArray(body.messages)) return "messages: Field required";
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
  for (const [i, m] of body.messages.entries()) {
    if (m?.role !== "user" && m?.role !== "assistant") return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    if (!Array.isArray(m.content)) continue;
    const prev = body.messages[i - 1];
    const used = new Set((Array.isArray(prev?.content) ? prev.content : []).filter((b: any) => b?.type === "tool_use").map((b: any) => b.id));
    for (const [j, b] of m.content.entries()) {
      if (b?.type === "text" && !b.text) return `messages.${i}.content.${j}: text content blocks must be non-empty`;
      if (b?.type === "tool_result" && !(prev?.role === "assistant" && used.has(b.tool_use_id)))
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    }
  }
  return undefined;
}

const countTokens = (text: string): number => Math.ceil(text.length / 4);
const textOf = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((b) => (typeof b?.text === "string" ? b.text : "")).join("") : "";
const words = (text: string): string[] => text.split(/(?<=\s)(?=\S)/).filter(Boolean);
const slices = (text: string, size: number): string[] => text.match(new RegExp(`[^]{1,${size}}`, "g")) ?? [];

/** The answer as a Messages response. */
function message(body: any, b: AnthropicBehaviour, seq: number): Json {
  const lastUser = body.messages.findLast((m: any) => m?.role === "user");
  const text = b.content ?? (b.toolUse ? undefined : `Echo: ${textOf(lastUser?.content)}`);
  const content: Json[] = [];
  if (text !== undefined) content.push({ type: "text", text });
  if (b.toolUse) content.push({ type: "tool_use", id: `toolu_fake${seq}`, name: b.toolUse.name, input: b.toolUse.input });
  const prompt = textOf(body.system) + body.messages.map((m: any) => textOf(m.content)).join("");
  const usage = b.usage ?? { input_tokens: countTokens(prompt), output_tokens: countTokens((text ?? "") + (b.toolUse ? JSON.stringify(b.toolUse.input) : "")) };
  return {
    id: `msg_fake${seq}`,
    type: "message",
    role: "assistant",
    model: String(body.model),
    content,
    stop_reason: b.stopReason ?? (b.toolUse ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: { input_tokens: usage.input_tokens, cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0, cache_read_input_tokens: usage.cache_read_input_tokens ?? 0, output_tokens: usage.output_tokens, service_tier: "standard" },
  };
}

/** The same answer as Anthropic streams it; `content` marks the deltas streamErrorAfter counts. */
function events(msg: Json): Array<{ event: string; data: Json; content?: boolean }> {
  const out: Array<{ event: string; data: Json; content?: boolean }> = [];
  const start = { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...msg.usage, output_tokens: 1 } };
  out.push({ event: "message_start", data: { type: "message_start", message: start } });
  msg.content.forEach((block: Json, index: number) => {
    const empty = block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
    out.push({ event: "content_block_start", data: { type: "content_block_start", index, content_block: empty } });
    if (index === 0) out.push({ event: "ping", data: { type: "ping" } });
    const deltas = block.type === "text" ? words(block.text).map((text) => ({ type: "text_delta", text })) : ["", ...slices(JSON.stringify(block.input), 8)].map((partial_json) => ({ type: "input_json_delta", partial_json }));
    for (const delta of deltas) out.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta }, content: true });
    out.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  out.push({ event: "message_delta", data: { type: "message_delta", delta: { stop_reason: msg.stop_reason, stop_sequence: null }, usage: { output_tokens: msg.usage.output_tokens } } });
  out.push({ event: "message_stop", data: { type: "message_stop" } });
  return out;
}

/** Write and wait until it is handed to the socket, so a drop right after cuts the stream there instead of discarding it. */
function written(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("close", done);
      resolve();
    };
    res.once("close", done);
    res.write(text, done);
  });
}

async function sendEvents(res: ServerResponse, msg: Json, b: AnthropicBehaviour, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers });
  let deltas = 0;
  for (const [i, e] of events(msg).entries()) {
    if (i > 0) await pause(b.chunkDelayMs, res);
    if (res.destroyed) return; // the client went away
    if (i === b.dropAfterEvents) return void res.destroy();
    if (e.content && b.streamErrorAfter !== undefined && deltas++ === b.streamErrorAfter) {
      const err = errorBody(529, b.errorType, b.errorMessage);
      res.write(`event: error\ndata: ${JSON.stringify({ type: "error", error: err.error })}\n\n`);
      return void res.end();
    }
    await written(res, `event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  }
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startFakeAnthropic(initial: AnthropicBehaviour = {}): Promise<FakeAnthropic> {
  let current: AnthropicBehaviour = { ...initial };
  const pending: AnthropicBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  let seq = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0]!;
    requests.push({ method, path, headers: { ...req.headers }, body: body ?? (raw || undefined) });
    const id = ++seq;
    const base = { "request-id": `req_fake${id}` };
    if (`${method} ${path}` !== "POST /v1/messages") return sendJSON(res, 404, errorBody(404, "not_found_error", `${method} ${path} not found`), base);

    const b = pending.shift() ?? current;
    const headers = { ...base, ...b.headers };
    await pause(b.delayMs, res);
    if (res.destroyed) return;
    if (!req.headers["x-api-key"]) return sendJSON(res, 401, errorBody(401, "authentication_error", "x-api-key header is required"), headers);
    if (!req.headers["anthropic-version"]) return sendJSON(res, 400, errorBody(400, "invalid_request_error", "anthropic-version: header is required"), headers);
    if (body === undefined) return sendJSON(res, 400, errorBody(400, "invalid_request_error", "There was an error parsing the body of your request."), headers);
    const problem = invalid(body);
    if (problem) return sendJSON(res, 400, errorBody(400, "invalid_request_error", problem), headers);
    if (b.status !== undefined) return sendJSON(res, b.status, errorBody(b.status, b.errorType, b.errorMessage), headers);
    if (b.malformedBody !== undefined) return sendJSON(res, 200, b.malformedBody, headers);
    const msg = message(body, b, id);
    if (body.stream === true) return sendEvents(res, msg, b, headers);
    sendJSON(res, 200, msg, headers);
  }

  const { port, close } = await listenLoopback(handle, (res, err) => sendJSON(res, 500, errorBody(500, "api_error", `Fake upstream crashed: ${String(err)}`)));

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    set: (b) => void (current = { ...b }),
    queue: (...bs) => void pending.push(...bs),
    reset: () => {
      requests.length = 0; // in place: tests may hold the array
      pending.length = 0;
      current = {};
      seq = 0; // ids (msg_fake1, toolu_fake1) count from 1 again
    },
    close,
  };
}
