/**
 * What a client of the server may not set, in one table: the config owns where
 * requests go, what answers and what the cache keeps. A later parameter registry
 * folds this table in (one row a parameter, with its owner and its switch).
 */

/** A `general_settings` key that hands some config-owned parameters to clients. */
export type ClientParamSwitch = "allow_client_side_credentials";

/** Why the config owns a parameter; the 400's message says it. */
type Owner = "credentials" | "answer" | "timing" | "cache" | "callbacks" | "price";

export interface ClientParamRule {
  /** The body key, or `cache.<control>` for a per-call cache control (LiteLLM's `cache={...}`). */
  readonly param: string;
  readonly owner: Owner;
  /** The setting that lets clients set it; null when nothing does. */
  readonly unless: ClientParamSwitch | null;
}

const CREDENTIALS = "allow_client_side_credentials";

export const CLIENT_PARAM_RULES: readonly ClientParamRule[] = [
  { param: "api_key", owner: "credentials", unless: CREDENTIALS },
  { param: "api_base", owner: "credentials", unless: CREDENTIALS },
  { param: "base_url", owner: "credentials", unless: CREDENTIALS },
  { param: "organization", owner: "credentials", unless: CREDENTIALS },
  { param: "api_version", owner: "credentials", unless: CREDENTIALS },
  { param: "azure_ad_token", owner: "credentials", unless: CREDENTIALS },
  { param: "mock_response", owner: "answer", unless: CREDENTIALS },
  { param: "mock_delay", owner: "timing", unless: CREDENTIALS },
  { param: "num_retries", owner: "timing", unless: CREDENTIALS },
  { param: "timeout", owner: "timing", unless: CREDENTIALS },
  { param: "stream_timeout", owner: "timing", unless: CREDENTIALS },
  { param: "cache.namespace", owner: "cache", unless: CREDENTIALS },
  { param: "cache.ttl", owner: "cache", unless: CREDENTIALS },
  { param: "callbacks", owner: "callbacks", unless: null },
  { param: "input_callback", owner: "callbacks", unless: null },
  { param: "success_callback", owner: "callbacks", unless: null },
  { param: "failure_callback", owner: "callbacks", unless: null },
  { param: "input_cost_per_token", owner: "price", unless: null },
  { param: "output_cost_per_token", owner: "price", unless: null },
];

const WHY: Readonly<Record<Owner, string>> = {
  credentials: "it decides where requests go and with which credentials",
  answer: "it replaces the model's answer, and the answer is cached for every client",
  timing: "it decides how long a call may take and how often it is retried",
  cache: "it decides where answers are cached and for how long",
  callbacks: "it runs code on the server",
  price: "it changes what calls cost",
};

/** The first rule `body` breaks with these switches on, or undefined. */
export function forbiddenParam(body: Readonly<Record<string, unknown>>, on: ReadonlySet<ClientParamSwitch>): ClientParamRule | undefined {
  const cache = body.cache !== null && typeof body.cache === "object" ? (body.cache as Record<string, unknown>) : undefined;
  for (const rule of CLIENT_PARAM_RULES) {
    if (rule.unless !== null && on.has(rule.unless)) continue;
    const given = rule.param.startsWith("cache.") ? cache !== undefined && rule.param.slice(6) in cache : rule.param in body;
    if (given) return rule;
  }
  return undefined;
}

/** The 400's message: what, why, and the fix where there is one. */
export function forbiddenMessage(rule: ClientParamRule): string {
  const head = `'${rule.param}' is not allowed in a request to this server: the server's config sets it (${WHY[rule.owner]}).`;
  if (rule.unless === null) return head;
  return `${head} To let clients set it, set general_settings.${rule.unless}: true in the server's config.`;
}
