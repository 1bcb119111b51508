import type { CostMap } from "../cost/index.ts";
import type { Dispatcher } from "../callbacks/dispatcher.ts";
import type { BuiltinResolver, CallbackSource, CompiledCallbacks } from "../callbacks/registry.ts";
import type { ResolvedModel } from "../providers/types.ts";
import type { ResponseCache } from "../cache/types.ts";

/** Settings a call reads, resolved once per scope (the globals, or a config snapshot). */
export interface CallSettings {
  /** Put `"redacted-by-litellm"` in place of messages and responses in the standard record. @default false */
  readonly turn_off_message_logging: boolean;
  /** Mask API keys in kwargs and headers. @default true */
  readonly redact_api_keys: boolean;
  /** Seconds a callback may run before it is abandoned and reported. @default 10 */
  readonly callback_timeout: number;
  /** A user price map in LiteLLM's format, consulted before the bundled table. */
  readonly model_cost_map: CostMap | null;
}

/** Where one call goes and which callbacks see it. */
export interface Route {
  readonly target: ResolvedModel;
  /** The lists the callbacks were compiled from, for adding a call's own lists. */
  readonly sources: readonly CallbackSource[];
  readonly callbacks: CompiledCallbacks;
  /** Parameters the config gives this model (`litellm_params` beyond where it goes); the call's own win. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

/** What a scope (the global `litellm` object, or a config runtime) gives each call. */
export interface CallEnv {
  route(params: { model: string; api_base?: unknown; api_key?: unknown; mock_response?: unknown }): Route;
  readonly settings: CallSettings;
  readonly dispatcher: Dispatcher;
  readonly resolveBuiltin: BuiltinResolver;
  /** The response cache, or null when caching is off. */
  readonly cache: ResponseCache | null;
}
