// A model's own `callbacks` run after the global chain, for calls to that model only.
// Inline configs take callback objects and functions as well as names and module paths.
import { CustomLogger, createRuntime, type CallbackKwargs } from "../core/index.ts";

/** A handler that prints which chain it belongs to and which alias was called. */
class Tag extends CustomLogger {
  constructor(readonly label: string) {
    super();
  }
  override async async_log_success_event(kwargs: CallbackKwargs) {
    console.log(`  ${this.label} logged ${kwargs.litellm_params.model_group}`);
  }
}

const rt = await createRuntime({
  config: {
    model_list: [
      { model_name: "cheap", litellm_params: { model: "mock/cheap" } },
      { model_name: "premium", litellm_params: { model: "mock/premium" }, callbacks: [new Tag("premium-audit (model chain)")] },
    ],
    litellm_settings: { callbacks: [new Tag("global")] },
  },
});

for (const model of ["cheap", "premium"]) {
  console.log(`call ${model}:`);
  await rt.acompletion({ model, messages: [{ role: "user", content: "Hi" }] });
  await rt.flush();
}
await rt.close();
