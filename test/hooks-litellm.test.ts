// LiteLLM's call hooks, with LiteLLM's positional arguments, in the library: call_hooks.md's examples ported line by line,
// moderation beside the provider request, failure hooks, the stream hooks, and embeddings through the same lifecycle.
import { describe, expect, it } from "vitest";
import {
  CallbackError,
  CustomLogger,
  type ChatCompletionChunk,
  type DualCache,
  type EmbeddingResponse,
  type HookCallType,
  type InlineConfig,
  type ModelResponse,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { Recorder, user, useRuntimes } from "./support/kit.ts";

/** What LiteLLM's `get_formatted_prompt` gives for a chat call: the messages' text, joined. */
function get_formatted_prompt(data: Record<string, unknown>, call_type: HookCallType): string {
  if (call_type !== "completion") return String(data.input ?? "");
  return (data.messages as Array<{ content?: unknown }>).map((m) => String(m.content ?? "")).join(" ");
}

const runtime = useRuntimes();

async function text(stream: AsyncIterable<ChatCompletionChunk>): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += chunk.choices[0]?.delta.content ?? "";
  return out;
}

describe("call_hooks.md: modify the request (a new model)", () => {
  // The Quick Start's handler: the pre-call hook sends every call to "my-new-model".
  class MyCustomHandler extends CustomLogger {
    override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
      data["model"] = "my-new-model";
      return data;
    }
  }

  const config = (chain: Recorder): InlineConfig => ({
    model_list: [
      { model_name: "gpt-3.5-turbo", litellm_params: { model: "mock/old", mock_response: "from gpt-3.5-turbo" } },
      // The new alias brings its own defaults and its own callbacks: the call is routed anew.
      { model_name: "my-new-model", litellm_params: { model: "mock/new", mock_response: "from my-new-model", temperature: 0.25 }, callbacks: [chain] },
    ],
    litellm_settings: { callbacks: [new MyCustomHandler()] },
  });

  it("a plain call is answered by the new alias, with its defaults, and logged to its chain", async () => {
    const chain = new Recorder();
    const rt = await runtime(config(chain));
    const res = await rt.acompletion({ model: "gpt-3.5-turbo", messages: user("good morning good sir"), user: "ishaan-app" });
    expect(res.choices[0]!.message.content).toBe("from my-new-model");
    await rt.flush();
    expect(chain.events()).toEqual(["pre_api_call", "post_api_call", "success"]);
    const kwargs = chain.last("success").kwargs;
    expect(kwargs.litellm_params.model_group).toBe("my-new-model");
    expect(kwargs.optional_params.temperature).toBe(0.25);
  });

  it("a stream is answered by the new alias too", async () => {
    const chain = new Recorder();
    const rt = await runtime(config(chain));
    expect(await text(await rt.acompletion({ model: "gpt-3.5-turbo", messages: user("hi"), stream: true }))).toBe("from my-new-model");
    await rt.flush();
    expect(chain.last("success").kwargs.complete_streaming_response!.choices[0]!.message.content).toBe("from my-new-model");
  });
});

describe("call_hooks.md: return a rejected message as the response", () => {
  class MyCustomHandler extends CustomLogger {
    failures: Array<{ error: string; code: unknown }> = [];
    override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
      const formatted_prompt = get_formatted_prompt(data, call_type);
      if (formatted_prompt.includes("Hello world")) return "This is an invalid response";
      return data;
    }
    override async async_post_call_failure_hook(request_data: Record<string, unknown>, original_exception: Error) {
      this.failures.push({ error: original_exception.name, code: (original_exception as { code?: unknown }).code });
    }
  }
  const setup = async () => {
    const handler = new MyCustomHandler();
    const logs = new Recorder();
    // The deployment would fail if it were asked: the answer must come from the hook alone.
    const rt = await runtime({
      model_list: [{ model_name: "gpt-3.5-turbo", litellm_params: { model: "mock/never", mock_response: "litellm.InternalServerError" } }],
      litellm_settings: { callbacks: [handler, logs] },
    });
    return { rt, handler, logs };
  };

  it("a plain call gets the string as the assistant's answer; nothing is sent; it is logged as LiteLLM's rejection", async () => {
    const { rt, handler, logs } = await setup();
    const res = await rt.acompletion({ model: "gpt-3.5-turbo", messages: user("Hello world") });
    expect(res.object).toBe("chat.completion");
    expect(res.choices).toEqual([{ index: 0, message: { role: "assistant", content: "This is an invalid response" }, finish_reason: "stop" }]);
    expect(res.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    await rt.flush();
    expect(logs.events()).toEqual(["failure"]);
    expect(logs.last("failure").kwargs.exception).toMatchObject({ name: "RejectedRequestError", code: "RUNTIME_REQUEST_REJECTED", status: 400 });
    expect(handler.failures).toEqual([{ error: "RejectedRequestError", code: "RUNTIME_REQUEST_REJECTED" }]);
  });

  it("a stream gets the string as chunks", async () => {
    const { rt } = await setup();
    const stream = await rt.acompletion({ model: "gpt-3.5-turbo", messages: user("Hello world"), stream: true });
    expect(await text(stream)).toBe("This is an invalid response");
  });

  it("a call the hook lets through reaches the deployment", async () => {
    const { rt } = await setup();
    await expect(rt.acompletion({ model: "gpt-3.5-turbo", messages: user("good morning") })).rejects.toMatchObject({ name: "InternalServerError" });
  });
});

