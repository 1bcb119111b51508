// What is in kwargs at each event: a handler prints the keys present at each log_event_type.
import litellm, { CustomLogger, acompletion, type CallbackKwargs } from "../core/index.ts";

const seen: Record<string, string[]> = {};
const keep = (kwargs: CallbackKwargs) => { seen[kwargs.log_event_type] = Object.keys(kwargs).sort(); };

class KeysHandler extends CustomLogger {
  override async async_log_pre_api_call(_m: string, _msgs: unknown, kwargs: CallbackKwargs) { keep(kwargs); }
  override log_post_api_call(kwargs: CallbackKwargs) { keep(kwargs); }
  override async async_log_success_event(kwargs: CallbackKwargs) { keep(kwargs); }
  override async async_log_failure_event(kwargs: CallbackKwargs) { keep(kwargs); }
}
litellm.callbacks = [new KeysHandler()];

const messages = [{ role: "user" as const, content: "Hi 👋 - i'm the mock" }];
await acompletion({ model: "gpt-4o-mini", messages, mock_response: "Hello!" });
await acompletion({ model: "gpt-4o-mini", messages, mock_response: "litellm.Timeout" }).catch(() => {});
await litellm.flush();

for (const [event, keys] of Object.entries(seen)) console.log(`${event}: ${keys.join(", ")}`);
