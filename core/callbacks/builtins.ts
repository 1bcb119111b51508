import { InvalidCallbackError } from "../errors.ts";
import type { ListKind } from "./registry.ts";

/**
 * The built-in callbacks by name (`console`, `file`, ...). Each registers a
 * factory here; a name in a callback list becomes one shared instance.
 */

/** Where a built-in stands: relative paths in its options start at `dir` (the config file's folder, else the working directory). */
export interface BuiltinContext {
  dir: string;
}

export type BuiltinFactory = (options: Record<string, unknown>, context: BuiltinContext) => object;

const factories = new Map<string, BuiltinFactory>();

/** Makes `name` usable in callback lists and configs: the factory gets `callback_settings.<name>` and the config's folder. */
export function registerBuiltin(name: string, factory: BuiltinFactory): void {
  factories.set(name, factory);
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
    `${where}: "${name}" is not a built-in callback. Built-ins: ${known.length ? known.join(", ") : "(none registered)"}. ` +
      `For your own code, pass a CustomLogger or a function (or, in a config file, a module path such as ./callbacks/mine.ts).`,
  );
}

/** Builds a built-in with its options; throws a clear error for an unknown name. */
export function createBuiltin(name: string, options: Record<string, unknown> = {}, context: BuiltinContext = { dir: process.cwd() }): object {
  const factory = factories.get(name);
  if (!factory) throw unknownBuiltin(name, "callback");
  return factory(options, context);
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

export function globalBuiltinResolver(): GlobalBuiltins {
  const instances = new Map<string, object>();
  const resolve = (name: string, list: ListKind, options: Record<string, unknown> = {}, where = `litellm.${list}`): object => {
    const key = `${name}\u0000${JSON.stringify(options)}`;
    let inst = instances.get(key);
    if (!inst) {
      inst = createInCode(name, list, options, where);
      instances.set(key, inst);
    }
    return inst;
  };
  return { resolve, instances: () => [...instances.values()], clear: () => instances.clear() };
}

/** Builds a built-in named in code; a factory's complaint comes back saying how to pass options there. */
function createInCode(name: string, list: ListKind, options: Record<string, unknown>, where: string): object {
  if (!isBuiltin(name)) throw unknownBuiltin(name, where);
  try {
    return createBuiltin(name, options);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const option = err instanceof InvalidCallbackError ? err.option : undefined;
    if (!option) throw new InvalidCallbackError(`${where}: ${message}`, { cause: err });
    const example = (err as InvalidCallbackError).example ?? "...";
    const fix = `litellm.${list} = [{ callback: "${name}", options: { ${option}: ${example} } }]`;
    // The factory's own words speak of callback_settings; here the fix is the object form (the cause keeps them).
    throw new InvalidCallbackError(`${where}: ${name} needs options.${option}: ${fix}`, { cause: err, option, example });
  }
}
