import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { useTempDir } from "./support/kit.ts";
import { tsArgs } from "./support/run-ts.ts";

const MAIN = resolve("core/cli/main.ts");

function cli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, tsArgs(MAIN, ...args), { cwd, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const tmp = useTempDir("litellm-cli-", { per: "suite" });

describe("litellm-runtime validate", () => {
  it("accepts LiteLLM's documented proxy config as it is, found from the working directory", async () => {
    const work = join(tmp.path, "ok");
    await import("node:fs/promises").then((fs) => fs.mkdir(work, { recursive: true }));
    await writeFile(
      join(work, "litellm.config.yaml"),
      `model_list:
  - model_name: gpt-3.5-turbo
    litellm_params:
      model: openai/gpt-3.5-turbo
      api_key: os.environ/LLRT_CLI_KEY
litellm_settings:
  callbacks: custom_callbacks.proxy_handler_instance
  drop_params: True
general_settings:
  master_key: sk-1234
`,
    );
    await writeFile(join(work, "custom_callbacks.ts"), "export const proxy_handler_instance = { log_success_event() {} };\n");
    const r = await cli(["validate"], work, { LLRT_CLI_KEY: "sk-x" });
    // drop_params is a setting of this runtime: no "no effect" warning names it.
    expect(r.stderr).not.toContain("drop_params");
    expect(r.stdout).toContain("ok:");
    expect(r.stdout).toContain("1 model: gpt-3.5-turbo");
    expect(r.stdout).toContain("; 1 callback)");
    expect(r.code).toBe(0);
  });

  it("exits 2 listing every problem with file:line:col, path and the nearest key", async () => {
    const file = join(tmp.path, "bad.yaml");
    await writeFile(file, "model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n      api_key: os.environ/LLRT_CLI_UNSET\nlitellm_settings:\n  sucess_callback: []\n");
    const r = await cli(["validate", "--config", file], tmp.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:5:7 model_list[0].litellm_params.api_key`);
    expect(r.stderr).toContain("LLRT_CLI_UNSET");
    expect(r.stderr).toContain(`${file}:7:3 litellm_settings.sucess_callback`);
    expect(r.stderr).toContain('Did you mean "success_callback"?');
    expect(r.stderr).toContain("[CONFIG_UNKNOWN_KEY]");
  });

  it("exits 2 naming the file when there is no config", async () => {
    const r = await cli(["validate", "--config", join(tmp.path, "missing.yaml")], tmp.path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing.yaml");
    expect(r.stderr).toContain("CONFIG_NOT_FOUND");
  });
});

describe("litellm-runtime schema and help", () => {
  it("prints the config's JSON Schema", async () => {
    const r = await cli(["schema"], tmp.path);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.properties.litellm_settings).toBeDefined();
    expect(schema.$defs.CacheParams.properties.type.enum).toEqual(["local", "redis"]);
  });

  it("--help exits 0 and an unknown command exits 2", async () => {
    const help = await cli(["--help"], tmp.path);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("validate");
    const bad = await cli(["frobnicate"], tmp.path);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
  });
});
