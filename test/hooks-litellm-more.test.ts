// The rest of LiteLLM's CustomLogger hooks: logging hooks that mask what loggers see, the router's fallback events,
// `user_api_key_dict` and the DualCache a pre-call hook gets, `message_logging`, a module of hooks only, and their types.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import litellm, {
  Cache,
  CustomLogger,
  type CallbackKwargs,
  type CallType,
  type ChatMessage,
  type DualCache,
  type HookCallType,
  type ModelResponse,
  type UserAPIKeyAuth,
} from "../core/index.ts";
import { Recorder, resetLitellm, tempDirForTest, user, useRuntimes } from "./support/kit.ts";

const runtime = useRuntimes();

const CARD = /\b(?:\d[ -]?){13,16}\b/g;
const mask = (text: unknown) => String(text).replace(CARD, "[card]");

describe("async_logging_hook / logging_hook: what every success and failure logger receives", () => {
  /** Masks card numbers in the messages and the answer, as LiteLLM's logging hooks are meant to. */
  class CardMasker extends CustomLogger {
    forms: string[] = [];
    private masked(kwargs: CallbackKwargs, result: unknown): [CallbackKwargs, unknown] {
      kwargs.messages = (kwargs.messages as ChatMessage[]).map((m) => ({ ...m, content: mask(m.content) }));
      const answer = result as ModelResponse | null;
      if (answer?.choices) for (const c of answer.choices) c.message.content = mask(c.message.content);
      return [kwargs, result];
    }
    override async async_logging_hook(kwargs: CallbackKwargs, result: unknown, call_type: CallType): Promise<[CallbackKwargs, unknown]> {
      this.forms.push(`async:${call_type}`);
      return this.masked(kwargs, result);
    }
    override logging_hook(kwargs: CallbackKwargs, result: unknown, call_type: CallType): [CallbackKwargs, unknown] {
      this.forms.push(`sync:${call_type}`);
      return this.masked(kwargs, result);
    }
  }

  it("the success logger sees the card masked, in kwargs, the response and the record; the caller's messages and answer keep it", async () => {
    const masker = new CardMasker();
    const logs = new Recorder({ events: ["pre_api_call", "success", "failure"] });
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [masker, logs] } });
    const messages = user("my card is 4111 1111 1111 1111");
    const res = await rt.acompletion({ model: "echo", messages });
    await rt.flush();
    expect(res.choices[0]!.message.content).toBe("my card is 4111 1111 1111 1111");
    expect(messages[0]!.content).toBe("my card is 4111 1111 1111 1111");
    const success = logs.last("success");
    expect(success.kwargs.messages).toEqual(user("my card is [card]"));
    expect((success.response as ModelResponse).choices[0]!.message.content).toBe("my card is [card]");
    expect(JSON.stringify(success.kwargs.standard_logging_object)).not.toMatch(/4111/);
    // Before the hook, as in LiteLLM: it runs for the success and failure loggers only.
    expect(logs.last("pre_api_call").kwargs.messages).toEqual(messages);
  });

  it("the failure logger sees it masked too", async () => {
    const logs = new Recorder({ events: ["failure"] });
    const rt = await runtime({
      model_list: [{ model_name: "down", litellm_params: { model: "mock/down", mock_response: "litellm.ServiceUnavailableError" } }],
      litellm_settings: { callbacks: [new CardMasker(), logs] },
    });
    await expect(rt.acompletion({ model: "down", messages: user("card 4111-1111-1111-1111") })).rejects.toThrow();
    await rt.flush();
    expect(logs.last("failure").kwargs.messages).toEqual(user("card [card]"));
  });

  it("completion() runs logging_hook and acompletion() async_logging_hook, as LiteLLM's sync and async success handlers do", async () => {
    const masker = new CardMasker();
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [masker] } });
    await rt.completion({ model: "echo", messages: user("a") });
    await rt.acompletion({ model: "echo", messages: user("b") });
    await rt.flush();
    expect(masker.forms).toEqual(["sync:completion", "async:acompletion"]);
  });
});

