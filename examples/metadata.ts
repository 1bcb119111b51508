// Extra metadata passed to a call reaches every callback untouched, under kwargs.litellm_params.metadata.
// The standard logging object keeps LiteLLM's own metadata keys only: `tags` become its request_tags.
import litellm, { completion, type CallbackKwargs } from "../core/index.ts";

function onSuccess(kwargs: CallbackKwargs) {
  console.log(`metadata: ${JSON.stringify(kwargs.litellm_params.metadata)}`);
  console.log(`standard_logging_object.request_tags: ${JSON.stringify(kwargs.standard_logging_object?.request_tags)}`);
}
litellm.success_callback = [onSuccess];

await completion({
  model: "mock/demo",
  messages: [{ content: "Hello, how are you?", role: "user" }],
  metadata: { hello: "world", team: "search", tags: ["search"] },
});
await litellm.flush();
