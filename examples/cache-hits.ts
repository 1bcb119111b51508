// Cache hits: with a local Cache, two identical calls log pre, post, success,
// then one success with cache_hit true, response_cost 0 and the cost it saved.
import litellm, { Cache, CustomLogger, acompletion, type CallbackKwargs } from "../core/index.ts";

class CacheWatcher extends CustomLogger {
  states: string[] = [];
  override async async_log_pre_api_call() { this.states.push("pre"); }
  override log_post_api_call() { this.states.push("post"); }
  override async async_log_success_event(kwargs: CallbackKwargs) {
    this.states.push(kwargs.cache_hit ? "success(hit)" : "success");
    console.log(`success: cache_hit=${kwargs.cache_hit} response_cost=${kwargs.response_cost} saved_cache_cost=${kwargs.saved_cache_cost ?? 0}`);
  }
}

const watcher = new CacheWatcher();
litellm.cache = new Cache(); // type "local": an in-memory LRU
litellm.callbacks = [watcher];

// gpt-4o-mini with a mock_response: no network, but priced as gpt-4o-mini.
const call = () => acompletion({ model: "gpt-4o-mini", messages: [{ role: "user", content: "What is a cache?" }], mock_response: "A place that remembers answers." });
const first = await call();
await litellm.flush();
const second = await call();
await litellm.flush();

console.log(`same answer: ${first.choices[0]?.message.content === second.choices[0]?.message.content}`);
console.log(`events: ${watcher.states.join(", ")}`);
