import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { standardLoggingObject } from "../core/callbacks/standard-logging.ts";
import { summaryLine } from "../core/callbacks/summary.ts";
import { parseYaml } from "../core/config/parse.ts";
import { ModuleLoader, type RefContext } from "../core/config/modules.ts";
import { CONFIG_ERROR_CODES } from "../core/errors.ts";
import { createRuntime, startServer, validateConfig, type Runtime } from "../core/index.ts";
import type { Where } from "../core/providers/http.ts";
import { transportError } from "../core/providers/http-failures.ts";
import type { CallbackKwargs } from "../core/types.ts";
import { startFakeCollector, type FakeCollector } from "./support/fake-collector.ts";
import { startFakeMixpanel, type FakeMixpanel } from "./support/fake-mixpanel.ts";
import { useTempDir } from "./support/kit.ts";

// The small items of the hardening issue: YAML scalars read as PyYAML reads them, aborted streams
// marked in every record, message grammar, module errors placed in the user's source, and an empty master_key.

const tmp = useTempDir("litellm-small-");
afterEach(() => {
  vi.restoreAllMocks();
});

describe("YAML scalars as PyYAML reads them", () => {
  // [scalar, value]: PyYAML 6's resolver (yaml/resolver.py) gives the same, except where a comment says otherwise.
  const TABLE: Array<[string, unknown]> = [
    // An exponent needs digits before it: these are names, not numbers (yaml's 1.1 schema made them NaN).
    ["e500", "e500"],
    ["e5", "e5"],
    ["E10", "E10"],
    ["1e", "1e"],
    // PyYAML's float: digits, a dot, and an exponent only with a sign.
    ["1.5e+3", 1500],
    ["1.5e-3", 0.0015],
    ["1.", 1],
    [".5", 0.5],
    ["-.5", "-.5"], // PyYAML: a sign is not allowed before a leading dot
    [".", "."],
    ["._", "._"],
    ["1:30.5", 90.5], // base 60
    [".inf", Infinity],
    ["-.Inf", -Infinity],
    ["nan", "nan"],
    // Not PyYAML: digits then an exponent are a number here (PyYAML: the strings "1e5", "1e-6", ...),
    // since a price written as 1e-6 must not become a string that leaves calls unpriced.
    ["1e5", 100000],
    ["1e-6", 0.000001],
    ["1E+5", 100000],
    ["1.5e3", 1500],
    // PyYAML's int: underscores, 0x, 0b, YAML 1.1 octal (0o is YAML 1.2: a string), base 60 from 1-9.
    ["1_000", 1000],
    ["1__0", 10],
    ["0x1F", 31],
    ["-0x1F", -31],
    ["0b101", 5],
    ["017", 15],
    ["0o17", "0o17"],
    ["09", "09"],
    ["00", 0],
    ["-0", 0],
    ["+1", 1],
    ["1:30", 90],
    ["-1:30", -90],
    ["0:30", "0:30"],
    ["0x_", "0x_"], // PyYAML fails to load this one; a string is kinder
    // Booleans and nulls.
    ["True", true],
    ["yes", true],
    ["on", true],
    ["Off", false],
    ["y", "y"],
    ["n", "n"],
    ["~", null],
    ["null", null],
    ["NULL", null],
    ["", null],
    ["2024-05-01", "2024-05-01"], // a date stays a string: a config value is JSON data
  ];

  it.each(TABLE)("%j reads as %j", (scalar, value) => {
    const { data } = parseYaml(`value: ${scalar}\n`, null) as { data: { value: unknown } };
    expect(data.value).toEqual(value);
  });

  it("a model named e500 loads, with its name", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, ["model_list:", "  - model_name: e500", "    litellm_params:", "      model: mock/e5", "      mock_response: hi"].join("\n"));
    const result = await validateConfig(file);
    expect(result.errors).toEqual([]);
    expect(result.models).toEqual(["e500"]);
  });
});

