// The worker thread parse-off-thread.ts starts for a large config: parse, post the result (positions moved, not copied), exit.
import { parentPort, workerData } from "node:worker_threads";
import { answer } from "./parse-off-thread.ts";

// Imported anywhere else (test/support/warm.ts imports every module), it does nothing.
const job = workerData as { text?: unknown; file?: string | null } | null;
if (parentPort && typeof job?.text === "string") {
  const reply = answer(job.text, job.file ?? null);
  parentPort.postMessage(reply, "spots" in reply ? [reply.spots.keys.buffer] : []);
}
