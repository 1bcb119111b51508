import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";
import { resolveEnvRefs, resolveString } from "./env.ts";
import { findConfig, SEARCH_PLACES } from "./find.ts";
import { mergeIncludes } from "./include.ts";
import { cloneTree, isPlainContainer, locator, parseFile, type Locate, type ParsedFile } from "./parse.ts";
import { validateShape } from "./schema.ts";
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
}

export interface LoadOptions {
  /** Where a relative `source` starts and where the search begins. @default process.cwd() */
  cwd?: string;
}

/**
 * Loads one config: `source` is a path (relative to `cwd`), an inline config
 * object, or nothing (searched for from `cwd` upward). Throws a ConfigError
 * carrying every problem found (unset variables and shape errors together).
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

  // 1. environment_variables first: everything after may reference them.
  applyEnvironmentVariables(parsed.data);
  // 2. includes, each setting its own environment_variables as it is read.
  const inc = await mergeIncludes(parsed.data, file, dir, parsed.locate, { env: process.env, onFile: (p) => applyEnvironmentVariables(p.data) });
  issues.push(...inc.issues);
  const data = inc.data;
  const locate = data === parsed.data ? parsed.locate : locator(data, file);
  // 3. references, against the environment as the steps above left it.
  issues.push(...resolveEnvRefs(data, locate));
  // 4. shape; skipped when an include failed, since its keys would show up as missing.
  let warnings: ConfigIssue[] = [];
  if (inc.issues.length === 0) {
    const shape = validateShape(data, locate);
    issues.push(...shape.errors);
    warnings = shape.warnings;
  }
  const files = file ? [file, ...inc.files.filter((f) => f !== file)] : inc.files;
  if (issues.length > 0) throw new ConfigError(inDocumentOrder(issues, files), file);
  deepFreeze(data);
  return Object.freeze({ file, dir, config: data as LiteLLMConfig, files, warnings: inDocumentOrder(warnings, files), locate });
}

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

/**
 * Sets `environment_variables` into process.env, overriding what is set (as
 * LiteLLM does). Values may reference other variables, earlier entries
 * included; one whose reference is unset is skipped here and reported with
 * the other references. Non-strings become strings; maps and lists are left
 * for validation to report.
 */
function applyEnvironmentVariables(data: unknown): void {
  const vars = isRecord(data) ? data.environment_variables : undefined;
  if (!isRecord(vars)) return;
  for (const [name, value] of Object.entries(vars)) {
    if (value !== null && typeof value === "object") continue;
    let unset = false;
    const text = typeof value === "string" ? resolveString(value, process.env, () => (unset = true)) : String(value ?? "");
    if (!unset) process.env[name] = text;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && isPlainContainer(v);

/** Freezes plain objects and arrays only: a callback instance in an inline config keeps its own state. */
function deepFreeze(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== "object" || !isPlainContainer(value) || seen.has(value)) return;
  seen.add(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  Object.freeze(value);
}
