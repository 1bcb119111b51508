import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { chat } from "../core/cli/chat.ts";
import { demo } from "../core/cli/demo.ts";
import { run } from "../core/cli/run.ts";
import { resetLitellm, useTempDir } from "./support/kit.ts";
import { tsArgs } from "./support/run-ts.ts";
import { typeChecker } from "./support/typecheck.ts";

const ROOT = resolve(".");
const MAIN = resolve("core/cli/main.ts");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source; stdin gets `input` and is closed, as a pipe that has said everything. */
function cli(args: string[], cwd: string, options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<Run> {
  return new Promise((done, fail) => {
    const env = { ...process.env, ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, tsArgs(MAIN, ...args), { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Runs a command in this process (no spawn: fast), capturing what it writes. */
async function inProcess(command: (argv: string[]) => number | Promise<number>, argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await command(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The summary line: the one format of the console built-in, chat and demo (its fields are tested in core/callbacks/summary.test.ts). */
const SUMMARY = /^\d\d:\d\d:\d\d\.\d{3} · (acompletion|completion|aembedding|embedding) · .+ · (success|failure \w+) · \d+ ms( \(first token \d+ ms\))? · in \d+ \/ out \d+ tokens · \$(\?|[\d.]+) · .*id [0-9a-f-]{36}( · error .*)?$/;
const summaries = (stderr: string) => stderr.split("\n").filter((l) => SUMMARY.test(l));

const tmp = useTempDir("litellm-cli-cmd-", { per: "suite" });

async function project(name: string, config: string): Promise<string> {
  const work = join(tmp.path, name);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, "litellm.config.yaml"), config);
  return work;
}

describe("litellm-runtime chat", () => {
  it("streams the answer to stdout, then one summary line on stderr: events, alias and model, tokens, cost, cache, latency", async () => {
    const work = await project(
      "chat-ok",
      `model_list:
  - model_name: quick
    litellm_params: { model: mock/quick, mock_response: "four short words here" }
`,
    );
    const r = await inProcess(chat, ["-m", "quick", "--config", join(work, "litellm.config.yaml"), "say something"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("four short words here\n");
    expect(r.stderr).toMatch(/^events: pre_api_call 1, post_api_call 1, stream_event \d+, success 1 \(\d+ events\)$/m);
    const lines = summaries(r.stderr);
    expect(lines).toHaveLength(1);
    // The deployment the router picked, after the alias; no cache configured, so no "cache miss".
    expect(lines[0]).toMatch(/ · acompletion · quick → mock\/quick · success · \d+ ms \(first token \d+ ms\) · in \d+ \/ out \d+ tokens · \$0 · id /);
    expect(lines[0]).not.toContain("cache");
  });

  it("names the deployment the router picked (not the alias under the provider), prices it, and says when the price is unknown", async () => {
    const work = await project(
      "chat-cost",
      `model_list:
  - model_name: priced
    litellm_params: { model: openai/gpt-4o-mini, mock_response: "a priced answer" }
  - model_name: unpriced
    litellm_params: { model: openai/no-such-model-anywhere, mock_response: "an unpriced answer" }
litellm_settings:
  cache: true
`,
    );
    const config = join(work, "litellm.config.yaml");
    const priced = await inProcess(chat, ["-m", "priced", "-c", config, "hi"]);
    expect(priced.code).toBe(0);
    expect(summaries(priced.stderr)[0]).toMatch(/ · priced → openai\/gpt-4o-mini · success · .* · \$0\.0*[1-9]\d{0,2} · cache miss · id /);
    const unpriced = await inProcess(chat, ["-m", "unpriced", "-c", config, "hi"]);
    expect(unpriced.code).toBe(0);
    expect(summaries(unpriced.stderr)[0]).toContain(" · unpriced → openai/no-such-model-anywhere · ");
    expect(summaries(unpriced.stderr)[0]).toContain(" · $? · cache miss · ");
  });

  it("reads the prompt from stdin when none is given", async () => {
    const r = await cli(["chat", "-m", "mock/echo"], tmp.path, { input: "a prompt from a pipe\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("a prompt from a pipe\n");
  });

  it("runs a mock model with no config anywhere (an empty config is used)", async () => {
    const empty = join(tmp.path, "no-config");
    await mkdir(empty, { recursive: true });
    const r = await cli(["chat", "-m", "mock/demo", "hello", "there"], empty);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello there\n");
    expect(summaries(r.stderr)[0]).toContain(" · acompletion · mock/demo · success · ");
  });

  it("a failing call: its code on stderr, the failure event counted, exit 1", async () => {
    const work = await project(
      "chat-fail",
      `model_list:
  - model_name: locked
    litellm_params: { model: mock/locked, mock_response: "litellm.AuthenticationError" }
`,
    );
    const r = await inProcess(chat, ["-m", "locked", "-c", join(work, "litellm.config.yaml"), "hi"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^events: pre_api_call 1, post_api_call 1, failure 1 \(3 events\)$/m);
    expect(summaries(r.stderr)).toHaveLength(1);
    expect(summaries(r.stderr)[0]).toMatch(/ · locked → mock\/locked · failure AuthenticationError · \d+ ms · in 0 \/ out 0 tokens · \$0 · id \S+ · error \[401\]: \S/);
  });

  it("an invalid config: every problem listed as validate does, exit 2", async () => {
    const work = await project("chat-bad", "model_list:\n  - model_name: a\n    litellm_params: { model: mock/a }\nlitellm_settings:\n  sucess_callback: []\n");
    const r = await inProcess(chat, ["-m", "a", "-c", join(work, "litellm.config.yaml"), "hi"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("1 problem in");
    expect(r.stderr).toContain("litellm.config.yaml:5:3 litellm_settings.sucess_callback");
    expect(r.stderr).toContain("[CONFIG_UNKNOWN_KEY]");
  });

  it("bad usage exits 2 with the short usage: no model, no prompt", async () => {
    const noModel = await inProcess(chat, ["hi"]);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toBe(`missing -m MODEL\nUsage: litellm-runtime chat [--config F] -m MODEL ["prompt"]\nrun \`litellm-runtime chat --help\` for more\n`);
    // stdin is a closed pipe: nothing to read.
    const noPrompt = await cli(["chat", "-m", "mock/x"], tmp.path);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain("missing the prompt");
  });

  it("prints the same line as the console built-in and demo, once, when the config logs to the console too", async () => {
    const work = await project(
      "chat-console",
      `model_list:
  - model_name: quick
    litellm_params: { model: mock/quick, mock_response: "fine" }
litellm_settings:
  callbacks: [console]
`,
    );
    const r = await inProcess(chat, ["-m", "quick", "-c", join(work, "litellm.config.yaml"), "hi"]);
    expect(r.code).toBe(0);
    expect(summaries(r.stderr)).toHaveLength(1);
    const d = await inProcess(demo, ["hello"]).finally(() => resetLitellm());
    expect(d.code).toBe(0);
    const demoLines = d.stderr.trim().split("\n");
    expect(demoLines.map((l) => l.split(" · ")[1])).toEqual(["pre_api_call", "post_api_call", "acompletion"]);
    expect(summaries(d.stderr)).toEqual([demoLines[2]]);
    expect(demoLines[2]).toMatch(/ · acompletion · mock\/demo · success · \d+ ms \(first token \d+ ms\) · in \d+ \/ out \d+ tokens · \$0 · id /);
  });
});

describe("litellm-runtime init", () => {
  // The handler imports "litellm-runtime", which resolves to dist/ through the package's exports (built by the global setup).
  beforeAll(() => {
    expect(existsSync(join(ROOT, "dist/core/index.js")), "npm run build must produce dist/core/index.js").toBe(true);
  });

  it("writes a config and a handler that validate with no environment set, and run as written", async () => {
    const work = join(tmp.path, "init-app");
    const made = await cli(["init", work], tmp.path);
    expect(made.code).toBe(0);
    // The package is not on the registry: the advice installs it from git or a packed tarball, never by name.
    expect(made.stdout).toContain("npm install git+https://<your git host>/litellm-runtime.git\n");
    expect(made.stdout).toMatch(/npm install \/path\/to\/litellm-runtime-\d+\.\d+\.\d+\.tgz\)/);
    expect(made.stdout).not.toMatch(/npm install litellm-runtime\b/);
    const config = await readFile(join(work, "litellm.config.yaml"), "utf8");
    expect(config.split("\n")[0]).toBe("# yaml-language-server: $schema=./node_modules/litellm-runtime/schemas/litellm.config.schema.json");
    expect(await readFile(join(work, "callbacks/my_handler.ts"), "utf8")).toContain('from "litellm-runtime"');

    await mkdir(join(work, "node_modules"), { recursive: true });
    await symlink(ROOT, join(work, "node_modules/litellm-runtime"), "dir");
    const env = { OPENAI_API_KEY: undefined };
    const valid = await cli(["validate"], work, { env });
    expect(valid.stderr).toBe("");
    expect(valid.stdout).toContain("ok:");
    expect(valid.stdout).toContain("2 models: demo, gpt-4o-mini");
    expect(valid.code).toBe(0);

    const chat = await cli(["chat", "-m", "demo", "Hello"], work, { env });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe("Hello from litellm-runtime's built-in mock model.\n");
    // The generated handler ran, with the cost, and the console built-in logged the call.
    // The record's model is the deployment (LiteLLM's): the alias demo is served by mock/demo.
    expect(chat.stderr).toMatch(/\[my_handler\] ok demo \(mock\/demo\) \d+ ms, \d+ tokens, \$0\.000000/);
    expect(chat.stderr).toMatch(/ · demo → mock\/demo · success · /);
    expect(summaries(chat.stderr)).toHaveLength(1);
  });

  it("the handler it writes type-checks under strict TypeScript against the package's types", async () => {
    const work = join(tmp.path, "init-typed");
    expect((await cli(["init", work], tmp.path)).code).toBe(0);
    await mkdir(join(work, "node_modules"), { recursive: true });
    await symlink(ROOT, join(work, "node_modules/litellm-runtime"), "dir");
    await writeFile(join(work, "package.json"), '{ "type": "module" }\n');
    typeChecker()(work, ["callbacks/my_handler.ts"], { module: "nodenext", moduleResolution: "nodenext", noImplicitOverride: true });
  }, 60_000);

  it("the schema modeline points at a file the package ships", () => {
    const files = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).files as string[];
    expect(files).toContain("schemas");
    expect(existsSync(join(ROOT, "schemas/litellm.config.schema.json"))).toBe(true);
  });

  it("refuses to overwrite, naming the files, unless --force", async () => {
    const work = join(tmp.path, "init-twice");
    expect((await cli(["init"], await mkdir(work, { recursive: true }).then(() => work))).code).toBe(0);
    await writeFile(join(work, "litellm.config.yaml"), "# mine\n");
    const again = await cli(["init", work], tmp.path);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(join(work, "litellm.config.yaml"));
    expect(again.stderr).toContain(join(work, "callbacks", "my_handler.ts"));
    expect(await readFile(join(work, "litellm.config.yaml"), "utf8")).toBe("# mine\n");
    const forced = await cli(["init", work, "--force"], tmp.path);
    expect(forced.code).toBe(0);
    expect(await readFile(join(work, "litellm.config.yaml"), "utf8")).toContain("model_name: demo");
  });
});

describe("help, version and bad usage", () => {
  const commands = ["serve", "chat", "validate", "init", "schema", "demo"];

  it.each(commands)("%s --help prints its usage and exits 0", async (command) => {
    const r = await inProcess(run, [command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: litellm-runtime ${command}`);
    expect(r.stdout).toContain("--help");
  });

  it.each(commands)("%s with an unknown flag exits 2 with its short usage, not the whole help", async (command) => {
    const r = await inProcess(run, [command, "--frobnicate"]);
    expect(r.code).toBe(2);
    const [message, usage, more, ...rest] = r.stderr.split("\n");
    expect(message).toBe("unknown option --frobnicate");
    expect(usage).toMatch(new RegExp(`^Usage: litellm-runtime ${command}\\b`));
    expect(more).toBe(`run \`litellm-runtime ${command} --help\` for more`);
    expect(rest).toEqual([""]);
  });

  it("a misspelt command or option gets a suggestion, the short usage and exit 2; never parseArgs's own message", async () => {
    const serv = await inProcess(run, ["serv"]);
    expect(serv.code).toBe(2);
    expect(serv.stderr).toBe(
      'unknown command "serv"; did you mean "serve"?\n' +
        "Usage: litellm-runtime <command> [options]   (commands: serve, chat, validate, init, schema, demo)\n" +
        "run `litellm-runtime --help` for more\n",
    );
    const prot = await inProcess(run, ["serve", "--prot", "4000"]);
    expect(prot.code).toBe(2);
    expect(prot.stderr).toBe(
      "unknown option --prot; did you mean --port?\n" +
        "Usage: litellm-runtime serve [--config F] [--host H] [--port N] [--watch | --no-watch] [--open]\n" +
        "run `litellm-runtime serve --help` for more\n",
    );
    const modle = await inProcess(run, ["chat", "--modle", "mock/x", "hi"]);
    expect(modle.code).toBe(2);
    expect(modle.stderr).toMatch(/^unknown option --modle; did you mean --model\?\nUsage: litellm-runtime chat /);
    const noValue = await inProcess(run, ["chat", "-m"]);
    expect(noValue.stderr).toMatch(/^option -m needs a value\n/);
    const flagValue = await inProcess(run, ["init", "--force=yes"]);
    expect(flagValue.stderr).toMatch(/^option --force takes no value\n/);
    for (const r of [serv, prot, modle, noValue, flagValue]) expect(r.stderr).not.toMatch(/To specify a positional|argument missing|Unknown option '/);
  });

  it("the top-level --help lists every command; --version prints the package's", async () => {
    const help = await inProcess(run, ["--help"]);
    expect(help.code).toBe(0);
    for (const c of commands) expect(help.stdout).toContain(`litellm-runtime ${c}`);
    const version = await inProcess(run, ["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  });

  it("an unknown top-level option or no command exits 2 with the usage", async () => {
    const option = await inProcess(run, ["--verison"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^unknown option --verison; did you mean --version\?\nUsage: litellm-runtime <command>/);
    const none = await inProcess(run, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("missing a command");
  });

  it("the built CLI runs: exit codes reach the shell", async () => {
    const bad = await cli(["serv"], tmp.path);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('did you mean "serve"?');
  });
});
