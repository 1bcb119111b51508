/** Writing a whole response: JSON with its length, or an error unless the client is gone. */
import type { ServerResponse } from "node:http";
import { errorBody, type WireError } from "./errors.ts";
import { CALL_ID_HEADER, callIdOf } from "./request-id.ts";

/** Writes the status and `list` ([name, value, ...]), with the request's call id; `list` is not changed. */
export function writeHead(res: ServerResponse, status: number, list: readonly (string | number)[]): void {
  const id = callIdOf(res);
  res.writeHead(status, (id === undefined ? list : [...list, CALL_ID_HEADER, id]) as unknown as string[]);
}

/** A JSON response in one write; `text` is already serialised. */
export function sendJSON(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  if (res.destroyed) return;
  // A flat [name, value, ...] list: cheaper than merging objects (a spread with added keys costs µs on Node 20).
  const list: (string | number)[] = ["content-type", "application/json", "content-length", Buffer.byteLength(text)];
  if (headers) for (const name in headers) if (name !== "content-type" && name !== "content-length") list.push(name, headers[name]!);
  const id = callIdOf(res);
  if (id !== undefined) list.push(CALL_ID_HEADER, id);
  res.writeHead(status, list as unknown as string[]);
  res.end(text);
}

/** Sends an error unless the client is gone; once headers went out the connection can only be cut. */
export function sendError(res: ServerResponse, w: WireError): void {
  if (res.destroyed) return;
  if (res.headersSent) return void res.destroy();
  sendJSON(res, w.status, errorBody(w), w.headers as Record<string, string> | undefined);
}
