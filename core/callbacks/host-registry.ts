/**
 * The hosts of a kind of built-in in service, by owner (a runtime, or the
 * process-wide scope). A reload makes a new instance before the old one closes,
 * so an owner may have two for a moment: the newest is its current snapshot's.
 * The prometheus built-in reads every owner's at a scrape; the live page its own runtime's.
 */
import type { BuiltinHost } from "./builtins.ts";

export class HostRegistry {
  private readonly hosts = new Map<object, BuiltinHost[]>();

  /** An instance begins to serve; returns its removal (on close). */
  add(host: BuiltinHost): () => void {
    const list = this.hosts.get(host.owner) ?? [];
    list.push(host);
    this.hosts.set(host.owner, list);
    return () => {
      const at = list.indexOf(host);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0 && this.hosts.get(host.owner) === list) this.hosts.delete(host.owner);
    };
  }

  /** The newest host of `owner`, or undefined while it has none. */
  newest(owner: object): BuiltinHost | undefined {
    const list = this.hosts.get(owner);
    return list?.[list.length - 1];
  }

  /** The newest host of each owner. */
  live(): BuiltinHost[] {
    const out: BuiltinHost[] = [];
    for (const list of this.hosts.values()) if (list.length > 0) out.push(list[list.length - 1]!);
    return out;
  }
}
