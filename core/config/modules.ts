import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import { builtinNames } from "../callbacks/builtins.ts";
import { LOGGER_METHODS } from "../callbacks/custom-logger.ts";
import { litellmOnlyHint } from "../callbacks/litellm-callbacks.ts";
import { describeThrown, isReadableError } from "../callbacks/failure.ts";
import { callbackName, describeValue as describe, readObjectForm, type EventName, type ListKind } from "../callbacks/registry.ts";
import { CONFIG_ERROR_CODES, ConfigError, type ConfigIssue } from "../errors.ts";
import { methodTypos } from "./method-typos.ts";
import { moduleFiles, resolveModuleFile } from "./deps.ts";
import { importFresh, sourcePosition } from "./fresh-import.ts";
import type { Loc } from "./parse.ts";
import { nearest } from "./suggest.ts";

/**
 * Turns the callback references of a config's lists into callbacks: built-in
 * names, module paths (`./x.ts`, `./x.ts#name`), LiteLLM's dotted
 * `module.attribute`, and the object form `{ callback, events, options }`.
 *
 * A module is evaluated again only when it or a local file it imports changed
 * (mtime, size or inode): an untouched module gives the same exports, so its
 * callback instances live on across reloads. One cached evaluation per file.
 */

export interface RefContext {
  /** The config file's folder: relative paths start here. */
  dir: string;
  /** Where the entry stands, e.g. "litellm_settings.callbacks[1]" (for messages). */
  path: string;
  /** Position of the entry. */
  loc: Loc;
  /** Which list it is in. */
  list: ListKind;
  /** A built-in's instance, or undefined when no built-in has that name. */
  builtin: (name: string, options: Record<string, unknown>) => object | undefined;
  /** `callback_settings[name] ?? {}`. */
  options: (name: string) => Record<string, unknown>;
  /** Milliseconds a module's evaluation may take (`litellm_settings.callback_load_timeout`). @default 10000 */
  loadTimeoutMs?: number;
}

export interface LoadedRef {
  callback: object | Function;
  name: string;
  /** The object form's `events`, passed through. */
  events?: EventName[];
  /** The module file and every local file it imports (absolute); [] for built-ins. */
  files: string[];
  /** Warnings about the callback itself: methods whose names look misspelt (`CONFIG_CALLBACK_METHOD_TYPO`). */
  warnings?: ConfigIssue[];
}

/** One evaluation of a module file, valid while every file keeps its stamp. */
interface Evaluation {
  readonly exports: Readonly<Record<string, unknown>>;
  /** File → `mtime:size:inode` when it was read. */
  readonly stamps: ReadonlyMap<string, string>;
  /** Instances built from exported classes, by export and options: they survive with the evaluation. */
  readonly instances: Map<string, object>;
}

