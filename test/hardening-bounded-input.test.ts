// Bounded input from upstreams and files: a huge answer, an endless or stalled stream, and an include that is not a config file.
import { spawn, spawnSync } from "node:child_process";
import { mkdir, truncate, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import litellm, { acompletion, CONFIG_ERROR_CODES, ConfigError, createRuntime, InvalidResponseError, loadConfig, Timeout, type Runtime } from "../core/index.ts";
import { tempDirForTest, useTempDir, user } from "./support/kit.ts";
import { listenLoopback, type Loopback } from "./support/loopback.ts";
import { tsArgs } from "./support/run-ts.ts";
import { collectUntilError } from "./support/streams.ts";

const MIB = 1024 * 1024;
const messages = user("hi");

const CHUNK = `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: "x" }, finish_reason: null }] })}\n\n`;
const ANTHROPIC_START = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", model: "claude", content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 0 } } })}\n\n`;
const PING = `event: ping\ndata: {"type": "ping"}\n\n`;

/** Writes `piece` until `total` bytes are out or the client is gone, waiting for the socket as it fills; returns the bytes written. */
async function pour(res: ServerResponse, piece: Buffer, total: number): Promise<number> {
  let sent = 0;
  while (sent < total && !res.destroyed) {
    sent += piece.length;
    if (!res.write(piece))
      await new Promise<void>((resolve) => {
        const go = () => {
          res.off("drain", go);
          res.off("close", go);
          resolve();
        };
        res.on("drain", go);
        res.on("close", go);
      });
  }
  return sent;
}

/** Writes `text` every `ms` until the client is gone. */
async function every(res: ServerResponse, ms: number, text: string): Promise<void> {
  while (!res.destroyed) {
    await new Promise((r) => setTimeout(r, ms));
    if (!res.destroyed) res.write(text);
  }
}

/** An upstream that misbehaves by model name; `sent` is what its last answer wrote. */
let upstream: Loopback;
let base: string;
let sent = 0;
const HUGE = 400 * MIB;

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  const model = (JSON.parse(Buffer.concat(parts).toString("utf8")) as { model: string }).model;
  sent = 0;
  if (model === "huge") {
    // A 400 MB answer, generated as it goes: the upstream holds one piece, never the answer.
    res.writeHead(200, { "content-type": "application/json", "content-length": HUGE });
    sent = await pour(res, Buffer.alloc(MIB, 0x20), HUGE);
    return void res.end();
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  if (model === "endless") {
    sent = await pour(res, Buffer.from(CHUNK.repeat(256)), Number.MAX_SAFE_INTEGER);
  } else if (model === "stall") {
    res.write(CHUNK);
    await every(res, 60_000, "");
  } else if (model === "trickle") {
    res.write(CHUNK);
    await every(res, 50, ": keep-alive\n\n");
  } else if (model === "ping") {
    res.write(ANTHROPIC_START);
    await every(res, 50, PING);
  }
  res.end();
}

const runtimes: Runtime[] = [];
beforeAll(async () => {
  upstream = await listenLoopback(handle, (res) => res.destroy());
  base = `http://127.0.0.1:${upstream.port}`;
});
afterEach(async () => {
  litellm.max_response_bytes = 32 * MIB;
  litellm.max_stream_bytes = 128 * MIB;
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});
afterAll(() => upstream.close());

async function runtime(litellm_settings: Record<string, unknown>, params: Record<string, unknown> = {}): Promise<Runtime> {
  const rt = await createRuntime({
    config: {
      model_list: ["huge", "endless", "stall", "trickle"].map((m) => ({ model_name: m, litellm_params: { model: `openai/${m}`, api_base: `${base}/v1`, api_key: "sk-test-1234", ...params } })),
      litellm_settings,
    },
  });
  runtimes.push(rt);
  return rt;
}

describe("a JSON answer over max_response_bytes", () => {
  it("fails the call with InvalidResponseError naming the limit and the setting, and the upstream is stopped near the limit", async () => {
    const rt = await runtime({ max_response_bytes: MIB });
    const started = Date.now();
    const err = await rt.acompletion({ model: "huge", messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect((err as Error).message).toContain("larger than max_response_bytes (1048576 bytes, 1 MiB)");
    expect((err as Error).message).toContain("litellm_settings.max_response_bytes");
    expect(Date.now() - started).toBeLessThan(5_000);
    // Never retried, and cut where the limit was passed (socket buffers aside), not at 400 MB.
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toBeLessThan(32 * MIB);
  });

  it("litellm.max_response_bytes sets it for library calls, and takes only a positive whole number", async () => {
    litellm.max_response_bytes = 2 * MIB;
    const err = await acompletion({ model: "openai/huge", messages, api_base: `${base}/v1`, api_key: "sk-test-1234", num_retries: 2 }).catch((e: unknown) => e);
    expect((err as Error).message).toContain("max_response_bytes (2097152 bytes, 2 MiB)");
    expect(() => (litellm.max_response_bytes = 0)).toThrow(TypeError);
    expect(() => (litellm.max_stream_bytes = 1.5)).toThrow(TypeError);
  });

  it("a 400 MB answer with the default limit fails while the process stays under 300 MB of RSS (measured in a child process)", async () => {
    const dir = await tempDirForTest("litellm-rss-");
    const script = join(dir, "huge.mts");
    await writeFile(
      script,
      `const { acompletion } = await import(process.env.CORE_ENTRY);
let peak = process.memoryUsage().rss;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
const started = Date.now();
let error;
try {
  await acompletion({ model: "openai/huge", messages: [{ role: "user", content: "hi" }], api_base: process.env.BASE, api_key: "sk-test-1234" });
} catch (e) {
  error = { name: e.constructor.name, message: e.message };
}
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ error, peakMiB: Math.round(peak / 1048576), ms: Date.now() - started }));
`,
    );
    const env = { ...process.env, CORE_ENTRY: fileURLToPath(new URL("../core/index.ts", import.meta.url)), BASE: `${base}/v1` };
    const child = spawn(process.execPath, tsArgs(script), { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let errOut = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (errOut += c.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));
    expect({ code, errOut }).toEqual({ code: 0, errOut: "" });
    const result = JSON.parse(out) as { error: { name: string; message: string }; peakMiB: number; ms: number };
    expect(result.error.name).toBe("InvalidResponseError");
    expect(result.error.message).toContain("max_response_bytes (33554432 bytes, 32 MiB)");
    expect(result.peakMiB).toBeLessThan(300);
    expect(sent).toBeLessThan(HUGE);
  }, 30_000);
});

describe("streams", () => {
  it("an endless stream fails past max_stream_bytes, with the chunks before it delivered", async () => {
    const rt = await runtime({ max_stream_bytes: 2 * MIB });
    const { chunks, error } = await collectUntilError(await rt.acompletion({ model: "endless", messages, stream: true }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toContain("larger than max_stream_bytes (2097152 bytes, 2 MiB)");
    expect(chunks.length).toBeGreaterThan(1000);
  });

  it("a stream that stalls longer than stream_timeout fails with a Timeout", async () => {
    const rt = await runtime({}, { stream_timeout: 0.3 });
    const started = Date.now();
    const { chunks, error } = await collectUntilError(await rt.acompletion({ model: "stall", messages, stream: true }));
    expect(error).toBeInstanceOf(Timeout);
    expect(chunks).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("an upstream that keeps the connection alive with comments but sends no chunk fails after stream_timeout", async () => {
    const rt = await runtime({}, { stream_timeout: 0.3 });
    const started = Date.now();
    const { error } = await collectUntilError(await rt.acompletion({ model: "trickle", messages, stream: true }));
    expect(error).toBeInstanceOf(Timeout);
    expect((error as Error).message).toContain('sent no stream event for 0.3 s (the connection stayed open). Raise "stream_timeout"');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("an Anthropic stream of pings only fails after stream_timeout", async () => {
    const started = Date.now();
    const stream = await acompletion({ model: "anthropic/ping", messages, stream: true, api_base: base, api_key: "sk-ant-test", stream_timeout: 0.3 });
    const { error } = await collectUntilError(stream);
    expect(error).toBeInstanceOf(Timeout);
    expect((error as Error).message).toContain("sent no stream event for 0.3 s");
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("include reads only regular files, up to 10 MiB", () => {
  const tmp = useTempDir("litellm-include-", { per: "suite" });

  async function includeIssue(target: string): Promise<{ code: string; path: string; message: string; ms: number }> {
    const file = join(tmp.path, `c${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, `model_list: []\ninclude:\n  - ${JSON.stringify(target)}\n`);
    const started = Date.now();
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues[0]!;
    return { code: issue.code, path: issue.path, message: issue.message, ms: Date.now() - started };
  }

  it("/dev/zero is 'not a regular file', at once", async () => {
    const got = await includeIssue("/dev/zero");
    expect({ code: got.code, path: got.path }).toEqual({ code: CONFIG_ERROR_CODES.include, path: "include[0]" });
    expect(got.message).toContain("included file /dev/zero is not a regular file (it is a device)");
    expect(got.ms).toBeLessThan(1_000);
  });

  it("a directory is 'not a regular file'", async () => {
    const sub = join(tmp.path, "models.d");
    await mkdir(sub);
    expect((await includeIssue(sub)).message).toContain(`included file ${sub} is not a regular file (it is a directory)`);
  });

  it.runIf(spawnSync("mkfifo", ["--version"]).status === 0)("a FIFO is 'not a regular file', and never opened", async () => {
    const fifo = join(tmp.path, "pipe.yaml");
    spawnSync("mkfifo", [fifo]);
    const got = await includeIssue(fifo);
    expect(got.message).toContain("is not a regular file (it is a FIFO)");
    expect(got.ms).toBeLessThan(1_000);
  });

  it("a file over 10 MiB is 'too large'", async () => {
    const big = join(tmp.path, "big.yaml");
    await writeFile(big, "");
    await truncate(big, 11 * MIB);
    expect((await includeIssue(big)).message).toContain(`included file ${big} is too large (11534336 bytes; an included file may have at most 10485760 bytes, 10 MiB)`);
  });
});
