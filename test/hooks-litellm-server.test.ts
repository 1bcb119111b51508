// LiteLLM's call hooks through the OpenAI-compatible server, called with the real openai client: call_hooks.md's examples,
// moderation beside a slow provider, failure hooks, embeddings, and the caller as user_api_key_dict (the key hashed, never sent on).
import { createHash } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createRuntime,
  CustomLogger,
  startServer,
  type DualCache,
  type EmbeddingResponse,
  type HookCallType,
  type ModelResponse,
  type RunningServer,
  type Runtime,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { Recorder, useTempDir, user } from "./support/kit.ts";

const MASTER_KEY = "sk-hooks-master-0123456789";

/** call_hooks.md's handlers in one, each acting on the aliases its example uses. */
class ProxyHandler extends CustomLogger {
  callers: Array<{ route: string | null; dict: UserAPIKeyAuth }> = [];
  callTypes: HookCallType[] = [];
  override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
    this.callers.push({ route: user_api_key_dict.request_route, dict: user_api_key_dict });
    this.callTypes.push(call_type);
    if (data["model"] === "gpt-3.5-turbo") data["model"] = "my-new-model";
    const text = call_type === "completion" ? (data.messages as Array<{ content: string }>).map((m) => m.content).join(" ") : String(data.input);
    if (text.includes("Hello world")) return "This is an invalid response";
    if (call_type === "embeddings") data.input = `query: ${String(data.input)}`;
    return data;
  }
  override async async_moderation_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, call_type: HookCallType) {
    const messages = data["messages"] as Array<{ content: string }> | undefined;
    if (messages?.[0]?.content === "hello world") throw Object.assign(new Error("Violated content safety policy"), { status_code: 400 });
    if (messages?.[0]?.content === "forbidden topic") throw Object.assign(new Error("this team may not ask that"), { status: 403, code: "policy_violation" });
  }
  override async async_post_call_success_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, response: ModelResponse | EmbeddingResponse) {
    if (data.model === "embed") (response as EmbeddingResponse).model = `embedded ${String(data.input)}`;
  }
  override async async_post_call_failure_hook(request_data: Record<string, unknown>, original_exception: Error, user_api_key_dict: UserAPIKeyAuth) {
    if (request_data.model === "busy") throw Object.assign(new Error("busy: retry in a minute"), { status: 429 });
  }
}

const handler = new ProxyHandler();
const logs = new Recorder({ events: ["success", "failure"] });
const tmp = useTempDir("litellm-hooks-server-", { per: "suite" });
let rt: Runtime;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  rt = await createRuntime({
    config: {
      model_list: [
        { model_name: "gpt-3.5-turbo", litellm_params: { model: "mock/old", mock_response: "from gpt-3.5-turbo" } },
        { model_name: "my-new-model", litellm_params: { model: "mock/new", mock_response: "from my-new-model" } },
        { model_name: "slow", litellm_params: { model: "mock/slow", mock_response: "too late", mock_delay: 10_000 } },
        { model_name: "busy", litellm_params: { model: "mock/busy", mock_response: "litellm.InternalServerError" } },
        { model_name: "embed", litellm_params: { model: "mock/embed" } },
      ],
      litellm_settings: { callbacks: [handler, logs] },
      general_settings: { master_key: MASTER_KEY },
    },
    cwd: tmp.path,
  });
  rt.on("callback_error", () => {});
  server = await startServer(rt, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await server?.close(1000);
  await rt?.close();
});

// The previous test's logging is finished first: a test that does not flush must not leave its events to the next one.
beforeEach(async () => {
  await rt.flush();
  handler.callers = [];
  handler.callTypes = [];
  logs.clear();
});

async function streamed(model: string, content: string): Promise<string> {
  let out = "";
  for await (const chunk of await client.chat.completions.create({ model, messages: user(content) as never, stream: true })) out += chunk.choices[0]?.delta.content ?? "";
  return out;
}