type Options = Record<string, unknown>;
/** What a failed evaluation rejects with: the module's error, and the files to find its line in. */
class LoadFailure {
  constructor(
    readonly cause: unknown,
    readonly files: readonly string[],
  ) {}
}
const SOURCE_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];
const MODULE_PATH = /\.[cm]?[jt]s(?:#[^#]*)?$/;
const DOTTED = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const ALLOWED = "a CustomLogger instance or subclass, a function, or an object with CustomLogger methods (log_success_event, async_log_success_event, ...)";

export class ModuleLoader {
  private readonly evaluations = new Map<string, Evaluation>();
  // Concurrent loads of one file (a module named in two lists) share one evaluation.
  private readonly pending = new Map<string, Promise<Evaluation>>();

  async load(ref: unknown, ctx: RefContext): Promise<LoadedRef> {
    // An inline config (createRuntime({ config: {...} })) may hold the callback itself: a function or a handler object.
    if (typeof ref === "function" || (ref !== null && typeof ref === "object" && !("callback" in ref) && LOGGER_METHODS.some((m) => typeof (ref as Record<string, unknown>)[m] === "function"))) {
      return { callback: ref as object, name: callbackName(ref), files: [] };
    }
    const { spec, events, options } = unwrap(ref, ctx);
    const merged = { ...ctx.options(spec), ...options };
    const withEvents = <T extends LoadedRef>(r: T): T => (events ? { ...r, events } : r);

    const hash = spec.lastIndexOf("#");
    if (isPath(spec)) {
      const [path, exportName] = hash > 0 ? [spec.slice(0, hash), spec.slice(hash + 1) || "default"] : [spec, "default"];
      const abs = resolve(ctx.dir, path);
      const file = resolveModuleFile(abs);
      if (!file) {
        const tried = MODULE_PATH.test(path) ? abs : `${abs} with ${SOURCE_EXTENSIONS.join(", ")} added, and ${join(abs, "index.*")}`;
        throw issue(ctx, CONFIG_ERROR_CODES.callbackLoad, `${path}: no such module file (looked for ${tried}). Paths are relative to the config file's folder.`);
      }
      return withEvents(await this.fromModule(file, exportName, spec, merged, ctx));
    }
    if (DOTTED.test(spec)) {
      const parts = spec.split(".");
      const attr = parts.pop()!;
      const base = join(ctx.dir, ...parts);
      const tried = SOURCE_EXTENSIONS.map((ext) => base + ext);
      const file = tried.find((f) => existsSync(f));
      if (!file) {
        const py = existsSync(`${base}.py`) ? ` (${relative(ctx.dir, base)}.py is there: Python modules must be ported to TypeScript)` : ". Python modules must be ported to TypeScript";
        throw issue(
          ctx,
          CONFIG_ERROR_CODES.callbackLoad,
          `"${spec}" names the module ${parts.join(".")}, but none of ${tried.map((f) => relative(ctx.dir, f)).join(", ")} exists beside the config${py}: write ${relative(ctx.dir, base)}.ts exporting ${attr}.`,
        );
      }
      return withEvents(await this.fromModule(file, attr, spec, merged, ctx));
    }
    const instance = ctx.builtin(spec, merged);
    if (instance) return withEvents({ callback: instance, name: spec, files: [] });
    const known = builtinNames();
    const litellm = litellmOnlyHint(spec);
    throw issue(
      ctx,
      CONFIG_ERROR_CODES.unknownCallback,
      `"${spec}" is not a built-in callback. ${litellm ? `${litellm} ` : ""}Built-ins: ${known.length ? known.join(", ") : "(none registered)"}. ` +
        `For your own code, reference a module: ./callbacks/${spec}.ts (its default export), ./callbacks/${spec}.ts#name (a named export), or the dotted form module.attribute.`,
      nearest(spec, known),
    );
  }

  /** Drops the cached evaluation of `file` and of every module that imports it. */
  forget(file: string): void {
    for (const [entry, ev] of this.evaluations) if (entry === file || ev.stamps.has(file)) this.evaluations.delete(entry);
  }

  private async fromModule(file: string, exportName: string, spec: string, options: Options, ctx: RefContext): Promise<LoadedRef> {
    let ev: Evaluation;
    try {
      ev = await this.evaluate(file, ctx.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS);
    } catch (err) {
      // Each entry naming a broken module gets the error at its own place.
      const text = err instanceof LoadFailure ? errorText(err.cause, err.files, ctx.dir) : errorText(err);
      throw issue(ctx, CONFIG_ERROR_CODES.callbackLoad, `${label(file, ctx)} failed to load: ${text}`);
    }
    const files = [...ev.stamps.keys()];
    const { exports } = ev;
    if (!Object.hasOwn(exports, exportName)) {
      const names = Object.keys(exports);
      const have = names.length ? `Its exports: ${names.join(", ")}.` : "It exports nothing.";
      const what = exportName === "default" ? "has no default export" : `has no export "${exportName}"`;
      const hint = exportName === "default" && names.length ? ` Name one with ${label(file, ctx)}#${names[0]}.` : "";
      throw issue(ctx, CONFIG_ERROR_CODES.callbackExport, `${label(file, ctx)} ${what}. ${have}${hint}`, nearest(exportName, names));
    }
    const value = exports[exportName];
    const fallbackName = exportName === "default" ? basename(file, extname(file)) : exportName;

    if (typeof value === "function" && isClass(value)) {
      if (!hasLoggerMethod(value.prototype)) throw notACallback(ctx, spec, `a class ${value.name || "(anonymous)"} whose instances have none of the CustomLogger methods`);
      const key = `${exportName}\u0000${JSON.stringify(options)}`;
      let inst = ev.instances.get(key);
      if (!inst) {
        try {
          inst = new (value as new (o: Options) => object)(options) as object;
        } catch (err) {
          throw issue(ctx, CONFIG_ERROR_CODES.callbackLoad, `${label(file, ctx)}: new ${value.name}(options) threw: ${errorText(err, files, ctx.dir)}`);
        }
        ev.instances.set(key, inst);
      }
      return withTypoWarnings({ callback: inst, name: value.name || fallbackName, files }, `${label(file, ctx)}#${exportName}`, ctx);
    }
    if (typeof value === "function") return { callback: value, name: value.name && value.name !== "default" ? value.name : fallbackName, files };
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      if (!hasLoggerMethod(value)) {
        const keys = Object.keys(value);
        throw notACallback(ctx, spec, `an object with none of the CustomLogger methods (${keys.length ? `keys: ${keys.join(", ")}` : "no keys"})`);
      }
      const ctor = (value as object).constructor;
      return withTypoWarnings({ callback: value, name: ctor && ctor !== Object && ctor.name ? ctor.name : fallbackName, files }, `${label(file, ctx)}#${exportName}`, ctx);
    }
    throw notACallback(ctx, spec, describe(value));
  }

  /** The module's exports: the cached evaluation while no file of it changed, else a fresh one. */
  private evaluate(file: string, timeoutMs: number): Promise<Evaluation> {
    let p = this.pending.get(file);
    if (!p) {
      p = this.refresh(file, timeoutMs).finally(() => this.pending.delete(file));
      this.pending.set(file, p);
    }
    return p;
  }

  private async refresh(file: string, timeoutMs: number): Promise<Evaluation> {
    const cached = this.evaluations.get(file);
    if (cached && (await unchanged(cached.stamps))) return cached;
    this.evaluations.delete(file);
    // Stamps are taken before reading, so an edit made during the import is seen next time.
    const scanned = moduleFiles(file);
    const stamps = new Map<string, string>();
    for (const f of scanned) stamps.set(f, await stampOf(f));
    let loaded;
    try {
      loaded = await settlesWithin(importFresh(file), timeoutMs);
    } catch (cause) {
      throw new LoadFailure(cause, scanned);
    }
    for (const f of loaded.imported) if (!stamps.has(f)) stamps.set(f, await stampOf(f));
    const ev: Evaluation = { exports: namespace(loaded.exports), stamps, instances: new Map() };
    this.evaluations.set(file, ev);
    return ev;
  }
}

