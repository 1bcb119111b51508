// The server suite's load generator, as light as we can make it: undici's dispatch on a keep-alive Pool, no streams, no parsing.
import { Pool, type Dispatcher } from "undici";
import { now } from "./stats.ts";

/** One arm: where requests go and the headers it needs; the body is the same for every arm. */
export interface Target {
  name: string;
  pool: Pool;
  headers: Record<string, string>;
  /** Requests that did not end in a 200, or failed on the wire. */
  failures: number;
  lastFailure?: string;
}

export const PATH = "/v1/chat/completions";
const DATA = Buffer.from("data:");

/** A pool of `connections` keep-alive connections to `origin`. */
export function target(name: string, origin: string, headers: Record<string, string>, connections: number): Target {
  const pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
  return { name, pool, headers: { "content-type": "application/json", ...headers }, failures: 0 };
}

export interface Timing {
  /** Until the last byte of the body. */
  total: number;
  /** Until the first body chunk holding an SSE `data:` line (streams), else NaN. */
  first: number;
}

/** One request; resolves with its timing, counting a failure (status ≠ 200 or wire error) on the target instead of throwing. */
export function send(t: Target, body: Buffer): Promise<Timing> {
  return new Promise((resolve) => {
    const t0 = now();
    let status = 0;
    let first = Number.NaN;
    const fail = (why: string) => {
      t.failures++;
      t.lastFailure = why;
      resolve({ total: now() - t0, first });
    };
    // The handler methods undici's client calls itself; the newer controller API would wrap each request in two more objects.
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => {},
      onHeaders: (code) => {
        status = code;
        return true;
      },
      onData: (chunk) => {
        if (first !== first && chunk.indexOf(DATA) !== -1) first = now() - t0;
        return true;
      },
      onComplete: () => (status === 200 ? resolve({ total: now() - t0, first }) : fail(`status ${status}`)),
      onError: (err) => fail(String(err)),
    };
    t.pool.dispatch({ path: PATH, method: "POST", headers: t.headers, body }, handler);
  });
}

/** `n` requests one after another, each one's timing pushed to `totals` (and `firsts` for streams). */
export async function sequential(t: Target, body: Buffer, n: number, totals: number[], firsts?: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await send(t, body);
    totals.push(r.total);
    if (firsts) firsts.push(r.first);
  }
}

/** `n` requests from `width` workers at once; milliseconds for all of them. */
export async function concurrent(t: Target, body: Buffer, n: number, width: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next++ < n) await send(t, body);
  };
  const t0 = now();
  await Promise.all(Array.from({ length: width }, worker));
  return now() - t0;
}

/** The one-off checks that each arm answers what it should: a completion, and a stream ending in [DONE]. */
export async function check(t: Target, plain: Buffer, stream: Buffer): Promise<void> {
  const read = async (body: Buffer) => {
    const res = await t.pool.request({ path: PATH, method: "POST", headers: t.headers, body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const a = await read(plain);
  const content = a.status === 200 ? (JSON.parse(a.text) as { choices?: Array<{ message?: { content?: string } }> }).choices?.[0]?.message?.content : undefined;
  if (typeof content !== "string") throw new Error(`${t.name}: no completion (${a.status} ${a.text.slice(0, 300)})`);
  const b = await read(stream);
  if (b.status !== 200 || !b.text.trimEnd().endsWith("data: [DONE]")) throw new Error(`${t.name}: no stream ending in [DONE] (${b.status} ${b.text.slice(-300)})`);
}