describe("stream_aborted in the standard record and every built-in", () => {
  let collector: FakeCollector;
  let mixpanel: FakeMixpanel;
  let rt: Runtime | undefined;

  afterEach(async () => {
    await rt?.close();
    rt = undefined;
    await collector?.close();
    await mixpanel?.close();
  });

  it("a consumer that stops early is logged as aborted by file, webhook, mixpanel and console; a whole stream is not", async () => {
    collector = await startFakeCollector();
    mixpanel = await startFakeMixpanel({ token: "mp-token" });
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
    rt = await createRuntime({
      cwd: tmp.path,
      config: {
        model_list: [{ model_name: "fast", litellm_params: { model: "mock/x", mock_response: "one two three four five six" } }],
        litellm_settings: { success_callback: ["file", "webhook", "mixpanel", "console"] },
        callback_settings: { webhook: { url: collector.url, flush_interval: 60_000 }, mixpanel: { token: "mp-token", api_host: mixpanel.url, flush_interval: 60_000 } },
      },
    });
    const stream = async (stopAfter: number) => {
      const chunks = (await rt!.acompletion({ model: "fast", messages: [{ role: "user", content: "hi" }], stream: true })) as AsyncIterable<unknown>;
      let n = 0;
      for await (const _ of chunks) if (++n >= stopAfter) break;
    };
    await stream(1);
    await stream(Infinity);
    await rt.flush();

    const lines = readFileSync(join(tmp.path, "logs", "litellm-events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((r) => [r.status, r.stream, r.stream_aborted])).toEqual([
      ["success", true, true],
      ["success", true, false],
    ]);
    expect(collector.events.map((e) => e.stream_aborted)).toEqual([true, false]);
    expect(mixpanel.accepted.map((e) => e.properties.stream_aborted)).toEqual([true, false]);
    const summaries = stderr.join("").split("\n").filter((l) => l.includes(" · fast → mock/x · "));
    expect(summaries).toHaveLength(2);
    expect(summaries[0]).toContain(" · success (stream aborted) · ");
    expect(summaries[1]).toContain(" · success · ");
  });

  it("the record says stream_aborted false for a call that was not a stream, and the summary line stays as it was", () => {
    const kwargs = {
      litellm_call_id: "c1",
      litellm_trace_id: "c1",
      call_type: "acompletion",
      stream: false,
      model: "mock/x",
      messages: [],
      optional_params: {},
      start_time: new Date(1_000),
      end_time: new Date(2_000),
      litellm_params: { model_group: "fast", custom_llm_provider: "mock", api_base: null, metadata: {}, litellm_model_name: "mock/x" },
    } as unknown as CallbackKwargs;
    const record = standardLoggingObject(kwargs, "success", null, false);
    expect(record.stream_aborted).toBe(false);
    expect(summaryLine(record)).toContain(" · success · ");
    expect(summaryLine({ ...record, stream: true, stream_aborted: true })).toContain(" · success (stream aborted) · ");
  });
});

describe("message grammar", () => {
  const where: Where = { provider: "openai", model: "gpt-x", url: "http://127.0.0.1:9/v1/chat/completions", timeoutMs: 2_000, hasKey: true, baseHint: '"api_base"' };
  const timeout = (code: string) => transportError(Object.assign(new Error("timeout"), { code }), where, false, false).message;

  it("timeouts say what did not arrive, in English", () => {
    expect(timeout("UND_ERR_HEADERS_TIMEOUT")).toBe(`openai: no answer from ${where.url} within 2 s. Raise "timeout" (seconds) if the model is just slow.`);
    expect(timeout("UND_ERR_CONNECT_TIMEOUT")).toMatch(/^openai: no connection to http:\S+ within 2 s\./);
    expect(timeout("UND_ERR_BODY_TIMEOUT")).toMatch(/^openai: the rest of the answer from http:\S+ did not arrive within 2 s\./);
  });

  it("no message in the runtime's source says 'no an', 'a an' or counts with a bare `${n} events`", () => {
    const files = ["core/providers/http.ts", "core/providers/http-failures.ts", "core/callbacks/dispatcher.ts", "builtin-callbacks/delivery.ts", "builtin-callbacks/file-writer.ts", "core/providers/anthropic/http.ts"];
    for (const file of files) {
      const text = readFileSync(join(import.meta.dirname, "..", file), "utf8");
      expect(text, file).not.toMatch(/\b(?:no an|a an) /);
      expect(text, file).not.toMatch(/\$\{[\w.]+\} (?:events|lines|tasks|attempts)\b/);
    }
  });
});