const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/**
 * An import that never settles (a top-level await on something that never
 * comes) would wedge every later reload and the shutdown: it is abandoned
 * after `ms`, and the next load of the file tries again.
 */
function settlesWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = ms / 1000;
      reject(
        new Error(
          `it did not finish loading within ${seconds} ${seconds === 1 ? "second" : "seconds"} (litellm_settings.callback_load_timeout): ` +
            "a top-level await that never settles, or an import that hangs? Saving it again retries.",
        ),
      );
    }, ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `{ callback, events, options }` or a plain string, checked. */
function unwrap(ref: unknown, ctx: RefContext): { spec: string; events?: EventName[]; options: Options } {
  if (typeof ref === "string" && ref.trim()) return { spec: ref.trim(), options: {} };
  if (ref && typeof ref === "object" && !Array.isArray(ref)) {
    try {
      return readObjectForm(ref as { callback: unknown });
    } catch (err) {
      throw issue(ctx, CONFIG_ERROR_CODES.invalidValue, (err as Error).message);
    }
  }
  throw issue(ctx, CONFIG_ERROR_CODES.invalidValue, `expected a built-in name, a module path, module.attribute or { callback, events, options }; found ${describe(ref)}.`);
}

/** A module file as the config would name it: `./callbacks/x.ts`, or absolute when outside the config's folder. */
function label(file: string, ctx: RefContext): string {
  const rel = relative(ctx.dir, file);
  return rel.startsWith("..") || isAbsolute(rel) ? file : `./${rel}`;
}

