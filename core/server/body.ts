/** Reading a request body: bounded while it arrives, then parsed as one JSON object. */
import type { IncomingMessage } from "node:http";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { HttpError } from "./errors.ts";
import { jsonErrorOffset, lineColumn } from "./json-where.ts";

/** The client went away while sending its body: there is nobody to answer. */
export class ClientGone extends Error {}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `the request body is larger than ${limit} bytes (general_settings.max_request_body_bytes).`, "invalid_request_error", SERVER_ERROR_CODES.bodyTooLarge, null, {
    connection: "close",
  });
}

/** Who waits for a request's body: `body` with its bytes, or `failed` with a 413 or `ClientGone`; one of them, once. */
export interface BodyWaiter {
  body(bytes: Buffer): void;
  failed(err: Error): void;
}

/** A body being read, kept on its request: the listeners below are the same three functions for every request. */
interface Reading {
  readonly parts: Buffer[];
  size: number;
  readonly limit: number;
  // The listeners stay on the request (it ends with this call): once the body is settled, each returns at once.
  settled: boolean;
  readonly to: BodyWaiter;
}

const READING: unique symbol = Symbol("litellm-runtime.body");
type Read = IncomingMessage & { [READING]?: Reading };

/**
 * Reads the body's bytes for `to`. Over `limit` it stops reading and fails with 413 (the
 * connection is then closed), whether the length was declared or not. No promise: the
 * bytes go to `to` from the request's own 'end' event, so a call starts in the same tick.
 */
export function readBody(req: IncomingMessage, limit: number, to: BodyWaiter): void {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    req.pause();
    return to.failed(tooLarge(limit));
  }
  (req as Read)[READING] = { parts: [], size: 0, limit, settled: false, to };
  // `on`, not `once` (which wraps each listener): 'end' and 'close' come once, and `settled` stops the rest.
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("close", onClose);
  // No 'error' listener: node:http emits a request's error (a reset mid-body) only to listeners, and 'close' follows it.
}

function onData(this: Read, chunk: Buffer): void {
  const r = this[READING]!;
  if (r.settled) return;
  r.size += chunk.length;
  if (r.size <= r.limit) return void r.parts.push(chunk);
  r.settled = true;
  this.pause();
  r.to.failed(tooLarge(r.limit));
}

function onEnd(this: Read): void {
  const r = this[READING]!;
  if (r.settled) return;
  r.settled = true;
  const bytes = r.parts.length === 1 ? r.parts[0]! : Buffer.concat(r.parts, r.size);
  // Inside the request's 'end' event: whatever the waiter throws is its failure, never the event's.
  try {
    r.to.body(bytes);
  } catch (err) {
    r.to.failed(err instanceof Error ? err : new Error(String(err)));
  }
}

function onClose(this: Read): void {
  const r = this[READING]!;
  if (r.settled) return;
  r.settled = true;
  r.to.failed(new ClientGone("the client closed the connection while sending its request"));
}

/** "at line 3, column 7" of the first character that is not JSON; "" when even that cannot be told (nesting too deep to walk). */
function where(text: string): string {
  try {
    const offset = jsonErrorOffset(text);
    return offset >= text.length ? "at the end of the body (is it cut short?)" : `at ${lineColumn(text, offset)}`;
  } catch {
    return "";
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}

/** The body as a JSON object, or a 400 saying where the JSON broke or what came instead. */
export function parseObject(body: Buffer): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "the request body is empty: send a JSON object such as {\"model\": ..., \"messages\": [...]}.", "invalid_request_error", SERVER_ERROR_CODES.invalidJson);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const at = where(text);
    throw new HttpError(400, `the request body is not valid JSON${at ? ` ${at}` : ""}: ${(err as Error).message}`, "invalid_request_error", SERVER_ERROR_CODES.invalidJson);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new HttpError(400, `the request body must be a JSON object ({"model": ..., ...}); found ${describe(value)}.`, "invalid_request_error", SERVER_ERROR_CODES.invalidBody);
  return value as Record<string, unknown>;
}
