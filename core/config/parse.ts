import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node, type Tags } from "yaml";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";

/** Where a value stands: its file, and its 1-based line and column when the file kind keeps them. */
export type Loc = { file: string | null; line?: number; col?: number };
/** Position of the key (or sequence item) at `path`; falls back to the nearest parent that has one. */
export type Locate = (path: ReadonlyArray<string | number>) => Loc;

export interface ParsedFile {
  data: unknown;
  locate: Locate;
}

/** One recorded key or item: where it stands, and whether its scalar value was written unquoted. */
interface Spot {
  loc: Loc;
  plain: boolean;
}

// Positions live beside the parsed objects, keyed by the object itself, so
// they travel unchanged through include merging, env resolution and freezing.
const SPOTS = new WeakMap<object, Map<string, Spot>>();

/** Records where `key` of `container` came from (used by the include merge). */
export function setSpot(container: object, key: string | number, loc: Loc, plain = false): void {
  let spots = SPOTS.get(container);
  if (!spots) SPOTS.set(container, (spots = new Map()));
  spots.set(String(key), { loc, plain });
}

export function getSpot(container: object, key: string | number): Readonly<Spot> | undefined {
  return SPOTS.get(container)?.get(String(key));
}

/** Every position recorded on `container`, by key (a worker posts them back to the main thread). */
export function spotsOf(container: object): ReadonlyMap<string, Readonly<Spot>> | undefined {
  return SPOTS.get(container);
}

/** True when the value at `container[key]` was an unquoted YAML scalar (the only place env refs are typed). */
export function isPlainScalar(container: object, key: string | number): boolean {
  return getSpot(container, key)?.plain ?? false;
}

/** A `Locate` over `root`: walks the path, keeping the deepest recorded position; `file` when none. */
export function locator(root: unknown, file: string | null): Locate {
  return (path) => {
    let best: Loc = { file };
    let node: unknown = root;
    for (const seg of path) {
      if (node === null || typeof node !== "object") break;
      const spot = getSpot(node, seg);
      if (spot) best = spot.loc;
      node = (node as Record<string, unknown>)[String(seg)];
    }
    return { ...best };
  };
}

/** Plain objects and arrays: what a config file holds. Class instances (an inline CustomLogger) are left alone. */
export function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of the plain objects and arrays of `value` (positions carried over);
 * anything else (functions, class instances) is kept by reference. The loader
 * edits and freezes its copy, never what a caller or a module exported.
 */
export function cloneTree<T>(value: T, seen = new Map<object, unknown>()): T {
  if (value === null || typeof value !== "object" || !isPlainContainer(value)) return value;
  const done = seen.get(value);
  if (done !== undefined) return done as T;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
  seen.set(value, copy);
  for (const key of Object.keys(value)) {
    (copy as Record<string, unknown>)[key] = cloneTree((value as Record<string, unknown>)[key], seen);
  }
  const spots = SPOTS.get(value);
  if (spots) SPOTS.set(copy, new Map(spots));
  return copy as T;
}

/** `model_list[2].litellm_params.api_key`: the path form every ConfigIssue uses. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

// PyYAML's YAML 1.1 booleans: yaml's 1.1 schema also takes y/Y/n/N, which PyYAML leaves as strings.
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

// PyYAML's int and float resolvers (yaml/resolver.py), which are narrower than
// yaml's 1.1 schema: there `e500` is NaN, `.` NaN, `09` 9, `0:30` 30, all
// strings to PyYAML. One addition: `1e-6` (digits, then an exponent) is a
// number, though PyYAML wants `1.0e-6`; LiteLLM users whose generated configs
// write prices so get strings and silently unpriced calls (BerriAI/litellm#10564).
const PY_INT = /^[-+]?(?:0b[0-1_]*[01][0-1_]*|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_FLOAT =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const EXP_FLOAT = /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;

/** `-1:30` → -90: PyYAML's base-60 numbers (its construct_yaml_int / construct_yaml_float). */
function sexagesimal(digits: string, parse: (part: string) => number): number {
  return digits.split(":").reduce((sum, part) => sum * 60 + parse(part), 0);
}

