import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime } from "../core/index.ts";
import { formatCost } from "../core/callbacks/summary.ts";

// The console built-in through a real runtime; stderr, its real sink, is captured.

let dir: string;
let rt: Runtime | undefined;
let lines: string[];
const realTTY = Object.getOwnPropertyDescriptor(process.stderr, "isTTY");
const realNoColor = process.env.NO_COLOR;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "litellm-console-"));
  lines = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  });
});

afterEach(async () => {
  await rt?.close();
  rt = undefined;
  vi.restoreAllMocks();
  if (realTTY) Object.defineProperty(process.stderr, "isTTY", realTTY);
  else delete (process.stderr as { isTTY?: boolean }).isTTY;
  if (realNoColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = realNoColor;
  await rm(dir, { recursive: true, force: true });
});

const PRICED = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 };

async function runtime(settings: Record<string, unknown> = {}): Promise<Runtime> {
  rt = await createRuntime({
    cwd: dir,
    config: {
      model_list: [
        { model_name: "fast", litellm_params: { model: "mock/x", mock_response: "hello there" }, model_info: PRICED },
        // A real provider's model that no price table knows, answered by the mock: its cost is unknown.
        { model_name: "unpriced", litellm_params: { model: "openai/no-such-model-zz9", mock_response: "hi" } },
      ],
      litellm_settings: { callbacks: ["console"] },
      callback_settings: { console: settings },
    },
  });
  return rt;
}

const ask = (r: Runtime, model: string, extra: Record<string, unknown> = {}) =>
  r.acompletion({ model, messages: [{ role: "user", content: "hi" }], ...extra });

