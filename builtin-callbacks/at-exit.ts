/**
 * Work a built-in still owes when a script's event loop runs dry without `flush()`
 * or `close()` (a batch timer is unref'd, so it keeps nothing alive): each job is
 * run on `beforeExit`, and what it starts keeps the process alive until it is done.
 * One listener for the process, whatever the number of built-ins.
 */
const jobs = new Set<() => void>();
let hooked = false;

/** Runs `job` at every `beforeExit` until the returned function forgets it (on close). */
export function atExit(job: () => void): () => void {
  jobs.add(job);
  if (!hooked) {
    hooked = true;
    process.on("beforeExit", () => {
      for (const j of jobs) j();
    });
  }
  return () => void jobs.delete(job);
}
