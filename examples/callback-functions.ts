// Plain functions instead of a class: input_callback before the request,
// success_callback after an answer, failure_callback after an error.
import litellm, { completion, type CallbackKwargs } from "../core/index.ts";

function onInput(kwargs: CallbackKwargs) {
  console.log(`input_callback: about to call ${kwargs.model}`);
}
function onSuccess(kwargs: CallbackKwargs, response: unknown, start: Date, end: Date) {
  const text = (response as { choices: { message: { content: string } }[] }).choices[0]?.message.content;
  console.log(`success_callback: ${kwargs.model} answered "${text}" in ${end.getTime() - start.getTime()} ms`);
}
function onFailure(kwargs: CallbackKwargs) {
  console.log(`failure_callback: ${kwargs.exception?.name} (${kwargs.log_event_type})`);
}

litellm.input_callback = [onInput];
litellm.success_callback = [onSuccess];
litellm.failure_callback = [onFailure];

const messages = [{ role: "user" as const, content: "Hi 👋 - i'm the mock" }];
await completion({ model: "mock/demo", messages, mock_response: "Hello!" });
await litellm.flush(); // callbacks run in the background: wait before the next call so the lines stay in order
const failed = await completion({ model: "mock/demo", messages, mock_response: "litellm.RateLimitError" }).catch((err: Error) => err);
await litellm.flush();
console.log(`the call threw ${(failed as Error).name}; the failure was logged above`);
