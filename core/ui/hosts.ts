/**
 * The built-in hosts of the `ui` built-ins in service, by owner: what the
 * page's health tab reads of a runtime (its chains' faults, deliveries, cache,
 * router).
 */
import type { BuiltinHost } from "../callbacks/builtins.ts";
import { HostRegistry } from "../callbacks/host-registry.ts";

const hosts = new HostRegistry();

/** A `ui` built-in begins to serve; returns its removal (on close). */
export const addUiHost = (host: BuiltinHost): (() => void) => hosts.add(host);

/** The host of the newest `ui` built-in of `owner`, or undefined while it has none. */
export const uiHostOf = (owner: object): BuiltinHost | undefined => hosts.newest(owner);
