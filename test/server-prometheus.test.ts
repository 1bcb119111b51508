// GET /metrics on the server, after real OpenAI-client calls: a success, a failure, a cache hit and a fallback, checked by value; its auth.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRuntime, prometheusRegistry, startServer, type InlineConfig, type RunningServer, type Runtime } from "../core/index.ts";
import { parseExposition, valueOf } from "./support/prometheus-text.ts";
import { useTempDir, user } from "./support/kit.ts";

const MASTER_KEY = "sk-master-prometheus-5e1d";
const tmp = useTempDir("litellm-server-prom-", { per: "suite" });

const MODELS: InlineConfig["model_list"] = [
  { model_name: "demo", litellm_params: { model: "mock/demo" }, model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 } },
  { model_name: "broken", litellm_params: { model: "mock/broken", mock_response: "litellm.InternalServerError" } },
  { model_name: "limited", litellm_params: { model: "mock/limited", mock_response: "litellm.RateLimitError" } },
];

async function serve(config: InlineConfig): Promise<{ rt: Runtime; server: RunningServer }> {
  const rt = await createRuntime({ config, cwd: tmp.path });
  rt.on("callback_error", () => {});
  return { rt, server: await startServer(rt, { port: 0 }) };
}

const get = (server: RunningServer, key?: string) => fetch(`${server.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("GET /metrics after real calls", () => {
  let rt: Runtime;
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    prometheusRegistry().resetMetrics();
    ({ rt, server } = await serve({
      model_list: MODELS,
      litellm_settings: { callbacks: ["prometheus"], cache: true, cache_params: { type: "local" } },
      router_settings: { fallbacks: [{ limited: ["demo"] }] },
      general_settings: { master_key: MASTER_KEY },
    }));
    // No client retries: each failure is one request.
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
    await rt.close();
  });

  it("counts each call once, each attempt once, the hit and the fallback, and their tokens and spend", async () => {
    const first = await client.chat.completions.create({ model: "demo", messages: user("hello") });
    const hit = await client.chat.completions.create({ model: "demo", messages: user("hello") });
    expect(hit.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
    await expect(client.chat.completions.create({ model: "broken", messages: user("hello") })).rejects.toMatchObject({ status: 500 });
    const fallback = await client.chat.completions.create({ model: "limited", messages: user("fall back") });
    await rt.flush();

    const res = await get(server, MASTER_KEY);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(prometheusRegistry().contentType);
    const s = parseExposition(await res.text());

    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "demo", status_code: "200" })).toBe(2);
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "broken", status_code: "500" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "limited", status_code: "200" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_total_requests_metric")).toBe(4);
    expect(valueOf(s, "litellm_proxy_failed_requests_metric", { requested_model: "broken", exception_status: "500", exception_class: "Mock.InternalServerError" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_failed_requests_metric")).toBe(1);

    // Attempts: demo answered once itself and once as limited's fallback; the hit sent nothing.
    expect(valueOf(s, "litellm_deployment_success_responses", { requested_model: "demo" })).toBe(2);
    expect(valueOf(s, "litellm_deployment_failure_responses", { requested_model: "broken" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_failure_responses", { requested_model: "limited", exception_status: "429" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_total_requests")).toBe(4);
    expect(valueOf(s, "litellm_deployment_successful_fallbacks", { requested_model: "limited", fallback_model: "demo" })).toBe(1);

    const tokens = 2 * first.usage!.total_tokens + fallback.usage!.total_tokens;
    expect(valueOf(s, "litellm_total_tokens_metric", { model: "demo" })).toBe(tokens);
    expect(valueOf(s, "litellm_input_tokens_metric", { model: "demo" })).toBe(2 * first.usage!.prompt_tokens + fallback.usage!.prompt_tokens);
    // The hit costs nothing; the two answers from demo cost their tokens.
    const spend = [first, fallback].reduce((sum, r) => sum + r.usage!.prompt_tokens * 0.000001 + r.usage!.completion_tokens * 0.000002, 0);
    expect(valueOf(s, "litellm_spend_metric", { model: "demo" })).toBeCloseTo(spend, 12);

    expect(valueOf(s, "litellm_runtime_cache_hits_total")).toBe(1);
    expect(valueOf(s, "litellm_runtime_callback_queue_depth")).toBe(0);
  });

  it("needs the master key", async () => {
    const res = await get(server);
    expect(res.status).toBe(401);
    expect((await get(server, "sk-wrong")).status).toBe(401);
  });

  it("answers HEAD with the headers only", async () => {
    const res = await fetch(`${server.url}/metrics`, { method: "HEAD", headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});

describe("GET /metrics settings", () => {
  beforeEach(() => prometheusRegistry().resetMetrics());

  it("general_settings.public_metrics: served without the key, while the model routes still need it", async () => {
    const { rt, server } = await serve({
      model_list: MODELS,
      litellm_settings: { success_callback: ["prometheus"], failure_callback: ["prometheus"] },
      general_settings: { master_key: MASTER_KEY, public_metrics: true },
    });
    try {
      const res = await get(server);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("litellm_runtime_callback_queue_depth");
      expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
    } finally {
      await server.close();
      await rt.close();
    }
  });

  it("without the prometheus built-in: 404 saying how to turn it on", async () => {
    const { rt, server } = await serve({ model_list: MODELS });
    try {
      const res = await get(server);
      expect(res.status).toBe(404);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain('callbacks: ["prometheus"]');
      expect(body.error.message).toContain("litellm_settings");
    } finally {
      await server.close();
      await rt.close();
    }
  });

  it("an unknown route's 404 lists /metrics", async () => {
    const { rt, server } = await serve({ model_list: MODELS });
    try {
      const body = (await (await fetch(`${server.url}/nope`)).json()) as { error: { message: string } };
      expect(body.error.message).toContain("GET /metrics");
    } finally {
      await server.close();
      await rt.close();
    }
  });
});
