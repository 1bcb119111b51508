// The whole streamed answer, assembled from the chunks, arrives with the success event as kwargs.complete_streaming_response.
import litellm, { completion, type CallbackKwargs } from "../core/index.ts";

function onSuccess(kwargs: CallbackKwargs) {
  const full = kwargs.complete_streaming_response;
  if (!full) return;
  console.log(`complete_streaming_response: "${full.choices[0]?.message.content}"`);
  console.log(`usage: ${full.usage?.prompt_tokens} prompt + ${full.usage?.completion_tokens} completion tokens`);
}
litellm.success_callback = [onSuccess];

const stream = await completion({
  model: "mock/demo",
  messages: [{ role: "user", content: "Tell me something" }],
  stream: true,
  mock_response: "Streams arrive word by word",
});
let chunks = 0;
for await (const _chunk of stream) chunks++;
console.log(`read ${chunks} chunks`);
await litellm.flush();