describe("the router's events", () => {
  class RouterLog extends CustomLogger {
    seen: string[] = [];
    override async log_success_fallback_event(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error) {
      this.seen.push(`success_fallback ${original_model_group} -> ${kwargs.litellm_params.model_group} after ${original_exception.name}`);
    }
    override async log_failure_fallback_event(original_model_group: string, kwargs: CallbackKwargs, original_exception: Error) {
      this.seen.push(`failure_fallback ${original_model_group} -> ${kwargs.litellm_params.model_group} after ${original_exception.name}`);
    }
    override async log_model_group_rate_limit_error(exception: Error, original_model_group: string | null, kwargs: CallbackKwargs) {
      this.seen.push(`group_error ${original_model_group} ${exception.name} ${kwargs.litellm_params.model_group}`);
    }
  }

  it("a fallback that fails and one that answers; every failing one-deployment alias is reported", async () => {
    const log = new RouterLog();
    const rt = await runtime({
      model_list: [
        { model_name: "primary", litellm_params: { model: "mock/primary", mock_response: "litellm.RateLimitError" } },
        { model_name: "broken", litellm_params: { model: "mock/broken", mock_response: "litellm.InternalServerError" } },
        { model_name: "backup", litellm_params: { model: "mock/backup", mock_response: "from the backup" } },
      ],
      router_settings: { num_retries: 0, fallbacks: [{ primary: ["broken", "backup"] }] },
      litellm_settings: { callbacks: [log] },
    });
    expect((await rt.acompletion({ model: "primary", messages: user("hi") })).choices[0]!.message.content).toBe("from the backup");
    await rt.flush();
    expect([...log.seen].sort()).toEqual([
      "failure_fallback primary -> broken after RateLimitError",
      "group_error broken InternalServerError broken",
      "group_error primary RateLimitError primary",
      "success_fallback primary -> backup after RateLimitError",
    ]);
  });
});

describe("user_api_key_dict and cache in the library", () => {
  /** Every key of LiteLLM's UserAPIKeyAuth (with LiteLLM_VerificationTokenView's). */
  const KEYS = [
    "api_key", "token", "key_name", "key_alias", "spend", "max_budget", "expires", "models", "aliases", "config", "user_id", "team_id",
    "max_parallel_requests", "metadata", "tpm_limit", "rpm_limit", "budget_duration", "budget_reset_at", "allowed_cache_controls", "allowed_routes",
    "permissions", "model_spend", "model_max_budget", "soft_budget_cooldown", "blocked", "litellm_budget_table", "org_id", "created_at", "created_by",
    "updated_at", "updated_by", "object_permission_id", "object_permission", "team_spend", "team_alias", "team_tpm_limit", "team_rpm_limit",
    "team_max_budget", "team_models", "team_blocked", "soft_budget", "team_model_aliases", "team_member_spend", "team_member", "team_metadata",
    "end_user_id", "end_user_tpm_limit", "end_user_rpm_limit", "end_user_max_budget", "last_refreshed_at", "user_role", "allowed_model_region",
    "parent_otel_span", "rpm_limit_per_model", "tpm_limit_per_model", "user_tpm_limit", "user_rpm_limit", "user_email", "request_route",
  ];

  it("is LiteLLM's shape with nothing known: nulls, empty lists and maps, no role", async () => {
    const seen: UserAPIKeyAuth[] = [];
    const hook = { async async_pre_call_hook(u: UserAPIKeyAuth) { seen.push(u); } };
    resetLitellm([hook]);
    try {
      await litellm.acompletion({ model: "mock/echo", messages: user("hi") });
    } finally {
      resetLitellm();
    }
    const [dict] = seen;
    expect(Object.keys(dict!).sort()).toEqual([...KEYS].sort());
    expect(dict).toMatchObject({ api_key: null, token: null, user_id: null, team_id: null, key_alias: null, user_role: null, metadata: {}, models: [], spend: 0 });
  });

  it("cache: async_set_cache, async_get_cache and async_delete_cache keep a value across calls", async () => {
    const counts: unknown[] = [];
    const counter = new (class Counter extends CustomLogger {
      override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
        const key = `calls:${String(data.user)}`;
        if ((data.metadata as { reset?: boolean } | undefined)?.reset) await cache.async_delete_cache(key);
        const n = ((await cache.async_get_cache(key)) as number | null) ?? 0;
        await cache.async_set_cache(key, n + 1, { ttl: 60 });
        counts.push(n + 1);
        return data;
      }
    })();
    const rt = await runtime({ model_list: [{ model_name: "echo", litellm_params: { model: "mock/echo" } }], litellm_settings: { callbacks: [counter] } });
    for (const metadata of [{}, {}, { reset: true }]) await rt.acompletion({ model: "echo", messages: user("hi"), user: "ana", metadata });
    await rt.acompletion({ model: "echo", messages: user("hi"), user: "bo" });
    expect(counts).toEqual([1, 2, 1, 1]);
  });

  it("cache: with a response cache configured, the values live in its store (apart from the cached answers)", async () => {
    const cache = new Cache();
    litellm.cache = cache;
    resetLitellm([{ async async_pre_call_hook(_u: UserAPIKeyAuth, c: DualCache) { await c.async_set_cache("seen", { by: "hook" }); } }]);
    try {
      await litellm.acompletion({ model: "mock/echo", messages: user("hi") });
      expect(JSON.parse((await cache.store.get("litellm-runtime:hook:seen"))!).v).toEqual({ by: "hook" });
    } finally {
      resetLitellm();
      litellm.cache = null;
    }
  });
});

