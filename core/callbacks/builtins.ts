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

/** One shared instance per name, for the global lists (which carry no options). */
export function globalBuiltinResolver(): (name: string, list: ListKind) => object {
  const instances = new Map<string, object>();
  return (name) => {
    let inst = instances.get(name);
    if (!inst) {
      inst = createBuiltin(name);
      instances.set(name, inst);
    }
    return inst;
  };
}
