// A CustomLogger subclass with both method forms: completion() delivers the
// log_* methods, acompletion() the async_log_* ones, streaming adds chunk events.
import litellm, { CustomLogger, acompletion, completion, type CallbackKwargs } from "../core/index.ts";

class MyHandler extends CustomLogger {
  ran: string[] = [];
  override log_pre_api_call(_model: string, _messages: unknown, _kwargs: CallbackKwargs) { this.ran.push("log_pre_api_call"); }
  override log_post_api_call() { this.ran.push("log_post_api_call"); }
  override log_stream_event() { this.ran.push("log_stream_event"); }
  override log_success_event() { this.ran.push("log_success_event"); }
  override log_failure_event() { this.ran.push("log_failure_event"); }
  override async async_log_stream_event() { this.ran.push("async_log_stream_event"); }
  override async async_log_success_event() { this.ran.push("async_log_success_event"); }
  override async async_log_failure_event() { this.ran.push("async_log_failure_event"); }
}

const handler = new MyHandler();
litellm.callbacks = [handler];
const messages = [{ role: "user" as const, content: "Hi 👋 - i'm the mock" }];

/** Runs one call, waits for its background logging, and prints the methods it triggered (repeats collapsed). */
async function show(label: string, call: () => Promise<unknown>) {
  handler.ran = [];
  await call();
  await litellm.flush();
  const collapsed = handler.ran.filter((m, i) => m !== handler.ran[i - 1]);
  console.log(`${label}: ${collapsed.join(", ")}`);
}

const drain = async (stream: AsyncIterable<unknown>) => { for await (const _ of stream) { /* read to the end */ } };

await show("completion", () => completion({ model: "mock/demo", messages }));
await show("acompletion", () => acompletion({ model: "mock/demo", messages }));
await show("completion stream", async () => drain(await completion({ model: "mock/demo", messages, stream: true })));
await show("acompletion stream", async () => drain(await acompletion({ model: "mock/demo", messages, stream: true })));
await show("acompletion failure", () => acompletion({ model: "mock/demo", messages, mock_response: "litellm.RateLimitError" }).catch(() => {}));
await litellm.flush();
