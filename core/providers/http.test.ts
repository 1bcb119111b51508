import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenLoopback, type Loopback } from "../../test/support/loopback.ts";
import { BodyStream } from "./body-stream.ts";
import { backoffMs, postStream, postWhole, whereOf, type StatusError } from "./http.ts";
import { resolveModel } from "./resolve.ts";
import type { ProviderRequest } from "./types.ts";
import { APIError } from "../errors.ts";

describe("BodyStream", () => {
  const make = () => {
    const calls = { resume: 0, abort: [] as Error[] };
    const s = new BodyStream(
      () => void calls.resume++,
      (err) => void calls.abort.push(err),
    );
    return { s, calls };
  };

  it("asks undici to pause at 16 waiting chunks and resumes once they are read", async () => {
    const { s, calls } = make();
    const answers = Array.from({ length: 16 }, (_, i) => s.push(Buffer.from(String(i))));
    expect(answers.slice(0, 15).every(Boolean)).toBe(true);
    expect(answers[15]).toBe(false);
    const read: string[] = [];
    for (let i = 0; i < 15; i++) read.push(String((await s.next()).value));
    expect(calls.resume).toBe(0);
    read.push(String((await s.next()).value));
    expect(calls.resume).toBe(1);
    expect(read).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
  });

  it("a reader waiting for a chunk gets it, then the end", async () => {
    const { s } = make();
    const pending = s.next();
    s.push(Buffer.from("a"));
    expect(String((await pending).value)).toBe("a");
    const end = s.next();
    s.end();
    expect(await end).toEqual({ value: undefined, done: true });
    expect(s.ended).toBe(true);
  });

  it("a failure reaches the reader after the chunks that came before it", async () => {
    const { s } = make();
    s.push(Buffer.from("a"));
    s.fail(new Error("socket closed"));
    expect(String((await s.next()).value)).toBe("a");
    await expect(s.next()).rejects.toThrow("socket closed");
  });

  it("return() aborts the request once and wakes a reader that waits", async () => {
    const { s, calls } = make();
    const waiting = s.next();
    await s.return();
    await s.return();
    await expect(waiting).rejects.toThrow("aborted");
    expect(calls.abort).toHaveLength(1);
  });

  it("return() after the end aborts nothing", async () => {
    const { s, calls } = make();
    s.end();
    await s.return();
    expect(calls.abort).toEqual([]);
  });
});

describe("backoffMs", () => {
  it("waits what the upstream asks when it is under a minute", () => {
    expect(backoffMs(0, { "retry-after-ms": "250" })).toBe(250);
    expect(backoffMs(0, { "retry-after": "2" })).toBe(2000);
    const at = new Date(Date.now() + 3000).toUTCString();
    const wait = backoffMs(0, { "retry-after": at });
    expect(wait).toBeGreaterThan(1000);
    expect(wait).toBeLessThanOrEqual(3000);
  });

  it("ignores a wait of a minute or more, and doubles from 0.5 s to at most 8 s, less up to a quarter", () => {
    for (const [attempt, full] of [[0, 500], [1, 1000], [3, 4000], [4, 8000], [9, 8000]] as const) {
      const wait = backoffMs(attempt, { "retry-after": "120" });
      expect(wait).toBeLessThanOrEqual(full);
      expect(wait).toBeGreaterThanOrEqual(full * 0.75);
    }
  });
});

describe("posting to a loopback upstream", () => {
  let upstream: Loopback;
  let url = "";
  /** What the next requests get: a status and headers each; after the list, 200. */
  let plan: { status: number; headers?: Record<string, string> }[] = [];
  let hits = 0;
  const CHUNKS = 200;

  beforeAll(async () => {
    upstream = await listenLoopback(async (req, res) => {
      for await (const _ of req);
      hits++;
      const step = plan.shift();
      if (step && step.status !== 200) {
        res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
        return void res.end(JSON.stringify({ error: { message: `planned ${step.status}` } }));
      }
      if (req.url?.endsWith("/stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        // Many small writes, each flushed, so the reader's pace decides when undici must pause.
        for (let i = 0; i < CHUNKS; i++) if (!res.write(`${i};`)) await new Promise((r) => res.once("drain", r));
        return void res.end();
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"ok":true}');
    }, (res) => res.destroy());
    url = `http://127.0.0.1:${upstream.port}`;
  });
  afterAll(() => upstream.close());

  const request = (path: string, maxRetries: number): ProviderRequest => ({
    target: resolveModel({ model: "openai/x", api_base: url }),
    body: {},
    input: null,
    url: `${url}${path}`,
    headers: { "content-type": "application/json" },
    timeoutMs: 5000,
    maxRetries,
  });
  const onStatus: StatusError = (status, text) => new APIError(`upstream ${status}: ${text}`, { status });

  it("retries what may pass, as the upstream asks, and says no to x-should-retry: false", async () => {
    hits = 0;
    plan = [{ status: 429, headers: { "retry-after-ms": "1" } }, { status: 502, headers: { "retry-after-ms": "1" } }];
    const req = request("/json", 2);
    const res = await postWhole(req, whereOf(req, '"api_base"'), "{}", undefined, onStatus);
    expect(res).toMatchObject({ status: 200, text: '{"ok":true}' });
    expect(hits).toBe(3);

    hits = 0;
    plan = [{ status: 503, headers: { "x-should-retry": "false" } }];
    const err = await postWhole(req, whereOf(req, '"api_base"'), "{}", undefined, onStatus).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503 });
    expect((err as Error).message).toContain("planned 503");
    expect(hits).toBe(1);
  });

  it("a redirect is not followed, nor retried: an APIError names where it points and what to set", async () => {
    hits = 0;
    plan = [{ status: 308, headers: { location: "https://elsewhere.example/v1/json" } }];
    const req = request("/json", 3);
    const err = await postWhole(req, whereOf(req, '"api_base"'), "{}", undefined, onStatus).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ code: "LLM_API_ERROR", status: 308 });
    expect((err as Error).message).toContain("https://elsewhere.example/v1/json");
    expect((err as Error).message).toContain('set "api_base"');
    expect(hits).toBe(1);
  });

  it("a slow reader of a stream gets every chunk in order (the connection pauses and resumes)", async () => {
    plan = [];
    const req = request("/stream", 0);
    const opened = await postStream(req, whereOf(req, '"api_base"'), "{}", undefined, onStatus);
    let text = "";
    let n = 0;
    for await (const chunk of opened.body) {
      text += chunk.toString();
      if (++n % 10 === 0) await sleep(2);
    }
    expect(text).toBe(Array.from({ length: CHUNKS }, (_, i) => `${i};`).join(""));
  });
});
