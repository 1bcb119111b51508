// async_pre_call_hook runs before every call and may change or reject it.
// Throwing rejects: the caller gets the error, the failure is logged, no provider request is made.
import litellm, { CustomLogger, acompletion, type CallbackKwargs, type DualCache, type HookCallType, type UserAPIKeyAuth } from "../core/index.ts";

/** An error carrying an HTTP status: the server answers a rejected request with it. */
class Forbidden extends Error {
  override readonly name = "Forbidden";
  readonly status = 403;
}

class Guard extends CustomLogger {
  // LiteLLM's signature: who calls (nulls in the library), a DualCache, the request, and "completion" or "embeddings".
  override async async_pre_call_hook(_user: UserAPIKeyAuth, _cache: DualCache, data: Record<string, unknown>, _callType: HookCallType) {
    const meta = (data.metadata ?? {}) as Record<string, unknown>;
    if (meta.team !== "search") throw new Forbidden(`team ${String(meta.team)} may not use ${String(data.model)}`);
    return data;
  }
  override async async_log_pre_api_call() {
    console.log("pre_api_call: the provider request was made");
  }
  override async async_log_success_event(kwargs: CallbackKwargs) {
    console.log(`success logged for team ${String(kwargs.litellm_params.metadata?.team)}`);
  }
  override async async_log_failure_event(kwargs: CallbackKwargs) {
    console.log(`failure logged: ${kwargs.exception?.message}`);
  }
}
litellm.callbacks = [new Guard()];

const messages = [{ role: "user" as const, content: "Hi" }];
await acompletion({ model: "mock/demo", messages, metadata: { team: "search" } });
await litellm.flush();

try {
  await acompletion({ model: "mock/demo", messages, metadata: { team: "ads" } });
} catch (err) {
  const e = err as Error & { status?: number };
  await litellm.flush();
  console.log(`rejected: ${e.name} status=${e.status} "${e.message}"`);
}
await litellm.flush();
