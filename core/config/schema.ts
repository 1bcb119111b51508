import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ErrorObject } from "ajv";
import type { ConfigIssue } from "../errors.ts";
import { isPlainContainer, type Locate } from "./parse.ts";
import { ignoredWarning, toIssues } from "./shape-issues.ts";
import { validate as generated } from "./validator.generated.ts";

/**
 * The config's shape: `schemas/litellm.config.schema.json`, checked by the
 * validator ajv compiled from it at build time (validator.generated.ts, made by
 * `npm run gen:validator`): a cold start neither loads ajv nor compiles the
 * schema. Turning its errors into issues a person can act on is shape-issues.ts.
 */

type Schema = Record<string, unknown>;

const SCHEMA_FILE = "litellm.config.schema.json";

// From source (core/config/schema.ts) schemas/ is two folders up; from the build (dist/core/config/schema.js), three.
function schemaPath(): string {
  const tried: string[] = [];
  for (const up of ["../../schemas/", "../../../schemas/"]) {
    const file = fileURLToPath(new URL(up + SCHEMA_FILE, import.meta.url));
    if (existsSync(file)) return file;
    tried.push(file);
  }
  throw new Error(`litellm-runtime: the config schema is missing (looked for ${tried.join(" and ")}); reinstall the package.`);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The JSON Schema of the config file, the one source of truth for its shape. */
export const CONFIG_SCHEMA: Readonly<Record<string, unknown>> = deepFreeze(JSON.parse(readFileSync(schemaPath(), "utf8")) as Schema);

/** The schema as pretty JSON (`litellm-runtime schema`). */
export function schemaText(): string {
  return `${JSON.stringify(CONFIG_SCHEMA, null, 2)}\n`;
}

/** ajv's standalone validator: the errors of the last call are left on the function. */
type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const validate = generated as unknown as Validate;

/**
 * Checks the shape of a config (env references already resolved). Errors carry
 * the path, what was found and what is allowed; `warnings` is at most one issue
 * naming every key LiteLLM knows that has no effect here.
 */
export function validateShape(data: unknown, locate: Locate, fromEnv: ReadonlyArray<ReadonlyArray<string | number>> = []): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  let subject = maskInlineCallbacks(data);
  let valid = validate(subject);
  // A whole os.environ/NAME is a string; where the schema wants a number or a boolean, its text is read as one (once).
  if (!valid && fromEnv.length > 0 && readEnvValues(data, validate.errors ?? [], fromEnv)) {
    subject = maskInlineCallbacks(data);
    valid = validate(subject);
  }
  const errors = valid ? [] : toIssues(validate.errors ?? [], subject, locate, CONFIG_SCHEMA);
  const warning = ignoredWarning(subject, locate, CONFIG_SCHEMA);
  return { errors, warnings: warning ? [warning] : [] };
}

// ---------------------------------------------------------------- values from the environment

const NUMBER_TEXT = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The JSON pointer ajv names a value by (`/litellm_settings/cache_params/port`). */
const pointer = (path: ReadonlyArray<string | number>): string => path.map((k) => `/${String(k).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/** `text` as the first of `types` it reads as, or undefined. */
function asType(text: string, types: readonly string[]): number | boolean | undefined {
  for (const type of types) {
    if ((type === "number" || type === "integer") && NUMBER_TEXT.test(text)) {
      const n = Number(text);
      if (type === "number" || Number.isInteger(n)) return n;
    }
    if (type === "boolean" && /^\s*(true|false)\s*$/i.test(text)) return text.trim().toLowerCase() === "true";
  }
  return undefined;
}

/** Replaces, in `data`, each env-given string a type error names with the number or boolean wanted; true when one was. */
function readEnvValues(data: unknown, errors: readonly ErrorObject[], fromEnv: ReadonlyArray<ReadonlyArray<string | number>>): boolean {
  const byPointer = new Map(fromEnv.map((path) => [pointer(path), path]));
  let changed = false;
  for (const err of errors) {
    if (err.keyword !== "type") continue;
    const path = byPointer.get(err.instancePath);
    if (!path) continue;
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (isRecord(node) || Array.isArray(node) ? (node as Record<string | number, unknown>)[key] : undefined), data);
    const key = path[path.length - 1]!;
    if (!isRecord(parent) && !Array.isArray(parent)) continue;
    const text = (parent as Record<string | number, unknown>)[key];
    const wanted = ([] as string[]).concat((err.params as { type?: string | string[] }).type ?? []);
    const value = typeof text === "string" ? asType(text, wanted) : undefined;
    if (value === undefined) continue;
    (parent as Record<string | number, unknown>)[key] = value;
    changed = true;
  }
  return changed;
}

// ---------------------------------------------------------------- inline callbacks

const LIST_KEYS = ["callbacks", "input_callback", "success_callback", "failure_callback"];
const INLINE = "<inline callback>";

const isRecord = (v: unknown): v is Schema => v !== null && typeof v === "object" && !Array.isArray(v);

/** A CustomLogger instance, a function, or a handler object put in a list by an inline config: not the file's shape to judge. */
function isInline(v: unknown): boolean {
  if (typeof v === "function") return true;
  if (!isRecord(v)) return false;
  if (!isPlainContainer(v)) return true;
  return !("callback" in v) && Object.values(v).some((x) => typeof x === "function");
}

function maskList(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  const out = list.map((entry: unknown) => {
    if (isInline(entry)) return INLINE;
    if (isRecord(entry) && isInline(entry.callback)) return { ...entry, callback: INLINE };
    return entry;
  });
  return out.some((e, i) => e !== list[i]) ? out : list;
}

function maskLists(owner: unknown, keys: readonly string[]): unknown {
  if (!isRecord(owner)) return owner;
  let out = owner;
  for (const key of keys) {
    const masked = maskList(owner[key]);
    if (masked !== owner[key]) out = { ...out, [key]: masked };
  }
  return out;
}

/** A copy (only where needed) with inline callbacks replaced by a placeholder the schema accepts. */
function maskInlineCallbacks(data: unknown): unknown {
  if (!isRecord(data)) return data;
  let out = data;
  const settings = maskLists(data.litellm_settings, LIST_KEYS);
  if (settings !== data.litellm_settings) out = { ...out, litellm_settings: settings };
  const models = data.model_list;
  if (Array.isArray(models)) {
    const masked = models.map((m: unknown) => maskLists(m, ["callbacks"]));
    if (masked.some((m, i) => m !== models[i])) out = { ...out, model_list: masked };
  }
  return out;
}
