/**
 * Every response's `x-litellm-call-id`: the id the caller sent in that header when it
 * is a plain token (LiteLLM's proxy takes it the same way, to join a client's logs to
 * ours), else a new UUID. A model route's call carries it as `litellm_call_id`, so the
 * header names the records its callbacks wrote.
 *
 * The writers of the model routes (reply.ts, sse.ts) put the header in the list they
 * hand `writeHead`; a header set before with `setHeader` would send node:http down its
 * slower path, merging every header of the list one by one. Other routes get it set
 * before they run (`setCallIdHeader`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { uuid4 } from "../uuid.ts";

export const CALL_ID_HEADER = "x-litellm-call-id";

const ID = Symbol("litellm-runtime.request-id");
const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;

type Carrier = { [ID]?: string };

/** Gives the request its id, kept on the request and on its response. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers[CALL_ID_HEADER];
  const id = typeof sent === "string" && TOKEN.test(sent) ? sent : uuid4();
  (req as Carrier)[ID] = id;
  (res as Carrier)[ID] = id;
  return id;
}

/** The id `assignRequestId` gave the request (a new one if it gave none). */
export function requestId(req: IncomingMessage): string {
  return (req as Carrier)[ID] ?? uuid4();
}

/** The response's call id, for a writer to put among its headers; undefined outside the server. */
export function callIdOf(res: ServerResponse): string | undefined {
  return (res as Carrier)[ID];
}

/** Sets the header now, for a route that writes its response by its own means. */
export function setCallIdHeader(res: ServerResponse): void {
  const id = (res as Carrier)[ID];
  if (id !== undefined && !res.headersSent) res.setHeader(CALL_ID_HEADER, id);
}