function signed(text: string, magnitude: (digits: string) => number): number {
  const clean = text.replace(/_/g, "");
  const negative = clean.startsWith("-");
  const n = magnitude(/^[-+]/.test(clean) ? clean.slice(1) : clean);
  return negative && n !== 0 ? -n : n;
}

const pyInt = (text: string): number =>
  signed(text, (d) => {
    if (d.startsWith("0b")) return parseInt(d.slice(2), 2);
    if (d.startsWith("0x")) return parseInt(d.slice(2), 16);
    if (d.includes(":")) return sexagesimal(d, (p) => parseInt(p, 10));
    if (d.length > 1 && d.startsWith("0")) return parseInt(d, 8); // YAML 1.1 octal: 017 is 15
    return parseInt(d, 10);
  });

const pyFloat = (text: string): number =>
  signed(text, (d) => {
    const lower = d.toLowerCase();
    if (lower === ".inf") return Infinity;
    if (lower === ".nan") return NaN;
    if (d.includes(":")) return sexagesimal(d, Number);
    return Number(d);
  });

const isNumber = (v: unknown): boolean => typeof v === "number";

/** One int and one float tag in place of yaml's nine (binary, octal, hex, base 60, exponent, ...). */
const NUMBER_TAGS: Tags = [
  { tag: "tag:yaml.org,2002:int", default: true, identify: (v) => Number.isInteger(v), test: PY_INT, resolve: pyInt },
  { tag: "tag:yaml.org,2002:float", default: true, identify: isNumber, test: PY_FLOAT, resolve: pyFloat },
  { tag: "tag:yaml.org,2002:float", default: true, identify: isNumber, test: EXP_FLOAT, resolve: pyFloat },
];

/**
 * YAML 1.1 as LiteLLM's PyYAML reads it (`20_000` is a number, `True`/`yes`
 * are booleans, `e5` and `0o17` are strings), except that dates stay strings
 * (a config value is JSON data) and `1e-6` is a number (see EXP_FLOAT).
 */
function pythonTags(tags: Tags): Tags {
  const out: Tags = [];
  let numbers = false;
  for (const t of tags) {
    if (typeof t !== "object" || !("tag" in t)) {
      out.push(t);
      continue;
    }
    if (t.tag === "tag:yaml.org,2002:timestamp") continue;
    if (t.tag === "tag:yaml.org,2002:int" || t.tag === "tag:yaml.org,2002:float") {
      if (!numbers) out.push(...NUMBER_TAGS);
      numbers = true;
      continue;
    }
    if (t.tag === "tag:yaml.org,2002:bool" && "identify" in t && typeof t.identify === "function") {
      out.push({ ...t, test: t.identify(true) ? PY_TRUE : PY_FALSE } as typeof t);
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Parses YAML (or JSON, which is YAML) text, keeping positions. Throws ConfigError CONFIG_PARSE with every syntax error. */
export function parseYaml(text: string, file: string | null): ParsedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: "1.1", customTags: pythonTags, lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const issues: ConfigIssue[] = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return { code: CONFIG_ERROR_CODES.parse, file, line, col, path: "", message: `not valid YAML: ${e.message}` };
    });
    throw new ConfigError(issues, file);
  }
  let data: unknown = {}; // an empty file is an empty config, which validation then judges
  try {
    if (doc.contents !== null) data = doc.toJS(); // throws on alias bombs (yaml's maxAliasCount)
  } catch (err) {
    throw new ConfigError([{ code: CONFIG_ERROR_CODES.parse, file, path: "", message: `not valid YAML: ${(err as Error).message}` }], file);
  }
  record(doc, doc.contents, data, file, lines);
  return { data, locate: locator(data, file) };
}

