/**
 * The files `litellm-runtime init` writes. Kept as strings so they ship inside
 * dist/ with the command; test/cli-chat-init.test.ts validates and runs them.
 */

export const CONFIG_TEMPLATE = `# yaml-language-server: $schema=./node_modules/litellm-runtime/schemas/litellm.config.schema.json
#
# litellm-runtime: the models, callbacks and cache of your app, in one file.
#   npx litellm-runtime validate               check it (every problem with file:line:col)
#   npx litellm-runtime chat -m demo "Hello"   one call, with a summary of its events
#   npx litellm-runtime serve                  an OpenAI-compatible server on 127.0.0.1:4000
# A running server picks up edits of this file and of callbacks/ without a restart.
# The key names are LiteLLM's proxy config.yaml: a LiteLLM user's file loads as it is.

model_list:
  # The built-in mock: answers offline, needs no key and costs nothing. Try your callbacks on it.
  - model_name: demo
    litellm_params:
      model: mock/demo
      mock_response: "Hello from litellm-runtime's built-in mock model."

  # OpenAI. \`\${OPENAI_API_KEY:-}\` reads the key from the environment and is empty
  # when unset, so this file validates before you have a key (a call then fails,
  # saying the key is missing). \`os.environ/OPENAI_API_KEY\` instead makes a
  # missing key a config error.
  - model_name: gpt-4o-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: \${OPENAI_API_KEY:-}
      # Any other key is passed to the provider on every call (a call's own value wins):
      # temperature: 0.2

litellm_settings:
  # Your own handler, in TypeScript with no build step: edit callbacks/my_handler.ts.
  callbacks: [./callbacks/my_handler.ts]
  # Built-ins by name: \`console\` prints one line per call on stderr.
  success_callback: [console]
  failure_callback: [console]
  # More built-ins, configured under callback_settings below:
  #   success_callback: [console, file, mixpanel]
  #   failure_callback: [console, file, webhook]

  # A response cache: an LRU in this process, or Redis shared by every process.
  # cache: true
  # cache_params:
  #   type: local                  # or redis, with url: os.environ/REDIS_URL
  #   ttl: 600                     # seconds

# callback_settings:
#   file: { path: ./logs/llm-events.jsonl, max_bytes: 10000000, max_files: 5 }
#   mixpanel: { token: os.environ/MIXPANEL_TOKEN }
#   webhook: { url: https://collector.internal/llm, headers: { Authorization: "Bearer \${COLLECTOR_TOKEN}" } }

# The server of \`litellm-runtime serve\`.
general_settings:
  host: 127.0.0.1                  # loopback only; 0.0.0.0 listens on every interface (set a master_key first)
  port: 4000
  # master_key: os.environ/LITELLM_MASTER_KEY   # then every request needs Authorization: Bearer <key>
  # shutdown_grace_seconds: 10                  # on SIGTERM, how long requests in flight may take to finish
`;

export const HANDLER_TEMPLATE = `import { CustomLogger, type CallbackKwargs } from "litellm-runtime";

/**
 * A callback handler: LiteLLM's CustomLogger, method for method. It is named
 * in litellm.config.yaml under litellm_settings.callbacks.
 *
 * It runs in the background after each call, so it never slows or breaks one;
 * an error thrown here is reported on stderr with this handler's name. Define
 * only the methods you need. \`acompletion()\` and the server deliver the
 * async_* methods, \`completion()\` the sync ones; with only one form defined,
 * it runs for both.
 */
export class MyHandler extends CustomLogger {
  override async async_log_success_event(kwargs: CallbackKwargs, _response_obj: unknown, start_time: Date, end_time: Date): Promise<void> {
    const record = kwargs.standard_logging_object; // LiteLLM's StandardLoggingPayload: flat JSON, no API key in it
    const cost = kwargs.response_cost == null ? "cost unknown" : \`$\${kwargs.response_cost.toFixed(6)}\`;
    const alias = kwargs.litellm_params.model_group; // the config alias asked for, or null
    const metadata = kwargs.litellm_params.metadata; // yours, as the call passed it (null when it passed none)
    // stderr, so these lines never mix with an answer printed on stdout.
    console.error(
      \`[my_handler] ok \${alias ?? kwargs.model} (\${record?.model}) \${end_time.getTime() - start_time.getTime()} ms, \` +
        \`\${record?.total_tokens ?? 0} tokens, \${cost}\${kwargs.cache_hit ? ", cache hit" : ""}, user=\${kwargs.user ?? "-"}, metadata=\${JSON.stringify(metadata ?? {})}\`,
    );
  }

  override async async_log_failure_event(kwargs: CallbackKwargs, _response_obj: unknown, start_time: Date, end_time: Date): Promise<void> {
    const error = kwargs.standard_logging_object?.error_information;
    console.error(
      \`[my_handler] failed \${kwargs.model} after \${end_time.getTime() - start_time.getTime()} ms: \` +
        \`\${error?.error_class ?? "Error"} [\${error?.error_code || "?"}] \${kwargs.exception?.message ?? ""}\`,
    );
  }

  // Awaited before each call, in order, with LiteLLM's arguments: return a changed request, a string to answer
  // with it, or throw to reject the call. (Import UserAPIKeyAuth, DualCache and HookCallType from "litellm-runtime".)
  // override async async_pre_call_hook(user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: Record<string, unknown>, call_type: HookCallType) {
  //   return { ...data, metadata: { ...(data.metadata as object), checked_by: "my_handler" } };
  // }
}

export default new MyHandler();
`;
