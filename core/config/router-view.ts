/**
 * What `router_settings` gives the router and each deployment beyond the
 * router's own keys: `default_fallbacks` as a fallback map, and the parameters
 * every call of a deployment starts from (`default_litellm_params`, the
 * router's `timeout` and `stream_timeout`, the deployment's `litellm_params`).
 */
import { ROUTING as ROUTING_KEYS } from "../call/param-registry.ts";
import type { RouterSettings } from "../router/index.ts";
import type { ResolvedRouterSettings } from "./settings.ts";


/** The router's view: `default_fallbacks` join the maps as LiteLLM's `{"*": [...]}`, after them (a `"*"` of the config's own comes first and wins). */
export function routerSettings(router: ResolvedRouterSettings): RouterSettings {
  if (router.default_fallbacks.length === 0) return router;
  return { ...router, fallbacks: [...router.fallbacks, { "*": router.default_fallbacks }] };
}

/**
 * The parameters a deployment adds to each call, lowest first: the router's `timeout` and
 * `stream_timeout` where the deployment's own `litellm_params` set none, the deployment's
 * `litellm_params`, then `default_litellm_params` (as in LiteLLM's router, which adds them to the
 * call's own arguments, over the deployment's; a `metadata` there replaces the deployment's).
 * The call's own win over all of them, in the call path. Keys that say where a call goes are left out.
 */
export function defaultsOf(params: Readonly<Record<string, unknown>>, router: Pick<ResolvedRouterSettings, "default_litellm_params" | "timeout" | "stream_timeout">): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  // router_settings.timeout and stream_timeout are every deployment's unless its own litellm_params say otherwise.
  if (router.timeout !== null && params.timeout === undefined) {
    out.timeout = router.timeout;
    any = true;
  }
  if (router.stream_timeout !== null && params.stream_timeout === undefined) {
    out.stream_timeout = router.stream_timeout;
    any = true;
  }
  for (const key of Object.keys(params)) {
    if (ROUTING_KEYS.has(key)) continue;
    out[key] = params[key];
    any = true;
  }
  if (params.num_retries === undefined && typeof params.max_retries === "number") {
    out.num_retries = params.max_retries;
    any = true;
  }
  for (const [key, value] of Object.entries(router.default_litellm_params)) {
    if (ROUTING_KEYS.has(key) || value === null || value === undefined) continue;
    out[key] = value;
    any = true;
  }
  return any ? Object.freeze(out) : undefined;
}
