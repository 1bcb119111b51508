/** Writing a whole response: JSON with its length, or an error unless the client is gone. */
import type { ServerResponse } from "node:http";
import { errorBody, type WireError } from "./errors.ts";

/** A JSON response in one write; `text` is already serialised. */
export function sendJSON(res: ServerResponse, status: number, text: string, headers?: Record<string, string>): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an error unless the client is gone; once headers went out the connection can only be cut. */
export function sendError(res: ServerResponse, w: WireError): void {
  if (res.destroyed) return;
  if (res.headersSent) return void res.destroy();
  sendJSON(res, w.status, errorBody(w), w.headers as Record<string, string> | undefined);
}
