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
  /** The config's `litellm_settings` as loaded (the prometheus built-in reads its keys there). @default {} */
  litellm_settings?: Readonly<Record<string, unknown>>;
  /** What the scope that made the built-in counts, to read at any time (a metrics scrape); absent for one made by hand. */
  host?: BuiltinHost;
}

/**
 * Read-only accessors to the counters a runtime (or the process-wide scope) already keeps:
 * for a built-in that reports them at scrape time, never on the path of a call.
 */
export interface BuiltinHost {
  /** The same object for every snapshot of one runtime: a reload's built-in takes over from the one it replaces. */
  readonly owner: object;
  /** Background logging, and for a runtime its reloads. */
  stats(): DispatchStats & { reloads?: number; reload_errors?: number };
  /** The failures of `stats()` by callback name. */
  callbackFaults(): ReadonlyMap<string, Readonly<CallbackFaultCounts>>;
  /** The response cache's counters, or null when there is no cache. */
  cacheStats(): (CacheStats & { outages?: number }) | null;
  /** The scope's callback objects: a sending built-in among them reports its deliveries. */
  targets(): readonly object[];
  /** The router of a config runtime; null where calls are not routed. */
  routing(): RoutingView | null;
}

/** What the router knows, read at scrape time. */
export interface RoutingView {
  /** Every deployment now: its labels, state (0 healthy, 1 failing within the last minute, 2 cooling down) and cool-downs by status. */
  deployments(): DeploymentHealth[];
  /** Retries the router gives `alias` after a failure like `err` (the config's `num_retries` and `retry_policy`). */
  retriesFor(alias: string, err: unknown): number;
  /** The aliases the config falls back to after `alias` failed with `err`. */
  fallbacksFor(alias: string, err: unknown): readonly string[];
}

export interface DeploymentHealth {
  readonly model_group: string;
  readonly litellm_model_name: string;
  readonly model_id: string;
  readonly api_base: string;
  readonly api_provider: string;
  readonly state: 0 | 1 | 2;
  readonly cooldowns: Readonly<Record<string, number>>;
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
  const litellm = litellmOnlyHint(name);
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

export function globalBuiltinResolver(records?: RecordPolicy, host?: BuiltinHost): GlobalBuiltins {
  const instances = new Map<string, object>();
  const resolve = (name: string, list: ListKind, options: Record<string, unknown> = {}, where = `litellm.${list}`): object => {
    const key = `${name}\u0000${JSON.stringify(options)}`;
    let inst = instances.get(key);
    if (!inst) {
      inst = createInCode(name, list, options, where, records, host);
      instances.set(key, inst);
    }
    return inst;
  };
  return { resolve, instances: () => [...instances.values()], clear: () => instances.clear() };
}

/** Builds a built-in named in code; a factory's complaint comes back saying how to pass options there. */
function createInCode(name: string, list: ListKind, options: Record<string, unknown>, where: string, records: RecordPolicy | undefined, host: BuiltinHost | undefined): object {
  if (!isBuiltin(name)) throw unknownBuiltin(name, where);
  try {
    return createBuiltin(name, options, { dir: process.cwd(), ...(records && { records }), ...(host && { host }) });
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