describe("call_hooks.md's examples through the server", () => {
  it("a pre-call hook that changes the model: the new alias answers, plain and streamed", async () => {
    const res = await client.chat.completions.create({ model: "gpt-3.5-turbo", messages: user("good morning good sir") as never, user: "ishaan-app", temperature: 0.2 });
    expect(res.choices[0]!.message.content).toBe("from my-new-model");
    expect(await streamed("gpt-3.5-turbo", "good morning")).toBe("from my-new-model");
  });

  it("a pre-call hook that returns a string: the client gets it as the answer, plain and streamed", async () => {
    const res = await client.chat.completions.create({ model: "my-new-model", messages: user("Hello world") as never });
    expect(res.choices[0]!.message).toMatchObject({ role: "assistant", content: "This is an invalid response" });
    expect(res.choices[0]!.finish_reason).toBe("stop");
    expect(await streamed("my-new-model", "Hello world")).toBe("This is an invalid response");
  });
});

describe("moderation, failure hooks and statuses", () => {
  it("a moderation hook that rejects while the provider is slow: 400 with its message, the failure logged", async () => {
    const err = await client.chat.completions.create({ model: "slow", messages: user("hello world") as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "Violated content safety policy", type: "invalid_request_error" });
    await rt.flush();
    expect(logs.events()).toEqual(["failure"]);
    expect(logs.last("failure").kwargs.exception?.message).toBe("Violated content safety policy");
  });

  it("a moderation error carrying 403 is a 403, with its code", async () => {
    const err = await client.chat.completions.create({ model: "my-new-model", messages: user("forbidden topic") as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "this team may not ask that", code: "policy_violation" });
  });

  it("a failure hook's error replaces the provider's: its 429 reaches the client", async () => {
    const err = await client.chat.completions.create({ model: "busy", messages: user("hi") as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "busy: retry in a minute" });
    await rt.flush();
    expect((logs.last("failure").kwargs.exception as { name?: string }).name).toBe("InternalServerError");
  });
});

describe("embeddings through the server", () => {
  it("go through the pre-call and success hooks with call_type \"embeddings\"; a string from the pre-call hook is a 400", async () => {
    const res = await client.embeddings.create({ model: "embed", input: "cats", encoding_format: "float" });
    expect(res.model).toBe("embedded query: cats");
    expect(handler.callTypes).toEqual(["embeddings"]);
    const err = await client.embeddings.create({ model: "embed", input: "Hello world", encoding_format: "float" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "This is an invalid response" });
  });
});

describe("user_api_key_dict on the server", () => {
  it("is LiteLLM's UserAPIKeyAuth for the master key: the key as its SHA-256, the proxy admin, the end user and the route", async () => {
    await client.chat.completions.create({ model: "my-new-model", messages: user("hi") as never, user: "end-user-7" });
    await client.embeddings.create({ model: "embed", input: "x", encoding_format: "float" });
    const hash = createHash("sha256").update(MASTER_KEY).digest("hex");
    expect(handler.callers.map((c) => c.route)).toEqual(["/v1/chat/completions", "/v1/embeddings"]);
    const { dict } = handler.callers[0]!;
    expect(dict).toMatchObject({ api_key: hash, token: hash, user_role: "proxy_admin", user_id: "default_user_id", end_user_id: "end-user-7", team_id: null, key_alias: null, metadata: {} });
    for (const { dict } of handler.callers) expect(JSON.stringify(dict)).not.toContain(MASTER_KEY);
  });

  it("is not something a client can send: a body key of that name is only a provider parameter", async () => {
    await client.chat.completions.create({ model: "my-new-model", messages: user("hi") as never, user_api_key_dict: { user_role: "proxy_admin", api_key: "forged" } } as never);
    expect(handler.callers[0]!.dict.api_key).toBe(createHash("sha256").update(MASTER_KEY).digest("hex"));
  });
});
