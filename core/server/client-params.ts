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

/** Each rule's place in the table, by the key it names: a top-level parameter, or a key of `cache`. */
const TOP = new Map<string, number>();
const IN_CACHE = new Map<string, number>();
CLIENT_PARAM_RULES.forEach((rule, i) => {
  if (rule.param.startsWith("cache.")) IN_CACHE.set(rule.param.slice(6), i);
  else TOP.set(rule.param, i);
});

/**
 * The first rule (in table order) `body` breaks with these switches on, or undefined. The body's
 * few keys are looked up in the rules, not each rule in the body: nearly every request breaks none.
 */
export function forbiddenParam(body: Readonly<Record<string, unknown>>, on: ReadonlySet<ClientParamSwitch>): ClientParamRule | undefined {
  let first = Infinity;
  for (const key in body) {
    const at = TOP.get(key);
    if (at !== undefined && at < first && allowedBy(at, on) === false) first = at;
  }
  const cache = body.cache;
  if (cache !== null && typeof cache === "object") {
    for (const key in cache) {
      const at = IN_CACHE.get(key);
      if (at !== undefined && at < first && allowedBy(at, on) === false) first = at;
    }
  }
  return first === Infinity ? undefined : CLIENT_PARAM_RULES[first];
}

function allowedBy(at: number, on: ReadonlySet<ClientParamSwitch>): boolean {
  const unless = CLIENT_PARAM_RULES[at]!.unless;
  return unless !== null && on.has(unless);
}

/** The 400's message: what, why, and the fix where there is one. */
export function forbiddenMessage(rule: ClientParamRule): string {
  const head = `'${rule.param}' is not allowed in a request to this server: the server's config sets it (${WHY[rule.owner]}).`;
  if (rule.unless === null) return head;
  return `${head} To let clients set it, set general_settings.${rule.unless}: true in the server's config.`;
}
