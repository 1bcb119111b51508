/**
 * Every parameter a call can carry, in one table: what kind it is (LiteLLM's
 * own, where the call goes, the request itself, OpenAI's, or one provider's),
 * whether it changes the cache key, and whether a client of the server may set
 * it. The call path (`optionalParams`), the config snapshot (routing keys), the
 * server (client rules) and the cache key all read the Sets built from it once,
 * at module load. A name not in the table is a provider's own: it is sent, and
 * it changes the key.
 */

/**
 * - `litellm`: LiteLLM's own, consumed by the runtime; never sent to a provider.
 * - `routing`: says where a call goes (deployment, endpoint, credentials); never sent as a body parameter.
 * - `request`: the request itself, which the provider places on its own (`messages`, `input`, `stream`).
 * - `openai`: a parameter of OpenAI's chat or embeddings API; sent.
 * - `provider`: another provider's own parameter (`top_k`); sent, where that provider is asked.
 */
export type ParamKind = "litellm" | "routing" | "request" | "openai" | "provider";

/** A `general_settings` key that hands some config-owned parameters to clients. */
export type ClientParamSwitch = "allow_client_side_credentials";

/** Why the config owns a parameter; the server's 400 says it. */
export type ClientParamOwner = "credentials" | "answer" | "timing" | "cache" | "callbacks" | "price";

/** What a client of the server may not set: the owner, and the setting that lets clients set it anyway (null: none does). */
export interface ClientRule {
  readonly owner: ClientParamOwner;
  readonly unless: ClientParamSwitch | null;
}

export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Whether it changes the cache key (what the model answers), or only how the call runs or is logged. */
  readonly keyed: boolean;
  /** For `openai`: which API has it. */
  readonly api?: "chat" | "embedding" | "both";
  /** For `provider`: whose parameter it is. */
  readonly providers?: readonly string[];
  /** The server's rule when a client may not set it. */
  readonly client?: ClientRule;
  /** Per-control rules of an object parameter (`cache.namespace`). */
  readonly controls?: Readonly<Record<string, ClientRule>>;
  /** A credential: masked wherever a value of it could be shown (error text, records). */
  readonly secret?: true;
}

const CREDENTIALS: ClientRule = { owner: "credentials", unless: "allow_client_side_credentials" };
const rule = (owner: ClientParamOwner, unless: ClientParamSwitch | null = "allow_client_side_credentials"): ClientRule => ({ owner, unless });

type Extra = Omit<ParamSpec, "name" | "kind" | "keyed">;
const rows = (kind: ParamKind, keyed: boolean, names: readonly string[], extra: Extra = {}): ParamSpec[] => names.map((name) => ({ name, kind, keyed, ...extra }));
const one = (name: string, kind: ParamKind, keyed: boolean, extra: Extra = {}): ParamSpec => ({ name, kind, keyed, ...extra });

