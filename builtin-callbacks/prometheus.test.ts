// The prometheus built-in counts from real calls (the mock provider, the loopback OpenAI fake): per call, per attempt, per config.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import litellm, { ConfigError, CustomLogger, metrics, prometheusRegistry, type InlineConfig } from "../core/index.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../test/support/fake-openai.ts";
import { resetLitellm, useRuntimes, user } from "../test/support/kit.ts";
import { parseExposition, samplesOf, valueOf, type Sample } from "../test/support/prometheus-text.ts";
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type Metric, type OpenMetricsContentType } from "prom-client";
import { CallCounter, CallGauge, CallHistogram, EventLabels, type LabelValues } from "./prometheus/call-metrics.ts";
import { LATENCY_BUCKETS } from "./prometheus/catalogue.ts";
import { resolvePrometheusOptions } from "./prometheus/options.ts";
import { metricSet, registry } from "./prometheus/registry.ts";

const runtime = useRuntimes();
const scrape = async (): Promise<Sample[]> => parseExposition(await metrics());
const hi = user("hi");

beforeEach(() => prometheusRegistry().resetMetrics());

/** Aliases on the mock: one that answers, one that always fails (500), one rate-limited (429) that falls back to the first. */
const MODELS: InlineConfig["model_list"] = [
  { model_name: "demo", litellm_params: { model: "mock/demo" } },
  { model_name: "broken", litellm_params: { model: "mock/broken", mock_response: "litellm.InternalServerError" } },
  { model_name: "limited", litellm_params: { model: "mock/limited", mock_response: "litellm.RateLimitError" } },
];

function config(extra: Partial<InlineConfig> = {}, settings: Record<string, unknown> = {}): InlineConfig {
  return {
    model_list: MODELS,
    litellm_settings: { callbacks: ["prometheus"], ...settings },
    router_settings: { fallbacks: [{ limited: ["demo"] }] },
    ...extra,
  } as InlineConfig;
}

