import type { CallbackError } from "../core/errors.ts";

/**
 * How the built-ins report their own trouble (a file they cannot write, a
 * collector that keeps failing): once on stderr per problem, counted every
 * time, never thrown. Shared by every built-in so their lines read alike.
 */

const counts = new Map<string, number>();
const printed = new Set<string>();

/**
 * Prints `litellm-runtime [CODE] message` the first time for `once` (by default
 * the callback and code: one line per kind of problem; pass your own key to
 * print once per outage) and counts every report by callback and code.
 */
export function report(err: CallbackError, once: string = `${err.callback}\u0000${err.code}`): void {
  const key = `${err.callback}\u0000${err.code}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  if (printed.has(once)) return;
  printed.add(once);
  write(`litellm-runtime [${err.code}] ${err.message}\n`);
}

/** A one-off line that is not an error (a recovery, say): `litellm-runtime: <callback>: message`. */
export function notice(callback: string, message: string): void {
  write(`litellm-runtime: ${callback}: ${message}\n`);
}

/** How many times `callback` reported `code` in this process. */
export function reportCount(callback: string, code: string): number {
  return counts.get(`${callback}\u0000${code}`) ?? 0;
}

function write(line: string): void {
  try {
    process.stderr.write(line);
  } catch {
    // stderr closed: there is nowhere left to say it, and a report must never throw.
  }
}
