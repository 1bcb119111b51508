/**
 * The live page's rows of calls other workers served (`serve --num_workers N`):
 * the latest row of each, the oldest call evicted past `max`, merged with the
 * worker's own ring when a page opens.
 */
import type { CallSummary } from "./types.ts";

export class RemoteRows {
  private readonly rows = new Map<string, CallSummary>();

  constructor(private max: number) {}

  /** A row came (a call's first, or an update of it: it replaces the one before, in place). */
  add(row: CallSummary): void {
    this.rows.set(row.id, row);
    this.trim();
  }

  resize(max: number): void {
    this.max = max;
    this.trim();
  }

  /** `own` and these, oldest call first, the newest `max` of them. */
  merged(own: CallSummary[]): CallSummary[] {
    if (this.rows.size === 0) return own;
    const all = [...own, ...this.rows.values()].sort((a, b) => a.start - b.start);
    return all.length > this.max ? all.slice(all.length - this.max) : all;
  }

  private trim(): void {
    for (const id of this.rows.keys()) {
      if (this.rows.size <= this.max) break;
      this.rows.delete(id);
    }
  }
}
