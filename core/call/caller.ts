import { createHash } from "node:crypto";
import type { UserAPIKeyAuth } from "../types.ts";

/**
 * Who makes a call, as the call hooks receive it (`user_api_key_dict`, LiteLLM's
 * `UserAPIKeyAuth`). The server puts a resolver under `CALLER` in the call's
 * parameters; a symbol key, so no client can send one in a JSON body, and
 * nothing reads it unless a hook needs it. The library's calls have none.
 */
export const CALLER: unique symbol = Symbol.for("litellm-runtime.caller");

/** What the server attaches: made only when a hook asks for it. */
export type CallerResolver = () => UserAPIKeyAuth;

/** The caller of a call: the server's, or the library's (nulls). A new object per call: a hook may write into it. */
export function callerOf(params: object): UserAPIKeyAuth {
  const resolve = (params as { [CALLER]?: unknown })[CALLER];
  return typeof resolve === "function" ? (resolve as CallerResolver)() : userApiKeyAuth({});
}

/** LiteLLM's `user_id` for the holder of the master key (`litellm_proxy_admin_name`). */
export const PROXY_ADMIN_USER_ID = "default_user_id";

/** SHA-256 (hex) of a key: what `api_key` and `token` hold, never the key. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A `UserAPIKeyAuth` with LiteLLM's defaults (null, empty lists and maps), and `fields` over them. */
export function userApiKeyAuth(fields: Partial<UserAPIKeyAuth>): UserAPIKeyAuth {
  return {
    api_key: null,
    token: null,
    key_name: null,
    key_alias: null,
    spend: 0,
    max_budget: null,
    expires: null,
    models: [],
    aliases: {},
    config: {},
    user_id: null,
    team_id: null,
    max_parallel_requests: null,
    metadata: {},
    tpm_limit: null,
    rpm_limit: null,
    budget_duration: null,
    budget_reset_at: null,
    allowed_cache_controls: [],
    allowed_routes: [],
    permissions: {},
    model_spend: {},
    model_max_budget: {},
    soft_budget_cooldown: false,
    blocked: null,
    litellm_budget_table: null,
    org_id: null,
    created_at: null,
    created_by: null,
    updated_at: null,
    updated_by: null,
    object_permission_id: null,
    object_permission: null,
    team_spend: null,
    team_alias: null,
    team_tpm_limit: null,
    team_rpm_limit: null,
    team_max_budget: null,
    team_models: [],
    team_blocked: false,
    soft_budget: null,
    team_model_aliases: null,
    team_member_spend: null,
    team_member: null,
    team_metadata: null,
    end_user_id: null,
    end_user_tpm_limit: null,
    end_user_rpm_limit: null,
    end_user_max_budget: null,
    last_refreshed_at: null,
    user_role: null,
    allowed_model_region: null,
    parent_otel_span: null,
    rpm_limit_per_model: null,
    tpm_limit_per_model: null,
    user_tpm_limit: null,
    user_rpm_limit: null,
    user_email: null,
    request_route: null,
    ...fields,
  };
}
