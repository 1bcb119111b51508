import type { ErrorObject } from "ajv";
import { CONFIG_ERROR_CODES, type ConfigIssue } from "../errors.ts";
import { formatPath, type Locate } from "./parse.ts";
import { nearest } from "./suggest.ts";

/**
 * ajv's errors as ConfigIssues: the path, what was found, what is allowed and
 * what the key is for, with the nearest known key or value for a misspelling;
 * and the one warning naming the keys LiteLLM knows that have no effect here.
 */

type Path = Array<string | number>;
type Schema = Record<string, unknown>;

/** Marks a key LiteLLM knows that this runtime accepts and does not act on. */
export const IGNORED_KEYWORD = "x-litellm-ignored";

const isRecord = (v: unknown): v is Schema => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every error of one validation, one issue per problem, in reading order. */
export function toIssues(errors: readonly ErrorObject[], data: unknown, locate: Locate, root: Readonly<Schema>): ConfigIssue[] {
  return byPosition(collapse(errors).map((e) => toIssue(e, data, locate, root)));
}

/** `/model_list/0/litellm_params` → ["model_list", 0, "litellm_params"], numbers where the data holds a list. */
function toPath(pointer: string, root: unknown): Path {
  const path: Path = [];
  let node = root;
  for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const key: string | number = Array.isArray(node) ? Number(seg) : seg;
    path.push(key);
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

const COMPOSITE = new Set(["anyOf", "oneOf"]);

const under = (child: ErrorObject, parent: ErrorObject): boolean =>
  child !== parent && (child.instancePath === parent.instancePath || child.instancePath.startsWith(`${parent.instancePath}/`));

/**
 * ajv reports every failing branch of an anyOf plus the anyOf itself. Keep one
 * report per place: the errors of the one branch whose type fits the value (a
 * bad event inside an object-form callback), else the anyOf alone. Errors are
 * matched by place, not schemaPath, which restarts inside a shared $defs entry
 * (the schema's anyOf nodes carry no other checks, so all errors there are theirs).
 */
function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const composites = errors.filter((e) => COMPOSITE.has(e.keyword));
  // ajv reports an anyOf after its branches, so of several at one place the last is the outermost.
  const outer = composites.filter(
    (c) => !composites.some((o) => o !== c && (c.instancePath.startsWith(`${o.instancePath}/`) || (o.instancePath === c.instancePath && errors.indexOf(o) > errors.indexOf(c)))),
  );
  const claimed = new Set<ErrorObject>();
  const out: ErrorObject[] = [];
  for (const c of outer) {
    if (claimed.has(c)) continue;
    const children = errors.filter((e) => under(e, c));
    for (const e of [c, ...children]) claimed.add(e);
    const branch = fittingBranch(c);
    const fromOther = (e: ErrorObject): boolean => {
      const m = e.schemaPath.startsWith(`${c.schemaPath}/`) ? /^(\d+)\//.exec(e.schemaPath.slice(c.schemaPath.length + 1)) : null;
      return m !== null && Number(m[1]) !== branch;
    };
    // Type errors at the anyOf's own place come from branches the value's type rules out
    // (a list of callbacks also fails the single-reference branch, whose schemaPath restarts in $defs).
    const sameType = (e: ErrorObject): boolean => e.instancePath === c.instancePath && (e.keyword === "type" || COMPOSITE.has(e.keyword));
    const rest = branch === undefined ? [] : children.filter((e) => !fromOther(e) && !sameType(e));
    out.push(...(rest.length > 0 ? collapse(rest) : [c]));
  }
  return [...errors.filter((e) => !claimed.has(e)), ...out];
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typesOf(schema: unknown): string[] {
  const t = isRecord(schema) ? schema.type : undefined;
  return typeof t === "string" ? [t] : Array.isArray(t) ? (t as string[]) : [];
}

function fits(type: string, types: readonly string[]): boolean {
  return types.includes(type) || (type === "integer" && types.includes("number"));
}

function fittingBranch(e: ErrorObject): number | undefined {
  const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
  const type = jsonType(e.data);
  const fitting = branches.flatMap((b, i) => (fits(type, typesOf(b)) ? [i] : []));
  return fitting.length === 1 ? fitting[0] : undefined;
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  array: "a list",
  null: "null",
};

const typeWord = (t: string): string => TYPE_WORDS[t] ?? t;

/** What was found, for a message: the value as JSON (shortened) and its kind. */
function found(v: unknown): string {
  let json: string;
  try {
    json = JSON.stringify(v) ?? String(v);
  } catch {
    json = String(v);
  }
  if (json.length > 60) json = `${json.slice(0, 57)}...`;
  return `${json} (${typeWord(jsonType(v))})`;
}

function resolveRef(schema: unknown, root: Readonly<Schema>): Schema | undefined {
  if (!isRecord(schema)) return undefined;
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return schema;
  // Once per schema node: a config of thousands of models would otherwise copy the same definition for each.
  const known = RESOLVED.get(schema);
  if (known) return known;
  let node: unknown = root;
  for (const seg of ref.slice(2).split("/")) node = isRecord(node) ? node[seg] : undefined;
  const resolved = isRecord(node) ? { ...node, ...schema } : schema;
  RESOLVED.set(schema, resolved);
  return resolved;
}

const RESOLVED = new WeakMap<object, Schema>();

/** ` key: <first sentence of its description>.`, saying what the value is for. */
function hint(schema: unknown, path: Path, root: Readonly<Schema>): string {
  const d = resolveRef(schema, root)?.description;
  if (typeof d !== "string") return "";
  const first = d.split(/(?<=\.)\s/)[0]!.replace(/\.$/, "");
  const key = path.findLast((seg) => typeof seg === "string");
  return key === undefined ? ` ${first}.` : ` ${key}: ${first}.`;
}

const isIgnoredSchema = (schema: unknown): boolean => isRecord(schema) && schema[IGNORED_KEYWORD] === true;

type Body = Pick<ConfigIssue, "code" | "message" | "suggestion">;

function unknownKey(e: ErrorObject, path: Path): Body {
  const key = String(path[path.length - 1]);
  const props = isRecord(e.parentSchema?.properties) ? (e.parentSchema.properties as Schema) : {};
  const known = Object.keys(props);
  const suggestion = nearest(key, known);
  const where = path.length > 1 ? `in ${formatPath(path.slice(0, -1))}` : "at the top level";
  // Listing LiteLLM's ignored keys would bury the ones that do something.
  const listed = known.filter((k) => !isIgnoredSchema(props[k]));
  const tail = suggestion ? "" : ` Known keys here: ${listed.join(", ")}.`;
  return { code: CONFIG_ERROR_CODES.unknownKey, message: `unknown key "${key}" ${where}.${tail}`, ...(suggestion ? { suggestion } : {}) };
}

function missingKey(e: ErrorObject, at: Path, key: string, root: Readonly<Schema>): Body {
  const props = isRecord(e.parentSchema?.properties) ? (e.parentSchema.properties as Schema) : {};
  const where = at.length > 0 ? formatPath(at) : "the top level";
  return { code: CONFIG_ERROR_CODES.missingKey, message: `the required key "${key}" is missing; add it to ${where}.${hint(props[key], [key], root)}` };
}

const COMPARISONS: Record<string, string> = { ">=": "at least", "<=": "at most", ">": "greater than", "<": "less than" };

function invalidValue(e: ErrorObject, path: Path, root: Readonly<Schema>): Body {
  const code = CONFIG_ERROR_CODES.invalidValue;
  const f = found(e.data);
  const p = e.params as Record<string, unknown>;
  const about = hint(e.parentSchema, path, root);
  switch (e.keyword) {
    case "type":
      return { code, message: `found ${f}; expected ${typesOf(e.parentSchema).map(typeWord).join(" or ")}.${about}` };
    case "enum":
    case "const": {
      const allowed = e.keyword === "enum" ? (e.schema as unknown[]) : [e.schema];
      const suggestion = typeof e.data === "string" ? nearest(e.data, allowed.map(String)) : undefined;
      const list = allowed.map((a) => JSON.stringify(a)).join(", ");
      return { code, message: `found ${f}; allowed: ${list}.`, ...(suggestion ? { suggestion } : {}) };
    }
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { code, message: `found ${f}; must be ${COMPARISONS[String(p.comparison)] ?? String(p.comparison)} ${String(p.limit)}.${about}` };
    case "minLength":
      return { code, message: p.limit === 1 ? `found an empty string; give a value.${about}` : `found ${f}; must be at least ${String(p.limit)} characters.${about}` };
    case "pattern":
      return { code, message: `found ${f}; must match ${String(p.pattern)}.${about}` };
    case "minItems":
    case "minProperties": {
      const what = e.keyword === "minItems" ? "item" : "key";
      return { code, message: `found ${f}; needs at least ${String(p.limit)} ${what}${p.limit === 1 ? "" : "s"}.${about}` };
    }
    case "uniqueItems":
      return { code, message: `found ${f}; items ${String(p.j)} and ${String(p.i)} are the same, list each value once.` };
    case "anyOf":
    case "oneOf": {
      const branches = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
      const forms = branches.map((b) => (isRecord(b) && typeof b.description === "string" ? b.description : typesOf(b).map(typeWord).join(" or ")));
      return { code, message: `found ${f}; expected ${forms.join(", or ")}.` };
    }
    default:
      return { code, message: `found ${f}; it ${e.message ?? "is not allowed here"}.${about}` };
  }
}

function toIssue(e: ErrorObject, data: unknown, locate: Locate, root: Readonly<Schema>): ConfigIssue {
  const at = toPath(e.instancePath, data);
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties") {
    const path = [...at, String(p.additionalProperty)];
    return located(unknownKey(e, path), path, locate);
  }
  if (e.keyword === "required") {
    const key = String(p.missingProperty);
    return located(missingKey(e, at, key, root), [...at, key], locate);
  }
  return located(invalidValue(e, at, root), at, locate);
}

