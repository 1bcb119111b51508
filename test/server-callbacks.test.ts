// Per-request callbacks through the server: user and metadata reach kwargs; chain hooks reject or change what the client gets.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createRuntime,
  CustomLogger,
  startServer,
  type CallbackKwargs,
  type DualCache,
  type HookCallType,
  type RunningServer,
  type Runtime,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { useTempDir, user } from "./support/kit.ts";

type Logged = { event: "success" | "failure"; kwargs: CallbackKwargs };

/** Records events, and acts in the chain hooks on what the request's metadata asks for (an inline config holds it as it is). */
class Gate extends CustomLogger {
  events: Logged[] = [];
  override async async_log_success_event(kwargs: CallbackKwargs) {
    this.events.push({ event: "success", kwargs });
  }
  override async async_log_failure_event(kwargs: CallbackKwargs) {
    this.events.push({ event: "failure", kwargs });
  }
  override async async_pre_call_hook(_user: UserAPIKeyAuth, _cache: DualCache, data: Record<string, unknown>, _callType: HookCallType) {
    const ask = (data.metadata as { gate?: string } | undefined)?.gate;
    if (ask === "forbid") throw Object.assign(new Error("blocked by policy: this team may not use this model"), { status: 403, code: "policy_violation" });
    if (ask === "reject") throw new Error("the prompt contains a banned word");
    if (ask === "bug") return (undefined as unknown as { x: { y: Record<string, unknown> } }).x.y;
    if (ask === "rewrite") return { ...data, messages: user("rewritten by the hook") };
    if (ask === "no-stream") return { ...data, stream: false };
    return data;
  }
  override async async_post_call_success_hook(data: Record<string, unknown>, _user: UserAPIKeyAuth, response: unknown) {
    if ((data.metadata as { gate?: string } | undefined)?.gate !== "stamp") return response;
    const r = response as { choices: Array<{ message: { content: string } }> };
    const choice = r.choices[0]!;
    return { ...r, choices: [{ ...choice, message: { ...choice.message, content: `${choice.message.content} [checked]` } }] };
  }
}
const gate = new Gate();

const tmp = useTempDir("litellm-server-cb-", { per: "suite" });
let rt: Runtime;
let server: RunningServer;
let client: OpenAI;

beforeAll(async () => {
  rt = await createRuntime({
    config: {
      // The mock echoes the last user message: what the client sees is what the provider got.
      model_list: [
        { model_name: "echo", litellm_params: { model: "mock/echo" } },
        { model_name: "limited", litellm_params: { model: "mock/echo", rpm: 1 } },
      ],
      // Under it, "limited" takes one request a minute; "echo" has no limit.
      router_settings: { routing_strategy: "usage-based-routing-v2" },
      litellm_settings: { callbacks: [gate] },
    },
    cwd: tmp.path,
  });
  server = await startServer(rt, { port: 0 });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "none", maxRetries: 0 });
});

afterAll(async () => {
  await server?.close(1000);
  await rt?.close();
});

// The previous test's logging is finished first: a test that does not flush must not leave its events to the next one.
beforeEach(async () => {
  await rt.flush();
  gate.events = [];
});

async function logged() {
  await rt.flush();
  return gate.events;
}

describe("per-request user and metadata", () => {
  it("the body's user reaches kwargs.user, and its metadata kwargs.litellm_params.metadata", async () => {
    await client.chat.completions.create({ model: "echo", messages: user("hi"), user: "end-user-42", metadata: { team: "search" } } as never);
    const [event] = await logged();
    expect(event!.kwargs.user).toBe("end-user-42");
    expect(event!.kwargs.litellm_params.metadata).toMatchObject({ team: "search" });
  });

  it("x-litellm-metadata merges into metadata; the body wins on a key both give", async () => {
    await client.chat.completions.create(
      { model: "echo", messages: user("hi"), metadata: { team: "body-team", run: 1 } } as never,
      { headers: { "x-litellm-metadata": JSON.stringify({ team: "header-team", trace: "abc" }) } },
    );
    await client.embeddings.create({ model: "echo", input: "x", encoding_format: "float" }, { headers: { "x-litellm-metadata": '{"only": "header"}' } });
    const [chat, embedding] = await logged();
    expect(chat!.kwargs.litellm_params.metadata).toMatchObject({ team: "body-team", trace: "abc", run: 1 });
    expect(embedding!.kwargs.litellm_params.metadata).toMatchObject({ only: "header" });
    expect(embedding!.kwargs.litellm_params.metadata).not.toHaveProperty("team");
  });
});

