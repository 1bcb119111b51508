import { spawn } from "node:child_process";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createRuntime, type Runtime } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../test/support/fake-openai.ts";
import { tsArgs } from "../test/support/run-ts.ts";
import { FileLogger, openWriterCount } from "./file.ts";

// The file built-in through real runtimes, writing real files in a temp dir.

let dir: string;
let runtimes: Runtime[];
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "litellm-file-"));
  runtimes = [];
});
afterEach(async () => {
  for (const r of runtimes) await r.close();
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const PRICED = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 };

function config(file?: Record<string, unknown>, litellm_settings: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    model_list: [{ model_name: "fast", litellm_params: { model: "mock/x", mock_response: "hello there" }, model_info: PRICED }],
    litellm_settings: { callbacks: ["file"], ...litellm_settings },
    ...(file ? { callback_settings: { file } } : {}),
    ...extra,
  };
}

async function runtime(cfg: Record<string, unknown>): Promise<Runtime> {
  const r = await createRuntime({ cwd: dir, config: cfg });
  runtimes.push(r);
  return r;
}

const ask = (r: Runtime, extra: Record<string, unknown> = {}) => r.acompletion({ model: "fast", messages: [{ role: "user", content: "hi" }], ...extra });
// spend_logs_metadata is one of LiteLLM's record metadata keys: the caller's other keys stay out of the record.
const burst = (r: Runtime, n: number, from = 0) => Promise.all(Array.from({ length: n }, (_, i) => ask(r, { metadata: { spend_logs_metadata: { i: from + i } } })));
const indexOf = (x: Record<string, any>) => x.metadata.spend_logs_metadata.i;

/** The file's records; fails unless every line is whole JSON and the file ends with a newline. */
function records(path: string): Array<Record<string, any>> {
  const text = readFileSync(path, "utf8");
  if (text === "") return [];
  expect(text.endsWith("\n"), `${path} ends with a whole line`).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, any>);
}

const uniqueIds = (rs: Array<Record<string, any>>) => new Set(rs.map((r) => r.id)).size;

/** Captures stderr (the built-ins' reports) for the rest of the test. */
function captureStderr(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    out.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  });
  return out;
}

describe("file: records", () => {
  it("creates the default path under the config's folder, and flush() puts the line on disk", async () => {
    const r = await runtime(config());
    await ask(r);
    await r.flush();
    const rs = records(join(dir, "logs", "litellm-events.jsonl"));
    expect(rs).toHaveLength(1);
  });

  it("writes one standard record per success and per failure", async () => {
    const path = join(dir, "deep", "er", "events.jsonl");
    const r = await runtime(config({ path: "./deep/er/events.jsonl" }));
    const ok = await ask(r, { metadata: { team: "a", tags: ["a"] } });
    await expect(ask(r, { mock_response: "litellm.RateLimitError", metadata: { team: "b", tags: ["b"] } })).rejects.toThrow();
    await r.flush();
    const [s, f] = records(path);
    const u = ok.usage!;
    expect(s).toMatchObject({ id: ok.id, status: "success", model: "mock/x", model_group: "fast", prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens, request_tags: ["a"], cache_hit: false });
    expect(s!.response_cost).toBeCloseTo(u.prompt_tokens * 0.000001 + u.completion_tokens * 0.000002, 12);
    expect(s!.response.choices[0].message.content).toBe("hello there");
    expect(f).toMatchObject({ status: "failure", model_group: "fast", response_cost: 0, request_tags: ["b"], response: {}, error_information: { error_class: "RateLimitError", error_code: "429" } });
  });

  it("with turn_off_message_logging, messages and response are redacted in the file", async () => {
    const r = await runtime(config({ path: "e.jsonl" }, { turn_off_message_logging: true }));
    await ask(r, { messages: [{ role: "user", content: "my secret question" }] });
    await r.flush();
    const text = readFileSync(join(dir, "e.jsonl"), "utf8");
    // LiteLLM's redacted shapes: one user message, and the response with its content redacted.
    const [record] = records(join(dir, "e.jsonl"));
    expect(record!.messages).toEqual([{ role: "user", content: "redacted-by-litellm" }]);
    expect(record!.response.choices[0].message).toMatchObject({ role: "assistant", content: "redacted-by-litellm" });
    expect(text).not.toContain("my secret question");
    expect(text).not.toContain("hello there");
  });

  it("never writes an API key or the master key, on success or failure", async () => {
    const key = "sk-secret-abcdefghijklmnop";
    const master = "sk-master-qrstuvwxyz0123456";
    // A config runtime answers only its entries: a wildcard lets this call name its own OpenAI model.
    const wildcard = { model_name: "openai/*", litellm_params: { model: "openai/*" } };
    const r = await runtime(config({ path: "e.jsonl" }, {}, { general_settings: { master_key: master }, model_list: [wildcard] }));
    await r.acompletion({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }], api_base: fake.url, api_key: key });
    await expect(r.acompletion({ model: "openai/fail-401", messages: [{ role: "user", content: "hi" }], api_base: fake.url, api_key: key })).rejects.toThrow();
    await r.flush();
    expect(fake.requests.some((q) => q.headers.authorization === `Bearer ${key}`)).toBe(true);
    const text = readFileSync(join(dir, "e.jsonl"), "utf8");
    expect(records(join(dir, "e.jsonl")).map((x) => x.status)).toEqual(["success", "failure"]);
    for (const secret of ["sk-secret", "abcdefghijklmnop", "mnop", "sk-master", "qrstuvwxyz", "Bearer"]) expect(text).not.toContain(secret);
  });
});

