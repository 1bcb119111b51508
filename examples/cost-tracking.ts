// kwargs.response_cost on success, for plain and streamed calls alike.
// gpt-4o-mini with a mock_response: no network, priced as gpt-4o-mini.
import litellm, { acompletion, completion, type CallbackKwargs } from "../core/index.ts";

function trackCost(kwargs: CallbackKwargs) {
  const kind = kwargs.stream ? "streaming" : "non-streaming";
  const usage = kwargs.standard_logging_object;
  console.log(`${kwargs.model} ${kind} response_cost: $${kwargs.response_cost?.toFixed(8)} (${usage?.prompt_tokens} in, ${usage?.completion_tokens} out)`);
}
litellm.success_callback = [trackCost];

const messages = [{ role: "user" as const, content: "Hi 👋 - what does this cost?" }];
const mock_response = "Very little: a few millionths of a dollar.";

const res = await completion({ model: "gpt-4o-mini", messages, mock_response });
await litellm.flush();
console.log(`also on the response: _hidden_params.response_cost = ${res._hidden_params.response_cost?.toFixed(8)}`);

for await (const _ of await acompletion({ model: "gpt-4o-mini", messages, mock_response, stream: true })) { /* read it all */ }
await litellm.flush();

await completion({ model: "mock/demo", messages });
await litellm.flush();
console.log("(mock/ models are free: the last line shows 0)");