/** The table. Sources: LiteLLM's `all_litellm_params`, its router's `LiteLLM_Params`, and OpenAI's API reference. */
export const PARAMS: readonly ParamSpec[] = Object.freeze([
  // The request itself: the provider puts these where its API wants them.
  ...rows("request", true, ["messages", "input"]),
  one("stream", "request", false),

  // Where a call goes. Those of a call's own that change who answers change the key (credentials and the organization
  // do not: same model, other bill).
  one("model", "routing", true),
  one("api_key", "routing", false, { client: CREDENTIALS, secret: true }),
  ...rows("routing", true, ["api_base", "base_url", "api_version"], { client: CREDENTIALS }),
  one("organization", "routing", false, { client: CREDENTIALS }),
  one("azure_ad_token", "routing", false, { client: CREDENTIALS, secret: true }),
  one("mock_response", "routing", true, { client: rule("answer") }),
  one("max_retries", "routing", false),
  one("custom_llm_provider", "routing", true),
  ...rows("routing", false, [
    "rpm", "tpm", "weight", "order", "max_parallel_requests", "region_name", "litellm_credential_name",
    "use_in_pass_through", "use_litellm_proxy", "deployment_id", "api_type",
    // Azure sign-in
    "azure_ad_token_provider", "tenant_id", "client_id", "azure_username", "azure_scope",
    // AWS (Bedrock, SageMaker)
    "aws_region_name", "aws_session_name", "aws_profile_name",
    "aws_role_name", "aws_sts_endpoint", "aws_bedrock_runtime_endpoint",
    // Google Vertex AI / Watsonx
    "vertex_project", "vertex_location", "watsonx_region_name",
  ]),
  // Other providers' credentials: never sent, and masked wherever a config's or a client's value could be written.
  ...rows("routing", false, ["client_secret", "azure_password", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_web_identity_token", "vertex_credentials"], { secret: true }),

  // LiteLLM's own: consumed by the runtime (or accepted and ignored), never sent.
  one("metadata", "litellm", false),
  one("mock_delay", "litellm", false, { client: rule("timing") }),
  ...rows("litellm", false, ["num_retries", "timeout", "stream_timeout"], { client: rule("timing") }),
  one("cache", "litellm", false, { controls: { namespace: rule("cache"), ttl: rule("cache") } }),
  one("caching", "litellm", false),
  ...rows("litellm", false, ["callbacks", "input_callback", "success_callback", "failure_callback"], { client: rule("callbacks", null) }),
  ...rows("litellm", false, ["input_cost_per_token", "output_cost_per_token"], { client: rule("price", null) }),
  // Headers go with the server's credentials: a client may add them only where it may set those.
  ...rows("litellm", false, ["extra_headers", "headers"], { client: CREDENTIALS }),
  ...rows("litellm", false, [
    "signal", "drop_params", "additional_drop_params", "allowed_openai_params", "request_timeout", "force_timeout",
    "service_callback", "litellm_call_id", "litellm_logging_obj", "litellm_metadata", "litellm_trace_id", "litellm_session_id",
    "proxy_server_request", "no-log", "tags", "base_model", "model_info", "preset_cache_key", "cache_key", "caching_groups", "ttl",
    "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "context_window_fallback_dict", "mock_testing_fallbacks",
    "mock_testing_context_fallbacks", "mock_testing_content_policy_fallbacks", "mock_timeout", "max_fallbacks", "fallback_depth",
    "model_list", "retry_policy", "retry_strategy", "cooldown_time", "allowed_fails", "input_cost_per_second", "output_cost_per_second",
    "hf_model_name", "supports_system_message", "allowed_model_region", "model_config", "fastest_response", "max_budget", "budget_duration",
    "acompletion", "atext_completion", "text_completion", "aimg_generation", "logger_fn", "verbose", "use_client", "client", "id", "azure",
    "model_file_id_mapping", "provider_specific_header", "prompt_id", "prompt_variables", "prompt_label", "roles", "final_prompt_value",
    "bos_token", "eos_token", "complete_response", "user_continue_message", "assistant_continue_message", "ensure_alternating_roles",
    "configurable_clientside_auth_params", "merge_reasoning_content_in_choices", "disable_add_transform_inline_image_block",
    "litellm_proxy_rate_limit_response", "turn_off_message_logging", "secret_fields",
    // Logging integrations' per-call keys
    "langfuse_public_key", "langfuse_secret", "langfuse_secret_key", "langfuse_host", "gcs_bucket_name", "gcs_path_service_account",
    "langsmith_api_key", "langsmith_project", "langsmith_base_url", "humanloop_api_key", "arize_api_key", "arize_space_key",
  ]),

  // OpenAI's chat API. `user` and `stream_options` do not change what the model answers.
  ...rows("openai", true, [
    "temperature", "top_p", "n", "stop", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty", "logit_bias",
    "seed", "tools", "tool_choice", "parallel_tool_calls", "response_format", "logprobs", "top_logprobs", "modalities", "audio", "prediction",
    "reasoning_effort", "service_tier", "store", "functions", "function_call", "web_search_options", "verbosity", "prompt_cache_key",
    "safety_identifier",
  ], { api: "chat" }),
  one("stream_options", "openai", false, { api: "chat" }),
  one("user", "openai", false, { api: "both" }),
  ...rows("openai", true, ["dimensions", "encoding_format"], { api: "embedding" }),
  // The OpenAI clients' own option: its keys are merged into the JSON body (unchecked, for every provider).
  one("extra_body", "openai", true, { api: "both" }),

  // Other providers' own, sent where they are asked (an OpenAI-compatible server takes any name: they need no row).
  one("top_k", "provider", true, { providers: ["anthropic", "gemini"] }),
  one("thinking", "provider", true, { providers: ["anthropic"] }),
  ...rows("provider", true, ["safety_settings", "cached_content"], { providers: ["gemini"] }),
]);

const names = (keep: (p: ParamSpec) => boolean): ReadonlySet<string> => new Set(PARAMS.filter(keep).map((p) => p.name));

/** Never among `optional_params` nor in a provider's body as a parameter: LiteLLM's own, routing, and the request's own parts. */
export const NOT_SENT: ReadonlySet<string> = names((p) => p.kind === "litellm" || p.kind === "routing" || p.kind === "request");

/** `litellm_params` keys of a model entry that say where a call goes; the rest become the deployment's per-call defaults. */
export const ROUTING: ReadonlySet<string> = names((p) => p.kind === "routing");

/** Credentials (`api_key`, `azure_ad_token`, other providers' secrets), in table order: the config's are collected as secrets, a client's are recorded masked. */
export const SECRET_PARAMS: readonly string[] = Object.freeze(PARAMS.filter((p) => p.secret === true).map((p) => p.name));

/**
 * A call's own routing keys that change the answer (another server, API version or provider, a mocked answer): the
 * cache key takes them beside the model, which it holds already. They are not among `optional_params`.
 */
export const ANSWER_ROUTING: readonly string[] = Object.freeze(PARAMS.filter((p) => p.kind === "routing" && p.keyed && p.name !== "model").map((p) => p.name));

/** Left out of the cache key: they change how a call runs or is logged, not the answer. */
export const NOT_KEYED: ReadonlySet<string> = names((p) => !p.keyed);

/** What api.openai.com and Azure OpenAI take on `/chat/completions`. */
export const OPENAI_CHAT: ReadonlySet<string> = names((p) => p.kind === "openai" && p.api !== "embedding");

/** What api.openai.com and Azure OpenAI take on `/embeddings`. */
export const OPENAI_EMBEDDING: ReadonlySet<string> = names((p) => p.kind === "openai" && p.api !== "chat");

/** One rule of the server: a body key, or `cache.<control>` for a per-call cache control. */
export interface ClientParamRule extends ClientRule {
  readonly param: string;
}

/** The server's rules, in table order. */
export const CLIENT_RULES: readonly ClientParamRule[] = Object.freeze(
  PARAMS.flatMap((p) => [
    ...(p.client ? [{ param: p.name, ...p.client }] : []),
    ...Object.entries(p.controls ?? {}).map(([control, r]) => ({ param: `${p.name}.${control}`, ...r })),
  ]),
);

/** The row of `name`, or undefined for a name the table does not know (a provider's own). */
export function paramSpec(name: string): ParamSpec | undefined {
  return BY_NAME.get(name);
}

const BY_NAME: ReadonlyMap<string, ParamSpec> = new Map(PARAMS.map((p) => [p.name, p]));
