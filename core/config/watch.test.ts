import { mkdtemp, rename, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { watchFiles, type FileWatcher } from "./watch.ts";

let dir: string;
let watcher: FileWatcher | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "litellm-watch-"));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Collects onChange batches; `next()` waits (a few seconds at most) for the next one. */
function recorder() {
  const batches: string[][] = [];
  const waiters: Array<(b: string[]) => void> = [];
  let taken = 0;
  return {
    batches,
    onChange: (changed: string[]) => {
      batches.push([...changed].sort());
      waiters.shift()?.(batches[taken++]!);
    },
    next(timeoutMs = 5_000): Promise<string[]> {
      if (taken < batches.length) return Promise.resolve(batches[taken++]!);
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no change reported within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((b) => {
          clearTimeout(timer);
          done(b);
        });
      });
    },
  };
}

/** Repeats a write until the watcher reports it: a watch just added may not be armed yet. */
async function writeUntilSeen(rec: ReturnType<typeof recorder>, write: () => Promise<void>): Promise<string[]> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await write();
    const batch = await rec.next(500).catch(() => undefined);
    if (batch) return batch;
  }
  throw new Error("the change was never reported");
}

describe("watchFiles", () => {
  it("reports a plain write", async () => {
    const a = join(dir, "a.ts");
    await writeFile(a, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange);
    await watcher.ready;
    await writeFile(a, "2");
    expect(await rec.next()).toEqual([a]);
  });

  it("reports an editor's save by temp file and rename, every time", async () => {
    const a = join(dir, "a.ts");
    await writeFile(a, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange);
    await watcher.ready;
    for (const version of ["2", "3", "4"]) {
      await writeFile(`${a}.tmp`, version);
      await rename(`${a}.tmp`, a);
      expect(await rec.next()).toEqual([a]);
    }
    // vim's way: move the original aside, write a new file, delete the backup.
    await rename(a, `${a}~`);
    await writeFile(a, "5");
    await unlink(`${a}~`);
    expect(await rec.next()).toEqual([a]);
  });

  it("reports two files changed in one debounce window in one call", async () => {
    const a = join(dir, "a.ts");
    const b = join(dir, "b.ts");
    await writeFile(a, "1");
    await writeFile(b, "1");
    const rec = recorder();
    watcher = watchFiles([a, b], rec.onChange, { debounceMs: 300 });
    await watcher.ready;
    await writeFile(a, "2");
    await writeFile(b, "2");
    expect(await rec.next()).toEqual([a, b]);
    await sleep(600);
    expect(rec.batches).toHaveLength(1);
  });

  it("ignores files next to the watched ones", async () => {
    const a = join(dir, "a.ts");
    await writeFile(a, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange);
    await watcher.ready;
    await writeFile(join(dir, "other.ts"), "x");
    await writeFile(a, "2");
    expect(await rec.next()).toEqual([a]);
  });

  it("set() replaces the watched files", async () => {
    const a = join(dir, "a.ts");
    const b = join(dir, "sub-b.ts");
    await writeFile(a, "1");
    await writeFile(b, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange);
    await watcher.ready;
    watcher.set([b]);
    let n = 0;
    expect(await writeUntilSeen(rec, () => writeFile(b, String(++n)))).toEqual([b]);
    await writeFile(a, "2");
    await sleep(500);
    expect(rec.batches.flat()).not.toContain(a);
  });

  it("reports a deleted file, and the file when it comes back", async () => {
    const a = join(dir, "a.ts");
    await writeFile(a, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange);
    await watcher.ready;
    await unlink(a);
    expect(await rec.next()).toEqual([a]);
    await writeFile(a, "back");
    expect(await rec.next()).toEqual([a]);
  });

  it("close() stops the events, even one already waiting in the debounce window", async () => {
    const a = join(dir, "a.ts");
    await writeFile(a, "1");
    const rec = recorder();
    watcher = watchFiles([a], rec.onChange, { debounceMs: 300 });
    await watcher.ready;
    await writeFile(a, "2");
    await sleep(100);
    await watcher.close();
    await writeFile(a, "3");
    await sleep(600);
    expect(rec.batches).toEqual([]);
  });
});
