// Runs every example as a user would (a child process from the repo root) and checks what it prints.
// An example without an entry in EXPECTED fails the suite, so none can be added without being run.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tsArgs } from "./support/run-ts.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Each example takes about a second alone; fifteen cold Node processes at once on a small CI machine take longer.
const TIMEOUT_MS = 30_000;

/** What each example must print on stdout: substrings, or patterns. */
const EXPECTED: Record<string, (string | RegExp)[]> = {
  "custom-handler": [
    "completion: log_pre_api_call, log_post_api_call, log_success_event",
    "acompletion: log_pre_api_call, log_post_api_call, async_log_success_event",
    "completion stream: log_pre_api_call, log_post_api_call, log_stream_event, log_success_event",
    "acompletion stream: log_pre_api_call, log_post_api_call, async_log_stream_event, async_log_success_event",
    "acompletion failure: log_pre_api_call, log_post_api_call, async_log_failure_event",
  ],
  "callback-functions": [
    "input_callback: about to call demo",
    /success_callback: demo answered "Hello!" in \d+ ms/,
    "failure_callback: RateLimitError (failed_api_call)",
    "the call threw RateLimitError",
  ],
  "async-callback": [/response returned: "streamed words arrive one by one"\n.*async success callback done for demo.*\nflush\(\) resolved/],
  kwargs: [
    /^pre_api_call: .*\badditional_args\b.*\binput\b.*\blitellm_params\b.*\bmodel\b/m,
    /^post_api_call: .*\boriginal_response\b/m,
    /^successful_api_call: .*\bcache_hit\b.*\bend_time\b.*\bresponse_cost\b.*\bstandard_logging_object\b/m,
    /^failed_api_call: .*\bexception\b.*\btraceback_exception\b/m,
  ],
  "cache-hits": [
    /success: cache_hit=false response_cost=0\.\d*[1-9]\d* saved_cache_cost=0\n/,
    /success: cache_hit=true response_cost=0 saved_cache_cost=0\.\d*[1-9]/,
    "same answer: true",
    "events: pre, post, success, success(hit)",
  ],
  "streaming-response": [/read \d+ chunks/, 'complete_streaming_response: "Streams arrive word by word"', /usage: \d+ prompt \+ \d+ completion tokens/],
  metadata: ['metadata: {"hello":"world","team":"search","tags":["search"]}', 'standard_logging_object.request_tags: ["search"]'],
  "cost-tracking": [
    /gpt-4o-mini non-streaming response_cost: \$0\.\d*[1-9]/,
    /_hidden_params\.response_cost = 0\.\d*[1-9]/,
    /gpt-4o-mini streaming response_cost: \$0\.\d*[1-9]/,
    "demo non-streaming response_cost: $0.00000000",
  ],
  "transformed-input": [/params to model: \{"model":"gpt-4o-mini","messages":\[.*\],"temperature":0\.2,"max_tokens":64\}/],
  mixpanel: [
    "collector: POST /track?ip=0",
    /event "LLM Response": status=success model_group=chat distinct_id=alice cost=0\.\d*[1-9]\d* error=none/,
    /event "LLM Response": status=failure .* error=RateLimitError/,
  ],
  "config-only": ["models: demo", "answer: Hello from a config-only setup", "log file: 2 lines (success, failure)"],
  "per-model-chain": [/call cheap:\n  global logged cheap\ncall premium:\n  global logged premium\n  premium-audit \(model chain\) logged premium/],
  "reject-hook": [
    "pre_api_call: the provider request was made",
    "success logged for team search",
    "failure logged: team ads may not use mock/demo",
    'rejected: Forbidden status=403 "team ads may not use mock/demo"',
  ],
  "hot-reload": [/before the edit:\n  callback v1 saw a call to demo\nreload event: changed greeter\.ts\nafter the edit:\n  callback v2 saw a call to demo/],
};

const examples = readdirSync(new URL("../examples/", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3));

function run(file: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, tsArgs(file, ...args), { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("examples", () => {
  it("every example in examples/ has expectations here", () => {
    expect(examples.filter((n) => !(n in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((n) => !examples.includes(n))).toEqual([]);
  });

  it.concurrent.each(examples)("%s runs and prints what it shows", async (name) => {
    const { code, stdout, stderr } = await run(`examples/${name}.ts`);
    expect(code, stderr).toBe(0);
    for (const want of EXPECTED[name] ?? []) {
      if (typeof want === "string") expect(stdout).toContain(want);
      else expect(stdout).toMatch(want);
    }
  }, TIMEOUT_MS);

  it.concurrent("run.ts runs a named example, and lists them all with exit 2 for an unknown one", async () => {
    const ok = await run("examples/run.ts", ["metadata"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('metadata: {"hello":"world","team":"search","tags":["search"]}');
    const unknown = await run("examples/run.ts", ["no-such-example"]);
    expect(unknown.code).toBe(2);
    for (const name of examples) expect(unknown.stderr).toContain(`  ${name}\n`);
  }, TIMEOUT_MS);
});