describe("call metrics", () => {
  it("counts a success: one call, one attempt, its tokens and its latency", async () => {
    const rt = await runtime(config());
    const res = await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    const s = await scrape();
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "demo", status_code: "200" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_success_responses", { requested_model: "demo", api_provider: "mock", litellm_model_name: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_total_requests", { requested_model: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_input_tokens_metric", { model: "demo", requested_model: "demo" })).toBe(res.usage!.prompt_tokens);
    expect(valueOf(s, "litellm_output_tokens_metric", { model: "demo" })).toBe(res.usage!.completion_tokens);
    expect(valueOf(s, "litellm_total_tokens_metric", { model: "demo" })).toBe(res.usage!.total_tokens);
    expect(valueOf(s, "litellm_request_total_latency_metric_count", { requested_model: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_llm_api_latency_metric_count", { requested_model: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_overhead_latency_metric_count", { model_group: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_failed_requests_metric")).toBe(0);
  });

  it("counts spend from response_cost", async () => {
    const rt = await runtime({
      model_list: [{ model_name: "priced", litellm_params: { model: "mock/priced" }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } }],
      litellm_settings: { callbacks: ["prometheus"] },
    });
    const res = await rt.acompletion({ model: "priced", messages: hi });
    await rt.flush();
    const expected = res.usage!.prompt_tokens * 0.001 + res.usage!.completion_tokens * 0.002;
    expect(valueOf(await scrape(), "litellm_spend_metric", { model: "priced" })).toBeCloseTo(expected, 12);
  });

  it("a cache hit is a call with its tokens, and no deployment attempt", async () => {
    const rt = await runtime(config({}, { cache: true, cache_params: { type: "local" } }));
    const first = await rt.acompletion({ model: "demo", messages: hi });
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    const s = await scrape();
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "demo" })).toBe(2);
    expect(valueOf(s, "litellm_deployment_total_requests", { requested_model: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_total_tokens_metric", { model: "demo" })).toBe(2 * first.usage!.total_tokens);
    expect(valueOf(s, "litellm_runtime_cache_hits_total")).toBe(1);
    expect(valueOf(s, "litellm_runtime_cache_misses_total")).toBe(1);
  });

  it("a failed call: one failed request, one failed attempt, with LiteLLM's exception labels", async () => {
    const rt = await runtime(config());
    await expect(rt.acompletion({ model: "broken", messages: hi })).rejects.toThrow();
    await rt.flush();
    const s = await scrape();
    const failed = { requested_model: "broken", exception_status: "500", exception_class: "Mock.InternalServerError" };
    expect(valueOf(s, "litellm_proxy_failed_requests_metric", failed)).toBe(1);
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "broken", status_code: "500" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_failure_responses", { ...failed, litellm_model_name: "broken" })).toBe(1);
    expect(valueOf(s, "litellm_input_tokens_metric")).toBe(0);
  });

  it("retries are attempts, not calls: two failures then a success count one call", async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.queue({ status: 500 }, { status: 500 });
      const rt = await runtime({
        model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: "sk-test" } }],
        litellm_settings: { callbacks: ["prometheus"] },
        router_settings: { num_retries: 2, retry_after: 0 },
      });
      await rt.acompletion({ model: "gpt", messages: hi });
      await rt.flush();
      const s = await scrape();
      expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "gpt" })).toBe(1);
      expect(valueOf(s, "litellm_proxy_failed_requests_metric")).toBe(0);
      expect(valueOf(s, "litellm_deployment_failure_responses", { requested_model: "gpt", exception_status: "500" })).toBe(2);
      expect(valueOf(s, "litellm_deployment_success_responses", { requested_model: "gpt" })).toBe(1);
      expect(valueOf(s, "litellm_deployment_total_requests", { requested_model: "gpt" })).toBe(3);
    } finally {
      await fake.close();
    }
  });

  it("a fallback: one call under the alias asked for, a failed and a successful attempt, one successful fallback", async () => {
    const rt = await runtime(config());
    await rt.acompletion({ model: "limited", messages: hi });
    await rt.flush();
    const s = await scrape();
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { requested_model: "limited", status_code: "200" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_total_requests_metric")).toBe(1);
    expect(valueOf(s, "litellm_proxy_failed_requests_metric")).toBe(0);
    expect(valueOf(s, "litellm_deployment_failure_responses", { requested_model: "limited", exception_status: "429" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_success_responses", { requested_model: "demo" })).toBe(1);
    expect(valueOf(s, "litellm_deployment_successful_fallbacks", { requested_model: "limited", fallback_model: "demo", exception_status: "429", exception_class: "Mock.RateLimitError" })).toBe(1);
  });

  it("a fallback that fails too: one failed call under the alias asked for, one failed fallback", async () => {
    const rt = await runtime({ ...config(), router_settings: { fallbacks: [{ limited: ["broken"] }] } } as InlineConfig);
    await expect(rt.acompletion({ model: "limited", messages: hi })).rejects.toThrow();
    // No flush (which would count any failure still waiting): the last alias's failure ends the call, as the config says.
    await vi.waitFor(async () => expect(valueOf(await scrape(), "litellm_proxy_failed_requests_metric", { requested_model: "limited", exception_status: "500" })).toBe(1));
    const s = await scrape();
    expect(valueOf(s, "litellm_proxy_total_requests_metric")).toBe(1);
    expect(valueOf(s, "litellm_deployment_failed_fallbacks", { requested_model: "limited", fallback_model: "broken" })).toBe(1);
  });

  it("reads the upstream's x-ratelimit-remaining-* headers into the remaining gauges", async () => {
    const fake: FakeOpenAI = await startFakeOpenAI({ headers: { "x-ratelimit-remaining-requests": "4999", "x-ratelimit-remaining-tokens": "1999000" } });
    try {
      const rt = await runtime({
        model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: "sk-test" } }],
        litellm_settings: { callbacks: ["prometheus"] },
      });
      await rt.acompletion({ model: "gpt", messages: hi });
      await rt.flush();
      const s = await scrape();
      const where = { model_group: "gpt", api_provider: "openai", litellm_model_name: "gpt-4o-mini" };
      expect(valueOf(s, "litellm_remaining_requests_metric", where)).toBe(4999);
      expect(valueOf(s, "litellm_remaining_tokens_metric", where)).toBe(1999000);
    } finally {
      await fake.close();
    }
  });

  it("times the first token of a stream", async () => {
    const rt = await runtime(config());
    for await (const _ of await rt.acompletion({ model: "demo", messages: hi, stream: true }));
    await rt.flush();
    expect(valueOf(await scrape(), "litellm_llm_api_time_to_first_token_metric_count", { requested_model: "demo" })).toBe(1);
  });

  it("counts the calls of the process-wide lists too (library use)", async () => {
    resetLitellm(["prometheus"]);
    try {
      await litellm.acompletion({ model: "mock/x", messages: hi });
      await litellm.flush();
      expect(valueOf(await scrape(), "litellm_proxy_total_requests_metric", { requested_model: "x" })).toBe(1);
    } finally {
      await litellm.close();
      resetLitellm();
    }
  });
});

