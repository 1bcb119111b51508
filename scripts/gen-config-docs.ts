import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Writes docs/config.md, the reference of every config key, from the config's
 * JSON Schema, so the reference is derived from the one source of truth.
 * test/docs.test.ts fails when the committed file is out of date.
 */

const ROOT = new URL("../", import.meta.url);
export const SCHEMA_FILE = fileURLToPath(new URL("schemas/litellm.config.schema.json", ROOT));
export const DOCS_FILE = fileURLToPath(new URL("docs/config.md", ROOT));

type Node = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  description?: string;
  title?: string;
  default?: unknown;
  enum?: unknown[];
  examples?: unknown[];
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: boolean | Node;
  anyOf?: Node[];
  oneOf?: Node[];
  required?: string[];
  "x-litellm-ignored"?: boolean;
};

const IGNORED = "x-litellm-ignored";

/** Follows a local `#/$defs/...` reference (and a chain of them). */
function resolve(schema: Node, node: Node): Node {
  let cur = node;
  while (cur.$ref !== undefined) {
    const name = cur.$ref.replace(/^#\/\$defs\//, "");
    const target = (schema.$defs as Record<string, Node> | undefined)?.[name];
    if (target === undefined) throw new Error(`unresolved $ref ${cur.$ref}`);
    // Keys beside a $ref (description, default) win over the target's.
    const { $ref: _ignored, ...rest } = cur;
    cur = { ...target, ...rest };
  }
  return cur;
}

/** Escapes a table cell: pipes and line breaks would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `\`${text.replace(/\|/g, "\\|")}\``;
}

/** A short, human type of a node: `string`, `integer`, `string[]`, `callback list`, `{ [name]: string }`, ... */
function typeOf(schema: Node, raw: Node): string {
  if (raw.$ref === "#/$defs/CallbackList") return "[callback list](#callback-references)";
  if (raw.$ref === "#/$defs/CallbackRef") return "callback";
  if (raw.$ref === "#/$defs/FallbackMap") return "{ alias: alias[] }";
  const node = resolve(schema, raw);
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives !== undefined) return alternatives.map((alt) => typeOf(schema, alt)).join(" \\| ");
  const type = node.type;
  if (type === undefined) return node.properties !== undefined ? "object" : "any";
  if (Array.isArray(type)) return type.join(" \\| ");
  if (type === "array") {
    if (node.items === undefined) return "array";
    const inner = typeOf(schema, node.items);
    return inner.includes(" ") ? `(${inner})[]` : `${inner}[]`;
  }
  if (type === "object") {
    if (node.properties === undefined && typeof node.additionalProperties === "object") {
      return `{ [name]: ${typeOf(schema, node.additionalProperties)} }`;
    }
    if (node.title === "RedisNode") return "{ host, port }";
    return "object";
  }
  return type;
}

/** Enums, ranges and patterns: what a value may be, beyond its type. */
function allowed(schema: Node, raw: Node): string {
  const node = resolve(schema, raw);
  const parts: string[] = [];
  const target = node.type === "array" && node.items !== undefined ? resolve(schema, node.items) : node;
  if (target.enum !== undefined) parts.push(target.enum.map(code).join(", "));
  const bound = (n: Node): void => {
    const min = n.minimum as number | undefined;
    const max = n.maximum as number | undefined;
    const xmin = n.exclusiveMinimum as number | undefined;
    if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}`);
    else if (min !== undefined) parts.push(`≥ ${min}`);
    else if (max !== undefined) parts.push(`≤ ${max}`);
    if (xmin !== undefined) parts.push(`> ${xmin}`);
    if (typeof n.pattern === "string") parts.push(`matches ${code(n.pattern)}`);
  };
  bound(target);
  if (target.enum === undefined && target.examples !== undefined) parts.push(`e.g. ${target.examples.map(code).join(", ")}`);
  if (node.type === "array" && node.uniqueItems === true) parts.push("no repeats");
  return parts.join("; ");
}

function defaultOf(raw: Node): string {
  return "default" in raw ? code(raw.default) : "";
}

/** The rows of one object's keys: [name, node] pairs split into used and ignored. */
function split(props: Record<string, Node>): { used: [string, Node][]; ignored: [string, Node][] } {
  const entries = Object.entries(props);
  return { used: entries.filter(([, n]) => n[IGNORED] !== true), ignored: entries.filter(([, n]) => n[IGNORED] === true) };
}

function keyTable(schema: Node, entries: [string, Node][], required: string[], prefix: string): string[] {
  const lines = ["| key | type | default | allowed values | description |", "|---|---|---|---|---|"];
  for (const [name, raw] of entries) {
    const node = resolve(schema, raw);
    const req = required.includes(name) ? " (required)" : "";
    const description = raw.description ?? node.description ?? "";
    lines.push(`| \`${prefix}${name}\`${req} | ${typeOf(schema, raw)} | ${defaultOf(raw)} | ${allowed(schema, raw)} | ${cell(description)} |`);
  }
  return lines;
}

