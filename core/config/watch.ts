import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { FileState, statQuietly } from "./file-signature.ts";

/**
 * Watches the files a config depends on and reports the ones whose content
 * changed, debounced: one save (or one `git checkout` touching several files)
 * gives one call with every file changed in that window.
 *
 * It watches the folders that hold the files, never the files' inodes: a save
 * by rename (editors, `sed -i`, config tools) replaces the inode, and a watch
 * on the old one goes deaf. Any event in a folder re-checks every watched file
 * in it, since a Kubernetes ConfigMap swaps a `..data` symlink and never names
 * the file itself. A check stats the file and hashes it only if the stat
 * moved; only a changed hash counts, so a `touch` or a same-bytes save reloads
 * nothing. A periodic stat of every file catches what events missed, and a
 * folder whose watch fails (gone, ENOSPC, EMFILE, EPERM) is left to it until
 * it can be watched again. A file that disappears (for longer than an editor's
 * swap takes) is reported once, and again when it comes back.
 */

export interface WatchOptions {
  /**
   * Quiet time after the last event before the files are compared and `onChange` runs.
   * @default 50
   */
  debounceMs?: number;
  /**
   * Milliseconds between checks of every watched file, for changes the folder
   * events missed; 0 turns them off (a folder whose watch failed is still
   * checked, every 2000 ms).
   * @default 2000
   */
  pollMs?: number;
  /**
   * Watch the folders for events; false leaves only the periodic check (for
   * file systems that send none, such as some network mounts), which then runs
   * even with `pollMs` 0, every 2000 ms.
   * @default true
   */
  fsEvents?: boolean;
}

export interface FileWatcher {
  /** Resolves once the folders are watched and the files' first state is taken: changes before that may be missed. */
  readonly ready: Promise<void>;
  /** Watches exactly these files from now on (added ones start, dropped ones stop). */
  set(files: string[]): void;
  /** Runs the periodic check now: stats every file, and compares those whose stat moved once the debounce settles. */
  checkNow(): void;
  /** Stops watching; no `onChange` runs after the returned promise resolves. */
  close(): Promise<void>;
}

const DEFAULT_POLL_MS = 2_000;
/** How long a file must stay missing before its disappearance is reported: an editor's swap is over well before. */
const GONE_MS = 100;

interface ResolvedWatchOptions {
  readonly debounceMs: number;
  /** The periodic check's interval, also used for folders whose watch failed when the check is off. */
  readonly intervalMs: number;
  /** Whether the periodic check covers every folder, or only those whose watch failed. */
  readonly pollAll: boolean;
  readonly fsEvents: boolean;
}

function resolveWatchOptions(options: WatchOptions): ResolvedWatchOptions {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const fsEvents = options.fsEvents ?? true;
  return Object.freeze({
    debounceMs: options.debounceMs ?? 50,
    intervalMs: pollMs > 0 ? pollMs : DEFAULT_POLL_MS,
    // Without events the periodic check is all there is, even if asked off.
    pollAll: pollMs > 0 || !fsEvents,
    fsEvents,
  });
}

/** A watched folder: the files in it, by base name, and the one fs watcher they share. */
interface Folder {
  readonly path: string;
  readonly files: Map<string, FileState>;
  watcher: FSWatcher | undefined;
  /** The inode of the folder the watcher is on: another one at that path means it was replaced. */
  ino: number | undefined;
  /** Its watch failed: the periodic check covers it, and re-tries the watch. */
  failed: boolean;
}

/** Why a watch failed, for the one line written about it. */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC") return "ENOSPC: over the system's limit on file watchers, fs.inotify.max_user_watches";
  if (code === "EMFILE") return "EMFILE: too many open files";
  return code ?? (err instanceof Error ? err.message : String(err));
}

