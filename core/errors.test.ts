import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeOpenAI, type FakeOpenAI } from "../test/support/fake-openai.ts";
import { resetLitellm, user } from "../test/support/kit.ts";
import { PROVIDER_ERRORS, type ProviderErrorName } from "./errors.ts";
import * as api from "./index.ts";
import litellm, {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  CALLBACK_ERROR_CODES,
  ERROR_CODES,
  InternalServerError,
  InvalidCallbackError,
  InvalidParamsError,
  InvalidResponseError,
  LiteLLMError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  Timeout,
  UnsupportedProviderError,
  acompletion,
  aembedding,
  completion,
  embedding,
  type CallbackKwargs,
  ContextWindowExceededError,
  ContentPolicyViolationError,
} from "./index.ts";

// Every error of the catalogue, produced by the runtime itself (not just constructed), with its stable code.

const KEY = "sk-test-1234567890abcd";

/** The catalogue as documented: class name → [code, default status]. */
const CATALOGUE: Record<ProviderErrorName, [code: string, status: number | undefined]> = {
  BadRequestError: ["LLM_BAD_REQUEST", 400],
  AuthenticationError: ["LLM_AUTHENTICATION", 401],
  PermissionDeniedError: ["LLM_PERMISSION_DENIED", 403],
  NotFoundError: ["LLM_NOT_FOUND", 404],
  RateLimitError: ["LLM_RATE_LIMIT", 429],
  Timeout: ["LLM_TIMEOUT", 408],
  APIConnectionError: ["LLM_CONNECTION", undefined],
  ServiceUnavailableError: ["LLM_SERVICE_UNAVAILABLE", 503],
  InternalServerError: ["LLM_INTERNAL_SERVER", 500],
  APIError: ["LLM_API_ERROR", undefined],
  UnsupportedProviderError: ["LLM_UNSUPPORTED_PROVIDER", 400],
  InvalidParamsError: ["LLM_INVALID_PARAMS", 400],
  UnsupportedParamsError: ["LLM_UNSUPPORTED_PARAMS", 400],
  InvalidResponseError: ["LLM_INVALID_RESPONSE", 502],
  ContextWindowExceededError: ["LLM_CONTEXT_WINDOW_EXCEEDED", 400],
  ContentPolicyViolationError: ["LLM_CONTENT_POLICY_VIOLATION", 400],
};

let fake: FakeOpenAI;
let failures: CallbackKwargs[];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());
beforeEach(() => {
  failures = [];
  resetLitellm();
  litellm.failure_callback = [(kwargs: CallbackKwargs) => void failures.push(kwargs)];
});
afterEach(async () => {
  // Events still queued belong to this test, not to the next one's recorder.
  await litellm.flush();
  fake.reset();
});

/** The error a call rejects with (fails the test if it resolves). */
async function failureOf(p: Promise<unknown>): Promise<LiteLLMError> {
  const out = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(out, "the call should have failed").toBeInstanceOf(LiteLLMError);
  return out as LiteLLMError;
}

const chat = (extra: Record<string, unknown> = {}) =>
  acompletion({ model: "openai/gpt-4o-mini", messages: user("hi"), api_base: fake.url, api_key: KEY, ...extra });