function located(body: Body, path: Path, locate: Locate): ConfigIssue {
  const loc = locate(path);
  const issue: ConfigIssue = { code: body.code, file: loc.file, path: formatPath(path), message: body.message };
  if (loc.line !== undefined) issue.line = loc.line;
  if (loc.col !== undefined) issue.col = loc.col;
  if (body.suggestion !== undefined) issue.suggestion = body.suggestion;
  return issue;
}

/** File by file (in order of first mention), top to bottom where positions are known: fix them in reading order. */
function byPosition<T extends { file: string | null; line?: number; col?: number }>(items: T[]): T[] {
  const files = [...new Set(items.map((i) => i.file))];
  return items
    .map((item, i) => ({ item, i }))
    .sort(
      (a, b) =>
        files.indexOf(a.item.file) - files.indexOf(b.item.file) ||
        (a.item.line ?? Infinity) - (b.item.line ?? Infinity) ||
        (a.item.col ?? 0) - (b.item.col ?? 0) ||
        a.i - b.i,
    )
    .map((x) => x.item);
}

/**
 * Where the data holds a key the schema marks ignored, found by walking the data
 * beside the schema ($ref, properties, additionalProperties, items, and the
 * anyOf/oneOf branches the value's type fits); the keyword itself is a mere
 * annotation to the precompiled validator.
 */
