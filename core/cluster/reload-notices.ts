/**
 * The primary's side of the workers' reload notices under `serve --num_workers N`: every worker watches the
 * config and reloads it, and a single edit would print one line per worker. Each text the workers say is
 * printed once, naming the workers that said it: when all of them have, or `WINDOW_MS` after the first did
 * (a worker whose watcher had not started yet, or that reloaded differently, is then told apart).
 */
import type { Reloaded } from "./messages.ts";

/** How long the primary waits for the other workers to say the same as the first. */
export const WINDOW_MS = 1_000;

interface Notice {
  readonly kind: Reloaded["kind"];
  readonly lines: readonly string[];
  readonly pids: number[];
  readonly timer: NodeJS.Timeout;
}

export class ReloadNotices {
  private readonly open = new Map<string, Notice>();

  /**
   * @param serving how many workers serve now: a notice all of them said is printed at once
   * @param print where a notice goes (stderr)
   */
  constructor(
    private readonly serving: () => number,
    private readonly print: (text: string) => void,
  ) {}

  /** Worker `pid` said `m`. */
  said(pid: number, m: Reloaded): void {
    const key = JSON.stringify([m.kind, m.lines]);
    let n = this.open.get(key);
    if (n === undefined) {
      n = { kind: m.kind, lines: m.lines, pids: [], timer: setTimeout(() => this.flush(key), WINDOW_MS) };
      n.timer.unref();
      this.open.set(key, n);
    }
    if (!n.pids.includes(pid)) n.pids.push(pid);
    if (n.pids.length >= this.serving()) this.flush(key);
  }

  /** Prints what is still waiting (the primary stops). */
  flushAll(): void {
    for (const key of [...this.open.keys()]) this.flush(key);
  }

  private flush(key: string): void {
    const n = this.open.get(key);
    if (n === undefined) return;
    this.open.delete(key);
    clearTimeout(n.timer);
    const who = n.pids.length === 1 ? `worker pid ${n.pids[0]}` : `worker pids ${n.pids.join(", ")}`;
    if (n.kind === "reload") this.print(n.lines.map((line) => `litellm-runtime [${who}]: ${line}\n`).join(""));
    else this.print(n.lines.map((line) => `${line} (reload_error: the previous config keeps serving [${who}])\n`).join(""));
  }
}
