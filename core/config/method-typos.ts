import { LOGGER_METHODS, ownMethod } from "../callbacks/custom-logger.ts";
import { editDistance } from "./suggest.ts";

/**
 * Methods of a callback whose names look like misspelt CustomLogger methods
 * (`async_log_sucess_event`): such a method is never called, and nothing else
 * would say so. Checked when a config is validated or loaded, never per call.
 */

/** LiteLLM's other hook names: a handler ported from Python may keep them, and they are not typos of ours. */
const LITELLM_NAMES = new Set([
  "log_event",
  "async_log_event",
  "async_pre_call_deployment_hook",
  "async_pre_routing_hook",
  "async_filter_deployments",
  "async_health_check",
  "async_pre_call_check",
  "pre_call_check",
]);

/** One likely misspelling: the method as written, and the CustomLogger method it is closest to. */
export interface MethodTypo {
  method: string;
  meant: string;
}

/**
 * The misspelt methods of a callback object: its own, and its prototypes' up to
 * (not including) CustomLogger or Object. A name counts when it is within 3
 * edits of a CustomLogger method and starts with `log_` or `async_`, or is
 * within 2 edits whatever it starts with; helpers such as `format` are far
 * from every method name and are left alone.
 */
export function methodTypos(target: unknown): MethodTypo[] {
  if (!target || typeof target !== "object") return [];
  const out: MethodTypo[] = [];
  const seen = new Set<string>();
  for (let o: object | null = target; o && o !== Object.prototype && !isCustomLoggerPrototype(o); o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (seen.has(name) || name === "constructor") continue;
      seen.add(name);
      // The descriptor, not the value: reading a getter could run the user's code.
      if (typeof Object.getOwnPropertyDescriptor(o, name)?.value !== "function") continue;
      const meant = misspeltMethod(name);
      if (meant) out.push({ method: name, meant });
    }
  }
  return out;
}

/** The CustomLogger method `name` is a likely misspelling of, if any. */
export function misspeltMethod(name: string): string | undefined {
  if ((LOGGER_METHODS as readonly string[]).includes(name) || LITELLM_NAMES.has(name)) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const method of LOGGER_METHODS) {
    const d = editDistance(name, method);
    if (d < bestDistance) [best, bestDistance] = [method, d];
  }
  const prefixed = name.startsWith("log_") || name.startsWith("async_");
  return bestDistance <= 2 || (prefixed && bestDistance <= 3) ? best : undefined;
}

/** CustomLogger's own prototype, from this copy of the class or another (its methods carry the base no-op mark). */
function isCustomLoggerPrototype(o: object): boolean {
  return typeof Object.getOwnPropertyDescriptor(o, "log_success_event")?.value === "function" && ownMethod(o, "log_success_event") === undefined;
}