function ignoredPaths(data: unknown, schema: unknown, root: Readonly<Schema>, path: Path, out: Path[]): Path[] {
  const s = resolveRef(schema, root);
  if (s === undefined) return out;
  if (isIgnoredSchema(s)) out.push(path);
  if (isRecord(data)) {
    const props = isRecord(s.properties) ? s.properties : {};
    for (const [key, value] of Object.entries(data)) ignoredPaths(value, Object.hasOwn(props, key) ? props[key] : s.additionalProperties, root, [...path, key], out);
  } else if (Array.isArray(data) && s.items !== undefined) {
    data.forEach((item: unknown, i) => ignoredPaths(item, Array.isArray(s.items) ? s.items[i] : s.items, root, [...path, i], out));
  }
  const type = jsonType(data);
  for (const branch of [s.anyOf, s.oneOf].flatMap((b) => (Array.isArray(b) ? (b as unknown[]) : []))) {
    const types = typesOf(resolveRef(branch, root));
    if (types.length === 0 || fits(type, types)) ignoredPaths(data, branch, root, path, out);
  }
  return out;
}

/** The paths of the keys LiteLLM knows that have no effect here, as the data holds them (`router_settings.redis_host`). */
export function ignoredKeyPaths(data: unknown, root: Readonly<Schema>): Path[] {
  return ignoredPaths(data, root, root, [], []);
}

/** The one warning naming every ignored key the data holds, or undefined when it holds none. */
export function ignoredWarning(data: unknown, locate: Locate, root: Readonly<Schema>): ConfigIssue | undefined {
  const seen = new Map(ignoredPaths(data, root, root, [], []).map((path) => [formatPath(path), path]));
  if (seen.size === 0) return undefined;
  const spots = byPosition([...seen.values()].map((path) => ({ path, ...locate(path) })));
  const names = spots.map((s) => formatPath(s.path));
  const one = names.length === 1;
  const message =
    `${one ? "this key LiteLLM knows is" : `these ${names.length} keys LiteLLM knows are`} accepted for LiteLLM compatibility ` +
    `and ${one ? "has" : "have"} no effect here: ${names.join(", ")}. Remove ${one ? "it" : "them"} to silence this warning.`;
  // Located at the first key; the path is left empty because the warning names several.
  const issue = located({ code: CONFIG_ERROR_CODES.ignoredKeys, message }, spots[0]!.path, locate);
  issue.path = "";
  return issue;
}
