// Extra metadata passed to a call reaches every callback untouched, under kwargs.litellm_params.metadata.
import litellm, { completion, type CallbackKwargs } from "../core/index.ts";

function onSuccess(kwargs: CallbackKwargs) {
  console.log(`metadata: ${JSON.stringify(kwargs.litellm_params.metadata)}`);
  console.log(`standard_logging_object.metadata.team: ${String(kwargs.standard_logging_object?.metadata.team)}`);
}
litellm.success_callback = [onSuccess];

await completion({
  model: "mock/demo",
  messages: [{ content: "Hello, how are you?", role: "user" }],
  metadata: { hello: "world", team: "search" },
});
await litellm.flush();
