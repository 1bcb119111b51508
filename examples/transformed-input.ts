// input_callback sees the exact body sent to the provider: kwargs.additional_args.complete_input_dict.
import litellm, { completion, type CallbackKwargs } from "../core/index.ts";

function getTransformedInputs(kwargs: CallbackKwargs) {
  console.log(`params to model: ${JSON.stringify(kwargs.additional_args?.complete_input_dict)}`);
}
litellm.input_callback = [getTransformedInputs];

await completion({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Hi 👋 - i'm the mock" }],
  temperature: 0.2,
  max_tokens: 64,
  mock_response: "Hello!",
});
await litellm.flush();
