/**
 * What a client of the server may not set: the config owns where requests go,
 * what answers and what the cache keeps. The rules are the parameter
 * registry's `client` column (core/call/param-registry.ts), one a parameter.
 */
import { CLIENT_RULES, type ClientParamOwner, type ClientParamRule, type ClientParamSwitch } from "../call/param-registry.ts";

export type { ClientParamRule, ClientParamSwitch };

type Owner = ClientParamOwner;

export const CLIENT_PARAM_RULES: readonly ClientParamRule[] = CLIENT_RULES;

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