describe("chain hooks", () => {
  it("a pre-call hook that throws an error with status 403 is 403 in OpenAI's shape, with one failure event", async () => {
    const err = await client.chat.completions.create({ model: "echo", messages: user("hi"), metadata: { gate: "forbid" } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const e = err as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(e.status).toBe(403);
    expect(e.error).toEqual({ message: "blocked by policy: this team may not use this model", type: "permission_error", param: null, code: "policy_violation" });
    const events = await logged();
    expect(events.map((x) => x.event)).toEqual(["failure"]);
    expect(events[0]!.kwargs.exception?.message).toContain("blocked by policy");
  });

  it("a pre-call hook that throws a plain error is 400 with its message", async () => {
    const err = await client.chat.completions.create({ model: "echo", messages: user("hi"), metadata: { gate: "reject" } } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: "the prompt contains a banned word", code: "request_rejected", type: "invalid_request_error" });
    expect((await logged()).map((x) => x.event)).toEqual(["failure"]);
  });

  it("a hook with a bug is 500 with a generic message; the detail goes to stderr, not to the client", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const err = await client.chat.completions.create({ model: "echo", messages: user("hi"), metadata: { gate: "bug" } } as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.InternalServerError);
      const body = (err as InstanceType<typeof OpenAI.APIError>).error as { message: string; code: string };
      expect(body.code).toBe("internal_error");
      expect(body.message).not.toMatch(/TypeError|undefined|\.ts/);
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toMatch(/unexpected error in POST \/v1\/chat\/completions: TypeError/);
  });

  it("a pre-call hook may change the request: the provider gets the new messages", async () => {
    const res = await client.chat.completions.create({ model: "echo", messages: user("original"), metadata: { gate: "rewrite" } } as never);
    expect(res.choices[0]!.message.content).toBe("rewritten by the hook");
  });

  it("a pre-call hook that turns a stream into a plain call: the client gets the JSON answer, the server stays up", async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "echo", messages: user("plain please"), stream: true, metadata: { gate: "no-stream" } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("plain please");
    expect((await logged()).map((x) => x.event)).toEqual(["success"]);
  });

  it("a post-call hook that changes the response: the client sees the change", async () => {
    const res = await client.chat.completions.create({ model: "echo", messages: user("answer"), metadata: { gate: "stamp" } } as never);
    expect(res.choices[0]!.message.content).toBe("answer [checked]");
    const events = await logged();
    expect(events.map((x) => x.event)).toEqual(["success"]);
  });
});

describe("a request refused before anything is sent", () => {
  it("every deployment at its rpm: a 429 to the client, and one failure event for it", async () => {
    // rpm 1 counts by the clock's minute: a minute that turns between two requests lets the second through, never a third.
    const statuses: number[] = [];
    for (let i = 0; i < 3 && !statuses.includes(429); i++) {
      statuses.push(await client.chat.completions.create({ model: "limited", messages: user("hi") }).then(() => 200, (e: { status: number }) => e.status));
    }
    expect(statuses.at(-1)).toBe(429);
    const events = await logged();
    expect(events.map((x) => x.event)).toEqual([...statuses.slice(0, -1).map(() => "success"), "failure"]);
    const failed = events.at(-1)!.kwargs;
    expect([failed.exception?.name, failed.litellm_params.model_group]).toEqual(["RateLimitError", "limited"]);
    expect(failed.exception?.message).toContain('Every deployment of "limited" is at its rpm/tpm limit this minute');
  });
});
