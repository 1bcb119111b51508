// An Azure deployment's name is its own; LiteLLM prices it by model_info.base_model (or litellm_params.base_model).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAzure, type FakeAzure } from "./support/fake-azure.ts";
import { Recorder, useRuntimes, user } from "./support/kit.ts";
import { BUNDLED_PRICES } from "../core/cost/table.ts";

let fake: FakeAzure;
beforeAll(async () => {
  fake = await startFakeAzure();
});
afterAll(async () => {
  await fake?.close();
});

const runtime = useRuntimes();
const gpt4o = BUNDLED_PRICES.get("gpt-4o")!;

function config(where: "model_info" | "litellm_params" | "none", recorder: Recorder) {
  const params = { model: "azure/prod-chat-eu", api_base: fake.endpoint, api_key: "azure-key-123456", api_version: "2024-06-01" };
  return {
    model_list: [
      {
        model_name: "chat",
        litellm_params: where === "litellm_params" ? { ...params, base_model: "azure/gpt-4o" } : params,
        ...(where === "model_info" ? { model_info: { base_model: "azure/gpt-4o" } } : {}),
      },
    ],
    litellm_settings: { callbacks: [recorder] },
  };
}

describe("pricing by base_model", () => {
  for (const where of ["model_info", "litellm_params"] as const) {
    it(`prices an Azure deployment by ${where}.base_model, and the record says which price it used`, async () => {
      const recorder = new Recorder({ events: ["success"] });
      const rt = await runtime(config(where, recorder));
      const res = await rt.acompletion({ model: "chat", messages: user("hi") });
      await rt.flush();
      const { prompt_tokens, completion_tokens } = res.usage!;
      const expected = prompt_tokens * gpt4o.input_cost_per_token! + completion_tokens * gpt4o.output_cost_per_token!;
      const [success] = recorder.seen;
      expect(success!.kwargs.response_cost).toBeCloseTo(expected, 12);
      expect(success!.kwargs.litellm_params.base_model).toBe("azure/gpt-4o");
      const record = success!.kwargs.standard_logging_object!;
      expect(record.response_cost).toBeCloseTo(expected, 12);
      expect(record.model_map_information.model_map_key).toBe("gpt-4o");
      // The base model prices the call; it is not sent to Azure.
      expect(fake.requests.at(-1)!.body).not.toHaveProperty("base_model");
    });
  }

  it("without a base model the deployment's own name has no price: cost 0, and the debug info says to set base_model", async () => {
    const recorder = new Recorder({ events: ["success"] });
    const rt = await runtime(config("none", recorder));
    await rt.acompletion({ model: "chat", messages: user("hi") });
    await rt.flush();
    const [success] = recorder.seen;
    expect(success!.kwargs.standard_logging_object!.response_cost).toBe(0);
    expect(success!.kwargs.response_cost_failure_debug_information?.error_str).toContain("set model_info.base_model");
  });
});