describe("the router's view, read at scrape time", () => {
  it("a deployment that cools down: state 2 and one cool-down with its status", async () => {
    const rt = await runtime({ ...config(), router_settings: { allowed_fails: 0, cooldown_time: 60 } } as InlineConfig);
    await expect(rt.acompletion({ model: "broken", messages: hi })).rejects.toThrow();
    const s = await scrape();
    expect(valueOf(s, "litellm_deployment_state", { litellm_model_name: "broken", api_provider: "mock" })).toBe(2);
    expect(valueOf(s, "litellm_deployment_state", { litellm_model_name: "demo" })).toBe(0);
    expect(valueOf(s, "litellm_deployment_cooled_down", { litellm_model_name: "broken", exception_status: "500" })).toBe(1);
  });
});

describe("the runtime's health", () => {
  class Broken extends CustomLogger {
    override async async_log_success_event(): Promise<void> {
      throw new Error("this callback fails");
    }
  }

  it("counts callback errors by callback, and reloads", async () => {
    const rt = await runtime({ model_list: MODELS, litellm_settings: { callbacks: ["prometheus", new Broken()] } } as InlineConfig);
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    await rt.reload();
    const s = await scrape();
    expect(valueOf(s, "litellm_runtime_callback_errors_total", { callback: "Broken" })).toBe(2);
    expect(valueOf(s, "litellm_runtime_callback_timeouts_total")).toBe(0);
    expect(valueOf(s, "litellm_runtime_callback_queue_depth")).toBe(0);
    expect(valueOf(s, "litellm_runtime_config_reloads_total")).toBe(1);
  });
});