/** Lines the console built-in wrote (a local time first, or a JSON object). */
const ours = () => lines.filter((l) => /^(\x1b\[2m)?\d\d:\d\d:\d\d\.\d{3}(\x1b\[0m)? · /.test(l) || l.startsWith("{"));
/** A text line's fields. */
const fields = (l: string) => l.split(" · ");

describe("console: text", () => {
  it("prints the summary line per success: time, call type, alias → deployment, status, latency, tokens, cost, user, id", async () => {
    const r = await runtime();
    const seen: string[] = [];
    const res = await ask(r, "fast", { user: "alice", callbacks: [{ log_success_event: (k: { litellm_call_id: string }) => void seen.push(k.litellm_call_id) }] });
    await r.flush();
    expect(ours()).toHaveLength(1);
    const { prompt_tokens, completion_tokens } = res.usage!;
    const [time, ...rest] = fields(ours()[0]!);
    expect(time).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    // No cache is configured: no "cache miss" to mislead.
    expect(rest).toEqual([
      "acompletion",
      "fast → mock/x",
      "success",
      expect.stringMatching(/^\d+ ms$/),
      `in ${prompt_tokens} / out ${completion_tokens} tokens`,
      formatCost(prompt_tokens * 0.000001 + completion_tokens * 0.000002),
      "user alice",
      `id ${seen[0]}`,
    ]);
    expect(ours()[0]).not.toContain("\x1b[");
  });

  it('says "$?" when the price is unknown, and "cache miss" / "cache hit" once a cache is configured', async () => {
    const r = await runtime();
    await ask(r, "unpriced");
    await r.flush();
    expect(fields(ours()[0]!)).toContain("$?");
    await r.close();

    lines.length = 0;
    rt = await createRuntime({
      cwd: dir,
      config: {
        model_list: [{ model_name: "fast", litellm_params: { model: "mock/x", mock_response: "hello there" } }],
        litellm_settings: { callbacks: ["console"], cache: true },
      },
    });
    await ask(rt, "fast");
    await ask(rt, "fast");
    await rt.flush();
    expect(ours().map((l) => fields(l).find((f) => f.startsWith("cache")))).toEqual(["cache miss", "cache hit"]);
  });

  it("prints a failure with the error class, its code and message, on one line", async () => {
    const r = await runtime();
    await expect(ask(r, "fast", { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatch(/ · fast → mock\/x · failure RateLimitError · \d+ ms · in 0 \/ out 0 tokens · \$0 · id \S+ · error \[429\]: \S/);
  });

  it("level error prints failures only; level debug adds the pre and post API call lines", async () => {
    let r = await runtime({ level: "error" });
    await ask(r, "fast");
    await expect(ask(r, "fast", { mock_response: "litellm.Timeout" })).rejects.toThrow();
    await r.flush();
    expect(ours().map((l) => fields(l)[3])).toEqual(["failure Timeout"]);
    await r.close();

    lines.length = 0;
    r = await runtime({ level: "debug" });
    await ask(r, "fast");
    await r.flush();
    const [pre, post, success] = ours().map(fields);
    expect([pre![1], post![1], success![3]]).toEqual(["pre_api_call", "post_api_call", "success"]);
    // Debug lines carry the same model label and call id as the summary line.
    expect(pre!.slice(2)).toEqual(["fast → mock/x", success!.at(-1)]);
  });

  describe("level debug wherever console is listed", () => {
    /** A runtime with console at level debug in the given lists (the README puts it in success_callback). */
    const listed = async (lists: Record<string, unknown[]>) => {
      rt = await createRuntime({
        cwd: dir,
        config: { model_list: [{ model_name: "fast", litellm_params: { model: "mock/x", mock_response: "one two three" } }], litellm_settings: lists, callback_settings: { console: { level: "debug" } } },
      });
      return rt;
    };
    /** Each line's event: the second field of a debug line, the fourth of a summary line. */
    const events = () => ours().map((l) => (fields(l)[1] === "acompletion" ? fields(l)[3]! : fields(l)[1]!));

    it("success_callback: the pre and post API call lines, then the success line, for the one call", async () => {
      const r = await listed({ success_callback: ["console"] });
      await ask(r, "fast");
      await r.flush();
      expect(events()).toEqual(["pre_api_call", "post_api_call", "success"]);
      expect(new Set(ours().map((l) => fields(l).at(-1))).size).toBe(1);
    });

    it("failure_callback: the debug lines of a failing call before its failure line", async () => {
      const r = await listed({ failure_callback: ["console"] });
      await expect(ask(r, "fast", { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
      await r.flush();
      expect(events()).toEqual(["pre_api_call", "post_api_call", "failure RateLimitError"]);
    });

    it("in callbacks and success_callback: each line once", async () => {
      const r = await listed({ callbacks: ["console"], success_callback: ["console"], failure_callback: ["console"] });
      await ask(r, "fast");
      await r.flush();
      expect(events()).toEqual(["pre_api_call", "post_api_call", "success"]);
    });

    it("a stream: a line per chunk, all before the success line", async () => {
      const r = await listed({ success_callback: ["console"] });
      // With the usage chunk handed to the consumer too: every chunk logged is one counted here.
      const stream = await r.acompletion({ model: "fast", messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } });
      let chunks = 0;
      for await (const _ of stream) chunks++;
      await r.flush();
      expect(chunks).toBeGreaterThan(1);
      expect(events()).toEqual(["pre_api_call", "post_api_call", ...Array<string>(chunks).fill("stream_event"), "success"]);
    });

    it("below debug, success_callback gets console for success alone: no handler for the other events", async () => {
      const { compileCallbacks, EVENTS } = await import("../core/callbacks/registry.ts");
      const { createBuiltin } = await import("../core/callbacks/builtins.ts");
      const compile = (level: string) => {
        const consoleLogger = createBuiltin("console", { level });
        return compileCallbacks([{ list: "success_callback", entries: ["console"] }], () => consoleLogger).async;
      };
      const count = (t: ReturnType<typeof compile>) => Object.fromEntries(EVENTS.map((e) => [e, t[e].length]));
      expect(count(compile("info"))).toEqual({ pre_api_call: 0, post_api_call: 0, stream_event: 0, success: 1, failure: 0 });
      expect(count(compile("debug"))).toEqual({ pre_api_call: 1, post_api_call: 1, stream_event: 1, success: 1, failure: 0 });
    });
  });

  it("colours only on a terminal, and never with NO_COLOR set", async () => {
    Object.defineProperty(process.stderr, "isTTY", { value: true, configurable: true });
    delete process.env.NO_COLOR;
    let r = await runtime();
    await ask(r, "fast");
    await r.flush();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toContain("\x1b[32msuccess\x1b[0m");
    await r.close();

    lines.length = 0;
    process.env.NO_COLOR = "1";
    r = await runtime();
    await ask(r, "fast");
    await r.flush();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).not.toContain("\x1b[");
  });
});

describe("console: json", () => {
  it("prints the standard record as one JSON line per event", async () => {
    const r = await runtime({ format: "json" });
    const res = await ask(r, "fast", { metadata: { team: "a", tags: ["t1"] } });
    await expect(ask(r, "fast", { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();
    const records = ours().map((l) => JSON.parse(l) as Record<string, any>);
    expect(records.map((x) => x.status)).toEqual(["success", "failure"]);
    // LiteLLM's record: the deployment as model, the alias as model_group, its own metadata keys (the caller's team is not one), tags as request_tags.
    expect(records[0]).toMatchObject({ id: res.id, model: "mock/x", model_group: "fast", request_tags: ["t1"], metadata: { user_api_key_hash: null } });
    expect(records[0]!.metadata).not.toHaveProperty("team");
    expect(records[0]!.prompt_tokens).toBe(res.usage!.prompt_tokens);
    expect(records[1]!.error_information).toMatchObject({ error_class: "RateLimitError", error_code: "429" });
  });
});

describe("the summary line", () => {
  it("is the one core/callbacks/summary.ts builds (its own tests are in summary.test.ts)", async () => {
    const { summaryLine } = await import("../core/callbacks/summary.ts");
    const r = await runtime();
    let record: never | undefined;
    await ask(r, "fast", { callbacks: [{ log_success_event: (k: { standard_logging_object: never }) => void (record = k.standard_logging_object) }] });
    await r.flush();
    expect(ours()).toEqual([summaryLine(record!)]);
    // The call's user is the console's to add: the record holds an end user only on the server.
    lines.length = 0;
    await ask(r, "fast", { user: "carol", callbacks: [{ log_success_event: (k: { standard_logging_object: never }) => void (record = k.standard_logging_object) }] });
    await r.flush();
    expect(ours()).toEqual([summaryLine(record!, {}, "carol")]);
  });
});