describe("file: one writer per file", () => {
  it("500 concurrent calls give exactly 500 whole lines with unique ids", async () => {
    const r = await runtime(config({ path: "e.jsonl" }));
    await burst(r, 500);
    await r.flush();
    const rs = records(join(dir, "e.jsonl"));
    expect(rs).toHaveLength(500);
    expect(uniqueIds(rs)).toBe(500);
    expect(new Set(rs.map(indexOf)).size).toBe(500);
  });

  it("two runtimes on one path share one writer: 500 calls across both, 500 whole lines", async () => {
    expect(openWriterCount()).toBe(0);
    const a = await runtime(config({ path: "shared.jsonl" }));
    const b = await runtime(config({ path: resolve(dir, "shared.jsonl") }));
    expect(openWriterCount()).toBe(1);
    await Promise.all([burst(a, 250), burst(b, 250, 250)]);
    await Promise.all([a.flush(), b.flush()]);
    const rs = records(join(dir, "shared.jsonl"));
    expect(rs).toHaveLength(500);
    expect(uniqueIds(rs)).toBe(500);
    await a.close();
    expect(openWriterCount()).toBe(1); // b still holds it
    await b.close();
    expect(openWriterCount()).toBe(0);
  });

  it("a reload keeps appending to the same file, and no line is lost across it", async () => {
    const r = await createRuntime({ cwd: dir, config: config({ path: "e.jsonl" }), watch: false });
    runtimes.push(r);
    const before = burst(r, 100);
    const reloaded = r.reload();
    const during = burst(r, 100, 100);
    await Promise.all([before, during]);
    expect(await reloaded).toBe(true);
    expect(openWriterCount()).toBe(1);
    await burst(r, 100, 200);
    await r.flush();
    const rs = records(join(dir, "e.jsonl"));
    expect(rs).toHaveLength(300);
    expect(new Set(rs.map(indexOf)).size).toBe(300);
    expect(openWriterCount()).toBe(1);
  });
});