describe("configuration", () => {
  it("prometheus_metrics_config: only the metrics named, with the labels named", async () => {
    const rt = await runtime(
      config({}, { prometheus_metrics_config: [{ group: "proxy", metrics: ["litellm_proxy_total_requests_metric"], include_labels: ["requested_model", "hashed_api_key"] }] }),
    );
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    const s = await scrape();
    expect(samplesOf(s, "litellm_proxy_total_requests_metric").map((x) => x.labels)).toEqual([{ requested_model: "demo", hashed_api_key: "" }]);
    expect(samplesOf(s, "litellm_deployment_total_requests")).toEqual([]);
    expect(samplesOf(s, "litellm_runtime_callback_queue_depth")).toHaveLength(1);
  });

  it("custom_prometheus_metadata_labels: a request's metadata as a label", async () => {
    const rt = await runtime(config({}, { custom_prometheus_metadata_labels: ["metadata.team_name"] }));
    await rt.acompletion({ model: "demo", messages: hi, metadata: { team_name: "search" } });
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    const s = await scrape();
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { metadata_team_name: "search" })).toBe(1);
    expect(valueOf(s, "litellm_proxy_total_requests_metric", { metadata_team_name: "" })).toBe(1);
  });

  it("an unknown metric or label is a config error naming it", async () => {
    const bad = (group: Record<string, unknown>) => runtime(config({}, { prometheus_metrics_config: [{ group: "g", ...group }] }));
    await expect(bad({ metrics: ["litellm_proxy_total_request_metric"] })).rejects.toThrow(ConfigError);
    await expect(bad({ metrics: ["litellm_proxy_total_request_metric"] })).rejects.toThrow(/did you mean "litellm_proxy_total_requests_metric"/);
    await expect(bad({ metrics: ["litellm_spend_metric"], include_labels: ["requested_model"] })).rejects.toThrow(/"requested_model" is not a label of litellm_spend_metric/);
  });

  it("a reload keeps one registry and the counts; a reload that changes the labels starts them again", async () => {
    const rt = await runtime(config());
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    expect(await rt.reload()).toBe(true);
    await rt.acompletion({ model: "demo", messages: hi });
    await rt.flush();
    expect(valueOf(await scrape(), "litellm_proxy_total_requests_metric", { requested_model: "demo" })).toBe(2);
  });
});

describe("cost on the call path", () => {
  let fake: FakeOpenAI;
  beforeAll(async () => (fake = await startFakeOpenAI()));
  afterAll(() => fake.close());
  afterEach(() => fake.reset());

  it("the built-in receives events in the background: the call returns before it counts", async () => {
    const rt = await runtime({
      model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: "sk-test" } }],
      litellm_settings: { callbacks: ["prometheus"] },
    });
    await rt.acompletion({ model: "gpt", messages: hi });
    // Counted a loop turn after the call's answer: nothing was counted on its path.
    expect(valueOf(await scrape(), "litellm_proxy_total_requests_metric")).toBe(0);
    await rt.flush();
    expect(valueOf(await scrape(), "litellm_proxy_total_requests_metric")).toBe(1);
  });
});

