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
 * for a key that happens to be all digits.
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

/**
 * Replaces every reference in the string values (not keys) of `data`, in
 * place; `data` must be the loader's own copy. Returns one issue per unset
 * variable per place it is referenced, all of them.
 */
export function resolveEnvRefs(data: unknown, locate: Locate, env: Env = process.env): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<object>(); // YAML aliases share objects (and may loop)
  const walk = (node: unknown, path: Array<string | number>): void => {
    if (node === null || typeof node !== "object" || !isPlainContainer(node) || seen.has(node)) return;
    seen.add(node);
    const keys: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      const here = [...path, key];
      const value = (node as Record<string, unknown>)[key];
      if (typeof value !== "string") {
        walk(value, here);
        continue;
      }
      const resolved = resolveString(value, env, (name) => issues.push(missingIssue(name, here, locate)));
      if (resolved === value) continue;
      (node as Record<string, unknown>)[key] = WHOLE_REF.test(value) && isPlainScalar(node, key) ? typed(resolved) : resolved;
    }
  };
  walk(data, []);
  return issues;
}
