import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";
import { ConfigEnvironment, resolveEnvRefs, type Env } from "./env.ts";
import { findConfig, SEARCH_PLACES } from "./find.ts";
import { mergeIncludes } from "./include.ts";
import { cloneTree, formatPath, isPlainContainer, locator, parseFile, type Locate, type ParsedFile } from "./parse.ts";
import { CONFIG_SCHEMA, validateShape } from "./schema.ts";
import { ignoredKeyPaths } from "./shape-issues.ts";
import type { InlineConfig } from "../types.ts";
import type { LiteLLMConfig } from "./types.generated.ts";

/** A config as `loadConfig()` returns it: found, parsed, references resolved, includes merged, validated and frozen. */
export interface LoadedConfig {
  /** The config file, absolute; null for an inline config object. */
  file: string | null;
  /** Where relative paths in the config start: the file's folder, or the cwd for an inline config. */
  dir: string;
  /** Env-resolved, includes merged, validated, deep-frozen. */
  config: LiteLLMConfig;
  /** The config file and every file it includes, absolute. */
  files: string[];
  warnings: ConfigIssue[];
  locate: Locate;
  /**
   * The config's environment, frozen: process.env as it was when the load
   * began, with the config's `environment_variables` over it (the config
   * wins). References resolved against it, and the runtime's providers read
   * their default keys and bases from it (OPENAI_API_KEY, ...). A change to
   * process.env after the load is seen at the next reload. process.env itself
   * is never written. Not enumerable, so a log of this object leaves it out.
   */
  env: Env;
  /** Every problem of the file, when loaded with `keepIssues`; the config must then not serve (`buildSnapshot` throws them). Empty otherwise. */
  issues: readonly ConfigIssue[];
}

export interface LoadOptions {
  /** Where a relative `source` starts and where the search begins. @default process.cwd() */
  cwd?: string;
  /**
   * Return the file's problems in `issues` instead of throwing them, so the
   * snapshot's own checks (callback modules, built-in names) can add theirs
   * and every problem is reported at once. A file that cannot be found or
   * parsed still throws. @default false
   */
  keepIssues?: boolean;
}

/**
 * Loads one config: `source` is a path (relative to `cwd`), an inline config
 * object, or nothing (searched for from `cwd` upward). Throws a ConfigError
 * carrying every problem found (unset variables and shape errors together),
 * unless `keepIssues`. process.env is read, never written.
 */
export async function loadConfig(source?: string | InlineConfig, options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  let file: string | null = null;
  let parsed: ParsedFile;
  if (source !== undefined && typeof source === "object" && source !== null) {
    const data = cloneTree(source);
    parsed = { data, locate: locator(data, null) };
  } else {
    file = await locateFile(source, cwd);
    parsed = await parseFile(file);
  }
  const dir = file ? dirname(file) : cwd;
  const issues: ConfigIssue[] = [];

  // 1. environment_variables first, into the config's own environment: everything after may reference them.
  const environment = new ConfigEnvironment(process.env);
  environment.read(parsed);
  // 2. includes, each adding its own environment_variables as it is read.
  const inc = await mergeIncludes(parsed.data, file, dir, parsed.locate, { env: environment.vars, deferred: environment.deferred, onFile: (p) => environment.read(p) });
  issues.push(...inc.issues);
  const data = inc.data;
  const locate = data === parsed.data ? parsed.locate : locator(data, file);
  // 3. references, against that environment; environment_variables were resolved as they were read.
  // Between the steps, calls get a turn: a reload of a large config must not hold up serving in one piece.
  await yieldToCalls();
  // Keys LiteLLM knows that have no effect here keep their references as written: their variables need not exist.
  const skip = new Set(ignoredKeyPaths(data, CONFIG_SCHEMA).map((p) => formatPath(p)));
  const refs = resolveEnvRefs(data, locate, environment.vars, { deferred: environment.deferred, except: ENV_KEY, skip });
  issues.push(...environment.issues, ...refs.issues);
  const unresolved = [...environment.unresolved, ...refs.unresolved];
  // 4. shape. Left out, as the same problems again: the checks of a value left as written for an unset
  // variable (it would fail its type or format too), and, when an include failed, missing keys (it may hold them).
  await yieldToCalls();
  const shape = validateShape(data, locate, refs.fromEnv);
  await yieldToCalls();
  const echoes = (e: ConfigIssue): boolean =>
    (e.code === CONFIG_ERROR_CODES.invalidValue && unresolved.some((p) => isWithin(e.path, p))) || (e.code === CONFIG_ERROR_CODES.missingKey && inc.issues.length > 0);
  issues.push(...shape.errors.filter((e) => !echoes(e)));
  const warnings = shape.warnings;
  const files = file ? [file, ...inc.files.filter((f) => f !== file)] : inc.files;
  if (issues.length > 0 && !options.keepIssues) throw new ConfigError(inDocumentOrder(issues, files), file);
  deepFreeze(data);
  const loaded = { file, dir, config: data as LiteLLMConfig, files, warnings: inDocumentOrder(warnings, files), locate, issues: Object.freeze(inDocumentOrder(issues, files)) };
  // Not enumerable: it holds the whole process environment, which a log of the loaded config must not print.
  Object.defineProperty(loaded, "env", { value: Object.freeze(environment.vars), enumerable: false });
  return Object.freeze(loaded as LoadedConfig);
}

/** Lets the event loop run what waits (requests in flight) before the next step of a load. */
export const yieldToCalls = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The root file first, then each include as read; by line and column within a file (stable otherwise). */
export function inDocumentOrder(issues: ConfigIssue[], files: string[]): ConfigIssue[] {
  const rank = (i: ConfigIssue): number => (i.file === null ? -1 : files.includes(i.file) ? files.indexOf(i.file) : files.length);
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.col ?? 0) - (b.issue.col ?? 0) || a.n - b.n)
    .map((x) => x.issue);
}

async function locateFile(source: string | undefined, cwd: string): Promise<string> {
  if (source !== undefined) {
    const file = resolve(cwd, source);
    const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
    if (!isDir) return file; // a missing file is reported by parseFile, naming it
    return (await findConfig(file)) ?? notFound(file);
  }
  return (await findConfig(cwd)) ?? notFound(cwd);
}

function notFound(from: string): never {
  const names = SEARCH_PLACES.filter((p) => p !== "package.json").join(", ");
  throw new ConfigError([
    {
      code: CONFIG_ERROR_CODES.notFound,
      file: null,
      path: "",
      message: `no config file found in ${from} or any folder above it (looked for ${names}, and a "litellm" key in package.json); create one with \`litellm-runtime init\`, or name one with --config.`,
    },
  ]);
}

const ENV_KEY: ReadonlySet<string> = new Set(["environment_variables"]);

/** True when one of `issues` stands at `path`, above it or below it: a check there would only say it again. */
export function coveredBy(issues: readonly ConfigIssue[], path: string): boolean {
  return issues.some((i) => isWithin(path, i.path) || isWithin(i.path, path));
}

/** True when `path` is `prefix` or lies under it (`a.b[0]` is within `a.b`, `a.bc` is not). */
export function isWithin(path: string, prefix: string): boolean {
  if (prefix === "") return true;
  if (!path.startsWith(prefix)) return false;
  const next = path[prefix.length];
  return next === undefined || next === "." || next === "[";
}

/** Freezes plain objects and arrays only: a callback instance in an inline config keeps its own state. */
function deepFreeze(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== "object" || !isPlainContainer(value) || seen.has(value)) return;
  seen.add(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  Object.freeze(value);
}
