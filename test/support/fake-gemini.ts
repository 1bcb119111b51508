// A loopback Gemini upstream speaking Google AI Studio's wire format (generateContent JSON, alt=sse streams, batchEmbedContents), so tests never leave the machine.
import type { IncomingMessage, ServerResponse } from "node:http";
import { listenLoopback } from "./loopback.ts";
import { pause, sendJSON } from "./sse.ts";

export interface GeminiBehaviour {
  /** Answer text; default "Echo: " + the text of the last user turn. With `functionCall`, text sent before the call. */
  content?: string;
  /** Answer with a functionCall part (finishReason stays STOP, as Gemini sends it). */
  functionCall?: { name: string; args: Record<string, unknown> };
  /** usageMetadata override (promptTokenCount includes cachedContentTokenCount, as Gemini counts it). */
  usage?: { promptTokenCount: number; candidatesTokenCount: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number };
  finishReason?: string;
  /** Fail with this status and Google's error body {"error":{"code","message","status","details"}}. */
  status?: number;
  /** The canonical status (default: by HTTP status, e.g. 429 → RESOURCE_EXHAUSTED), message and details. */
  errorStatus?: string;
  errorMessage?: string;
  errorDetails?: unknown[];
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Streaming: wait this many ms between events. */
  chunkDelayMs?: number;
  /** Streaming: send an `{"error": ...}` event after this many text events, then end. */
  streamErrorAfter?: number;
  /** Streaming: destroy the socket after this many events. */
  dropAfterEvents?: number;
  /** Answer 200 with this raw body instead of a response. */
  malformedBody?: string;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query, e.g. "/v1beta/models/gemini-2.0-flash:generateContent". */
  path: string;
  /** The query string as sent, e.g. "?alt=sse" ("" when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeGemini {
  /** The origin, e.g. "http://127.0.0.1:43121" (as api_base is written); requests go to /v1beta/models/... */
  url: string;
  port: number;
  requests: RecordedRequest[];
  set(b: GeminiBehaviour): void;
  /** Consumed one per request before falling back to set()'s behaviour. */
  queue(...bs: GeminiBehaviour[]): void;
  reset(): void;
  close(): Promise<void>;
}

type Json = Record<string, any>;

const STATUS: Record<number, [status: string, message: string]> = {
  400: ["INVALID_ARGUMENT", "Request contains an invalid argument."],
  403: ["PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."],
  404: ["NOT_FOUND", "models/unknown is not found for API version v1beta, or is not supported for generateContent."],
  429: ["RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details."],
  500: ["INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"],
  503: ["UNAVAILABLE", "The model is overloaded. Please try again later."],
};

export function errorBody(code: number, status?: string, message?: string, details?: unknown[]): Json {
  const [defStatus, defMessage] = STATUS[code] ?? [code >= 500 ? "INTERNAL" : "INVALID_ARGUMENT", `Upstream error ${code}.`];
  const error: Json = { code, message: message ?? defMessage, status: status ?? defStatus };
  if (details) error.details = details;
  return { error };
}

const TOP_LEVEL = new Set(["contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent"]);

/** The request checks Gemini makes, in its wording; undefined when the request is fine. */
function invalid(body: any): string | undefined {
  if (!Array.isArray(body?.contents) || body.contents.length === 0) return "* GenerateContentRequest.contents: contents is not specified";
  for (const key of Object.keys(body)) if (!TOP_LEVEL.has(key)) return `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`;
  for (const [i, c] of body.contents.entries()) {
    if (c?.role !== "user" && c?.role !== "model") return `Please use a valid role: user, model. (contents[${i}])`;
    if (!Array.isArray(c.parts) || c.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
  }
  return undefined;
}

const countTokens = (text: string): number => Math.ceil(text.length / 4);
const textOf = (c: any): string => (Array.isArray(c?.parts) ? c.parts.map((p: any) => (typeof p?.text === "string" ? p.text : "")).join("") : "");
const words = (text: string): string[] => text.split(/(?<=\s)(?=\S)/).filter(Boolean);

/** The answer's parts and usage. */
function answer(body: any, b: GeminiBehaviour): { parts: Json[]; usage: Json; finishReason: string } {
  const lastUser = body.contents.findLast((c: any) => c?.role === "user");
  const text = b.content ?? (b.functionCall ? undefined : `Echo: ${textOf(lastUser)}`);
  const parts: Json[] = [];
  if (text !== undefined) parts.push({ text });
  if (b.functionCall) parts.push({ functionCall: { name: b.functionCall.name, args: b.functionCall.args } });
  const prompt = textOf(body.systemInstruction) + body.contents.map(textOf).join("");
  const u = b.usage ?? { promptTokenCount: countTokens(prompt), candidatesTokenCount: countTokens((text ?? "") + (b.functionCall ? JSON.stringify(b.functionCall.args) : "")) };
  const usage: Json = { promptTokenCount: u.promptTokenCount, candidatesTokenCount: u.candidatesTokenCount, totalTokenCount: u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0) };
  if (u.cachedContentTokenCount !== undefined) usage.cachedContentTokenCount = u.cachedContentTokenCount;
  if (u.thoughtsTokenCount !== undefined) usage.thoughtsTokenCount = u.thoughtsTokenCount;
  usage.promptTokensDetails = [{ modality: "TEXT", tokenCount: u.promptTokenCount }];
  return { parts, usage, finishReason: b.finishReason ?? "STOP" };
}