describe("module errors are placed in the user's source", () => {
  const ctx = (): RefContext => ({
    dir: tmp.path,
    path: "litellm_settings.callbacks[0]",
    loc: { file: join(tmp.path, "litellm.config.yaml"), line: 3, col: 5 },
    list: "callbacks",
    builtin: () => undefined,
    options: () => ({}),
  });
  const failure = (spec: string) =>
    new ModuleLoader().load(spec, ctx()).then(
      () => "loaded",
      (e: unknown) => (e as Error).message,
    );

  it("a throw on the first line, after an import (jiti's wrapper and the import rewrite share that line)", async () => {
    await writeFile(join(tmp.path, "dep.ts"), "export const limit: number = 3;\n");
    const line = 'import { limit } from "./dep.ts"; const n: number = limit as number; throw new Error(`limit ${n}`);\n';
    await writeFile(join(tmp.path, "first.ts"), line);
    expect(await failure("./first.ts")).toContain(`failed to load: limit 3 (first.ts:1:${line.indexOf("new Error") + 1})`);
  });

  it("a constructor that throws, in a class with typed members", async () => {
    const source = [
      "export default class Audit {",
      "  private readonly target: string | undefined;",
      "  constructor(options: Record<string, unknown> = {}) { this.target = options.target as string | undefined; if (!this.target) throw new TypeError('Audit needs options.target'); }",
      "  log_success_event(): void {}",
      "}",
    ];
    await mkdir(join(tmp.path, "callbacks"));
    await writeFile(join(tmp.path, "callbacks", "audit.ts"), source.join("\n"));
    const col = source[2]!.indexOf("new TypeError") + 1;
    expect(await failure("./callbacks/audit.ts")).toContain(`new Audit(options) threw: TypeError: Audit needs options.target (callbacks/audit.ts:3:${col})`);
  });
});

describe('master_key: "" is a config error', () => {
  const saved = process.env.LITELLM_SMALL_TEST_MASTER_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.LITELLM_SMALL_TEST_MASTER_KEY;
    else process.env.LITELLM_SMALL_TEST_MASTER_KEY = saved;
  });

  const config = (masterKey: string) => ["model_list:", "  - model_name: fast", "    litellm_params:", "      model: mock/x", "general_settings:", `  master_key: ${masterKey}`, ""].join("\n");

  it.each([
    ["written empty", '""'],
    ["blank", '"   "'],
    ["from os.environ/ set to an empty string", "os.environ/LITELLM_SMALL_TEST_MASTER_KEY"],
    ["from ${NAME} set to an empty string", "${LITELLM_SMALL_TEST_MASTER_KEY}"],
  ])("%s: located, with what to do", async (_, value) => {
    process.env.LITELLM_SMALL_TEST_MASTER_KEY = "";
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, config(value));
    const result = await validateConfig(file);
    expect(result.valid).toBe(false);
    expect(result.errors.map((e) => ({ code: e.code, path: e.path, file: e.file, line: e.line, col: e.col }))).toEqual([
      { code: CONFIG_ERROR_CODES.invalidValue, path: "general_settings.master_key", file, line: 6, col: 3 },
    ]);
    expect(result.errors[0]!.message).toMatch(/^master_key is empty: remove it to run without authentication \(loopback only\), or set a key\./);
  });

  it("startServer({ masterKey: \"\" }) refuses it too, naming what to pass instead", async () => {
    const rt = await createRuntime({ cwd: tmp.path, config: { model_list: [{ model_name: "fast", litellm_params: { model: "mock/x" } }] } });
    try {
      await expect(startServer(rt, { port: 0, masterKey: " " })).rejects.toThrow(/masterKey is empty: pass null \(or leave it out\)/);
    } finally {
      await rt.close();
    }
  });

  it("a runtime does not start with it, and a set key still loads", async () => {
    await expect(createRuntime({ cwd: tmp.path, config: { general_settings: { master_key: "" } } })).rejects.toMatchObject({ code: CONFIG_ERROR_CODES.invalidValue });
    process.env.LITELLM_SMALL_TEST_MASTER_KEY = "sk-small-test";
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, config("os.environ/LITELLM_SMALL_TEST_MASTER_KEY"));
    expect((await validateConfig(file)).errors).toEqual([]);
  });
});