function ignoredTable(entries: [string, Node][]): string[] {
  if (entries.length === 0) return [];
  const lines = [
    "",
    "Accepted for LiteLLM compatibility, no effect: these keys load without an error and are named in one `CONFIG_IGNORED_KEYS` warning.",
    "",
    "| key | description |",
    "|---|---|",
  ];
  for (const [name, node] of entries) {
    const description = (node.description ?? "").replace(/\s*Accepted for LiteLLM compatibility; has no effect in this runtime\.$/, "").trim();
    lines.push(`| \`${name}\` | ${cell(description)} |`);
  }
  return lines;
}

/** A section for an object: its description, its keys, its ignored keys. */
function objectSection(schema: Node, heading: string, raw: Node, intro?: string): string[] {
  const node = resolve(schema, raw);
  const props = node.properties ?? {};
  const { used, ignored } = split(props);
  const out = [heading, ""];
  const description = intro ?? raw.description ?? node.description;
  if (description !== undefined) out.push(description, "");
  if (used.length > 0) out.push(...keyTable(schema, used, node.required ?? [], ""));
  out.push(...ignoredTable(ignored), "");
  return out;
}

/** The text of docs/config.md for the schema as it is on disk. */
export function generateConfigDocs(): string {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Node;
  const top = schema.properties ?? {};
  const defs = (schema.$defs ?? {}) as Record<string, Node>;
  const need = (name: string): Node => {
    const node = top[name];
    if (node === undefined) throw new Error(`the schema has no top-level key ${name}`);
    return node;
  };
  const out: string[] = [
    "<!--",
    "  GENERATED by `npm run gen:docs` (scripts/gen-config-docs.ts) from",
    "  schemas/litellm.config.schema.json. Do not edit: change the schema and run it",
    "  again (test/docs.test.ts fails while the two disagree).",
    "-->",
    "",
    "# Config reference",
    "",
    "Generated by `npm run gen:docs` from [`schemas/litellm.config.schema.json`](../schemas/litellm.config.schema.json); every key the config file takes.",
    "",
    schema.description ?? "",
    "",
    "Values may use `os.environ/NAME` (the whole value) or `${NAME}` / `${NAME:-default}` anywhere in a string. A whole reference (`os.environ/NAME`, or a quoted `\"${NAME}\"`) where a setting wants a number or a boolean is read as one (`port: os.environ/REDIS_PORT`), and an error names the value when its text is not one. References in keys that have no effect here (those the `CONFIG_IGNORED_KEYS` warning names) are left as written, so their variables need not exist. Sizes and durations are in the units the description names.",
    "",
    "## Top-level keys",
    "",
  ];
  const { used: topUsed, ignored: topIgnored } = split(top);
  out.push(...keyTable(schema, topUsed, schema.required ?? [], ""), ...ignoredTable(topIgnored), "");

  // model_list: the entry, then its litellm_params and model_info.
  const entry = resolve(schema, need("model_list").items ?? {});
  out.push(...objectSection(schema, "## model_list entry", entry, `${need("model_list").description ?? ""} Each entry: ${entry.description ?? ""}`));
  const entryProps = entry.properties ?? {};
  for (const sub of ["litellm_params", "model_info"]) {
    const node = entryProps[sub];
    if (node !== undefined) out.push(...objectSection(schema, `### model_list[].${sub}`, node));
  }

  // litellm_settings, then its cache_params.
  const settings = resolve(schema, need("litellm_settings"));
  out.push(...objectSection(schema, "## litellm_settings", settings));
  const cacheParams = settings.properties?.cache_params;
  if (cacheParams !== undefined) out.push(...objectSection(schema, "### litellm_settings.cache_params", cacheParams));

  // callback_settings: one section per built-in.
  const cbSettings = resolve(schema, need("callback_settings"));
  out.push("## callback_settings", "", cbSettings.description ?? "", "");
  if (typeof cbSettings.additionalProperties === "object" && cbSettings.additionalProperties.description !== undefined) {
    out.push(`Any other name: ${cbSettings.additionalProperties.description}`, "");
  }
  for (const [name, node] of Object.entries(cbSettings.properties ?? {})) {
    out.push(...objectSection(schema, `### callback_settings.${name}`, node));
  }

  out.push(...objectSection(schema, "## general_settings", need("general_settings")));
  out.push(...objectSection(schema, "## router_settings", need("router_settings")));

  for (const name of ["environment_variables", "include"]) {
    const node = need(name);
    out.push(`## ${name}`, "", node.description ?? "", "", `Type: ${typeOf(schema, node).replace(/ \\\| /g, " | ")}. Default: ${defaultOf(node) || "none"}.`, "");
  }

  // Callback references: the shape every callback list takes.
  const ref = defs.CallbackRef;
  const list = defs.CallbackList;
  if (ref !== undefined && list !== undefined) {
    out.push("## Callback references", "", `${list.description ?? ""} ${ref.description ?? ""}`, "");
    const objectForm = (ref.anyOf ?? []).find((alt) => alt.type === "object");
    if (objectForm !== undefined) out.push(...keyTable(schema, Object.entries(objectForm.properties ?? {}), objectForm.required ?? [], ""), "");
  }

  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(dirname(DOCS_FILE), { recursive: true });
  writeFileSync(DOCS_FILE, generateConfigDocs());
  console.log(`wrote ${DOCS_FILE}`);
}