function response(parts: Json[], usage: Json, finishReason: string | undefined, model: string, id: number): Json {
  const candidate: Json = { content: { parts, role: "model" }, index: 0 };
  if (finishReason !== undefined) candidate.finishReason = finishReason;
  return { candidates: [candidate], usageMetadata: usage, modelVersion: model, responseId: `fake-response-${id}` };
}

/** As Gemini streams: text split over events, each with the counts so far; the function call whole; the last event has the finishReason. */
async function sendEvents(res: ServerResponse, body: any, b: GeminiBehaviour, model: string, id: number, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream", ...headers });
  const { parts, usage, finishReason } = answer(body, b);
  const pieces: Json[][] = [];
  for (const p of parts) {
    if (typeof p.text === "string") for (const w of words(p.text)) pieces.push([{ text: w }]);
    else pieces.push([p]);
  }
  if (pieces.length === 0) pieces.push([{ text: "" }]);
  const partial = { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount };
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await pause(b.chunkDelayMs, res);
    if (res.destroyed) return;
    if (i === b.dropAfterEvents) return void res.destroy();
    if (b.streamErrorAfter !== undefined && i === b.streamErrorAfter) {
      res.write(`data: ${JSON.stringify(errorBody(503, b.errorStatus, b.errorMessage))}\n\n`);
      return void res.end();
    }
    const last = i === pieces.length - 1;
    res.write(`data: ${JSON.stringify(response(piece, last ? usage : partial, last ? finishReason : undefined, model, id))}\r\n\r\n`);
  }
  res.end();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** A deterministic vector for a text, so tests can compare embeddings. */
export function geminiVector(text: string): number[] {
  return [text.length / 100, (text.charCodeAt(0) || 0) / 1000, 0.5];
}

export async function startFakeGemini(initial: GeminiBehaviour = {}): Promise<FakeGemini> {
  let current: GeminiBehaviour = { ...initial };
  const pending: GeminiBehaviour[] = [];
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
    const [path, search] = (req.url ?? "/").split("?") as [string, string | undefined];
    const query = search === undefined ? "" : `?${search}`;
    requests.push({ method, path, query, headers: { ...req.headers }, body: body ?? (raw || undefined) });
    const id = ++seq;
    const route = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/.exec(path);
    if (method !== "POST" || !route) return sendJSON(res, 404, errorBody(404, "NOT_FOUND", `${method} ${path} not found`));
    const [, model, call] = route as unknown as [string, string, string];
    const b = pending.shift() ?? current;
    const headers = { ...b.headers };
    if (!req.headers["x-goog-api-key"]) return sendJSON(res, 403, errorBody(403), headers);
    if (body === undefined) return sendJSON(res, 400, errorBody(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), headers);
    if (b.status !== undefined) return sendJSON(res, b.status, errorBody(b.status, b.errorStatus, b.errorMessage, b.errorDetails), headers);
    if (b.malformedBody !== undefined) return sendJSON(res, 200, b.malformedBody, headers);
    if (call === "batchEmbedContents") {
      if (!Array.isArray(body.requests)) return sendJSON(res, 400, errorBody(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: requests is not specified"), headers);
      return sendJSON(res, 200, { embeddings: body.requests.map((r: any) => ({ values: geminiVector(textOf(r.content)) })) }, headers);
    }
    const problem = invalid(body);
    if (problem) return sendJSON(res, 400, errorBody(400, "INVALID_ARGUMENT", problem), headers);
    if (call === "streamGenerateContent" && query.includes("alt=sse")) return sendEvents(res, body, b, model, id, headers);
    const { parts, usage, finishReason } = answer(body, b);
    const whole = response(parts, usage, finishReason, model, id);
    // Without alt=sse Gemini streams one JSON array of responses.
    sendJSON(res, 200, call === "streamGenerateContent" ? [whole] : whole, headers);
  }

  const { port, close } = await listenLoopback(handle, (res, err) => sendJSON(res, 500, errorBody(500, "INTERNAL", `Fake upstream crashed: ${String(err)}`)));

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
      seq = 0;
    },
    close,
  };
}
