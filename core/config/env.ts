import { CONFIG_ERROR_CODES, type ConfigIssue } from "../errors.ts";
import { formatPath, isPlainContainer, isPlainScalar, type Locate } from "./parse.ts";

/**
 * Environment references in config strings:
 *
 * - `os.environ/NAME`, LiteLLM's form, only as the whole value; the result is
 *   always a string, as in LiteLLM.
 * - `${NAME}` and `${NAME:-default}` anywhere inside a string, several per
 *   string; the default applies when NAME is unset or empty (as in a shell).
 *   Defaults are literal text (no nested references, no `}`).
 * - `$${` is a literal `${` (docker compose's escape); a lone `$` or `$$`
 *   elsewhere is left alone, so passwords like `pa$$word` survive.
 *
 * Typing: a YAML value written unquoted that is exactly one `${...}` reference
 * takes the type its text would have had in the file (`port: ${PORT:-4000}`
 * is the number 4000, `cache: ${CACHE:-true}` a boolean), because that is what
 * someone writing YAML expects. Quoted values, JSON, `.ts` configs, text around
 * the reference and `os.environ/` stay strings, so `api_key: "${KEY}"` is safe
 * for a key that happens to be all digits. A whole `os.environ/NAME` (or a
 * quoted `"${NAME}"`) where the schema wants a number or a boolean is read as
 * one when its text is one (`port: os.environ/REDIS_PORT`), as LiteLLM's typed
 * settings read it.
 *
 * Inside a YAML flow list or map (`[...]`, `{...}`) a `${...}` must be quoted,
 * since `{` is YAML syntax there: `callbacks: ["${HANDLER}"]`.
 */

export type Env = Readonly<Record<string, string | undefined>>;

const OS_ENVIRON = /^os\.environ\/(.+)$/;
const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** One string, resolved; `missing` gets the name of each unset variable that has no default. */
export function resolveString(value: string, env: Env, missing: (name: string) => void): string {
  const whole = OS_ENVIRON.exec(value);
  if (whole) {
    const name = whole[1]!;
    const found = env[name];
    if (found === undefined) missing(name);
    return found ?? "";
  }
  return value.replace(REF, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const found = env[name!];
    if (found !== undefined && (found !== "" || fallback === undefined)) return found;
    if (fallback !== undefined) return fallback;
    missing(name!);
    return "";
  });
}

function typed(text: string): string | number | boolean {
  if (NUMBER.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "false") return lower === "true";
  return text;
}

function missingIssue(name: string, path: ReadonlyArray<string | number>, locate: Locate): ConfigIssue {
  const loc = locate(path);
  return {
    code: CONFIG_ERROR_CODES.missingEnv,
    file: loc.file,
    ...(loc.line !== undefined ? { line: loc.line, col: loc.col } : {}),
    path: formatPath(path),
    message: `environment variable ${name} is not set; export it (\`export ${name}=...\`), set it under environment_variables, or give a default with \`\${${name}:-value}\`.`,
  };
}

/** What `resolveEnvRefs` found. */
export interface RefResult {
  /** One issue per unset variable per place it is referenced, all of them. */
  issues: ConfigIssue[];
  /** Paths (`general_settings.port`) of values left as written because a variable they name is unset: checks of their value would only repeat that. */
  unresolved: string[];
  /** Paths of values that were one whole reference (`os.environ/NAME`, `${NAME}`): the schema check may read a string there as the number or boolean it wants. */
  fromEnv: Array<Array<string | number>>;
}

export interface RefOptions {
  /** Variables whose absence is reported already (an `environment_variables` entry that did not resolve): a reference to one is unresolved, not reported again. */
  deferred?: ReadonlySet<string>;
  /** Top-level keys whose values are resolved already (`environment_variables`, as it was read). */
  except?: ReadonlySet<string>;
  /** Paths (`router_settings.redis_host`) left as written: keys accepted and ignored, whose variables need not exist. */
  skip?: ReadonlySet<string>;
}

