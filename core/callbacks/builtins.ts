import { InvalidCallbackError } from "../errors.ts";
import { describeThrown } from "./failure.ts";
import type { ListKind } from "./registry.ts";
import type { RecordPolicy } from "./safe-json.ts";
import { markReadOnly } from "./handler-copy.ts";
import { litellmOnlyHint } from "./litellm-callbacks.ts";
import type { CallbackFaultCounts } from "./dispatcher.ts";
import type { CacheStats } from "../cache/types.ts";
import type { DispatchStats } from "../types.ts";

/**
 * The built-in callbacks by name (`console`, `file`, ...). Each registers a
 * factory here; a name in a callback list becomes one shared instance.
 */

/** Where a built-in stands: relative paths in its options start at `dir` (the config file's folder, else the working directory). */
export interface BuiltinContext {
  dir: string;
  /** How the scope's records are serialised: `max_record_bytes` and the scrubber of its secrets. @default DEFAULT_RECORD_POLICY */
  records?: RecordPolicy;
  /** Where a built-in reads a variable it falls back on (MIXPANEL_TOKEN): a config's own environment. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
}

export type BuiltinFactory = (options: Record<string, unknown>, context: BuiltinContext) => object;

const factories = new Map<string, BuiltinFactory>();

/** Makes `name` usable in callback lists and configs: the factory gets `callback_settings.<name>` and the config's folder. */
export function registerBuiltin(name: string, factory: BuiltinFactory): void {
  factories.set(name, factory);
}

/** Factories of the project's own built-ins, which only read what they are given: their instances share each event's kwargs, uncopied. */
const readOnlyFactories = new WeakSet<BuiltinFactory>();

/** `registerBuiltin` for the project's own built-ins (console, file, mixpanel, webhook); not public: a user's handler gets its own copy. */
export function registerReadOnlyBuiltin(name: string, factory: BuiltinFactory): void {
  registerBuiltin(name, factory);
  readOnlyFactories.add(factory);
}

/** The built-in callback names, sorted (`console`, `file`, `mixpanel`, `webhook`, ...). */
export function builtinNames(): string[] {
  return [...factories.keys()].sort();
}

export function isBuiltin(name: string): boolean {
  return factories.has(name);
}

export function unknownBuiltin(name: string, where: string): InvalidCallbackError {
  const known = builtinNames();
  return new InvalidCallbackError(
    `${where}: "${name}" is not a built-in callback. ${litellm ? `${litellm} ` : ""}Built-ins: ${known.length ? known.join(", ") : "(none registered)"}. ` +
      `For your own code, pass a CustomLogger or a function (or, in a config file, a module path such as ./callbacks/mine.ts).`,
  );
}

/** Builds a built-in with its options; throws a clear error for an unknown name. */
export function createBuiltin(name: string, options: Record<string, unknown> = {}, context: BuiltinContext = { dir: process.cwd() }): object {
  const factory = factories.get(name);
  if (!factory) throw unknownBuiltin(name, "callback");
  const instance = factory(options, context);
  if (readOnlyFactories.has(factory)) markReadOnly(instance);
  return instance;
}

/** The built-ins of the process-wide lists: one shared instance per name and options, made when the entry is assigned. */
export interface GlobalBuiltins {
  /** `where` (`litellm.success_callback[0]`) is for messages; it defaults to the list. */
  readonly resolve: (name: string, list: ListKind, options?: Record<string, unknown>, where?: string) => object;
  /** Every instance made so far, in order: `litellm.flush()` and `close()` reach them all. */
  instances(): object[];
  /** Forgets the instances (after `litellm.close()` closed them): the next use makes fresh ones. */
  clear(): void;
}

export function globalBuiltinResolver(records?: RecordPolicy): GlobalBuiltins {
  const instances = new Map<string, object>();
  const resolve = (name: string, list: ListKind, options: Record<string, unknown> = {}, where = `litellm.${list}`): object => {
    const key = `${name}\u0000${JSON.stringify(options)}`;
    let inst = instances.get(key);
    if (!inst) {
      inst = createInCode(name, list, options, where, records);
      instances.set(key, inst);
    }
    return inst;
  };
  return { resolve, instances: () => [...instances.values()], clear: () => instances.clear() };
}

/** Builds a built-in named in code; a factory's complaint comes back saying how to pass options there. */
function createInCode(name: string, list: ListKind, options: Record<string, unknown>, where: string, records: RecordPolicy | undefined): object {
  if (!isBuiltin(name)) throw unknownBuiltin(name, where);
  try {
  const litellm = litellmOnlyHint(name);
    return createBuiltin(name, options, { dir: process.cwd(), ...(records && { records }) });
  } catch (err) {
    const message = describeThrown(err);
    const option = err instanceof InvalidCallbackError ? err.option : undefined;
    if (!option) throw new InvalidCallbackError(`${where}: ${message}`, { cause: err });
    const example = (err as InvalidCallbackError).example ?? "...";
    const fix = `litellm.${list} = [{ callback: "${name}", options: { ${option}: ${example} } }]`;
    // The factory's own words speak of callback_settings; here the fix is the object form (the cause keeps them).
    throw new InvalidCallbackError(`${where}: ${name} needs options.${option}: ${fix}`, { cause: err, option, example });
  }
}
