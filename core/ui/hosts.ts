/**
 * The built-in hosts of the `ui` built-ins in service, by owner: what the
 * page's health tab reads of a runtime (its chains' faults, deliveries, cache,
 * router). The newest of an owner is its current snapshot's.
 */
import type { BuiltinHost } from "../callbacks/builtins.ts";

const hosts = new Map<object, BuiltinHost[]>();

/** A `ui` built-in begins to serve; returns its removal (on close). */
export function addUiHost(host: BuiltinHost): () => void {
  const list = hosts.get(host.owner) ?? [];
  list.push(host);
  hosts.set(host.owner, list);
  return () => {
    const at = list.indexOf(host);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0 && hosts.get(host.owner) === list) hosts.delete(host.owner);
  };
}

/** The host of the newest `ui` built-in of `owner`, or undefined while it has none. */
export function uiHostOf(owner: object): BuiltinHost | undefined {
  const list = hosts.get(owner);
  return list?.[list.length - 1];
}
