// Whether a watched file's content changed: a stat signature to ask cheaply, a hash of its bytes to be sure.
import { createHash } from "node:crypto";
import { readFileSync, statSync, type Stats } from "node:fs";

/**
 * A file's stat fields that move when it is written, replaced or renamed over.
 * Equal signatures mean "unchanged" only outside the racy window below.
 */
interface Signature {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * A signature taken within this many milliseconds of a file's last change may
 * not move at the next write: file times tick in steps of up to 2 s (1 s on
 * ext3 and HFS+, 2 s on FAT), so a second write of the same size in the same
 * step leaves ino, size and times as they were. Such a file is re-hashed until
 * its signature is older than this (git's "racily clean" entries).
 */
export const RACY_MS = 2_000;

/** `stat`, following symlinks; undefined when the path is missing or cannot be reached. */
export function statQuietly(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES, ELOOP: as good as missing for a watcher
  }
}

function signatureOf(path: string): Signature | undefined {
  const st = statQuietly(path);
  return st && { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function sameSignature(a: Signature | undefined, b: Signature | undefined): boolean {
  if (!a || !b) return a === b;
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function hashOf(path: string): string | undefined {
  try {
    return createHash("sha1").update(readFileSync(path)).digest("hex");
  } catch {
    return undefined; // gone between the stat and the read: the next check sees it missing
  }
}

/** What a watcher knows of one file: its last signature and content hash (both undefined while it is missing). */
export class FileState {
  private signature: Signature | undefined;
  private hash: string | undefined;
  private racy = false;
  /** The hash last reported (or first taken): what a change is measured against. */
  private reported: string | undefined;
  /** When the file was first seen missing, while that is not reported yet. */
  goneSince: number | undefined;

  constructor(readonly path: string) {
    this.take();
    this.reported = this.hash;
  }

  /** Whether the file is missing (or unreadable) as of the last `refresh()`. */
  get missing(): boolean {
    return this.hash === undefined;
  }

  /** Stat only: might the content have changed since the last `refresh()`? */
  moved(): boolean {
    return this.racy || !sameSignature(this.signature, signatureOf(this.path));
  }

  /** Re-stats, re-hashes if the signature moved, and says whether the content (or presence) differs from the last reported. */
  refresh(): boolean {
    if (this.moved()) this.take();
    return this.hash !== this.reported;
  }

  /** Marks the content as of the last `refresh()` as reported. */
  accept(): void {
    this.reported = this.hash;
    this.goneSince = undefined;
  }

  private take(): void {
    // Stat before read, and the clock before both: a write racing with them moves the signature or stays racy.
    const now = Date.now();
    const signature = signatureOf(this.path);
    this.hash = signature && hashOf(this.path);
    this.signature = signature;
    this.racy = signature !== undefined && now - signature.ctimeMs < RACY_MS;
  }
}
