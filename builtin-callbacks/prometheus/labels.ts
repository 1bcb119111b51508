import type { CallbackKwargs, StandardLoggingPayload } from "../../core/types.ts";
import type { CustomLabel } from "./options.ts";
import type { LabelValues } from "./registry.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

/**
 * Every label an event can fill, from its kwargs and standard record, under
 * LiteLLM's label names; each metric keeps the ones it carries.
 */
export function eventLabels(kwargs: CallbackKwargs, s: StandardLoggingPayload, custom: readonly CustomLabel[]): LabelValues {
  const m = (isObj(s.metadata) ? s.metadata : {}) as Obj;
  const out: LabelValues = {
    // As LiteLLM: the alias asked for; a call to a model no alias names has none, and is its own group.
    requested_model: s.model_group || kwargs.model,
    model_group: s.model_group || kwargs.model,
    model: kwargs.model,
    litellm_model_name: kwargs.model,
    model_id: s.model_id ?? "",
    api_base: s.api_base ?? "",
    api_provider: s.custom_llm_provider ?? "",
    end_user: s.end_user ?? "",
    user: str(m.user_api_key_user_id),
    user_email: str(m.user_api_key_user_email),
    hashed_api_key: str(m.user_api_key_hash),
    api_key_alias: str(m.user_api_key_alias),
    team: str(m.user_api_key_team_id),
    team_alias: str(m.user_api_key_team_alias),
    route: str(m.user_api_key_request_route),
    client_ip: str(s.requester_ip_address),
    user_agent: str(s.user_agent),
  };
  if (custom.length > 0) {
    // What the client sent (LiteLLM's requester_metadata), else the call's own metadata (a library call's `metadata`).
    const requester = isObj(m.requester_metadata) ? m.requester_metadata : {};
    const own = isObj(kwargs.litellm_params.metadata) ? kwargs.litellm_params.metadata : {};
    for (const c of custom) out[c.label] = valueAt(requester, c.path) || valueAt(own, c.path);
  }
  if (s.status === "failure") {
    out.exception_status = s.error_information?.error_code || "None";
    out.exception_class = exceptionClass(s.error_information?.llm_provider ?? "", s.error_information?.error_class ?? "");
  }
  return out;
}

/** LiteLLM's custom label values: strings only, found by path in the request's metadata. */
function valueAt(root: Obj, path: readonly string[]): string {
  let v: unknown = root;
  for (const part of path) v = isObj(v) ? v[part] : undefined;
  return typeof v === "string" ? v : "";
}

/** LiteLLM's `exception_class`: the provider, capitalised, then the class: `Openai.RateLimitError`. */
export function exceptionClass(provider: string, cls: string): string {
  return provider ? `${provider[0]!.toUpperCase()}${provider.slice(1)}.${cls}` : cls;
}

/** The HTTP status of an error as LiteLLM's `exception_status` label has it ("None" without one). */
export function statusOf(err: unknown): string {
  const e = (isObj(err) ? err : {}) as Obj;
  const status = typeof e.status === "number" ? e.status : typeof e.status_code === "number" ? e.status_code : undefined;
  return status === undefined ? "None" : String(status);
}
