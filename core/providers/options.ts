/**
 * A provider's own options (Azure's `api_version`, OpenAI's `organization`): the
 * routing keys of the parameter registry that are not fields every provider
 * shares, carried as given from the call and the deployment in
 * `ResolvedModel.options`. Each provider reads and checks its own, in its folder;
 * routing passes them through without knowing their names.
 */
import { ROUTING, SECRET_PARAMS } from "../call/param-registry.ts";

/** Option names to their values, as given: a provider's reader decides what a value means. */
export type ProviderOptions = Readonly<Record<string, unknown>>;

/** Routing keys with a field of their own in `ResolvedModel`. */
const SHARED: ReadonlySet<string> = new Set(["model", "api_base", "api_key", "mock_response"]);

/** The routing keys that are options, built once at module load. */
export const OPTION_KEYS: ReadonlySet<string> = new Set([...ROUTING].filter((k) => !SHARED.has(k)));

/** Options that are credentials (`azure_ad_token`): masked in error text like the key. */
export const SECRET_OPTIONS: readonly string[] = Object.freeze(SECRET_PARAMS.filter((k) => OPTION_KEYS.has(k)));

export const NO_OPTIONS: ProviderOptions = Object.freeze({});

/**
 * The options `params` gives, over `under` (a deployment's, computed once at load).
 * A value of undefined or null is no setting. `under` itself when `params` give
 * none: most calls carry no option, and then this allocates nothing.
 */
export function optionsOf(params: object, under: ProviderOptions = NO_OPTIONS): ProviderOptions {
  const given = params as Readonly<Record<string, unknown>>;
  let out: Record<string, unknown> | undefined;
  for (const key in given) {
    if (!OPTION_KEYS.has(key)) continue;
    const value = given[key];
    if (value === undefined || value === null) continue;
    out ??= { ...under };
    out[key] = value;
  }
  return out ?? under;
}

/** A string option, or undefined: a value of another type is no setting. */
export function stringOption(options: ProviderOptions, key: string): string | undefined {
  const value = options[key];
  return typeof value === "string" ? value : undefined;
}
