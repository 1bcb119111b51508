// The live page's server side (GET /ui, core/ui/types.ts): its events over a real SSE connection, one call in full,
// the plumbing's health, auth, headers, the bounded buffers, reloads, and `serve --open`.
import { spawn } from "node:child_process";
import { writeFile, mkdir } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { createParser } from "eventsource-parser";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import litellm, { createRuntime, CustomLogger, startServer, type CallbackKwargs, type Runtime } from "../core/index.ts";
import { recordJson } from "../core/callbacks/safe-json.ts";
import { UI_RECORD_BYTES } from "../builtin-callbacks/ui/index.ts";
import type { RunningServer } from "../core/server/index.ts";
import { uiServerOf } from "../core/server/ui.ts";
import type { CallDetail, CallSummary, PlumbingState, ReloadEvent, SnapshotEvent } from "../core/ui/types.ts";
import { startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.ts";
import { tempDirForTest, user } from "./support/kit.ts";
import { tsArgs } from "./support/run-ts.ts";

const MASTER = "sk-master-ui-test-0123456789";
/** A provider key the config holds: it must never leave the server in any of the page's routes. */
const PROVIDER_KEY = "sk-provider-ui-test-SECRETVALUE-98765";

interface Received {
  event: string;
  data: string;
}

/** An open `/ui/api/events` stream read with fetch and eventsource-parser, as the page reads it. */
interface Stream {
  readonly events: Received[];
  calls(): CallSummary[];
  /** Resolves with the first event matching, waiting for it to arrive. */
  next<T>(event: string, match?: (data: T) => boolean): Promise<T>;
  close(): void;
}

async function openStream(server: RunningServer, key: string | null = MASTER): Promise<Stream> {
  const abort = new AbortController();
  const res = await fetch(`${server.url}/ui/api/events`, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: abort.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const events: Received[] = [];
  const waiters = new Set<() => void>();
  const parser = createParser({
    onEvent: (e) => {
      events.push({ event: e.event ?? "message", data: e.data });
      for (const w of waiters) w();
    },
  });
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch {
      // aborted by close()
    }
  })();
  return {
    events,
    calls: () => events.filter((e) => e.event === "call").map((e) => JSON.parse(e.data) as CallSummary),
    next<T>(event: string, match: (data: T) => boolean = () => true) {
      return new Promise<T>((done) => {
        const check = () => {
          for (const e of events) {
            if (e.event !== event) continue;
            const data = JSON.parse(e.data) as T;
            if (match(data)) {
              waiters.delete(check);
              return done(data);
            }
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

const auth = { authorization: `Bearer ${MASTER}` };

async function getJSON<T>(server: RunningServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: auth });
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

/** An alias that answers, one that fails with a 429 and falls back to the first, one that fails with a 500. */
function threeAliases(fake: FakeOpenAI, api_key: string) {
  const upstream = { api_base: fake.url, api_key };
  return {
    model_list: [
      { model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", ...upstream } },
      { model_name: "limited", litellm_params: { model: "openai/fail-429", ...upstream } },
      { model_name: "broken", litellm_params: { model: "openai/fail-500", ...upstream } },
    ],
    router_settings: { fallbacks: [{ limited: ["chat"] }] },
  };
}

describe("the live page over a real server", () => {
  let fake: FakeOpenAI;
  let rt: Runtime;
  let server: RunningServer;
  let client: OpenAI;
  let stream: Stream;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    rt = await createRuntime({
      config: {
        ...threeAliases(fake, PROVIDER_KEY),
        general_settings: { master_key: MASTER },
      },
    });
    rt.on("callback_error", () => {});
    server = await startServer(rt, { port: 0, ui: true });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    stream = await openStream(server);
  });
  afterAll(async () => {
    stream.close();
    await server.close();
    await rt.close();
    await fake.close();
  });

  it("opens with a snapshot, then sends a row per call with its model, status, tokens and cost", async () => {
    const snapshot = await stream.next<SnapshotEvent>("snapshot");
    expect(snapshot).toEqual({ calls: [], config: { version: 1, loaded_at: rt.loadedAt.toISOString() }, max_events: 1000 });

    const res = await client.chat.completions.create({ model: "chat", messages: user("hello there"), user: "alice" }, { headers: { "x-litellm-call-id": "ui-call-ok" } });
    const row = await stream.next<CallSummary>("call", (c) => c.call_id === "ui-call-ok");
    expect(row).toMatchObject({
      status: "success",
      model_group: "chat",
      deployment: "openai/gpt-4o-mini",
      call_type: "acompletion",
      stream: false,
      ttft_ms: null,
      prompt_tokens: res.usage!.prompt_tokens,
      completion_tokens: res.usage!.completion_tokens,
      cache_hit: false,
      user: "alice",
      error_class: null,
      error_message: null,
    });
    expect(row.cost).toBeGreaterThan(0);
    expect(row.attempts.map((a) => [a.attempt, a.kind, a.status])).toEqual([[1, "first", "success"]]);

    // A stream opened now starts with this call in its snapshot.
    const late = await openStream(server);
    const again = await late.next<SnapshotEvent>("snapshot");
    late.close();
    expect(again.calls.map((c) => c.call_id)).toContain("ui-call-ok");
  });

  it("shows a failure with its error class, and a fallback as two attempts", async () => {
    await expect(client.chat.completions.create({ model: "broken", messages: user("x") }, { headers: { "x-litellm-call-id": "ui-call-broken" } })).rejects.toMatchObject({ status: 500 });
    const failed = await stream.next<CallSummary>("call", (c) => c.call_id === "ui-call-broken");
    expect(failed.status).toBe("failure");
    expect(failed.model_group).toBe("broken");
    expect(failed.error_class).toMatch(/InternalServerError/);
    expect(failed.error_message).toEqual(expect.any(String));
    expect(failed.attempts).toHaveLength(1);

    await client.chat.completions.create({ model: "limited", messages: user("fall back") }, { headers: { "x-litellm-call-id": "ui-call-fallback" } });
    const done = await stream.next<CallSummary>("call", (c) => c.call_id === "ui-call-fallback" && c.status === "success");
    expect(done.model_group).toBe("limited");
    expect(done.deployment).toBe("openai/gpt-4o-mini");
    expect(done.attempts.map((a) => [a.attempt, a.kind, a.model_group, a.status])).toEqual([
      [1, "first", "limited", "failure"],
      [2, "fallback", "chat", "success"],
    ]);
    expect(done.attempts[0]!.error_class).toMatch(/RateLimitError/);
  });

  it("gives a stream its time to first token", async () => {
    const chunks = await client.chat.completions.create(
      { model: "chat", messages: user("stream me please"), stream: true, stream_options: { include_usage: true } },
      { headers: { "x-litellm-call-id": "ui-call-stream" } },
    );
    for await (const _ of chunks);
    const row = await stream.next<CallSummary>("call", (c) => c.call_id === "ui-call-stream");
    expect(row.stream).toBe(true);
    expect(row.ttft_ms).toEqual(expect.any(Number));
    expect(row.ttft_ms!).toBeLessThanOrEqual(row.latency_ms);
    expect(row.completion_tokens).toBeGreaterThan(0);
  });

  it("answers one call in full: each attempt's events and the standard record, keys masked", async () => {
    await client.chat.completions.create({ model: "limited", messages: user("the marker PLAINTEXT-7731") }, { headers: { "x-litellm-call-id": "ui-call-detail" } });
    const row = await stream.next<CallSummary>("call", (c) => c.call_id === "ui-call-detail" && c.status === "success");
    const res = await fetch(`${server.url}/ui/api/calls/${encodeURIComponent(row.id)}`, { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    const detail = JSON.parse(text) as CallDetail;
    expect(detail.summary).toEqual(row);
    expect(detail.events.map((e) => [e.event, e.attempt])).toEqual([
      ["pre_api_call", 1],
      ["post_api_call", 1],
      ["failure", 1],
      ["pre_api_call", 2],
      ["post_api_call", 2],
      ["success", 2],
    ]);
    expect(detail.events[0]!.kwargs).toMatchObject({ litellm_call_id: "ui-call-detail", litellm_trace_id: row.id });
    expect(detail.standard_logging_object).toMatchObject({ status: "success", model_group: "chat", trace_id: row.id });
    // Not redacted here: the prompt is what the loggers saw.
    expect(text).toContain("PLAINTEXT-7731");
    expect(text).not.toContain(PROVIDER_KEY);
    expect(text).not.toContain(MASTER);

    const missing = await fetch(`${server.url}/ui/api/calls/no-such-call`, { headers: auth });
    expect(missing.status).toBe(404);
  });

  it("serves the plumbing's health with every secret of the config masked", async () => {
    const res = await fetch(`${server.url}/ui/api/state`, { headers: auth });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(PROVIDER_KEY);
    expect(text).not.toContain(MASTER);
    const state = JSON.parse(text) as PlumbingState;
    const entry = (state.config.masked.model_list as Array<{ litellm_params: Record<string, unknown> }>)[0]!;
    expect(entry.litellm_params.api_key).toBe(`sk-...${PROVIDER_KEY.slice(-4)}`);
    expect((state.config.masked.general_settings as Record<string, unknown>).master_key).toBe(`sk-...${MASTER.slice(-4)}`);
    expect(state.config).toMatchObject({ file: null, version: 1, last_reload_error: null });
    expect(state.callbacks).toContainEqual(expect.objectContaining({ name: "ui", list: "callbacks", model: null, events: ["success", "failure"] }));
    expect(state.deployments.map((d) => [d.model_group, d.deployment])).toEqual([
      ["chat", "openai/gpt-4o-mini"],
      ["limited", "openai/fail-429"],
      ["broken", "openai/fail-500"],
    ]);
    expect(state.cache).toBeNull();
    expect(state.queue).toEqual({ pending: expect.any(Number), dropped: 0, errors: 0, timeouts: 0 });
  });

  it("needs the master key on /ui/api/*, not on the page's files; every /ui answer carries the CSP and nosniff", async () => {
    for (const path of ["/ui/api/events", "/ui/api/state", "/ui/api/calls/x"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(401);
      expect(res.headers.get("content-security-policy"), path).toContain("default-src 'self'");
      const wrong = await fetch(`${server.url}${path}`, { headers: { authorization: "Bearer nope" } });
      expect(wrong.status, path).toBe(401);
    }
    for (const path of ["/ui/assets/vendor/uPlot.iife.min.js", "/ui/assets/vendor/uPlot.min.css", "/ui/assets/vendor/eventsource-parser.js"]) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-security-policy")).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-type")).toMatch(path.endsWith(".css") ? /^text\/css/ : /^text\/javascript/);
    }
    // The vendored parser is the ES module build the page imports as is.
    const parser = await (await fetch(`${server.url}/ui/assets/vendor/eventsource-parser.js`)).text();
    expect(parser).toMatch(/export\s*\{[^}]*createParser/);
    expect((await fetch(`${server.url}/ui/api/state`, { method: "POST", headers: auth })).status).toBe(405);
  });
});

describe("the page's files", () => {
  let rt: Runtime;
  let server: RunningServer;
  let dir: string;
  const APP = `console.log(${JSON.stringify("x".repeat(4000))});\n`;

  beforeAll(async () => {
    dir = join(await import("node:os").then((os) => os.tmpdir()), `litellm-ui-files-${process.pid}-${Date.now()}`);
    await mkdir(join(dir, "js"), { recursive: true });
    await writeFile(join(dir, "index.html"), "<!doctype html><title>calls</title><script type=module src=/ui/assets/js/app.js></script>");
    await writeFile(join(dir, "js", "app.js"), APP);
    rt = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m" } }] } });
    server = await startServer(rt, { port: 0, ui: { dir } });
  });
  afterAll(async () => {
    await server.close();
    await rt.close();
    const { rm } = await import("node:fs/promises");
    await rm(dir, { recursive: true, force: true });
  });

  it("serves index.html at /ui and the folder under /ui/assets/, gzipped when asked, with an ETag", async () => {
    const page = await fetch(`${server.url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await page.text()).toContain("<title>calls</title>");

    // fetch() would decode gzip itself: read the raw bytes over node:http.
    const { get } = await import("node:http");
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((done, fail) => {
      get(`${server.url}/ui/assets/js/app.js`, { headers: { "accept-encoding": "gzip, deflate" } }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () => done({ headers: res.headers, body: Buffer.concat(parts) }));
      }).on("error", fail);
    });
    expect(raw.headers["content-encoding"]).toBe("gzip");
    expect(raw.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(raw.body.length).toBeLessThan(APP.length);
    expect(gunzipSync(raw.body).toString()).toBe(APP);
    const etag = String(raw.headers.etag);
    expect(etag).toMatch(/^".+"$/);

    const plain = await fetch(`${server.url}/ui/assets/js/app.js`, { headers: { "accept-encoding": "identity" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(APP);
    const cached = await fetch(`${server.url}/ui/assets/js/app.js`, { headers: { "if-none-match": etag } });
    expect(cached.status).toBe(304);
  });

  it("answers 404 for a file that is not there, and for a path out of the folder", async () => {
    expect((await fetch(`${server.url}/ui/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/ui/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/ui/assets/vendor/other.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/ui/elsewhere`)).status).toBe(404);
  });

  it("is served without a key when the server has none, on loopback", async () => {
    expect(server.host).toBe("127.0.0.1");
    const state = await fetch(`${server.url}/ui/api/state`);
    expect(state.status).toBe(200);
  });
});

describe("a server without the page", () => {
  it("answers 404 under /ui and adds no ui built-in", async () => {
    const rt = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m" } }] } });
    const server = await startServer(rt, { port: 0 });
    try {
      expect((await fetch(`${server.url}/ui`)).status).toBe(404);
      expect((await fetch(`${server.url}/ui/api/state`)).status).toBe(404);
      expect(uiServerOf(rt)).toBeUndefined();
    } finally {
      await server.close();
      await rt.close();
    }
  });
});

describe("bounds", () => {
  it("keeps the last max_events calls in the ring", async () => {
    const rt = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m" } }], general_settings: { ui: { max_events: 5 } } } });
    const server = await startServer(rt, { port: 0, ui: true });
    try {
      for (let i = 0; i < 8; i++) await rt.acompletion({ model: "m", messages: user(`call ${i}`), litellm_trace_id: `trace-${i}` });
      await rt.flush();
      const s = await openStream(server, null);
      const snapshot = await s.next<SnapshotEvent>("snapshot");
      s.close();
      expect(snapshot.max_events).toBe(5);
      expect(snapshot.calls.map((c) => c.id)).toEqual(["trace-3", "trace-4", "trace-5", "trace-6", "trace-7"]);
      expect((await fetch(`${server.url}/ui/api/calls/trace-2`)).status).toBe(404);
      expect((await fetch(`${server.url}/ui/api/calls/trace-7`)).status).toBe(200);
    } finally {
      await server.close();
      await rt.close();
    }
  });

  it("drops a client that does not read, with its queue bounded, while another keeps receiving", async () => {
    const MAX_BUFFER = 20;
    const rt = await createRuntime({
      config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "ok" } }], general_settings: { ui: { max_events: 50, max_client_buffer: MAX_BUFFER } } },
    });
    const server = await startServer(rt, { port: 0, ui: true });
    const ui = uiServerOf(rt)!;
    ui.fanout.stuckMs = 300;
    const reader = await openStream(server, null);
    await reader.next<SnapshotEvent>("snapshot");
    // A raw client that sends its request and never reads a byte.
    const slow: Socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((done) => slow.once("connect", () => done()));
    slow.pause();
    slow.write("GET /ui/api/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const closed = new Promise<void>((done) => slow.once("close", () => done()));
    try {
      await expect.poll(() => ui.fanout.states().length).toBe(2);
      let maxQueued = 0;
      let calls = 0;
      let skipped = false;
      // Calls until the slow socket's kernel buffers are full and rows start being skipped for it.
      while (!skipped && calls < 200_000) {
        for (let i = 0; i < 200; i++, calls++) await rt.acompletion({ model: "m", messages: user("x".repeat(200)), litellm_trace_id: `slow-${calls}` });
        await new Promise((r) => setImmediate(r));
        for (const s of ui.fanout.states()) {
          maxQueued = Math.max(maxQueued, s.queued);
          if (s.skipped > 0) skipped = true;
        }
      }
      expect(skipped).toBe(true);
      expect(maxQueued).toBeLessThanOrEqual(MAX_BUFFER);
      // Stuck past stuckMs: cut off (the socket closes once what reached it is read); the reading client stays and gets the next call.
      await expect.poll(() => ui.fanout.states().length).toBe(1);
      expect(ui.fanout.states()[0]).toEqual({ queued: 0, skipped: 0, blocked: false });
      slow.resume();
      await closed;
      await rt.acompletion({ model: "m", messages: user("after"), litellm_trace_id: "after-slow" });
      const after = await reader.next<CallSummary>("call", (c) => c.id === "after-slow");
      expect(after.status).toBe("success");
      expect(reader.events.some((e) => e.event === "dropped")).toBe(false);
    } finally {
      slow.destroy();
      reader.close();
      await server.close();
      await rt.close();
    }
  }, 60_000);
});

describe("a client that falls behind and catches up", () => {
  it("is told how many rows it skipped once its socket drains", async () => {
    const rt = await createRuntime({
      config: { model_list: [{ model_name: "m", litellm_params: { model: "mock/m", mock_response: "ok" } }], general_settings: { ui: { max_events: 50, max_client_buffer: 5 } } },
    });
    const server = await startServer(rt, { port: 0, ui: true });
    const ui = uiServerOf(rt)!;
    ui.fanout.stuckMs = 60_000;
    const slow: Socket = connect(server.port, "127.0.0.1");
    await new Promise<void>((done) => slow.once("connect", () => done()));
    slow.pause();
    slow.write("GET /ui/api/events HTTP/1.1\r\nHost: localhost\r\n\r\n");
    try {
      await expect.poll(() => ui.fanout.states().length).toBe(1);
      let calls = 0;
      while (ui.fanout.states()[0]!.skipped === 0 && calls < 200_000) {
        for (let i = 0; i < 200; i++, calls++) await rt.acompletion({ model: "m", messages: user("x".repeat(200)), litellm_trace_id: `behind-${calls}` });
        await new Promise((r) => setImmediate(r));
      }
      // Every row of those calls handed out (the built-in works in the background, the fan-out at the end of a turn).
      await rt.flush();
      await new Promise((r) => setImmediate(r));
      const skipped = ui.fanout.states()[0]!.skipped;
      expect(skipped).toBeGreaterThan(0);
      expect(ui.fanout.states()[0]!.queued).toBe(5);
      let text = "";
      slow.setEncoding("utf8").on("data", (d: string) => (text += d));
      slow.resume();
      await expect.poll(() => /event: dropped\ndata: \{"count":(\d+)\}/.exec(text)?.[1]).toBe(String(skipped));
      expect(ui.fanout.states()[0]).toEqual({ queued: 0, skipped: 0, blocked: false });
    } finally {
      slow.destroy();
      await server.close();
      await rt.close();
    }
  }, 60_000);
});

describe("reloads", () => {
  it("sends a reload event when a reload goes into service or fails, keeps the ring, and reports the failure in the state", async () => {
    const dir = await tempDirForTest("litellm-ui-reload-");
    const file = join(dir, "litellm.config.yaml");
    const good = (alias: string) => `model_list:\n  - model_name: ${alias}\n    litellm_params:\n      model: mock/${alias}\n`;
    await writeFile(file, good("first"));
    const rt = await createRuntime({ config: file });
    const server = await startServer(rt, { port: 0, ui: true });
    const s = await openStream(server, null);
    try {
      await s.next<SnapshotEvent>("snapshot");
      await rt.acompletion({ model: "first", messages: user("before"), litellm_trace_id: "before-reload" });
      await s.next<CallSummary>("call", (c) => c.id === "before-reload");

      await writeFile(file, good("second"));
      expect(await rt.reload()).toBe(true);
      const ok = await s.next<ReloadEvent>("reload", (e) => e.ok);
      expect(ok).toEqual({ ok: true, version: 2, loaded_at: rt.loadedAt.toISOString(), error: null });
      // The new config's ui built-in feeds the same ring.
      await rt.acompletion({ model: "second", messages: user("after"), litellm_trace_id: "after-reload" });
      await s.next<CallSummary>("call", (c) => c.id === "after-reload");
      const late = await openStream(server, null);
      const snapshot = await late.next<SnapshotEvent>("snapshot");
      late.close();
      expect(snapshot.calls.map((c) => c.id)).toEqual(["before-reload", "after-reload"]);
      expect(snapshot.config.version).toBe(2);

      await writeFile(file, `${good("third")}general_settings:\n  bogus_setting: 1\n`);
      expect(await rt.reload()).toBe(false);
      const failed = await s.next<ReloadEvent>("reload", (e) => !e.ok);
      expect(failed.version).toBe(2);
      expect(failed.error).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:3 general_settings\\.bogus_setting: .*\\[CONFIG_UNKNOWN_KEY\\]$`, "m"));
      const state = await (await fetch(`${server.url}/ui/api/state`)).json() as PlumbingState;
      expect(state.config.last_reload_error).toBe(failed.error);
      expect(state.config.file).toBe(file);
    } finally {
      s.close();
      await server.close();
      await rt.close();
    }
  });
});

describe("a failing callback", () => {
  it("shows its errors and its last error, the config's secrets masked, in the health tab", async () => {
    const rt = await createRuntime({ config: { model_list: [{ model_name: "chat", litellm_params: { model: "mock/chat", api_key: PROVIDER_KEY } }] } });
    rt.on("callback_error", () => {});
    const server = await startServer(rt, { port: 0, ui: true });
    litellm.success_callback = [
      function boom() {
        throw new Error(`boom with ${PROVIDER_KEY}`);
      },
    ];
    try {
      await rt.acompletion({ model: "chat", messages: user("x") });
      await rt.acompletion({ model: "chat", messages: user("y") });
      await rt.flush();
      const text = await (await fetch(`${server.url}/ui/api/state`)).text();
      expect(text).not.toContain(PROVIDER_KEY);
      const state = JSON.parse(text) as PlumbingState;
      const boom = state.callbacks.find((c) => c.name === "boom");
      expect(boom).toMatchObject({ list: "success_callback", model: null, events: ["success"], errors: 2, timeouts: 0 });
      expect(boom!.last_error).toContain("boom with sk-...");
      expect(state.queue.errors).toBe(2);
    } finally {
      litellm.success_callback = [];
      await server.close();
      await rt.close();
    }
  });
});

describe("message logging off", () => {
  it("keeps a prompt out of every event and record the page shows", async () => {
    const fake = await startFakeOpenAI();
    const rt = await createRuntime({
      config: {
        model_list: [{ model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: PROVIDER_KEY } }],
        litellm_settings: { turn_off_message_logging: true },
      },
    });
    const server = await startServer(rt, { port: 0, ui: true });
    const s = await openStream(server, null);
    try {
      const c = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
      const answer = await c.chat.completions.create({ model: "chat", messages: user("SENTINEL-prompt-4242") }, { headers: { "x-litellm-call-id": "ui-redacted" } });
      // The caller's own answer is untouched (the fake echoes the prompt).
      expect(answer.choices[0]!.message.content).toContain("SENTINEL-prompt-4242");
      const row = await s.next<CallSummary>("call", (r) => r.call_id === "ui-redacted");
      const text = await (await fetch(`${server.url}/ui/api/calls/${encodeURIComponent(row.id)}`)).text();
      const detail = JSON.parse(text) as CallDetail;
      expect(detail.events.map((e) => e.event)).toEqual(["pre_api_call", "post_api_call", "success"]);
      expect(text).toContain("redacted-by-litellm");
      expect(text).not.toContain("SENTINEL");
      expect(JSON.stringify(s.events)).not.toContain("SENTINEL");
    } finally {
      s.close();
      await server.close();
      await rt.close();
      await fake.close();
    }
  });
});

describe("each event's kwargs", () => {
  // The page is queued for a call's end events only and reads the earlier events' kwargs back from the end's
  // (core/callbacks/event-marks.ts): what it shows for each event must be what a callback of that event was handed.
  it("are what a callback of that event received, for a success, a failure, a fallback and a stream", async () => {
    const fake = await startFakeOpenAI();
    const received = new Map<string, unknown>();
    const keep = (event: string, kwargs: CallbackKwargs) => {
      const attempt = (kwargs.litellm_params.metadata as { attempt?: number } | null)?.attempt ?? 1;
      received.set(`${kwargs.litellm_call_id}/${attempt}/${event}`, JSON.parse(recordJson(kwargs, { maxBytes: UI_RECORD_BYTES, scrub: (t) => t })));
    };
    class Recorder extends CustomLogger {
      override log_pre_api_call(_model: string, _messages: unknown, kwargs: CallbackKwargs) {
        keep("pre_api_call", kwargs);
      }
      override log_post_api_call(kwargs: CallbackKwargs) {
        keep("post_api_call", kwargs);
      }
      override log_success_event(kwargs: CallbackKwargs) {
        keep("success", kwargs);
      }
      override log_failure_event(kwargs: CallbackKwargs) {
        keep("failure", kwargs);
      }
    }
    const rt = await createRuntime({
      config: {
        ...threeAliases(fake, "sk-upstream"),
        litellm_settings: { callbacks: [new Recorder()] },
      },
    });
    const server = await startServer(rt, { port: 0, ui: true });
    const s = await openStream(server, null);
    try {
      const c = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
      await c.chat.completions.create({ model: "chat", messages: user("plain") }, { headers: { "x-litellm-call-id": "kw-success" } });
      await expect(c.chat.completions.create({ model: "broken", messages: user("x") }, { headers: { "x-litellm-call-id": "kw-failure" } })).rejects.toMatchObject({ status: 500 });
      await c.chat.completions.create({ model: "limited", messages: user("fall back") }, { headers: { "x-litellm-call-id": "kw-fallback" } });
      const chunks = await c.chat.completions.create({ model: "chat", messages: user("stream me"), stream: true, stream_options: { include_usage: true } }, { headers: { "x-litellm-call-id": "kw-stream" } });
      for await (const _ of chunks);
      const expected = {
        "kw-success": ["pre_api_call/1", "post_api_call/1", "success/1"],
        "kw-failure": ["pre_api_call/1", "post_api_call/1", "failure/1"],
        "kw-fallback": ["pre_api_call/1", "post_api_call/1", "failure/1", "pre_api_call/2", "post_api_call/2", "success/2"],
        "kw-stream": ["pre_api_call/1", "post_api_call/1", "success/1"],
      };
      await rt.flush();
      for (const [id, events] of Object.entries(expected)) {
        const row = await s.next<CallSummary>("call", (r) => r.call_id === id && r.attempts.length === events.length / 3);
        const detail = (await (await fetch(`${server.url}/ui/api/calls/${encodeURIComponent(row.id)}`)).json()) as CallDetail;
        expect(detail.events.map((e) => `${e.event}/${e.attempt}`), id).toEqual(events);
        for (const e of detail.events) {
          const theirs = received.get(`${id}/${e.attempt}/${e.event}`);
          expect(theirs, `${id} ${e.event} ${e.attempt}: the recorder got it`).toBeDefined();
          expect(e.kwargs, `${id} ${e.event} ${e.attempt}`).toEqual(theirs);
        }
      }
    } finally {
      s.close();
      await server.close();
      await rt.close();
      await fake.close();
    }
  });
});

describe("litellm-runtime serve --open", () => {
  it("prints the page's address on stderr, and in the start-up line; the page answers there", async () => {
    const dir = await tempDirForTest("litellm-ui-serve-");
    await writeFile(join(dir, "litellm.config.yaml"), "model_list:\n  - model_name: demo\n    litellm_params:\n      model: mock/demo\n");
    const child = spawn(process.execPath, tsArgs(resolve("core/cli/main.ts"), "serve", "--port", "0", "--no-watch", "--open"), { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    const out = { stdout: "", stderr: "" };
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out.stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out.stderr += d));
    try {
      await expect.poll(() => out.stderr, { timeout: 30_000 }).toMatch(/live page: http:\/\/\S+\/ui\n/);
      const page = /live page: (http:\/\/\S+\/ui)\n/.exec(out.stderr)![1]!;
      expect(out.stdout).toMatch(new RegExp(`serving (http://\\S+) · models: demo · .* · live page: ${page.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`));
      const css = await fetch(`${page}/assets/vendor/uPlot.min.css`);
      expect(css.status).toBe(200);
      expect((await fetch(`${page}/api/state`)).status).toBe(200);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});