describe("the call metrics' own classes", () => {
  type Kind = "counter" | "gauge" | "histogram";
  interface Spec {
    readonly kind: Kind;
    readonly name: string;
    readonly labels: readonly string[];
  }
  const SPECS: readonly Spec[] = [
    { kind: "counter", name: "calls", labels: ["requested_model", "status_code"] },
    { kind: "counter", name: "spend", labels: ["model"] },
    { kind: "counter", name: "bare_counter", labels: [] },
    { kind: "gauge", name: "remaining", labels: ["model", "api_base"] },
    { kind: "gauge", name: "bare_gauge", labels: [] },
    { kind: "histogram", name: "latency", labels: ["model", "requested_model"] },
    { kind: "histogram", name: "bare_histogram", labels: [] },
  ];
  // Values prom-client escapes, that a naive join would confuse, and the empty value.
  const EVENTS: readonly LabelValues[] = [
    { requested_model: "demo", status_code: "200", model: "demo", api_base: "" },
    { requested_model: 'say "hi"', status_code: "500", model: "back\\slash\nnew line", api_base: "http://a,b:c" },
    { requested_model: "1:a", status_code: "", model: "", api_base: "1:a" },
    { requested_model: "", status_code: "1:a", model: "é", api_base: "" },
    { requested_model: "demo", status_code: "200", model: "demo", api_base: "" },
  ];
  const AMOUNTS = [1, 0, 0.1, 0.2, 1e-7, 12345.678];
  const SECONDS = [0, 0.004, 0.005, 0.0051, 1, 2.75, 300, 301, 1e6];

  /** The same metrics twice: prom-client's own classes in one registry, ours in another. */
  function pair(openMetrics = false) {
    const registryOf = (): Registry => {
      const r = new Registry();
      // prom-client's types fix a registry's content type when it is made; its code lets it change.
      if (openMetrics) (r as unknown as Registry<OpenMetricsContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
      return r;
    };
    const theirs = registryOf();
    const ours = registryOf();
    const made = SPECS.map((spec, id) => {
      const config = { name: spec.name, help: `The ${spec.name}, "quoted" \\ and\nsplit.`, labelNames: [...spec.labels], registers: [theirs] };
      const shape = { id, names: spec.labels };
      const mine = spec.kind === "counter" ? new CallCounter(spec.name, config.help, shape) : spec.kind === "gauge" ? new CallGauge(spec.name, config.help, shape) : new CallHistogram(spec.name, config.help, shape, LATENCY_BUCKETS);
      ours.registerMetric(mine as unknown as Metric);
      const theirsMetric = spec.kind === "counter" ? new Counter(config) : spec.kind === "gauge" ? new Gauge(config) : new Histogram({ ...config, buckets: [...LATENCY_BUCKETS] });
      return { spec, mine, theirs: theirsMetric };
    });
    /** Counts every event into both: prom-client gets the labels object the metric carries, in its order. */
    const count = (round: number) => {
      EVENTS.forEach((values, i) => {
        const event = new EventLabels(values);
        for (const { spec, mine, theirs: other } of made) {
          const labels = Object.fromEntries(spec.labels.map((l) => [l, values[l] ?? ""]));
          const n = (spec.kind === "histogram" ? SECONDS : AMOUNTS)[(i + round) % (spec.kind === "histogram" ? SECONDS.length : AMOUNTS.length)]!;
          if (mine instanceof CallCounter) {
            mine.inc(event, n);
            (other as Counter).inc(labels, n);
          } else if (mine instanceof CallGauge) {
            mine.set(event, n);
            (other as Gauge).set(labels, n);
          } else {
            mine.observe(event, n);
            (other as Histogram).observe(labels, n);
          }
        }
      });
    };
    return { theirs, ours, count };
  }

  it("print what prom-client's Counter, Gauge and Histogram print for the same counts, before and after a reset", async () => {
    const { theirs, ours, count } = pair();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    for (let round = 0; round < 3; round++) count(round);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    count(7);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("read the same through OpenMetrics, Registry.merge and the cluster aggregator", async () => {
    const open = pair(true);
    open.count(1);
    expect(await open.ours.metrics()).toContain("# EOF");
    expect(await open.ours.metrics()).toBe(await open.theirs.metrics());
    const { theirs, ours, count } = pair();
    count(2);
    const other = new Registry();
    new Counter({ name: "elsewhere", help: "Another registry's metric.", registers: [other] }).inc(3);
    expect(await Registry.merge([ours, other]).metrics()).toBe(await Registry.merge([theirs, other]).metrics());
    const twice = async (r: Registry) => AggregatorRegistry.aggregate([await r.getMetricsAsJSON(), await r.getMetricsAsJSON()]).metrics();
    expect(await twice(ours)).toBe(await twice(theirs));
  });

  it("a reload reuses the metrics while the options' signature holds, and replaces them when it changes", () => {
    const defaults = metricSet(resolvePrometheusOptions({}));
    const counted = registry().getSingleMetric("litellm_proxy_total_requests_metric");
    expect(metricSet(resolvePrometheusOptions({}))).toBe(defaults);
    const config = [{ group: "g", metrics: ["litellm_proxy_total_requests_metric"], include_labels: ["requested_model"] }];
    const changed = metricSet(resolvePrometheusOptions({ prometheus_metrics_config: config }));
    expect(changed).not.toBe(defaults);
    expect(changed.names()).toEqual(["litellm_proxy_total_requests_metric"]);
    expect(registry().getSingleMetric("litellm_proxy_total_requests_metric")).not.toBe(counted);
    expect(registry().getSingleMetric("litellm_spend_metric")).toBeUndefined();
    expect(metricSet(resolvePrometheusOptions({}))).not.toBe(changed);
    expect(registry().getSingleMetric("litellm_spend_metric")).toBeDefined();
  });
});
