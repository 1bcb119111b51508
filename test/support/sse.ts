// Writing the fake upstream's replies: JSON, server-sent events, and the ways they go wrong.
import type { ServerResponse } from "node:http";
import type { FakeBehaviour } from "./fake-openai.ts";
import type { Frame } from "./openai-wire.ts";

/** Resolves after ms, or as soon as the client is gone, so aborts and close() never wait on a timer. */
export function pause(ms: number | undefined, res: ServerResponse): Promise<void> {
  if (!ms || ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once("close", done);
  });
}

/** Write and wait until it is handed to the socket: destroy() right after would discard it otherwise. */
function flushed(res: ServerResponse, text: string): Promise<void> {
  return new Promise((resolve) => {
    res.once("close", resolve);
    res.write(text, () => resolve());
  });
}

export function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A non-streamed reply cut off half-way: headers promise the full length, the socket dies early. */
export async function sendTruncatedJSON(res: ServerResponse, body: unknown, headers: Record<string, string>): Promise<void> {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  await flushed(res, text.slice(0, Math.floor(text.length / 2)));
  res.destroy();
}

/** Index of the line before which the socket dies: after n content chunks, or right after the last one. */
function dropIndex(lines: { content: boolean }[], n: number): number {
  const contentAt = lines.flatMap((l, i) => (l.content ? [i] : []));
  if (n < contentAt.length) return contentAt[n]!;
  return (contentAt.at(-1) ?? 0) + 1;
}

export async function sendSSE(res: ServerResponse, frames: Frame[], b: FakeBehaviour, headers: Record<string, string>): Promise<void> {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...headers });
  const lines = frames.map((f) => ({ text: `data: ${JSON.stringify(f.data)}\n\n`, content: f.content }));
  if (b.malformedChunk !== undefined) {
    lines.splice(Math.ceil(frames.length / 2), 0, { text: `data: ${b.malformedChunk}\n\n`, content: false });
  }
  lines.push({ text: "data: [DONE]\n\n", content: false });
  const drop = b.dropAfterChunks === undefined ? -1 : dropIndex(lines, b.dropAfterChunks);
  for (const [i, line] of lines.entries()) {
    if (i > 0) await pause(b.chunkDelayMs, res);
    if (res.destroyed) return; // the client went away (abort, timeout): nothing to send to
    if (i === drop) return void res.destroy();
    if (i + 1 === drop) await flushed(res, line.text);
    else res.write(line.text);
  }
  res.end();
}
