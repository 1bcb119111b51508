// An async function as a success callback: awaited in the background, never
// delaying the response. flush() waits for it.
import litellm, { acompletion, type CallbackKwargs } from "../core/index.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function asyncLogger(kwargs: CallbackKwargs, _response: unknown, _start: Date, _end: Date) {
  await sleep(50); // e.g. a write to a database
  console.log(`async success callback done for ${kwargs.model} (call ${kwargs.litellm_call_id.slice(0, 8)}...)`);
}

litellm.success_callback = [asyncLogger];

const messages = [{ role: "user" as const, content: "Hi 👋 - i'm the mock" }];
const stream = await acompletion({ model: "mock/demo", messages, stream: true, mock_response: "streamed words arrive one by one" });
let text = "";
for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
console.log(`response returned: "${text}"`);
await litellm.flush();
console.log("flush() resolved: all logging finished");