describe("async_moderation_hook: beside the provider request", () => {
  /** call_hooks.md's moderation example, with LiteLLM's positional arguments. */
  class Moderator extends CustomLogger {
    seen: Array<{ call_type: HookCallType; role: string | null }> = [];
    override async async_moderation_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, call_type: HookCallType) {
      this.seen.push({ call_type, role: user_api_key_dict.user_role });
      const messages = data["messages"] as Array<{ content: string }>;
      if (messages[0]!.content === "hello world") throw Object.assign(new Error("Violated content safety policy"), { status_code: 400 });
    }
  }

  it("a rejection while the provider is still working fails the call with its error: the answer is discarded, the failure logged", async () => {
    const moderator = new Moderator();
    const logs = new Recorder();
    const rt = await runtime({
      model_list: [{ model_name: "slow", litellm_params: { model: "mock/slow", mock_response: "too late", mock_delay: 10_000 } }],
      litellm_settings: { callbacks: [moderator, logs] },
    });
    const err = await rt.acompletion({ model: "slow", messages: user("hello world") }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: "Violated content safety policy", status_code: 400 });
    await rt.flush();
    expect(logs.events()).toEqual(["pre_api_call", "post_api_call", "failure"]);
    expect(logs.last("failure").kwargs.exception).toBe(err);
    expect(moderator.seen).toEqual([{ call_type: "completion", role: null }]);
  });

  it("the provider's answer waits for the verdict: one that comes after the answer still fails the call, and no success is logged", async () => {
    const late = new (class LateModerator extends CustomLogger {
      override async async_moderation_hook() {
        await new Promise((r) => setTimeout(r, 50));
        throw new Error("flagged after the answer came");
      }
    })();
    const logs = new Recorder();
    const rt = await runtime({ model_list: [{ model_name: "fast", litellm_params: { model: "mock/fast", mock_response: "instant" } }], litellm_settings: { callbacks: [late, logs] } });
    await expect(rt.acompletion({ model: "fast", messages: user("hi") })).rejects.toThrow("flagged after the answer came");
    // Events keep their order within a call, not across calls: the first call's are delivered before the second starts.
    await rt.flush();
    await expect(rt.acompletion({ model: "fast", messages: user("hi"), stream: true })).rejects.toThrow("flagged after the answer came");
    await rt.flush();
    expect(logs.events()).toEqual(["pre_api_call", "post_api_call", "failure", "pre_api_call", "post_api_call", "failure"]);
  });

  it("a call it lets through is answered", async () => {
    const moderator = new Moderator();
    const rt = await runtime({ model_list: [{ model_name: "fast", litellm_params: { model: "mock/fast" } }], litellm_settings: { callbacks: [moderator] } });
    expect((await rt.acompletion({ model: "fast", messages: user("good morning") })).choices[0]!.message.content).toBe("good morning");
  });

  it("past callback_timeout it rejects the call (CALLBACK_TIMEOUT, counted); with hook_timeout_policy allow the call goes on", async () => {
    const hanging = new (class Hanging extends CustomLogger {
      override async async_moderation_hook() {
        return new Promise<never>(() => {});
      }
    })();
    const model_list = [{ model_name: "fast", litellm_params: { model: "mock/fast" } }];
    const strict = await runtime({ model_list, litellm_settings: { callbacks: [hanging], callback_timeout: 0.2 } });
    const err = await strict.acompletion({ model: "fast", messages: user("hi") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackError);
    expect(err).toMatchObject({ code: "CALLBACK_TIMEOUT", callback: "Hanging", event: "async_moderation_hook" });
    expect(strict.stats().timeouts).toBe(1);

    const lenient = await runtime({ model_list, litellm_settings: { callbacks: [hanging], callback_timeout: 0.2, hook_timeout_policy: "allow" } });
    expect((await lenient.acompletion({ model: "fast", messages: user("through") })).choices[0]!.message.content).toBe("through");
    expect(lenient.stats().timeouts).toBe(1);
  });
});