/**
 * Resolves the string `node[key]` in place; a value naming an unset variable
 * stays as written (not an empty string), so what it stands for is still
 * there to check and to show. False when a variable was unset.
 */
function resolveAt(node: Record<string | number, unknown>, key: string | number, env: Env, missing: (name: string) => void): boolean {
  const value = node[key] as string;
  let unset = false;
  const resolved = resolveString(value, env, (name) => {
    unset = true;
    missing(name);
  });
  if (unset) return false;
  if (resolved !== value) node[key] = WHOLE_REF.test(value) && isPlainScalar(node, key) ? typed(resolved) : resolved;
  return true;
}

/**
 * Replaces every reference in the string values (not keys) of `data`, in
 * place; `data` must be the loader's own copy. Values naming an unset variable
 * stay as written and are listed in `unresolved`.
 */
export function resolveEnvRefs(data: unknown, locate: Locate, env: Env = process.env, options: RefOptions = {}): RefResult {
  const out: RefResult = { issues: [], unresolved: [], fromEnv: [] };
  const seen = new Set<object>(); // YAML aliases share objects (and may loop)
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (node === null || typeof node !== "object" || !isPlainContainer(node) || seen.has(node)) return;
    seen.add(node);
    const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      if (path.length === 0 && options.except?.has(String(key))) continue;
      const here = [...path, key];
      if (options.skip?.has(formatPath(here))) continue;
      const value = (node as Record<string, unknown>)[key];
      if (typeof value !== "string") {
        walk(value, here);
        continue;
      }
      const missing = (name: string): void => void (options.deferred?.has(name) || out.issues.push(missingIssue(name, here, locate)));
      if (!resolveAt(node as Record<string | number, unknown>, key, env, missing)) out.unresolved.push(formatPath(here));
      else if (OS_ENVIRON.test(value) || WHOLE_REF.test(value)) out.fromEnv.push(here);
    }
  };
  walk(data, []);
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && isPlainContainer(v);

/**
 * The environment of one config: process.env as the load found it, with the
 * config's own `environment_variables` over it (the config wins, as in
 * LiteLLM). Unlike LiteLLM, process.env itself is never written: a config
 * that fails to load changes nothing, and two runtimes in one process each
 * keep their own keys.
 */
export class ConfigEnvironment {
  /** What references resolve against; frozen by the loader once every file is read. */
  readonly vars: Record<string, string | undefined>;
  /** Entries whose own value named an unset variable: left out, and not reported again where they are used. */
  readonly deferred = new Set<string>();
  readonly issues: ConfigIssue[] = [];
  readonly unresolved: string[] = [];
  private readonly own = new Set<string>();

  constructor(base: Env) {
    this.vars = { ...base };
  }

  /**
   * Takes one file's `environment_variables`, in order, as the file is read
   * (the root first, then each include): a value may reference process.env
   * and every entry read before it. A name set by a file is not set again by
   * a file it includes, as for every other key. Values are resolved in place
   * (an unset reference stays as written); non-strings become strings; maps
   * and lists are left for validation to report.
   */
  read(file: { data: unknown; locate: Locate }): void {
    const vars = isMap(file.data) ? file.data.environment_variables : undefined;
    if (!isMap(vars)) return;
    for (const [name, value] of Object.entries(vars)) {
      if (this.own.has(name) || this.deferred.has(name)) continue;
      if (value !== null && typeof value === "object") continue;
      if (typeof value !== "string") {
        this.set(name, String(value ?? ""));
        continue;
      }
      const path = ["environment_variables", name];
      const missing = (v: string): void => void (this.deferred.has(v) || this.issues.push(missingIssue(v, path, file.locate)));
      if (resolveAt(vars, name, this.vars, missing)) {
        this.set(name, String(vars[name]));
      } else {
        // Unknown rather than process.env's value: the config meant to replace it.
        this.deferred.add(name);
        delete this.vars[name];
        this.unresolved.push(formatPath(path));
      }
    }
  }

  private set(name: string, value: string): void {
    this.own.add(name);
    this.vars[name] = value;
  }
}
