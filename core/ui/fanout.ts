/**
 * Server-sent events to the live page's open tabs. Frames published in one
 * event-loop turn leave together: one write per client per turn. A client
 * whose socket does not drain gets its frames queued up to `maxBuffer`; past
 * that they are skipped and counted, the client is told how many once it
 * drains (`event: dropped`), and a client still stuck `stuckMs` after it
 * started skipping is disconnected. Memory per client is bounded either way.
 */
import type { ServerResponse } from "node:http";

/** Comment line that keeps proxies and the browser from timing an idle stream out. */
export const PING_MS = 15_000;
/** How long a client that overflowed its buffer may stay stuck before it is cut off. */
export const STUCK_MS = 5_000;

/** One frame of the stream. */
export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What a test (not the page) may read of one client. */
export interface ClientState {
  readonly queued: number;
  readonly skipped: number;
  readonly blocked: boolean;
}

class Client {
  queue: string[] = [];
  skipped = 0;
  blocked = false;
  private stuck: NodeJS.Timeout | undefined;

  constructor(
    readonly res: ServerResponse,
    private readonly fanout: Fanout,
  ) {
    res.on("drain", this.drained);
  }

  /** This turn's frames, in one write; queued (or skipped, past the bound) while the socket does not drain. */
  offer(frames: readonly string[]): void {
    if (this.res.destroyed) return;
    if (!this.blocked) return this.write(frames.join(""));
    const room = this.fanout.maxBuffer() - this.queue.length;
    if (room >= frames.length) {
      for (const f of frames) this.queue.push(f);
      return;
    }
    for (let i = 0; i < room; i++) this.queue.push(frames[i]!);
    this.skipped += frames.length - Math.max(0, room);
    this.stuck ??= setTimeout(() => this.res.destroy(), this.fanout.stuckMs).unref();
  }

  private write(text: string): void {
    if (text && !this.res.write(text)) this.blocked = true;
  }

  private readonly drained = (): void => {
    clearTimeout(this.stuck);
    this.stuck = undefined;
    this.blocked = false;
    const head = this.skipped > 0 ? frame("dropped", { count: this.skipped }) : "";
    const rest = this.queue.join("");
    this.queue = [];
    this.skipped = 0;
    this.write(head + rest);
  };

  close(): void {
    clearTimeout(this.stuck);
    this.res.off("drain", this.drained);
  }

  state(): ClientState {
    return { queued: this.queue.length, skipped: this.skipped, blocked: this.blocked };
  }
}

export class Fanout {
  private readonly clients = new Set<Client>();
  private pending: string[] = [];
  private scheduled = false;
  private ping: NodeJS.Timeout | undefined;
  stuckMs = STUCK_MS;

  constructor(readonly maxBuffer: () => number) {}

  /** Starts a stream on `res` with `first` (the snapshot); it ends when the client goes. */
  open(res: ServerResponse, first: string): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" });
    const client = new Client(res, this);
    this.clients.add(client);
    res.once("close", () => {
      client.close();
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopPing();
    });
    client.offer([first]);
    this.ping ??= setInterval(() => this.publish(": ping\n\n"), PING_MS).unref();
  }

  /** Queues a frame for every client; they are written together at the end of this turn. */
  publish(text: string): void {
    if (this.clients.size === 0) return;
    this.pending.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const frames = this.pending;
    this.pending = [];
    for (const client of this.clients) client.offer(frames);
  };

  private stopPing(): void {
    clearInterval(this.ping);
    this.ping = undefined;
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    this.stopPing();
    for (const client of this.clients) client.res.end();
  }

  /** For tests: each open client's queue. */
  states(): ClientState[] {
    return [...this.clients].map((c) => c.state());
  }
}
