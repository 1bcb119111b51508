/**
 * Every response's `x-litellm-call-id`: the id the caller sent in that header when it
 * is a plain token (LiteLLM's proxy takes it the same way, to join a client's logs to
 * ours), else a new UUID. A model route's call carries it as `litellm_call_id`, so the
 * header names the records its callbacks wrote.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

const ID = Symbol("litellm-runtime.request-id");
const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives the request its id and puts it on the response's headers. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers["x-litellm-call-id"];
  const id = typeof sent === "string" && TOKEN.test(sent) ? sent : randomUUID();
  (req as { [ID]?: string })[ID] = id;
  res.setHeader("x-litellm-call-id", id);
  return id;
}

/** The id `assignRequestId` gave the request (a new one if it gave none). */
export function requestId(req: IncomingMessage): string {
  return (req as { [ID]?: string })[ID] ?? randomUUID();
}
