import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime } from "../core/index.ts";
import { formatCost, formatRecord } from "./console.ts";

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

/** Lines the console built-in wrote (an ISO time first, or a JSON object). */
const ours = () => lines.filter((l) => /^(\x1b\[2m)?\d{4}-\d\d-\d\dT/.test(l) || l.startsWith("{"));

describe("console: text", () => {
  it("prints one readable line per success: time, status, model and alias, latency, tokens, cost, cache", async () => {
    const r = await runtime();
    const res = await ask(r, "fast");
    await r.flush();
    expect(ours()).toHaveLength(1);
    const line = ours()[0]!;
    const { prompt_tokens, completion_tokens } = res.usage!;
    expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z success fast \d+ms /);
    expect(line).toContain(` tokens ${prompt_tokens}/${completion_tokens} `);
    expect(line).toContain(` ${formatCost(prompt_tokens * 0.000001 + completion_tokens * 0.000002)} `);
    expect(line).toMatch(/ cache miss$/);
    expect(line).not.toContain("\x1b[");
  });

  it('says "cost ?" when the price is unknown', async () => {
    const r = await runtime();
    await ask(r, "unpriced");
    await r.flush();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toContain(" cost ? ");
  });

  it("prints a failure with the error class and message, on one line", async () => {
    const r = await runtime();
    await expect(ask(r, "fast", { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatch(/ failure fast \d+ms tokens 0\/0 \$0 cache miss RateLimitError: \S/);
  });

  it("level error prints failures only; level debug adds the pre and post API call lines", async () => {
    let r = await runtime({ level: "error" });
    await ask(r, "fast");
    await expect(ask(r, "fast", { mock_response: "litellm.Timeout" })).rejects.toThrow();
    await r.flush();
    expect(ours().map((l) => l.split(" ")[1])).toEqual(["failure"]);
    await r.close();

    lines.length = 0;
    r = await runtime({ level: "debug" });
    await ask(r, "fast");
    await r.flush();
    expect(ours().map((l) => l.split(" ")[1])).toEqual(["pre_api_call", "post_api_call", "success"]);
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
    const res = await ask(r, "fast", { metadata: { team: "a" } });
    await expect(ask(r, "fast", { mock_response: "litellm.RateLimitError" })).rejects.toThrow();
    await r.flush();
    const records = ours().map((l) => JSON.parse(l) as Record<string, any>);
    expect(records.map((x) => x.status)).toEqual(["success", "failure"]);
    expect(records[0]).toMatchObject({ id: expect.any(String), model: "fast", model_group: "fast", metadata: { team: "a" } });
    expect(records[0]!.prompt_tokens).toBe(res.usage!.prompt_tokens);
    expect(records[1]!.error_information).toMatchObject({ error_class: "RateLimitError" });
  });
});

describe("formatRecord and formatCost", () => {
  it("names the alias beside the model when they differ, and keeps a multi-line error message on one line", () => {
    const base = { status: "failure", model: "gpt-4o", model_group: "fast", startTime: 1, endTime: 1.25, response_time: 0.25, prompt_tokens: 3, completion_tokens: 0, response_cost: 0, cache_hit: false };
    const line = formatRecord({ ...base, error_str: "a\n  b", error_information: { error_class: "Timeout", error_message: "a\n  b" } } as never, false);
    expect(line).toBe("1970-01-01T00:00:01.250Z failure gpt-4o (alias: fast) 250ms tokens 3/0 $0 cache miss Timeout: a b");
  });

  it("writes dollars without float noise, and a question mark for an unknown price", () => {
    expect(formatCost(null)).toBe("cost ?");
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.000021)).toBe("$0.000021");
    expect(formatCost(1.5)).toBe("$1.5");
    expect(formatCost(1e-12)).toBe("<$0.00000001");
  });
});
