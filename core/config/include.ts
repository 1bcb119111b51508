import { stat } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";
import { resolveString, type Env } from "./env.ts";
import { formatPath, getSpot, isPlainContainer, parseFile, setSpot, type Locate, type ParsedFile } from "./parse.ts";

/**
 * `include: [paths]`, LiteLLM's way to split a config. Paths are relative to
 * the including file and may use `${NAME}` references. Included files may
 * include others; a cycle is an error.
 *
 * Merge order: the including file first, then its includes in the order
 * listed (each one already merged with its own includes). Lists are
 * concatenated in that order (so the file's own `model_list` entries come
 * before the included ones, as LiteLLM's `extend` does); maps are merged key
 * by key; for any other value the first one in that order wins, so a file
 * always overrides what it includes. (LiteLLM itself lets an included file
 * overwrite a non-list key; the including file winning is what an override
 * file is for.) An empty value (`key:` with nothing after it) does not hide
 * an included one. The `include` key itself is removed from the result.
 */

/** Largest file `include` reads (10 MiB): far above any config, far below what hurts to parse. */
export const MAX_INCLUDE_BYTES = 10 * 1024 * 1024;

export interface IncludeContext {
  env: Env;
  /** Variables whose absence is reported already (an `environment_variables` entry that did not resolve). */
  deferred?: ReadonlySet<string>;
  /** Called with each included file as soon as it is read, before its own includes (environment_variables). */
  onFile?: (parsed: ParsedFile) => void;
}

export interface IncludeResult {
  data: unknown;
  /** Every included file, absolute, in the order read. */
  files: string[];
  issues: ConfigIssue[];
}

interface Layer {
  data: unknown;
  file: string | null;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v) && isPlainContainer(v);

export async function mergeIncludes(data: unknown, file: string | null, dir: string, locate: Locate, ctx: IncludeContext): Promise<IncludeResult> {
  const out: IncludeResult = { data, files: [], issues: [] };
  out.data = await expand({ data, file }, dir, locate, file ? [file] : [], ctx, out);
  return out;
}

async function expand(layer: Layer, dir: string, locate: Locate, stack: string[], ctx: IncludeContext, out: IncludeResult): Promise<unknown> {
  const { data, file } = layer;
  if (!isObj(data) || !("include" in data)) return data;
  const raw = data.include;
  const issue = (path: Array<string | number>, message: string, code: string = CONFIG_ERROR_CODES.include): void => {
    const loc = locate(path);
    out.issues.push({ code, file: loc.file, ...(loc.line !== undefined ? { line: loc.line, col: loc.col } : {}), path: formatPath(path), message });
  };
  const entries: Array<[unknown, Array<string | number>]> = Array.isArray(raw) ? raw.map((e, i) => [e, ["include", i]]) : [];
  if (!Array.isArray(raw) && raw != null) {
    // A list only, as in LiteLLM and the schema; the message shows the fix for the common single path.
    const example = typeof raw === "string" ? `include: [${raw}]` : "include: [models.yaml]";
    issue(["include"], `include is ${typeof raw === "string" ? "a single path" : `a ${typeof raw}`}; it takes a list of file paths relative to this file: \`${example}\`.`);
  }
  const layers: Layer[] = [{ data, file }];
  for (const [entry, path] of entries) {
    if (typeof entry !== "string" || entry.trim() === "") {
      issue(path, `include entry is ${JSON.stringify(entry)}; each entry is a file path relative to this file.`);
      continue;
    }
    let unset = false;
    const name = resolveString(entry, ctx.env, (v) => {
      unset = true;
      if (!ctx.deferred?.has(v)) issue(path, `environment variable ${v} in this include path is not set; export it or give a default with \`\${${v}:-value}\`.`, CONFIG_ERROR_CODES.missingEnv);
    });
    if (unset) continue; // the path is unknown: whatever it would name is not a second problem
    const target = resolve(dir, name);
    if (stack.includes(target)) {
      const chain = [...stack, target].map((f) => relative(dir, f) || f).join(" -> ");
      issue(path, `include cycle: ${chain}; a file cannot include itself, directly or through another file.`);
      continue;
    }
    const refused = await notAConfigFile(target);
    if (refused) {
      issue(path, `included file ${target} ${refused}; include takes config files (YAML, JSON or a module) relative to ${dir}.`);
      continue;
    }
    let parsed: ParsedFile;
    try {
      parsed = await parseFile(target);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (err.code === CONFIG_ERROR_CODES.notFound) {
        issue(path, `included file ${target} does not exist; fix the path (it is relative to ${dir}) or remove the entry.`);
      } else {
        out.issues.push(...err.issues);
      }
      continue;
    }
    if (!out.files.includes(target)) out.files.push(target);
    ctx.onFile?.(parsed);
    const merged = await expand({ data: parsed.data, file: target }, dirname(target), parsed.locate, [...stack, target], ctx, out);
    if (merged !== null && !isObj(merged)) {
      issue(path, `included file ${target} holds ${Array.isArray(merged) ? "a list" : typeof merged}; an included file is a config map like the main one.`);
      continue;
    }
    layers.push({ data: merged ?? {}, file: target });
  }
  delete data.include; // applied (and located while reporting) above; the loader's own copy
  return layers.reduce((a, b) => ({ data: mergeTwo(a, b), file: a.file })).data;
}

/**
 * Why `file` cannot be an included config, looked up before a byte is read: a
 * device (`/dev/zero`), a FIFO or a directory would be read forever or fail
 * with a wrong message. Undefined when it may be read (or is missing, which
 * the read reports).
 */
async function notAConfigFile(file: string): Promise<string | undefined> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return undefined;
  }
  if (!info.isFile()) {
    const kind = info.isDirectory() ? "a directory" : info.isFIFO() ? "a FIFO" : info.isCharacterDevice() || info.isBlockDevice() ? "a device" : info.isSocket() ? "a socket" : "something else";
    return `is not a regular file (it is ${kind})`;
  }
  if (info.size > MAX_INCLUDE_BYTES) return `is too large (${info.size} bytes; an included file may have at most ${MAX_INCLUDE_BYTES} bytes, 10 MiB)`;
  return undefined;
}

/** `first` wins for single values; lists are `first` then `second`; maps merge key by key. Positions follow each value. */
function mergeTwo(first: Layer, second: Layer): unknown {
  const a = first.data;
  const b = second.data;
  const carry = (from: Layer, container: object, key: string | number, into: object, as: string | number = key): void => {
    const spot = getSpot(container, key);
    setSpot(into, as, spot?.loc ?? { file: from.file }, spot?.plain ?? false);
  };
  if (Array.isArray(a) && Array.isArray(b)) {
    const merged = [...a, ...b];
    a.forEach((_, i) => carry(first, a, i, merged));
    b.forEach((_, i) => carry(second, b, i, merged, a.length + i));
    return merged;
  }
  if (isObj(a) && isObj(b)) {
    const merged: Obj = {};
    for (const key of Object.keys(a)) {
      merged[key] = key in b ? mergeTwo({ data: a[key], file: first.file }, { data: b[key], file: second.file }) : a[key];
      carry(first, a, key, merged);
    }
    for (const key of Object.keys(b)) {
      if (key in merged) continue;
      merged[key] = b[key];
      carry(second, b, key, merged);
    }
    return merged;
  }
  return a === undefined || a === null ? b : a;
}