describe("the catalogue", () => {
  it("ERROR_CODES values are unique, and unlike the callback codes", () => {
    const codes = Object.values(ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    const callbackCodes = [...Object.values(CALLBACK_ERROR_CODES), "CALLBACK_INVALID"];
    expect(codes.filter((c) => callbackCodes.includes(c))).toEqual([]);
    expect(new Set(callbackCodes).size).toBe(callbackCodes.length);
  });

  it("holds exactly the documented classes, codes and default statuses", () => {
    expect(ERROR_CODES).toEqual(Object.fromEntries(Object.entries(CATALOGUE).map(([name, [code]]) => [name, code])));
    expect(Object.keys(PROVIDER_ERRORS).sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it.each(Object.keys(CATALOGUE) as ProviderErrorName[])("%s: its code is its ERROR_CODES entry, and it is exported by that name", (name) => {
    const Cls = PROVIDER_ERRORS[name];
    const err = new Cls("m");
    expect(err.code).toBe(ERROR_CODES[name]);
    expect(err.name).toBe(name);
    expect(Cls.name).toBe(name);
    expect(err.status).toBe(CATALOGUE[name][1]);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect(err).toBeInstanceOf(Error);
    expect((api as Record<string, unknown>)[name]).toBe(Cls);
    expect((litellm as unknown as Record<string, unknown>)[name]).toBe(Cls);
    expect(err.toJSON()).toMatchObject({ name, code: ERROR_CODES[name], message: "m" });
  });
});

describe("HTTP statuses from the provider", () => {
  const cases: Array<[status: number, Cls: (typeof PROVIDER_ERRORS)[ProviderErrorName]]> = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [408, Timeout],
    [413, BadRequestError],
    [422, BadRequestError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, ServiceUnavailableError],
    [529, ServiceUnavailableError],
    [418, APIError],
  ];

  it.each(cases)("%i → %o", async (status, Cls) => {
    const message = `upstream says no (${status}), request req_${status}`;
    fake.set({ status, errorBody: JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } }) });
    const err = await failureOf(chat());
    expect(err).toBeInstanceOf(Cls);
    expect(err.name).toBe(Cls.name);
    expect(err.code).toBe(ERROR_CODES[Cls.name as ProviderErrorName]);
    expect(err.status).toBe(status);
    expect(err.llm_provider).toBe("openai");
    expect(err.model).toBe("gpt-4o-mini");
    expect(err.message).toContain(message);
    expect(err.retry_after).toBeUndefined();
    await litellm.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.exception).toBe(err);
    // LiteLLM's error_code is the HTTP status as text; the stable code stays on the error.
    expect(failures[0]!.standard_logging_object!.error_information).toMatchObject({
      error_code: String(status),
      error_class: Cls.name,
      llm_provider: "openai",
      error_message: err.message,
    });
  });

  it.each([
    ["context_length_exceeded", ContextWindowExceededError],
    ["content_policy_violation", ContentPolicyViolationError],
    ["content_filter", ContentPolicyViolationError],
  ] as const)("400 with code %s → %o", async (code, Cls) => {
    fake.set({ status: 400, errorBody: JSON.stringify({ error: { message: `refused: ${code}`, type: "invalid_request_error", param: "messages", code } }) });
    const err = await failureOf(chat());
    expect(err).toBeInstanceOf(Cls);
    expect(err).toBeInstanceOf(LiteLLMError);
    expect(err).toMatchObject({ name: Cls.name, code: ERROR_CODES[Cls.name as ProviderErrorName], status: 400 });
    expect(err.message).toContain(`refused: ${code}`);
  });

  it("429 with retry-after: 3 carries retry_after 3", async () => {
    fake.set({ status: 429, headers: { "retry-after": "3" } });
    const err = await failureOf(chat());
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ code: "LLM_RATE_LIMIT", status: 429, retry_after: 3 });
    expect(err.message).toContain("Rate limit reached");
  });

  it("an error body that is not JSON still gives the class of the status", async () => {
    fake.set({ status: 503, errorBody: "<html>bad gateway</html>" });
    const err = await failureOf(chat());
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect(err.status).toBe(503);
  });

  it("embeddings map statuses the same way", async () => {
    fake.set({ status: 401 });
    const err = await failureOf(aembedding({ model: "openai/text-embedding-3-small", input: "x", api_base: fake.url, api_key: KEY }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: "LLM_AUTHENTICATION", status: 401, llm_provider: "openai" });
    expect(err.message).toContain("Incorrect API key provided.");
  });
});

describe("errors the runtime makes itself", () => {
  it("UnsupportedProviderError lists the supported providers, and the failure callback sees it", async () => {
    const err = await failureOf(completion({ model: "bedrock/x", messages: user("hi") }));
    expect(err).toBeInstanceOf(UnsupportedProviderError);
    expect(err).toMatchObject({ name: "UnsupportedProviderError", code: "LLM_UNSUPPORTED_PROVIDER", llm_provider: "bedrock" });
    expect(err.message).toContain('"bedrock"');
    expect(err.message).toContain("openai/<model>");
    expect(err.message).toContain("mock/<model>");
    expect(err.message).toContain("api_base");
    await litellm.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.exception).toBe(err);
    expect(failures[0]!.call_type).toBe("completion");
  });

  it("UnsupportedProviderError for embeddings too", async () => {
    const err = await failureOf(embedding({ model: "bedrock/titan", input: "x" }));
    expect(err).toBeInstanceOf(UnsupportedProviderError);
    await litellm.flush();
    expect(failures).toHaveLength(1);
  });

  it.each([
    ["a missing model", { messages: user("hi") }, '"model"'],
    ["an empty model", { model: "", messages: user("hi") }, '"model"'],
    ["messages that are not an array", { model: "mock/x", messages: "hi" }, '"messages"'],
    ["a message without a role", { model: "mock/x", messages: [{ role: "user", content: "a" }, { content: "b" }] }, "messages[1]"],
  ])("InvalidParamsError for %s", async (_what, params, names) => {
    const err = await failureOf(acompletion(params as never));
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect(err).toMatchObject({ name: "InvalidParamsError", code: "LLM_INVALID_PARAMS", status: 400 });
    expect(err.message).toContain(names);
  });

  it.each([
    ["a number", 42],
    ["an array of numbers", [1, 2]],
    ["nothing", undefined],
  ])("InvalidParamsError for an embedding input that is %s", async (_what, input) => {
    const err = await failureOf(aembedding({ model: "mock/e", input: input as never }));
    expect(err).toBeInstanceOf(InvalidParamsError);
    expect(err.code).toBe("LLM_INVALID_PARAMS");
    expect(err.message).toContain('"input"');
  });

  it("InvalidResponseError for a 200 that is not a completion", async () => {
    fake.set({ malformedBody: "<html>captive portal</html>" });
    const err = await failureOf(chat());
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(err).toMatchObject({ name: "InvalidResponseError", code: "LLM_INVALID_RESPONSE", status: 502, llm_provider: "openai" });
    expect(err.message).toContain("captive portal");
  });

  it("Timeout when the provider is slower than timeout", async () => {
    fake.set({ delayMs: 5_000 });
    const err = await failureOf(chat({ timeout: 0.2 }));
    expect(err).toBeInstanceOf(Timeout);
    expect(err).toMatchObject({ name: "Timeout", code: "LLM_TIMEOUT", status: 408, llm_provider: "openai" });
    expect(err.message).toContain("timeout");
  });

  it("APIConnectionError when nothing listens at api_base", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failureOf(chat({ api_base: `http://127.0.0.1:${port}/v1` }));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).toMatchObject({ name: "APIConnectionError", code: "LLM_CONNECTION", status: undefined, llm_provider: "openai" });
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });
});

