/**
 * Which config entry answers a requested model name: an alias of its own, else
 * the most specific wildcard entry that covers it, as LiteLLM's router does
 * (`router_utils/pattern_match_deployments.py`).
 *
 *   model_name: "*"           litellm_params.model: "openai/*"      gpt-4o-mini             -> openai/gpt-4o-mini
 *   model_name: "anthropic/*" litellm_params.model: "anthropic/*"   anthropic/claude-3-5-haiku -> anthropic/claude-3-5-haiku
 *
 * A `*` in `model_name` matches any run of characters; the runs it matched fill
 * the `*`s of `litellm_params.model` in order. An explicit alias always wins;
 * among wildcards the longer pattern wins, then the one with more `*`s, then the
 * first in the file. Unlike LiteLLM's `re.match`, a pattern must match the whole name.
 */
import { nearest } from "./suggest.ts";

/** What a requested name resolved to: the `model_list` name whose entries answer it, and what its `*`s matched. */
export interface NameMatch {
  /** The alias, or the wildcard pattern (`"anthropic/*"`): a key of the snapshot's models. */
  readonly key: string;
  /** What each `*` of the pattern matched; null for an alias of its own. */
  readonly segments: readonly string[] | null;
}

interface Wildcard {
  readonly pattern: string;
  readonly regex: RegExp;
}

/** True when a `model_name` is a wildcard pattern. */
export const isWildcard = (name: string): boolean => name.includes("*");

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** A pattern as a regular expression over the whole name, one group per `*`. */
export function compile(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map(escapeRegex).join("(.*)")}$`, "s");
}

export const stars = (s: string): number => s.split("*").length - 1;

/** A config's model names, ready to resolve requested names against. */
export class ModelNames {
  /** The aliases that are not wildcards, in file order. */
  readonly aliases: readonly string[];
  private readonly exact: ReadonlySet<string>;
  /** Most specific first. */
  private readonly wildcards: readonly Wildcard[];

  constructor(names: Iterable<string>) {
    const all = [...new Set(names)];
    this.aliases = Object.freeze(all.filter((n) => !isWildcard(n)));
    this.exact = new Set(this.aliases);
    // Array.prototype.sort is stable: equal patterns keep their file order.
    this.wildcards = all
      .filter(isWildcard)
      .sort((a, b) => b.length - a.length || stars(b) - stars(a))
      .map((pattern) => ({ pattern, regex: compile(pattern) }));
  }

  /** True when the config has a wildcard entry. */
  get hasWildcards(): boolean {
    return this.wildcards.length > 0;
  }

  /** The entry that answers `name`, or undefined when none does. */
  match(name: string): NameMatch | undefined {
    if (this.exact.has(name)) return { key: name, segments: null };
    for (const w of this.wildcards) {
      const m = w.regex.exec(name);
      if (m) return { key: w.pattern, segments: m.slice(1) };
    }
    return undefined;
  }

  /** The wildcard patterns, most specific first. */
  patterns(): string[] {
    return this.wildcards.map((w) => w.pattern);
  }
}

/**
 * The `litellm_params.model` a wildcard entry sends `requested` to (LiteLLM's
 * `set_deployment_model_name`): its `*`s filled with what the pattern's matched,
 * in order; a model without `*` is sent as it is; more matched runs than `*`s to
 * fill: the requested name itself.
 */
export function expandModel(model: string, segments: readonly string[], requested: string): string {
  if (!model.includes("*")) return model;
  if (segments.length > stars(model)) return requested;
  let out = model;
  for (const s of segments) out = out.replace("*", () => s);
  return out;
}

const MAX_LISTED = 50;

/**
 * What an unknown model is told, by the server (`this server`) and a config
 * runtime (`this config`) alike: the name, what is served, the nearest alias.
 */
export function unknownModelMessage(model: string, names: ModelNames, subject: "this server" | "this config"): string {
  const listed = [...names.aliases, ...names.patterns()];
  if (listed.length === 0) {
    const whose = subject === "this server" ? "this server's config" : "this config";
    return `invalid model name passed in model=${JSON.stringify(model)}: ${whose} declares no model (model_list is empty).`;
  }
  const shown = listed
    .slice(0, MAX_LISTED)
    .map((n) => JSON.stringify(n))
    .join(", ");
  const more = listed.length > MAX_LISTED ? ` and ${listed.length - MAX_LISTED} more (GET /v1/models lists them all)` : "";
  const near = nearest(model, names.aliases);
  const hint = near === undefined ? "" : ` Did you mean ${JSON.stringify(near)}?`;
  return `invalid model name passed in model=${JSON.stringify(model)}: ${subject} serves: ${shown}${more}.${hint}`;
}
