import { basename, parse as parsePath, resolve } from "node:path";
import type { Loader } from "cosmiconfig";

/** The file names looked for in each folder, first match wins; then the `litellm` key of package.json. */
export const SEARCH_PLACES: readonly string[] = [
  "litellm.config.yaml",
  "litellm.config.yml",
  "litellm.config.json",
  "litellm.config.ts",
  "litellm.config.mjs",
  ".litellmrc",
  ".litellmrc.yaml",
  ".litellmrc.yml",
  ".litellmrc.json",
  "package.json",
];

const NAMES = new Set(SEARCH_PLACES);

// cosmiconfig only finds the file here: parse.ts reads it again keeping
// positions, so these loaders answer "found" without parsing (a file with a
// syntax error must still be found, to be reported). Names outside our list
// (cosmiconfig's global `~/.config/litellm/config*` places) answer "not here".
const found: Loader = (file) => (NAMES.has(basename(file)) ? true : null);
const json: Loader = (file, content) => {
  if (basename(file) !== "package.json") return found(file, content);
  try {
    return JSON.parse(content) as unknown; // cosmiconfig then picks its `litellm` key, or moves on
  } catch {
    return null;
  }
};

/**
 * The config file for `cwd`: the first of SEARCH_PLACES in `cwd`, then in
 * each parent folder up to the filesystem root; null when there is none.
 */
export async function findConfig(cwd: string): Promise<string | null> {
  const from = resolve(cwd);
  // Loaded on first search only: a runtime given its config path never pays for it.
  const { cosmiconfig } = await import("cosmiconfig");
  const explorer = cosmiconfig("litellm", {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: "global",
    stopDir: parsePath(from).root,
    // Fresh each time: a file created or deleted since the last search counts (init, hot reload, tests).
    cache: false,
    // An empty litellm.config.yaml is still the user's config: found, then judged by validation.
    ignoreEmptySearchPlaces: false,
    loaders: { ".yaml": found, ".yml": found, ".json": json, ".ts": found, ".mjs": found, ".js": found, ".cjs": found, noExt: found },
  });
  const result = await explorer.search(from);
  return result ? result.filepath : null;
}
