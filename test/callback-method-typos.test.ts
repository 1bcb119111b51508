// A misspelt CustomLogger method (`async_log_sucess_event`) never runs: `validate` and a config load say so, as a warning.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { createRuntime, formatIssue, validateConfig } from "../core/index.ts";
import { tsArgs } from "./support/run-ts.ts";

const CONFIG = fileURLToPath(new URL("./fixtures/callbacks-warning-method-typo/litellm.config.yaml", import.meta.url));
const MAIN = fileURLToPath(new URL("../core/cli/main.ts", import.meta.url));

describe("CONFIG_CALLBACK_METHOD_TYPO", () => {
  it("validateConfig: valid, with one warning per misspelt method naming the file, export and method", async () => {
    const result = await validateConfig(CONFIG);
    expect(result.valid).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((w) => [w.code, w.path, w.line, w.suggestion])).toEqual([
      ["CONFIG_CALLBACK_METHOD_TYPO", "litellm_settings.callbacks[0]", 7, "async_log_success_event"],
      ["CONFIG_CALLBACK_METHOD_TYPO", "litellm_settings.callbacks[0]", 7, "log_failure_event"],
      ["CONFIG_CALLBACK_METHOD_TYPO", "litellm_settings.callbacks[1]", 8, "log_stream_event"],
    ]);
    expect(formatIssue(result.warnings[0]!)).toBe(
      `${CONFIG}:7:7 litellm_settings.callbacks[0]: ./typo.ts#default (TypoLogger): method "async_log_sucess_event" is not a CustomLogger method, so it never runs. Did you mean "async_log_success_event"? [CONFIG_CALLBACK_METHOD_TYPO]`,
    );
  });

  it("litellm-runtime validate: exit code 0, the warning on stderr", async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, tsArgs(MAIN, "validate", "--config", CONFIG), (err, stdout, stderr) => done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok: /);
    expect(stderr).toContain('method "async_log_sucess_event" is not a CustomLogger method, so it never runs. Did you mean "async_log_success_event"? [CONFIG_CALLBACK_METHOD_TYPO]');
    expect(stderr.match(/^warning: .*\[CONFIG_CALLBACK_METHOD_TYPO\]$/gm)).toHaveLength(3);
  });

  it("createRuntime: the config loads and serves, and the warning goes to stderr", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
    try {
      const rt = await createRuntime({ config: CONFIG });
      await rt.close();
    } finally {
      spy.mockRestore();
    }
    expect(lines.filter((l) => l.includes("[CONFIG_CALLBACK_METHOD_TYPO]"))).toHaveLength(3);
    expect(lines.join("")).toContain('litellm-runtime: warning: ');
  });
});