describe("async_post_call_success_hook and async_post_call_failure_hook", () => {
  it("a success hook gets (data, user_api_key_dict, response) and may change the response in place; on a stream it runs once, on the whole answer", async () => {
    const seen: string[] = [];
    const stamp = new (class Stamp extends CustomLogger {
      override async async_post_call_success_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, response: ModelResponse | EmbeddingResponse) {
        const r = response as ModelResponse;
        seen.push(`${String(data.model)}:${r.choices[0]!.message.content}:${user_api_key_dict.api_key}`);
        r.choices[0]!.message.content += " [checked]";
      }
    })();
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [stamp] } });
    expect((await rt.acompletion({ model: "echo", messages: user("plain") })).choices[0]!.message.content).toBe("plain [checked]");
    expect(await text(await rt.acompletion({ model: "echo", messages: user("one two three"), stream: true }))).toBe("one two three");
    expect(seen).toEqual(["echo:plain:null", "echo:one two three:null"]);
  });

  it("a failure hook gets (request_data, original_exception, user_api_key_dict, traceback_str); an error it throws is what the caller gets, the original is logged", async () => {
    const args: unknown[][] = [];
    const friendly = new (class Friendly extends CustomLogger {
      override async async_post_call_failure_hook(request_data: Record<string, unknown>, original_exception: Error, user_api_key_dict: UserAPIKeyAuth, traceback_str: string | null) {
        args.push([request_data.model, original_exception.name, user_api_key_dict.user_id, typeof traceback_str]);
        throw Object.assign(new Error("the assistant is busy, try again in a minute"), { status: 429 });
      }
    })();
    const logs = new Recorder({ events: ["failure"] });
    const rt = await runtime({
      model_list: [{ model_name: "busy", litellm_params: { model: "mock/busy", mock_response: "litellm.RateLimitError" } }],
      litellm_settings: { callbacks: [friendly, logs] },
    });
    await expect(rt.acompletion({ model: "busy", messages: user("hi") })).rejects.toMatchObject({ message: "the assistant is busy, try again in a minute", status: 429 });
    await expect(rt.acompletion({ model: "busy", messages: user("hi"), stream: true })).rejects.toThrow("the assistant is busy");
    await rt.flush();
    expect(args).toEqual([
      ["busy", "RateLimitError", null, "string"],
      ["busy", "RateLimitError", null, "string"],
    ]);
    expect(logs.of("failure").map((f) => f.kwargs.exception?.name)).toEqual(["RateLimitError", "RateLimitError"]);
  });

  it("a failure hook sees the rejections of other hooks too", async () => {
    const rejected: string[] = [];
    const guard = {
      async async_pre_call_hook() {
        throw new Error("team ads may not use this model");
      },
      async async_post_call_failure_hook(_data: Record<string, unknown>, err: Error) {
        rejected.push(err.message);
      },
    };
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [guard] } });
    await expect(rt.acompletion({ model: "echo", messages: user("hi") })).rejects.toThrow("team ads may not use this model");
    expect(rejected).toEqual(["team ads may not use this model"]);
  });
});

