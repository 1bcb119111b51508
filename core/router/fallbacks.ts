import type { FallbackKind } from "./classify.ts";
import type { FallbackMap, RouterSettings } from "./types.ts";

/**
 * The three fallback lists resolved when a config loads: for each kind of failure
 * and each alias, the frozen list of aliases to try next. A call only looks one up.
 *
 * LiteLLM's rules: the first map naming the alias wins; a `"*"` key is the default
 * for aliases without their own entry (LiteLLM's `default_fallbacks` are stored as
 * `{"*": [...]}`); a context-window or content-policy failure uses its own list
 * when one is configured (an alias missing from it gets none) and `fallbacks` otherwise.
 * An alias never falls back to itself.
 */

const NONE: readonly string[] = Object.freeze([]);

interface Table {
  readonly byAlias: ReadonlyMap<string, readonly string[]>;
  readonly star: readonly string[] | undefined;
}

function table(maps: readonly FallbackMap[] | undefined): Table | undefined {
  if (!Array.isArray(maps) || maps.length === 0) return undefined;
  const byAlias = new Map<string, readonly string[]>();
  let star: readonly string[] | undefined;
  for (const map of maps) {
    if (!map || typeof map !== "object") continue;
    for (const [alias, targets] of Object.entries(map)) {
      // LiteLLM also accepts a bare string for a single target.
      const list = Object.freeze((Array.isArray(targets) ? targets : [targets]).filter((t): t is string => typeof t === "string" && t !== ""));
      if (alias === "*") star ??= list;
      else if (!byAlias.has(alias)) byAlias.set(alias, list);
    }
  }
  return { byAlias, star };
}

function lookup(t: Table | undefined, alias: string): readonly string[] {
  if (!t) return NONE;
  return t.byAlias.get(alias) ?? t.star ?? NONE;
}

function withoutSelf(list: readonly string[], alias: string): readonly string[] {
  return list.includes(alias) ? Object.freeze(list.filter((a) => a !== alias)) : list;
}

export class Fallbacks {
  private readonly generic: Table | undefined;
  private readonly byKind: readonly (Table | undefined)[];
  /** Per known alias, indexed by FallbackKind. */
  private readonly resolved = new Map<string, readonly (readonly string[])[]>();

  constructor(settings: RouterSettings, aliases: Iterable<string>) {
    this.generic = table(settings.fallbacks);
    const cw = table(settings.context_window_fallbacks);
    const cp = table(settings.content_policy_fallbacks);
    this.byKind = [this.generic, cw ?? this.generic, cp ?? this.generic];
    const known = new Set(aliases);
    for (const t of [this.generic, cw, cp]) if (t) for (const a of t.byAlias.keys()) known.add(a);
    for (const alias of known) this.resolved.set(alias, this.byKind.map((t) => withoutSelf(lookup(t, alias), alias)));
  }

  /** The aliases to try after `alias` failed with an error of `kind`. */
  for(alias: string, kind: FallbackKind): readonly string[] {
    const known = this.resolved.get(alias);
    if (known) return known[kind]!;
    // An alias named nowhere in the config (a fallback target that is a bare model): resolved now, not cached, as callers choose it.
    return withoutSelf(lookup(this.byKind[kind], alias), alias);
  }
}
