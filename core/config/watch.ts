import { resolve } from "node:path";
import type { FSWatcher } from "chokidar";

/**
 * Watches the files a config depends on and reports their changes, debounced:
 * one save (or one `git checkout` touching several files) gives one call with
 * every file changed in that window.
 *
 * Editors that save by writing a temp file and renaming it over the original
 * need nothing special: chokidar 4 watches each file's folder, and its `atomic`
 * default turns the unlink + add of a rename into one `change`. A deleted file
 * is reported too (the reload then fails with a clear error); if it comes back
 * it is reported again. `awaitWriteFinish` is not used: it holds every event
 * back for its polling interval, and a half-written file only fails one reload
 * that the write's own next event repeats.
 */

export interface WatchOptions {
  /**
   * Quiet time after the last event before `onChange` runs.
   * @default 50
   */
  debounceMs?: number;
}

export interface FileWatcher {
  /** Resolves once the first files are watched: changes before that may be missed. */
  readonly ready: Promise<void>;
  /** Watches exactly these files from now on (added ones start, dropped ones stop). */
  set(files: string[]): void;
  /** Stops watching; no `onChange` runs after the returned promise resolves. */
  close(): Promise<void>;
}

export function watchFiles(files: string[], onChange: (changed: string[]) => void, options: WatchOptions = {}): FileWatcher {
  const debounceMs = options.debounceMs ?? 50;
  let watched = new Set(files.map((f) => resolve(f)));
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  let markReady!: () => void;
  const ready = new Promise<void>((done) => (markReady = done));
  // chokidar is loaded when watching starts: a runtime that does not watch never pays for it.
  let watcher: FSWatcher | undefined;
  const started = import("chokidar").then(({ watch }) => {
    if (closed) return;
    watcher = watch([...watched], { ignoreInitial: true });
    watcher.once("ready", () => markReady());
    watcher.on("change", note).on("add", note).on("unlink", note);
    // A watch error (too many watches, a folder gone) must not crash the serving process: say it and go on.
    watcher.on("error", (err) => process.stderr.write(`litellm-runtime: watching config files failed: ${(err as Error).message ?? err}\n`));
  });
  const fire = (): void => {
    timer = undefined;
    if (closed || changed.size === 0) return;
    const batch = [...changed];
    changed.clear();
    onChange(batch);
  };
  const note = (path: string): void => {
    const file = resolve(path);
    // A folder watch can report siblings; only the files asked for count.
    if (closed || !watched.has(file)) return;
    changed.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };

  return {
    ready,
    set(next) {
      if (closed) return;
      const nextSet = new Set(next.map((f) => resolve(f)));
      const added = [...nextSet].filter((f) => !watched.has(f));
      const removed = [...watched].filter((f) => !nextSet.has(f));
      watched = nextSet;
      for (const f of removed) changed.delete(f);
      if (removed.length) watcher?.unwatch(removed);
      if (added.length) watcher?.add(added);
    },
    async close() {
      closed = true;
      markReady();
      if (timer) clearTimeout(timer);
      timer = undefined;
      changed.clear();
      await started;
      await watcher?.close();
    },
  };
}