describe("the stream hooks", () => {
  it("iterator hooks wrap the stream the caller reads, in registration order; the loggers see the provider's answer", async () => {
    const upper = new (class Upper extends CustomLogger {
      override async *async_post_call_streaming_iterator_hook(user_api_key_dict: UserAPIKeyAuth, response: AsyncIterable<ChatCompletionChunk>, request_data: Record<string, unknown>) {
        for await (const chunk of response) {
          const delta = chunk.choices[0]?.delta;
          if (delta && typeof delta.content === "string") delta.content = delta.content.toUpperCase();
          yield chunk;
        }
      }
    })();
    const bang = new (class Bang extends CustomLogger {
      override async *async_post_call_streaming_iterator_hook(user_api_key_dict: UserAPIKeyAuth, response: AsyncIterable<ChatCompletionChunk>) {
        for await (const chunk of response) {
          const delta = chunk.choices[0]?.delta;
          if (delta && typeof delta.content === "string" && delta.content.trim()) delta.content = delta.content.replace(/(\S+)/, "$1!");
          yield chunk;
        }
      }
    })();
    const logs = new Recorder({ events: ["stream_event", "success"] });
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [upper, bang, logs] } });
    expect(await text(await rt.acompletion({ model: "echo", messages: user("rewrite these chunks"), stream: true }))).toBe("REWRITE! THESE! CHUNKS!");
    await rt.flush();
    expect(logs.last("success").kwargs.complete_streaming_response!.choices[0]!.message.content).toBe("rewrite these chunks");
    // The hooks edited copies: each chunk the loggers got is the provider's.
    expect(logs.of("stream_event").map((e) => (e.response as ChatCompletionChunk).choices[0]?.delta.content ?? "").join("")).toBe("rewrite these chunks");
  });

  it("a per-chunk hook gets the text so far (LiteLLM's `response: str`); what it returns replaces the chunk", async () => {
    const texts: string[] = [];
    const redact = new (class Redact extends CustomLogger {
      override async async_post_call_streaming_hook(user_api_key_dict: UserAPIKeyAuth, response: string) {
        texts.push(response);
        if (!response.endsWith("secret ")) return undefined;
        return { id: "redacted", object: "chat.completion.chunk", created: 0, model: "echo", choices: [{ index: 0, delta: { content: "****** " }, finish_reason: null }] };
      }
    })();
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [redact] } });
    expect(await text(await rt.acompletion({ model: "echo", messages: user("my secret plan"), stream: true }))).toBe("my ****** plan");
    // The role chunk, three words (the text so far counts the replacement, as LiteLLM's does), then the finish chunk.
    expect(texts).toEqual(["", "my ", "my secret ", "my ****** plan", "my ****** plan"]);
  });

  it("an iterator hook that throws fails the stream: one failure logged, the failure hooks may change the error", async () => {
    const logs = new Recorder({ events: ["success", "failure"] });
    const cut = {
      async *async_post_call_streaming_iterator_hook(_user: UserAPIKeyAuth, response: AsyncIterable<ChatCompletionChunk>) {
        let n = 0;
        for await (const chunk of response) {
          if (++n === 3) throw new Error("the output guard stopped the stream");
          yield chunk;
        }
      },
    };
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [cut, logs] } });
    const stream = await rt.acompletion({ model: "echo", messages: user("one two three four five"), stream: true });
    await expect(text(stream)).rejects.toThrow("the output guard stopped the stream");
    await rt.flush();
    expect(logs.events()).toEqual(["failure"]);
  });
});

describe("embeddings go through the same hooks, with call_type \"embeddings\"", () => {
  it("the pre-call hook may change the input and the success hook the response", async () => {
    const calls: string[] = [];
    const hooks = new (class EmbedHooks extends CustomLogger {
      override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
        calls.push(`pre:${call_type}`);
        return { ...data, input: `query: ${String(data.input)}` };
      }
      override async async_post_call_success_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, response: ModelResponse | EmbeddingResponse) {
        calls.push(`post:${String(data.input)}`);
        (response as EmbeddingResponse).model = "checked-embedding";
      }
    })();
    const logs = new Recorder({ events: ["success"] });
    const rt = await runtime({ model_list: [{ model_name: "embed", litellm_params: { model: "mock/embed" } }], litellm_settings: { callbacks: [hooks, logs] } });
    const res = await rt.aembedding({ model: "embed", input: "cats" });
    expect(res.model).toBe("checked-embedding");
    expect(calls).toEqual(["pre:embeddings", "post:query: cats"]);
    await rt.flush();
    expect(logs.last("success").kwargs.messages).toBe("query: cats");
  });

  it("a string from the pre-call hook rejects an embedding call with a 400 BadRequestError carrying it", async () => {
    const guard = { async async_pre_call_hook() { return "embeddings of this text are not allowed"; } };
    const rt = await runtime({ model_list: [{ model_name: "embed", litellm_params: { model: "mock/embed" } }], litellm_settings: { callbacks: [guard] } });
    await expect(rt.aembedding({ model: "embed", input: "x" })).rejects.toMatchObject({ name: "BadRequestError", status: 400, message: "embeddings of this text are not allowed" });
  });
});