function isPath(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || isAbsolute(spec) || MODULE_PATH.test(spec);
}

/** ES module exports as a namespace; CommonJS `module.exports` is the default export, as Node imports it. */
function namespace(exports: unknown): Readonly<Record<string, unknown>> {
  if (exports && typeof exports === "object" && (exports as { __esModule?: unknown }).__esModule) return exports as Record<string, unknown>;
  const named = exports && (typeof exports === "object" || typeof exports === "function") ? { ...(exports as object) } : {};
  return { ...named, default: exports };
}

function isClass(fn: Function): boolean {
  return /^class\b/.test(Function.prototype.toString.call(fn)) || hasLoggerMethod(fn.prototype);
}

function hasLoggerMethod(value: unknown): boolean {
  return !!value && typeof value === "object" && LOGGER_METHODS.some((m) => typeof (value as Record<string, unknown>)[m] === "function");
}

async function stampOf(file: string): Promise<string> {
  try {
    const s = await stat(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return "missing";
  }
}

async function unchanged(stamps: ReadonlyMap<string, string>): Promise<boolean> {
  for (const [file, stamp] of stamps) if ((await stampOf(file)) !== stamp) return false;
  return true;
}

function notACallback(ctx: RefContext, spec: string, found: string): ConfigError {
  return issue(ctx, CONFIG_ERROR_CODES.callbackExport, `${spec} exports ${found}, which is not a callback. Allowed: ${ALLOWED}.`);
}

/** The error's first line, with the position in the module when the error or its stack gives one. */
function errorText(err: unknown, files: readonly string[] = [], dir = ""): string {
  if (!isReadableError(err)) return describeThrown(err);
  const lines = err.message.split("\n").map((l) => l.trim()).filter(Boolean);
  const text = `${err.name !== "Error" && !lines[0]?.startsWith(err.name) ? `${err.name}: ` : ""}${lines[0] ?? ""}`;
  // jiti puts a parse error's position (0-based column) on the message's second line; a throw has it in the stack.
  const parsed = lines.slice(1).map(position).find(Boolean);
  const thrown = (err.stack?.split("\n") ?? []).map(position).find((p) => p && (files.length === 0 || files.includes(p.file)));
  // A parse error is already placed in the source; a throw is placed in the transpiled code, mapped back here.
  const where = parsed ? { ...parsed, col: parsed.col + 1 } : thrown && { ...thrown, ...sourcePosition(thrown.file, thrown.line, thrown.col) };
  return where ? `${text} (${dir ? relative(dir, where.file) : where.file}:${where.line}:${where.col})` : text;
}

function position(text: string): { file: string; line: number; col: number } | undefined {
  const m = /((?:\/|[A-Za-z]:\\)[^():\s]+):(\d+):(\d+)/.exec(text);
  return m ? { file: m[1]!, line: Number(m[2]), col: Number(m[3]) } : undefined;
}

/** A warning for each method of the callback whose name looks like a misspelt CustomLogger method: it would never run. */
function withTypoWarnings(ref: LoadedRef, where: string, ctx: RefContext): LoadedRef {
  const typos = methodTypos(ref.callback);
  if (typos.length === 0) return ref;
  const { file, line, col } = ctx.loc;
  const warnings = typos.map(({ method, meant }) => ({
    code: CONFIG_ERROR_CODES.callbackMethodTypo,
    file,
    ...(line !== undefined ? { line } : {}),
    ...(col !== undefined ? { col } : {}),
    path: ctx.path,
    message: `${where} (${ref.name}): method "${method}" is not a CustomLogger method, so it never runs.`,
    suggestion: meant,
  }));
  return { ...ref, warnings };
}

function issue(ctx: RefContext, code: string, message: string, suggestion?: string): ConfigError {
  const { file, line, col } = ctx.loc;
  return new ConfigError([
    { code, file, ...(line !== undefined ? { line } : {}), ...(col !== undefined ? { col } : {}), path: ctx.path, message, ...(suggestion ? { suggestion } : {}) },
  ]);
}
