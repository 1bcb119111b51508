import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../core/config/runtime.ts";
import { CONFIG_ERROR_CODES, ConfigError } from "../core/errors.ts";
import { useRuntimes, useTempDir } from "./support/kit.ts";

// A model_list entry no provider could answer fails the load, at its place in the file: never a surprise on the first call.

const tmp = useTempDir("llrt-config-providers-");
const runtime = useRuntimes();

/** The issues a config file fails to load with, as `{ code, path, line, col }`, and their messages. */
async function issuesOf(yaml: string): Promise<{ issues: Array<{ code: string; path: string; line?: number; col?: number }>; messages: string[] }> {
  const file = join(tmp.path, "litellm.config.yaml");
  await writeFile(file, yaml);
  const err = await createRuntime({ config: file }).then(
    async (rt) => (await rt.close(), undefined),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  const issues = (err as ConfigError).issues;
  return { issues: issues.map(({ code, path, line, col }) => ({ code, path, line, col })), messages: issues.map((i) => i.message) };
}

describe("CONFIG_UNSUPPORTED_PROVIDER", () => {
  it("bedrock/, vertex_ai/ and an unknown prefix without api_base: one issue each, at the model key's line and column", async () => {
    const { issues, messages } = await issuesOf(
      [
        "model_list:",
        "  - model_name: claude",
        "    litellm_params:",
        "      model: bedrock/anthropic.claude-3-haiku",
        "  - model_name: fine",
        "    litellm_params:",
        "      model: groq/llama-3.1-8b-instant",
        "  - model_name: gemini-pro",
        "    litellm_params:",
        "      model: vertex_ai/gemini-1.5-pro",
        "  - model_name: typo",
        "    litellm_params:",
        "      model: opnai/gpt-4o-mini",
        "",
      ].join("\n"),
    );
    expect(issues).toEqual([
      { code: CONFIG_ERROR_CODES.unsupportedProvider, path: "model_list[0].litellm_params.model", line: 4, col: 7 },
      { code: CONFIG_ERROR_CODES.unsupportedProvider, path: "model_list[2].litellm_params.model", line: 10, col: 7 },
      { code: CONFIG_ERROR_CODES.unsupportedProvider, path: "model_list[3].litellm_params.model", line: 13, col: 7 },
    ]);
    expect(messages[0]).toContain('names provider "bedrock"');
    // The message lists what is supported, the table's hosts included.
    for (const p of ["openai/<model>", "anthropic/<model>", "groq/<model>", "hosted_vllm/<model>"]) expect(messages[0]).toContain(p);
    expect(messages[2]).toContain('names provider "opnai"');
  });

  it("a known-elsewhere prefix fails even with api_base; an unknown one with api_base is a model name of that server", async () => {
    const { issues } = await issuesOf(
      [
        "model_list:",
        "  - model_name: llama",
        "    litellm_params:",
        "      model: meta-llama/Llama-3.1-8B-Instruct",
        "      api_base: http://127.0.0.1:8000/v1",
        "  - model_name: claude",
        "    litellm_params:",
        "      api_base: http://127.0.0.1:8000/v1",
        "      model: bedrock/anthropic.claude-3-haiku",
        "",
      ].join("\n"),
    );
    expect(issues).toEqual([{ code: CONFIG_ERROR_CODES.unsupportedProvider, path: "model_list[1].litellm_params.model", line: 9, col: 7 }]);
  });

  it("a wildcard entry is checked like any other: model_name \"*\" with bedrock/* fails", async () => {
    const { issues } = await issuesOf(['model_list:', '  - model_name: "*"', "    litellm_params:", '      model: "bedrock/*"', ""].join("\n"));
    expect(issues).toEqual([{ code: CONFIG_ERROR_CODES.unsupportedProvider, path: "model_list[0].litellm_params.model", line: 4, col: 7 }]);
  });

  it("an inline config names the path (no file to point into)", async () => {
    const err = await createRuntime({ config: { model_list: [{ model_name: "x", litellm_params: { model: "bedrock/x" } }] } }).catch((e: unknown) => e);
    expect((err as ConfigError).issues.map(({ code, path, file }) => ({ code, path, file }))).toEqual([
      { code: "CONFIG_UNSUPPORTED_PROVIDER", path: "model_list[0].litellm_params.model", file: null },
    ]);
  });
});

describe("servers of one's own without an address", () => {
  it("hosted_vllm/ and lm_studio/ without api_base are CONFIG_MISSING_KEY at the litellm_params that lack it; llamafile/ has LiteLLM's default", async () => {
    const { issues, messages } = await issuesOf(
      [
        "model_list:",
        "  - model_name: vllm",
        "    litellm_params:",
        "      model: hosted_vllm/meta-llama/Llama-3.1-8B-Instruct",
        "  - model_name: studio",
        "    litellm_params:",
        "      model: lm_studio/qwen2.5-7b-instruct",
        "  - model_name: local",
        "    litellm_params:",
        "      model: llamafile/mistral-7b",
        "",
      ].join("\n"),
    );
    expect(issues).toEqual([
      { code: CONFIG_ERROR_CODES.missingKey, path: "model_list[0].litellm_params.api_base", line: 3, col: 5 },
      { code: CONFIG_ERROR_CODES.missingKey, path: "model_list[1].litellm_params.api_base", line: 6, col: 5 },
    ]);
    expect(messages[0]).toContain("HOSTED_VLLM_API_BASE");
    expect(messages[1]).toContain("LM_STUDIO_API_BASE");
  });

  it("the base variable in the config's environment_variables is enough", async () => {
    const rt = await runtime({
      environment_variables: { HOSTED_VLLM_API_BASE: "http://127.0.0.1:8000/v1" },
      model_list: [{ model_name: "vllm", litellm_params: { model: "hosted_vllm/llama" } }],
    });
    expect(rt.models()).toEqual(["vllm"]);
  });
});
