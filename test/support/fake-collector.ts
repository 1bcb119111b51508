// A loopback JSON collector for the webhook built-in, with failures on demand, so delivery tests never leave the machine.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What one delivery gets instead of being taken: an HTTP status (with Retry-After, a body), or a dropped connection. */
export type Failure = { status: number; retryAfter?: string; body?: string } | { drop: true };

/** Failures consumed one per delivery, in order; then `always` (if set) for every delivery after. */
export class FailurePlan {
  private queued: Failure[] = [];
  private always: Failure | undefined;

  /** The next deliveries fail, one failure each: `failNext({status: 500}, {status: 500}, {status: 429, retryAfter: "0"})`. */
  failNext(...failures: Failure[]): void {
    this.queued.push(...failures);
  }

  /** Every delivery fails this way (after the queued ones); undefined stops it. */
  failAlways(failure: Failure | undefined): void {
    this.always = failure;
  }

  take(): Failure | undefined {
    return this.queued.shift() ?? this.always;
  }

  reset(): void {
    this.queued = [];
    this.always = undefined;
  }
}

/** Answers with the failure: a status and body, or the socket destroyed with no answer (the body was read: nothing was taken). */
export function fail(res: ServerResponse, failure: Failure, body: (status: number) => string): void {
  if ("drop" in failure) {
    res.socket?.destroy();
    return;
  }
  const text = failure.body ?? body(failure.status);
  const headers: Record<string, string> = { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) };
  if (failure.retryAfter !== undefined) headers["retry-after"] = failure.retryAfter;
  res.writeHead(failure.status, headers);
  res.end(text);
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Listens on 127.0.0.1, any free port; close() ends every open (kept-alive) connection too. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handler(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`fake server error: ${err.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { server, port, close };
}

export interface CollectedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received. */
  raw: string;
  /** The status the collector answered (0 for a dropped connection). */
  status: number;
  /** The client's port: requests sharing it came over one kept-alive connection. */
  remotePort: number;
}

export interface FakeCollector {
  /** The endpoint to POST to, e.g. http://127.0.0.1:41234/events. */
  url: string;
  /** Every request, failed ones included, in order. */
  requests: CollectedRequest[];
  /** The bodies taken (answered 200), parsed: an object per single POST, an array per batched one. */
  bodies: unknown[];
  /** The events taken, arrays spread, in order; a re-sent event is in here again. */
  events: Array<Record<string, unknown>>;
  /** Events taken whose `id` + `status` had been taken before (a retry of something already accepted). */
  duplicates: number;
  failNext(...failures: Failure[]): void;
  failAlways(failure: Failure | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

/** A collector at `path` that takes POSTed JSON (an object, or an array of objects) and answers 200 `{"ok":true}`. */
export async function startFakeCollector(options: { path?: string } = {}): Promise<FakeCollector> {
  const path = options.path ?? "/events";
  const plan = new FailurePlan();
  const seen = new Set<string>();
  const state: Pick<FakeCollector, "requests" | "bodies" | "events" | "duplicates"> = { requests: [], bodies: [], events: [], duplicates: 0 };
  const error = (status: number, message: string) => JSON.stringify({ error: message, status });

  const { port, close } = await listen(async (req, res) => {
    const raw = await readBody(req);
    const record: CollectedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, status: 0, remotePort: req.socket.remotePort ?? 0 };
    state.requests.push(record);
    const answer = (status: number, text: string) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    };
    if (req.method !== "POST") return answer(405, error(405, `${req.method} not allowed: POST only`));
    if (new URL(req.url ?? "/", "http://x").pathname !== path) return answer(404, error(404, `no endpoint ${req.url}; POST to ${path}`));
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return answer(415, error(415, "Content-Type must be application/json"));
    const failure = plan.take();
    if (failure) {
      record.status = "drop" in failure ? 0 : failure.status;
      return fail(res, failure, (status) => error(status, "injected failure"));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return answer(400, error(400, "body is not JSON"));
    }
    const events = Array.isArray(body) ? body : [body];
    if (events.length === 0 || events.some((e) => !e || typeof e !== "object" || Array.isArray(e))) return answer(400, error(400, "expected a JSON object or a non-empty array of objects"));
    state.bodies.push(body);
    for (const e of events as Array<Record<string, unknown>>) {
      state.events.push(e);
      const key = `${String(e.id)}\u0000${String(e.status)}`;
      if (e.id !== undefined && seen.has(key)) state.duplicates++;
      seen.add(key);
    }
    answer(200, JSON.stringify({ ok: true }));
  });

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}${path}`,
    failNext: (...f: Failure[]) => plan.failNext(...f),
    failAlways: (f: Failure | undefined) => plan.failAlways(f),
    reset: () => {
      plan.reset();
      seen.clear();
      state.requests.length = 0;
      state.bodies.length = 0;
      state.events.length = 0;
      state.duplicates = 0;
    },
    close,
  });
}