function record(doc: Document, node: Node | null, value: unknown, file: string | null, lines: LineCounter): void {
  const seen = new Set<unknown>();
  const walk = (n: unknown, v: unknown): void => {
    if (isAlias(n)) n = n.resolve(doc);
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    const at = (x: unknown): Loc => {
      const range = (x as { range?: [number, number, number] } | null)?.range;
      if (!range) return { file };
      const { line, col } = lines.linePos(range[0]);
      return { file, line, col };
    };
    const plain = (x: unknown): boolean => isScalar(x) && x.type === Scalar.PLAIN;
    if (isMap(n) && !Array.isArray(v)) {
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (key === "<<") continue; // merged-in keys fall back to the map's own position
        setSpot(v, key, at(pair.key), plain(pair.value));
        walk(pair.value, (v as Record<string, unknown>)[key]);
      }
    } else if (isSeq(n) && Array.isArray(v)) {
      n.items.forEach((item, i) => {
        setSpot(v, i, at(item), plain(item));
        walk(item, v[i]);
      });
    }
  };
  walk(node, value);
}

// moduleCache off: a config module edited on disk is read fresh on the next load (hot reload).
// Made on first use: a YAML config never pays for jiti.
let jitiInstance: import("jiti").Jiti | undefined;
async function configJiti(): Promise<import("jiti").Jiti> {
  if (!jitiInstance) jitiInstance = (await import("jiti")).createJiti(import.meta.url, { interopDefault: true, moduleCache: false });
  return jitiInstance;
}

/** A `.ts` / `.mjs` / `.js` config: its default export, an object or a (possibly async) function returning one. */
async function parseModule(file: string): Promise<ParsedFile> {
  const fail = (message: string): never => {
    throw new ConfigError([{ code: CONFIG_ERROR_CODES.parse, file, path: "", message }], file);
  };
  let exported: unknown;
  try {
    const mod = await (await configJiti()).import<Record<string, unknown>>(file);
    // Named exports alone are not a config (`export const model_list` is likely a mistake): say so.
    exported = mod !== null && typeof mod === "object" && "default" in mod ? mod.default : undefined;
    if (typeof exported === "function") exported = await (exported as () => unknown)();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(/\.$/, "");
    return fail(`the config module failed to load: ${reason}; fix the module (it is imported as is, like any TypeScript or ESM file).`);
  }
  if (exported === null || typeof exported !== "object" || Array.isArray(exported)) {
    return fail(
      `the config module's default export is ${describe(exported)}; export an object (or a function returning one): \`export default { model_list: [...] }\`.`,
    );
  }
  const data = cloneTree(exported);
  return { data, locate: locator(data, file) };
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** From this size a text parses in a worker (parse-off-thread.ts); a smaller one parses inline in less time than a worker takes to start. */
export const OFF_THREAD_CHARS = 32 * 1024;

const MODULE_EXTS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

/**
 * Reads one config file of any kind cosmiconfig finds. `locate` gives line and
 * column for YAML and JSON (JSON goes through the YAML parser for that), the
 * file alone for modules. `package.json` yields its `litellm` key.
 */
export async function parseFile(file: string): Promise<ParsedFile> {
  if (MODULE_EXTS.has(extname(file))) return parseModule(file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT" ? "the config file does not exist; check the path, or run `litellm-runtime init` to create one." : `the config file cannot be read (${code ?? String(err)}).`;
    throw new ConfigError([{ code: CONFIG_ERROR_CODES.notFound, file, path: "", message }], file);
  }
  // A large file parses in a worker thread, so the calls being served are not held up; the module loads only then.
  const parsed = text.length < OFF_THREAD_CHARS ? parseYaml(text, file) : await (await import("./parse-off-thread.ts")).parseOffThread(text, file);
  if (basename(file) !== "package.json") return parsed;
  const pkg = parsed.data as Record<string, unknown> | null;
  const own = pkg !== null && typeof pkg === "object" && !Array.isArray(pkg) ? pkg.litellm : undefined;
  if (own === undefined) {
    throw new ConfigError(
      [{ code: CONFIG_ERROR_CODES.notFound, file, path: "litellm", message: 'package.json has no "litellm" key; add one holding the config, or use litellm.config.yaml.' }],
      file,
    );
  }
  // Positions inside the `litellm` key were recorded on its own objects, so a locator over it works as is.
  return { data: own, locate: locator(own, file) };
}