describe("mock_response names an error", () => {
  it.each(Object.keys(CATALOGUE) as ProviderErrorName[])("litellm.%s", async (name) => {
    const err = await failureOf(acompletion({ model: "mock/x", messages: user("hi"), mock_response: `litellm.${name}` }));
    expect(err).toBeInstanceOf(PROVIDER_ERRORS[name]);
    expect(err.name).toBe(name);
    expect(err.code).toBe(CATALOGUE[name][0]);
    expect(err.status).toBe(CATALOGUE[name][1]);
    expect(err.llm_provider).toBe("mock");
    await litellm.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.exception).toBe(err);
  });

  it("the name without the litellm. prefix works too, in a stream and for embeddings", async () => {
    await expect(acompletion({ model: "mock/x", messages: user("hi"), stream: true, mock_response: "RateLimitError" })).rejects.toBeInstanceOf(RateLimitError);
    await expect(aembedding({ model: "mock/e", input: "x", mock_response: "litellm.Timeout" })).rejects.toBeInstanceOf(Timeout);
  });

  it("on a real model the error is that model's provider's, and nothing is sent", async () => {
    const err = await failureOf(chat({ mock_response: "litellm.RateLimitError" }));
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ llm_provider: "openai", model: "gpt-4o-mini" });
    expect(fake.requests).toEqual([]);
  });

  it("an error name the runtime does not know is an APIError that says so", async () => {
    const err = await failureOf(acompletion({ model: "mock/x", messages: user("hi"), mock_response: "litellm.BudgetExceededError" }));
    expect(err).toBeInstanceOf(APIError);
    expect(err.code).toBe("LLM_API_ERROR");
    expect(err.message).toContain("BudgetExceededError");
    expect(err.message).toContain("not an error class this runtime knows");
  });
});

describe("InvalidCallbackError (CALLBACK_INVALID) is thrown where the bad entry is registered", () => {
  it("assigning a number to litellm.callbacks", () => {
    const before = litellm.callbacks;
    let err: unknown;
    try {
      litellm.callbacks = [42 as never];
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidCallbackError);
    expect(err).toMatchObject({ name: "InvalidCallbackError", code: "CALLBACK_INVALID" });
    expect((err as Error).message).toContain("litellm.callbacks[0]");
    expect((err as Error).message).toContain("number 42");
    expect(litellm.callbacks).toBe(before);
  });

  it("pushing an object with no CustomLogger method into litellm.success_callback", () => {
    let err: unknown;
    try {
      litellm.success_callback.push({} as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidCallbackError);
    expect((err as InvalidCallbackError).code).toBe("CALLBACK_INVALID");
    expect((err as Error).message).toContain("litellm.success_callback[0]");
    expect(litellm.success_callback).toHaveLength(0);
  });

  it('an unknown built-in name ("posthog")', () => {
    expect(() => {
      litellm.callbacks = ["posthog"];
    }).toThrow(InvalidCallbackError);
    expect(() => litellm.failure_callback.push("posthog")).toThrow(/"posthog" is not a built-in callback/);
    expect(litellm.callbacks).toEqual([]);
  });

  it("a per-call list with a bad entry rejects the call", async () => {
    const err = await acompletion({ model: "mock/x", messages: user("hi"), callbacks: [42 as never] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidCallbackError);
    expect((err as InvalidCallbackError).code).toBe("CALLBACK_INVALID");
  });
});