export function watchFiles(files: string[], onChange: (changed: string[]) => void, options: WatchOptions = {}): FileWatcher {
  const opts = resolveWatchOptions(options);
  const folders = new Map<string, Folder>();
  const dirty = new Set<Folder>();
  let debounce: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  let closed = false;

  /** Compares the files of the folders that saw events (or a moved stat) and reports those whose content changed. */
  const fire = (): void => {
    debounce = undefined;
    if (closed) return;
    const now = Date.now();
    const changed: string[] = [];
    const held = new Set<Folder>();
    let recheckIn = Number.POSITIVE_INFINITY;
    for (const folder of dirty) {
      rewatch(folder);
      for (const state of folder.files.values()) {
        if (!state.refresh()) {
          state.goneSince = undefined; // back as it was, or never gone
          continue;
        }
        // A save by rename or backup swap leaves the file missing for a moment: a disappearance counts once it lasts.
        if (state.missing) {
          state.goneSince ??= now;
          const wait = state.goneSince + GONE_MS - now;
          if (wait > 0) {
            held.add(folder);
            recheckIn = Math.min(recheckIn, wait);
            continue;
          }
        }
        state.accept();
        changed.push(state.path);
      }
    }
    dirty.clear();
    for (const folder of held) dirty.add(folder);
    if (held.size > 0) debounce = setTimeout(fire, recheckIn);
    if (changed.length > 0) onChange(changed);
  };

  /** `restart`: an event naming a watched file pushes the comparison back; others only make sure one is due. */
  const schedule = (folder: Folder, restart: boolean): void => {
    dirty.add(folder);
    if (debounce && !restart) return;
    clearTimeout(debounce);
    debounce = setTimeout(fire, opts.debounceMs);
  };

  const fail = (folder: Folder, why: string): void => {
    if (!folder.failed) {
      folder.failed = true;
      process.stderr.write(`litellm-runtime: watching ${folder.path} failed (${why}); checking it every ${opts.intervalMs} ms instead\n`);
    }
    startPoll();
  };

  /** Makes sure a live watcher is on the folder now at its path: starts one, replaces a stale one, or falls back to the poll. */
  const rewatch = (folder: Folder): void => {
    if (!opts.fsEvents || closed) return;
    const st = statQuietly(folder.path);
    if (folder.watcher && st?.ino === folder.ino) return;
    folder.watcher?.close();
    folder.watcher = undefined;
    if (!st?.isDirectory()) return fail(folder, "the folder is gone");
    try {
      const watcher = watch(folder.path, (_event, name) => {
        if (!closed && folder.watcher === watcher) schedule(folder, name == null || folder.files.has(name));
      });
      // An fs watcher without an error listener would crash the process on its first error.
      watcher.on("error", (err) => {
        if (folder.watcher !== watcher) return;
        watcher.close();
        folder.watcher = undefined;
        fail(folder, reason(err));
      });
      folder.watcher = watcher;
      folder.ino = st.ino;
      folder.failed = false;
    } catch (err) {
      fail(folder, reason(err));
    }
  };

  /** The periodic check: stat only, per file; a moved stat queues its folder for the debounced comparison. */
  const tick = (): void => {
    if (closed) return;
    let failing = false;
    for (const folder of folders.values()) {
      if (!opts.pollAll && !folder.failed) continue;
      rewatch(folder);
      failing ||= folder.failed;
      for (const state of folder.files.values()) {
        if (!state.moved()) continue;
        schedule(folder, false);
        break;
      }
    }
    if (!opts.pollAll && !failing) stopPoll();
  };

  function startPoll(): void {
    if (poll || closed) return;
    poll = setInterval(tick, opts.intervalMs);
    // The check alone must not keep a process alive.
    poll.unref();
  }

  function stopPoll(): void {
    clearInterval(poll);
    poll = undefined;
  }

  const add = (file: string): void => {
    const path = dirname(file);
    let folder = folders.get(path);
    if (!folder) {
      folder = { path, files: new Map(), watcher: undefined, ino: undefined, failed: false };
      folders.set(path, folder);
      // Watch before taking the first state: a write in between then still gives an event.
      rewatch(folder);
    }
    const name = basename(file);
    if (!folder.files.has(name)) folder.files.set(name, new FileState(file));
  };

  const set = (next: string[]): void => {
    if (closed) return;
    const wanted = new Set(next.map((f) => resolve(f)));
    for (const folder of folders.values()) {
      for (const [name, state] of folder.files) if (!wanted.has(state.path)) folder.files.delete(name);
      if (folder.files.size > 0) continue;
      folder.watcher?.close();
      folders.delete(folder.path);
      dirty.delete(folder);
    }
    for (const file of wanted) add(file);
  };

  set(files);
  if (opts.pollAll) startPoll();

  return {
    // Watchers are armed and first states taken synchronously above.
    ready: Promise.resolve(),
    set,
    checkNow: tick,
    async close() {
      closed = true;
      clearTimeout(debounce);
      debounce = undefined;
      stopPoll();
      for (const folder of folders.values()) folder.watcher?.close();
      folders.clear();
      dirty.clear();
    },
  };
}
