import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, createRuntime, LiteLLMError } from "../core/index.ts";
import { useTempDir } from "./support/kit.ts";

// Codes of the runtime that no other test produced: each case makes its error happen and checks the code.

const tmp = useTempDir("litellm-errors-");

const MODEL = `model_list:
  - model_name: demo
    litellm_params: { model: mock/demo, mock_response: hi }
`;

describe("runtime error codes", () => {
  it("CONFIG_COST_MAP: a model_cost_map that does not load, located at its key", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, `${MODEL}litellm_settings:\n  model_cost_map: ./prices.json\n`);
    const err = await createRuntime({ config: file }).then(
      async (rt) => (await rt.close(), undefined),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["CONFIG_COST_MAP", "litellm_settings.model_cost_map"]]);
  });

  it("RUNTIME_CLOSED: a call on a closed runtime", async () => {
    const file = join(tmp.path, "litellm.config.yaml");
    await writeFile(file, MODEL);
    const rt = await createRuntime({ config: file });
    await rt.close();
    const err = await rt.acompletion({ model: "demo", messages: [{ role: "user", content: "Hi" }] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LiteLLMError);
    expect((err as LiteLLMError).code).toBe("RUNTIME_CLOSED");
  });
});
