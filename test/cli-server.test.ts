import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { useTempDir } from "./support/kit.ts";
import { spawnServe, type ServeProcess } from "./support/serve-process.ts";


type Serve = ServeProcess;

const running: Serve[] = [];

function serve(args: string[], cwd: string): Serve {
  const s = spawnServe(args, cwd);
  running.push(s);
  return s;
}

/**
 * Repeats `edit` until `stream` matches `pattern`: the file watcher starts
 * in the background, so an edit made just after start-up may go unseen.
 */
async function editUntil(s: Serve, edit: () => Promise<void>, stream: "stdout" | "stderr", pattern: RegExp): Promise<void> {
  const seen = s.waitFor(stream, pattern);
  let done = false;
  void seen.then(() => (done = true), () => undefined);
  while (!done) {
    await edit();
    await Promise.race([seen, new Promise((r) => setTimeout(r, 1000))]);
  }
}

/** The base URL the start-up line announces (`--port 0` picks a free port). */
async function baseUrl(s: Serve): Promise<string> {
  const [, url] = await s.waitFor("stdout", /serving (http:\/\/\S+)/);
  return url!;
}

const tmp = useTempDir("litellm-cli-serve-", { per: "suite" });
afterEach(() => {
  for (const s of running.splice(0)) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
});

async function project(name: string, config: string): Promise<string> {
  const work = join(tmp.path, name);
  await mkdir(work, { recursive: true });
  await writeFile(join(work, "litellm.config.yaml"), config);
  return work;
}

const SLOW_TEXT = "one two three four five six seven eight nine ten";

const CONFIG = `model_list:
  - model_name: demo
    litellm_params: { model: mock/demo, mock_response: "served through the command line" }
  - model_name: slow
    litellm_params: { model: mock/slow, mock_response: "${SLOW_TEXT}", mock_delay: 50 }
litellm_settings:
  success_callback: [file]
callback_settings:
  file: { path: ./events.jsonl }
general_settings:
  shutdown_grace_seconds: 10
`;