describe("CustomLogger({ message_logging })", () => {
  it("is true by default, and false when built with message_logging: false, directly or through super()", () => {
    class Quiet extends CustomLogger {
      constructor() {
        super({ message_logging: false });
      }
    }
    expect(new CustomLogger().message_logging).toBe(true);
    expect(new CustomLogger({ message_logging: false }).message_logging).toBe(false);
    expect(new Quiet().message_logging).toBe(false);
    expect(new Quiet().options).toEqual({ message_logging: false });
  });
});

describe("a config module whose object has only hooks", () => {
  it("loads as a callback, and its hooks run", async () => {
    const dir = await tempDirForTest("hooks-only-");
    writeFileSync(join(dir, "guard.mjs"), 'export default { async async_pre_call_hook(user, cache, data) { return "closed for maintenance"; } };\n');
    writeFileSync(join(dir, "litellm.config.yaml"), "model_list:\n  - model_name: echo\n    litellm_params: { model: mock/echo }\nlitellm_settings:\n  callbacks: ./guard.mjs\n");
    const rt = await runtime(join(dir, "litellm.config.yaml"));
    expect((await rt.acompletion({ model: "echo", messages: user("hi") })).choices[0]!.message.content).toBe("closed for maintenance");
  });
});

describe("the hooks' types", () => {
  const ROOT = resolve(import.meta.dirname, "..");

  /** tsc's errors in each of `sources`, files importing the package as a user's handlers would (one program for all: tsc is slow to start); errors elsewhere are not this check's. */
  function typeErrors(sources: Record<string, string>): Record<string, string[]> {
    const dir = mkdtempSync(join(tmpdir(), "hook-types-"));
    try {
      // .mts: ES modules, as handlers in a "type": "module" package are.
      const files = Object.keys(sources).map((name) => join(dir, `${name}.mts`));
      Object.values(sources).forEach((source, i) => writeFileSync(files[i]!, source));
      const read = ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile);
      const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT);
      const program = ts.createProgram(files, { ...options, noEmit: true, declaration: false, sourceMap: false, rootDir: undefined, outDir: undefined });
      const diagnostics = ts.getPreEmitDiagnostics(program);
      return Object.fromEntries(
        Object.keys(sources).map((name, i) => [name, diagnostics.filter((d) => d.file?.fileName === files[i]).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("an override with LiteLLM's signature compiles; one with the old (data, call_type) does not", () => {
    const right = `
      import { CustomLogger, type DualCache, type HookCallType, type UserAPIKeyAuth } from "litellm-runtime";
      export class Guard extends CustomLogger {
        override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
          return user_api_key_dict.user_role === "proxy_admin" ? data : "admins only";
        }
        override async async_moderation_hook(data: Record<string, unknown>, user_api_key_dict: UserAPIKeyAuth, call_type: HookCallType) {}
      }`;
    const wrong = `
      import { CustomLogger, type CallType } from "litellm-runtime";
      export class Guard extends CustomLogger {
        override async async_pre_call_hook(data: Record<string, unknown>, call_type: CallType) {
          return data;
        }
      }`;
    const errors = typeErrors({ right, wrong });
    expect(errors.right).toEqual([]);
    expect(errors.wrong!.join("\n")).toMatch(/Property 'async_pre_call_hook' in type 'Guard' is not assignable to the same property in base type 'CustomLogger'/);
  }, 60_000);
});
