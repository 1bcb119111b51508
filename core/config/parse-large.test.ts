import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError } from "../errors.ts";
import { parseInWorker } from "./parse-off-thread.ts";
import { isPlainContainer, isPlainScalar, OFF_THREAD_CHARS, parseFile, parseYaml, type ParsedFile } from "./parse.ts";

// A config above OFF_THREAD_CHARS parses in a worker thread: it must read exactly as the inline parse does.

const DIR = mkdtempSync(join(tmpdir(), "llrt-parse-large-"));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** `models` entries mixing what the parse must carry over: PyYAML scalars, quoting, anchors, merge keys, flow style, a `!!set`, wide characters. */
function largeConfig(models: number): string {
  const lines = ["defaults: &defaults", "  temperature: 0.5", "  max_tokens: 20_000", "shared: &shared {region: eu, tags: [a, b]}", "model_list:"];
  for (let i = 0; i < models; i++) {
    lines.push(
      `  - model_name: m${i}`,
      "    litellm_params:",
      i % 10 ? "      temperature: 0.5" : "      <<: *defaults", // yaml refuses hundreds of aliases (its maxAliasCount)
      `      model: ${i % 2 ? `mock/m${i}` : `'openai/gpt-${i}'`}`,
      `      api_base: "http://127.0.0.1:9/v${i}"`,
      "      api_key: ${KEY_" + i + "}",
      "      price: e500",
      "      input_cost_per_token: 1e-6",
      "      stream: yes",
      "      flag: y",
      "      at: 1:30",
      "      clock: 0:30",
      "      octal: 017",
      "      day: 2024-05-01",
      `      note: "héllo 😀 ${i}"`,
      "    model_info: {id: id-" + i + ", mode: chat, labels: [x, 'y', 3]}",
      `    extra: ${i % 50 === 0 ? "*shared" : "~"}`,
      `    members: ${i % 100 === 0 ? "!!set {p, q}" : "[]"}`,
      "    empty:",
    );
  }
  lines.push("litellm_settings:", "  callbacks: [console]", "  drop_params: True", "");
  return lines.join("\n");
}

/** 1-based line and column of `needle` in `text` (its first line holding it). */
function spotOf(text: string, needle: string): { line: number; col: number } {
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  expect(line).toBeGreaterThanOrEqual(0);
  return { line: line + 1, col: lines[line]!.indexOf(needle) + 1 };
}

function write(name: string, text: string): string {
  const file = join(DIR, name);
  writeFileSync(file, text);
  return file;
}

/** Every path under `data` with its position and plainness, walking plain objects and arrays as `locate` does. */
function positions({ data, locate }: ParsedFile): Array<[string, unknown, boolean]> {
  const out: Array<[string, unknown, boolean]> = [];
  const seen = new Set<object>();
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (node === null || typeof node !== "object" || seen.has(node) || !isPlainContainer(node)) return;
    seen.add(node);
    for (const key of Object.keys(node)) {
      const seg = Array.isArray(node) ? Number(key) : key;
      out.push([JSON.stringify([...path, seg]), locate([...path, seg]), isPlainScalar(node, key)]);
      walk((node as Record<string, unknown>)[key], [...path, seg]);
    }
  };
  walk(data, []);
  return out;
}

function thrown(run: () => unknown): Promise<ConfigError> {
  return Promise.resolve()
    .then(run)
    .then(
      () => expect.unreachable("expected a ConfigError"),
      (err: unknown) => {
        expect(err).toBeInstanceOf(ConfigError);
        return err as ConfigError;
      },
    );
}

const TEXT = largeConfig(300);
const FILE = write("litellm.config.yaml", TEXT);
let parsedInWorker: Promise<ParsedFile> | undefined;
/** The worker's parse of TEXT, made once for the tests that only read it. */
const inWorker = (): Promise<ParsedFile> => (parsedInWorker ??= parseInWorker(TEXT, FILE));

describe("parsing a large config off the main thread", () => {
  it("is large enough to leave the main thread", () => {
    expect(TEXT.length).toBeGreaterThan(OFF_THREAD_CHARS);
  });

  it("gives the inline parse's data, positions and plain flags", async () => {
    const inline = parseYaml(TEXT, FILE);
    for (const parsed of [await inWorker(), await parseFile(FILE)]) {
      expect(parsed.data).toEqual(inline.data);
      expect(positions(parsed)).toEqual(positions(inline));
    }
  });

  it("keeps shared objects shared and locates keys written late in the file", async () => {
    const { data, locate } = await inWorker();
    const models = (data as { model_list: Array<{ extra: unknown }> }).model_list;
    expect(models[50]!.extra).toBe((data as { shared: unknown }).shared);
    expect(locate(["model_list", 299, "litellm_params", "note"])).toEqual({ file: FILE, ...spotOf(TEXT, 'note: "héllo 😀 299"') });
    expect(locate(["model_list", 299, "model_info", "labels", 2])).toEqual({ file: FILE, line: spotOf(TEXT, "id: id-299,").line, col: 59 }); // the 3 of [x, 'y', 3]
    expect(locate(["model_list", 100, "members", "q"])).toEqual({ file: FILE, line: spotOf(TEXT, "model_name: m100").line + 17, col: 24 });
    expect(locate(["litellm_settings", "drop_params"])).toEqual({ file: FILE, ...spotOf(TEXT, "drop_params") });
  });

  it("reads scalars as PyYAML does", async () => {
    const { data } = await inWorker();
    const params = (data as { model_list: Array<{ litellm_params: Record<string, unknown> }> }).model_list[7]!.litellm_params;
    expect(params).toEqual({
      temperature: 0.5,
      model: "mock/m7",
      api_base: "http://127.0.0.1:9/v7",
      api_key: "${KEY_7}",
      price: "e500",
      input_cost_per_token: 0.000001,
      stream: true,
      flag: "y",
      at: 90,
      clock: "0:30",
      octal: 15,
      day: "2024-05-01",
      note: "héllo 😀 7",
    });
  });

  it("reports a syntax error late in the file at the same file:line:col as the inline parse", async () => {
    const lines = TEXT.split("\n");
    lines.splice(spotOf(TEXT, "model_name: m250").line + 1, 0, "      model: duplicate"); // a key repeated inside model 250
    lines.splice(spotOf(TEXT, "model_name: m280").line, 0, "  - model_name: [unclosed");
    const text = lines.join("\n");
    const file = write("broken.yaml", text);
    const inline = await thrown(() => parseYaml(text, file));
    expect(inline.issues.length).toBeGreaterThanOrEqual(2);
    for (const err of [await thrown(() => parseInWorker(text, file)), await thrown(() => parseFile(file))]) {
      expect(err.issues).toEqual(inline.issues);
      expect(err.message).toBe(inline.message);
      expect(err.file).toBe(file);
    }
    expect(inline.issues[0]).toMatchObject({ code: "CONFIG_PARSE", file, ...spotOf(text, "model: 'openai/gpt-250'") }); // the second "model"
  });

  it("finds its worker from the build in dist/ too", async () => {
    const built = pathToFileURL(resolve(import.meta.dirname, "../../dist/core/config/parse-off-thread.js")).href;
    const { parseInWorker: fromDist } = (await import(built)) as typeof import("./parse-off-thread.ts");
    const parsed = await fromDist(TEXT, FILE);
    expect(parsed.data).toEqual(parseYaml(TEXT, FILE).data);
    expect(parsed.locate(["model_list", 299, "litellm_params", "note"])).toEqual({ file: FILE, ...spotOf(TEXT, 'note: "héllo 😀 299"') });
  });
});
