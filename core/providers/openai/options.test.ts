import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../../../test/support/fake-openai.ts";
import { collectUntilError } from "../../../test/support/streams.ts";
import { acompletion, createRuntime, Timeout, type Runtime } from "../../index.ts";

// What the official client used to do for us and a config can ask: the organization and project headers, and stream_timeout.

const KEY = "sk-test-1234567890abcd";
const messages = [{ role: "user" as const, content: "hi" }];
let fake: FakeOpenAI;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
afterEach(async () => {
  vi.unstubAllEnvs();
  fake.reset();
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

async function runtime(litellm_params: Record<string, unknown>): Promise<Runtime> {
  const rt = await createRuntime({ config: { model_list: [{ model_name: "m", litellm_params: { model: "openai/gpt-4o-mini", api_base: fake.url, api_key: KEY, ...litellm_params } }] } });
  runtimes.push(rt);
  return rt;
}

describe("OpenAI-Organization and OpenAI-Project", () => {
  it("the call's organization goes in the header, not the body", async () => {
    await acompletion({ model: "openai/gpt-4o-mini", messages, api_base: fake.url, api_key: KEY, organization: "org-call" });
    const sent = fake.requests[0]!;
    expect(sent.headers["openai-organization"]).toBe("org-call");
    expect(sent.body).not.toHaveProperty("organization");
  });

  it("litellm_params.organization of a deployment, over OPENAI_ORG_ID", async () => {
    vi.stubEnv("OPENAI_ORG_ID", "org-env");
    const rt = await runtime({ organization: "org-config" });
    await rt.acompletion({ model: "m", messages });
    expect(fake.requests[0]!.headers["openai-organization"]).toBe("org-config");
    expect(fake.requests[0]!.body).not.toHaveProperty("organization");
  });

  it("OPENAI_ORG_ID (or LiteLLM's OPENAI_ORGANIZATION) and OPENAI_PROJECT_ID, as the official clients read them", async () => {
    vi.stubEnv("OPENAI_ORG_ID", "");
    vi.stubEnv("OPENAI_ORGANIZATION", "org-litellm");
    vi.stubEnv("OPENAI_PROJECT_ID", "proj-1");
    await acompletion({ model: "openai/gpt-4o-mini", messages, api_base: fake.url, api_key: KEY });
    expect(fake.requests[0]!.headers["openai-organization"]).toBe("org-litellm");
    expect(fake.requests[0]!.headers["openai-project"]).toBe("proj-1");
  });

  it("none is sent when none is set, and never to a local OpenAI-compatible server", async () => {
    vi.stubEnv("OPENAI_ORG_ID", "");
    vi.stubEnv("OPENAI_ORGANIZATION", "");
    vi.stubEnv("OPENAI_PROJECT_ID", "");
    await acompletion({ model: "openai/gpt-4o-mini", messages, api_base: fake.url, api_key: KEY });
    expect(fake.requests[0]!.headers["openai-organization"]).toBeUndefined();
    vi.stubEnv("OPENAI_ORG_ID", "org-env");
    await acompletion({ model: "openai_compatible/llama", messages, api_base: fake.url });
    expect(fake.requests[1]!.headers["openai-organization"]).toBeUndefined();
  });
});

describe("stream_timeout", () => {
  it("bounds a stream of the deployment, while a plain call keeps `timeout`", async () => {
    const rt = await runtime({ timeout: 30, stream_timeout: 0.2 });
    // Past 0.2 s and the ~1 s resolution of undici's request timers, well short of 30 s.
    fake.set({ delayMs: 1500 });
    const plain = await rt.acompletion({ model: "m", messages });
    expect(plain.choices[0]!.message.content).toBeTypeOf("string");
    const err = await rt.acompletion({ model: "m", messages, stream: true }).then(collectUntilError, (e: unknown) => ({ chunks: [], error: e }));
    expect(err.error).toBeInstanceOf(Timeout);
    expect((err.error as Error).message).toContain("0.2 s");
  });

  it("is neither sent to the provider nor part of what a call is", async () => {
    const rt = await runtime({ stream_timeout: 5 });
    const stream = await rt.acompletion({ model: "m", messages, stream: true });
    const { error } = await collectUntilError(stream);
    expect(error).toBeUndefined();
    expect(fake.requests[0]!.body).not.toHaveProperty("stream_timeout");
  });
});