describe("file: rotation", () => {
  it("rotates between whole lines before a file would pass max_bytes, losing none", async () => {
    // Two or three records a file (LiteLLM's record of a mock call is about 3 KB).
    const maxBytes = 8000;
    const path = join(dir, "r.jsonl");
    const r = await runtime(config({ path: "r.jsonl", max_bytes: maxBytes, max_files: 50 }));
    await burst(r, 12);
    await r.flush();
    const files = [path, ...Array.from({ length: 50 }, (_, i) => `${path}.${i + 1}`)].filter((p) => existsSync(p));
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(existsSync(`${path}.1`)).toBe(true);
    for (const p of files) expect(statSync(p).size).toBeLessThanOrEqual(maxBytes);
    const all = files.flatMap((p) => records(p));
    expect(all).toHaveLength(12);
    expect(uniqueIds(all)).toBe(12);
  });

  it("with max_bytes, another process's rotation and lines are seen: it writes to the path's new file and rotates by its size", async () => {
    // What a second worker of `serve --num_workers N` does to the shared file, done here by hand.
    const path = join(dir, "r.jsonl");
    const r = await runtime(config({ path: "r.jsonl", max_bytes: 8000, max_files: 5 }));
    await burst(r, 1);
    await r.flush();
    const [first] = records(path);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${JSON.stringify({ litellm_call_id: "other", pad: "x".repeat(6000) })}\n`);
    await burst(r, 1, 1);
    await r.flush();
    // The other process's file was nearly full: rotated once (not twice), the new line alone in the new file.
    expect(records(`${path}.2`).map((l) => l.litellm_call_id)).toEqual([first!.litellm_call_id]);
    expect(records(`${path}.1`).map((l) => l.litellm_call_id)).toEqual(["other"]);
    expect(records(path)).toHaveLength(1);
    expect(records(path)[0]!.litellm_call_id).not.toBe(first!.litellm_call_id);
    expect(existsSync(`${path}.3`)).toBe(false);
  });

  it("keeps only max_files rotated files", async () => {
    const path = join(dir, "r.jsonl");
    const r = await runtime(config({ path: "r.jsonl", max_bytes: 2000, max_files: 2 }));
    await burst(r, 30);
    await r.flush();
    expect([existsSync(`${path}.1`), existsSync(`${path}.2`), existsSync(`${path}.3`)]).toEqual([true, true, false]);
    for (const p of [path, `${path}.1`, `${path}.2`]) expect(records(p).length).toBeGreaterThan(0);
  });
});

describe("file: write errors", () => {
  it("reports once with the path, keeps the lines, and writes them when the path is fixed", async () => {
    const stderr = captureStderr();
    const path = join(dir, "blocked.jsonl");
    await mkdir(path); // a folder where the file should be: EISDIR, as root cannot be denied a permission
    const r = await runtime(config({ path: "blocked.jsonl" }));
    await expect(burst(r, 5)).resolves.toHaveLength(5);
    await r.flush();
    await burst(r, 5, 5);
    await r.flush();
    const reports = stderr.filter((l) => l.includes("[FILE_WRITE_FAILED]"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(path);
    expect(reports[0]).toContain("EISDIR");

    await rm(path, { recursive: true });
    // No flush here: the writer's own retry must deliver.
    await vi.waitFor(() => expect(existsSync(path) && records(path).length).toBe(10), { timeout: 10_000, interval: 50 });
    expect(new Set(records(path).map(indexOf)).size).toBe(10);
    expect(stderr.filter((l) => l.includes(`writing ${path} again`))).toHaveLength(1);
  });
});

describe("file: the logger on its own", () => {
  const event = (id: number) => ({ standard_logging_object: { id: `e-${id}`, status: "success" } }) as never;

  it("keeps at most 10,000 lines in an outage, dropping the oldest and saying how many on recovery", async () => {
    const stderr = captureStderr();
    const path = join(dir, "b.jsonl");
    await mkdir(path);
    const logger = new FileLogger({ path: "b.jsonl" }, { dir });
    for (let i = 0; i < 10_005; i++) logger.log_success_event(event(i));
    await logger.flush();
    await rm(path, { recursive: true });
    await logger.close();
    const rs = records(path);
    expect(rs).toHaveLength(10_000);
    expect([rs[0]!.id, rs.at(-1)!.id]).toEqual(["e-5", "e-10004"]);
    expect(stderr.filter((l) => l.includes("5 oldest lines were dropped"))).toHaveLength(1);
  });

  it("an event that reaches a closed logger (a straggler of a retired config) is still written", async () => {
    const logger = new FileLogger({ path: "s.jsonl" }, { dir });
    logger.log_success_event(event(1));
    await logger.close();
    expect(openWriterCount()).toBe(0);
    logger.log_success_event(event(2));
    expect(records(join(dir, "s.jsonl")).map((r) => r.id)).toEqual(["e-1", "e-2"]);
    expect(openWriterCount()).toBe(0);
  });
});

describe("file: process exit", () => {
  const N = 200;
  const script = (core: string) => `
import { createRuntime, CustomLogger } from ${JSON.stringify(core)};
const [path, mode] = process.argv.slice(2);
const N = ${N};
function finish() {
  if (mode === "exit") process.exit(0);
  if (mode === "owned") process.on("SIGTERM", () => { process.stdout.write("own handler\\n"); setTimeout(() => process.exit(7), 20); });
  process.kill(process.pid, "SIGTERM");
}
// Runs after the file built-in on each event: at the last one, its line is still pending in the writer.
class Last extends CustomLogger {
  seen = 0;
  override log_success_event() { if (++this.seen === N) finish(); }
}
const last = new Last();
const rt = await createRuntime({ cwd: process.cwd(), config: {
  model_list: [{ model_name: "m", litellm_params: { model: "mock/x", mock_response: "ok" } }],
  litellm_settings: { callbacks: ["file"] },
  callback_settings: { file: { path } },
} });
await Promise.all(Array.from({ length: N }, (_, i) => rt.acompletion({ model: "m", messages: [{ role: "user", content: "hi" }], metadata: { i }, callbacks: [last] })));
setInterval(() => {}, 1000); // only the exit or the signal ends this process
`;

  async function run(mode: "exit" | "sigterm" | "owned") {
    const file = join(dir, "child.ts");
    await writeFile(file, script(resolve("core/index.ts")));
    const child = spawn(process.execPath, tsArgs(file, join(dir, "out.jsonl"), mode), { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on("exit", (c, s) => done([c, s])));
    return { code, signal, stdout, stderr, records: records(join(dir, "out.jsonl")) };
  }

  it("process.exit(): the exit handler writes what is pending", async () => {
    const out = await run("exit");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.records).toHaveLength(N);
    expect(uniqueIds(out.records)).toBe(N);
  });

  it("SIGTERM with no other listener: lines written, then the process dies of the signal as it would have", async () => {
    const out = await run("sigterm");
    expect(out.signal).toBe("SIGTERM");
    expect(out.records).toHaveLength(N);
  });

  it("SIGTERM with the application's own listener: lines written, and the application decides how to end", async () => {
    const out = await run("owned");
    expect(out.stdout).toContain("own handler");
    expect([out.code, out.signal]).toEqual([7, null]);
    expect(out.records).toHaveLength(N);
  });
});