describe("litellm-runtime serve", () => {
  it("serves the config to the openai client; SIGTERM mid-stream lets the stream finish, flushes the callbacks and exits 0", async () => {
    const work = await project("graceful", CONFIG);
    const s = serve(["--port", "0"], work);
    const url = await baseUrl(s);
    expect(s.out.stdout).toContain("models: demo, slow");
    expect(s.out.stdout).toContain("no master_key");
    expect(s.out.stdout.trim().split("\n")).toHaveLength(1);

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const res = await client.chat.completions.create({ model: "demo", messages: [{ role: "user", content: "hi" }] });
    expect(res.choices[0]!.message.content).toBe("served through the command line");

    const stream = await client.chat.completions.create({ model: "slow", messages: [{ role: "user", content: "hi" }], stream: true });
    let text = "";
    let signalled = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (!signalled && text) {
        signalled = true;
        s.child.kill("SIGTERM");
        await s.waitFor("stderr", /SIGTERM: not taking new requests/);
      }
    }
    expect(signalled).toBe(true);
    expect(text).toBe(SLOW_TEXT);
    expect(await s.exited).toBe(0);
    expect(s.out.stderr).toContain("litellm-runtime: stopped");

    // Both calls were logged by the file built-in before the process ended.
    const records = (await readFile(join(work, "events.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { model_group: string; status: string; stream: boolean | null });
    // LiteLLM's record says stream: true for a stream, and null (never false) otherwise.
    expect(records.map((r) => [r.model_group, r.status, r.stream]).sort()).toEqual([
      ["demo", "success", null],
      ["slow", "success", true],
    ]);
  });

  it("SIGTERM finishes within its bound when a callback's flush() never settles: the timeout is reported, exit 0", async () => {
    const work = await project(
      "hanging-flush",
      `model_list:
  - model_name: demo
    litellm_params: { model: mock/demo, mock_response: "ok" }
litellm_settings:
  callbacks: [./hangs.ts]
  callback_timeout: 0.3
`,
    );
    await writeFile(join(work, "hangs.ts"), "export default { async async_log_success_event() {}, flush: () => new Promise(() => {}) };\n");
    const s = serve(["--port", "0", "--no-watch"], work);
    const url = await baseUrl(s);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    expect((await client.chat.completions.create({ model: "demo", messages: [{ role: "user", content: "hi" }] })).choices[0]!.message.content).toBe("ok");
    s.child.kill("SIGTERM");
    // A guard against a hang, not a timing assertion: a flush() that held shutdown would never let it exit.
    const guard = setTimeout(() => s.child.kill("SIGKILL"), 15_000);
    const code = await s.exited;
    clearTimeout(guard);
    expect(code).toBe(0);
    expect(s.out.stderr).toMatch(/\[CALLBACK_TIMEOUT\].*flush/);
  });

  it("a second signal exits at once with 1", async () => {
    const work = await project("impatient", CONFIG.replace("mock_delay: 50", "mock_delay: 5000"));
    const s = serve(["--port", "0", "--no-watch"], work);
    const url = await baseUrl(s);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "slow", messages: [{ role: "user", content: "hi" }], stream: true });
    const reading = (async () => {
      for await (const _ of stream);
    })().catch(() => undefined);
    s.child.kill("SIGTERM");
    await s.waitFor("stderr", /not taking new requests/);
    s.child.kill("SIGINT");
    expect(await s.exited).toBe(1);
    expect(s.out.stderr).toContain("SIGINT again: exiting now");
    await reading;
  });

  it("an invalid config: every problem listed, exit 2", async () => {
    const work = await project("invalid", "model_list:\n  - model_name: a\n    litellm_params: { model: mock/a }\ngeneral_settings:\n  prot: 4000\n  host: 127.0.0.1\n");
    const s = serve(["--port", "0"], work);
    expect(await s.exited).toBe(2);
    expect(s.out.stderr).toContain("litellm.config.yaml:5:3 general_settings.prot");
    expect(s.out.stderr).toContain('Did you mean "port"?');
    expect(s.out.stderr).toContain("[CONFIG_UNKNOWN_KEY]");
    expect(s.out.stdout).toBe("");
  });

  it("a port in use: a clear message and exit 1", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((done) => blocker.listen(0, "127.0.0.1", done));
    const { port } = blocker.address() as AddressInfo;
    try {
      const work = await project("busy", CONFIG);
      const s = serve(["--port", String(port)], work);
      expect(await s.exited).toBe(1);
      expect(s.out.stderr).toContain(`port ${port} is in use; pass --port`);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it("a bad --port is bad usage: exit 2", async () => {
    const s = serve(["--port", "http"], tmp.path);
    expect(await s.exited).toBe(2);
    expect(s.out.stderr).toContain("--port must be a whole number");
    expect(s.out.stderr).toContain("Usage: litellm-runtime serve");
  });

  it("warns loudly when it listens beyond loopback without a master key", async () => {
    const work = await project("open", CONFIG);
    const s = serve(["--port", "0", "--host", "0.0.0.0", "--no-watch"], work);
    await baseUrl(s);
    await s.waitFor("stderr", /WARNING: no general_settings\.master_key is set and the server listens on 0\.0\.0\.0/);
    expect(s.out.stdout).toContain("no master_key and listening on 0.0.0.0");
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  });

  it("with a master key it says requests need it, and does not warn", async () => {
    const work = await project("keyed", `${CONFIG}  master_key: sk-cli-test-key\n`);
    const s = serve(["--port", "0", "--no-watch"], work);
    const url = await baseUrl(s);
    expect(s.out.stdout).toContain("requests need Authorization: Bearer");
    expect(s.out.stdout).not.toContain("sk-cli-test-key");
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "sk-cli-test-key", maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual(["demo", "slow"]);
    s.child.kill("SIGINT");
    expect(await s.exited).toBe(0);
    expect(s.out.stderr).not.toContain("WARNING");
  });

  it("logs reloads and reload errors, and keeps serving", async () => {
    const work = await project("reload", CONFIG);
    const s = serve(["--port", "0"], work);
    const url = await baseUrl(s);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });

    const added = CONFIG.replace("model_list:\n", 'model_list:\n  - model_name: added\n    litellm_params: { model: mock/added, mock_response: "new" }\n');
    await editUntil(s, () => writeFile(join(work, "litellm.config.yaml"), added), "stderr", /reloaded \(litellm\.config\.yaml changed\); models: added, demo, slow/);
    expect((await client.chat.completions.create({ model: "added", messages: [{ role: "user", content: "hi" }] })).choices[0]!.message.content).toBe("new");

    // A broken save: one line per issue, its file:line:col first (relative to where serve runs), saying nothing changed.
    const broken = `${added}  bogus_setting: 1\n`;
    await editUntil(s, () => writeFile(join(work, "litellm.config.yaml"), broken), "stderr", /\(reload_error: the previous config keeps serving\)\n/);
    const line = broken.split("\n").indexOf("  bogus_setting: 1") + 1;
    expect(s.out.stderr).toMatch(new RegExp(`^litellm\\.config\\.yaml:${line}:3 general_settings\\.bogus_setting: .+ \\(reload_error: the previous config keeps serving\\)$`, "m"));
    expect((await client.chat.completions.create({ model: "added", messages: [{ role: "user", content: "hi" }] })).choices[0]!.message.content).toBe("new");

    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
  });
});
