import { createRequire } from "node:module";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { isPlainContainer, locator, parseYaml, setSpot, spotsOf, type Loc, type ParsedFile } from "./parse.ts";

/**
 * Parsing a large YAML config in a worker thread, so that a reload of a
 * 2,000-model file does not hold up the calls being served for the time the
 * yaml package takes to read it. The worker sends back the data and the
 * positions as numbers; the main thread puts the positions back beside the
 * objects in slices, yielding to the event loop between them.
 */

/** How long the main thread works at a stretch while putting positions back. */
const SLICE_MS = 4;

/**
 * The positions, in a form a worker can post without a string per key: for
 * each own key of each object, in the order `containers()` walks them, three
 * numbers `line, col, plain` (`line` -1: no position recorded, 0: recorded
 * without a line). The rare position kept under a key the object does not own
 * (a `!!set` member) goes to `extra`, with the object's number in that walk.
 */
interface PackedSpots {
  keys: Int32Array<ArrayBuffer>;
  extra: Array<[container: number, key: string, line: number, col: number, plain: number]>;
}

/** What the worker posts back: the parsed data and its positions, or the syntax errors. */
export type Reply = { data: unknown; spots: PackedSpots } | { issues: ConfigIssue[] };

/** Parses `text` in a worker thread, or on this one if no worker can run (a bundled copy without the worker file). */
export async function parseOffThread(text: string, file: string | null): Promise<ParsedFile> {
  let reply: Reply;
  try {
    reply = await askWorker(text, file);
  } catch {
    return parseYaml(text, file);
  }
  return fromReply(reply, file);
}

/** Like `parseOffThread`, without the fallback: a worker that cannot start rejects (tests use it to know the worker ran). */
export async function parseInWorker(text: string, file: string | null): Promise<ParsedFile> {
  return fromReply(await askWorker(text, file), file);
}

async function fromReply(reply: Reply, file: string | null): Promise<ParsedFile> {
  if ("issues" in reply) throw new ConfigError(reply.issues, file);
  await restoreSpots(reply.data, reply.spots, file);
  return { data: reply.data, locate: locator(reply.data, file) };
}

/** What the worker runs: the inline parse, turned into a message. */
export function answer(text: string, file: string | null): Reply {
  try {
    const { data } = parseYaml(text, file);
    return { data, spots: packSpots(data) };
  } catch (err) {
    if (err instanceof ConfigError) return { issues: [...err.issues] };
    throw err;
  }
}

function askWorker(text: string, file: string | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ text, file });
    let replied = false;
    worker.once("message", (reply: Reply) => {
      replied = true;
      resolve(reply);
    });
    worker.once("error", reject);
    worker.once("exit", (code) => {
      if (!replied) reject(new Error(`the config parse worker exited with code ${code} before answering`));
    });
  });
}

function startWorker(workerData: { text: string; file: string | null }): Worker {
  // ".js" in the build (dist/), ".ts" when run from the sources (tests, `node --import jiti/register`).
  const ext = extname(fileURLToPath(import.meta.url));
  const entry = new URL(`./parse-worker${ext}`, import.meta.url);
  // execArgv: [] keeps the process's own loaders (`--import jiti/register`, a test runner's) out of the worker's start-up.
  if (ext !== ".ts") return new Worker(entry, { workerData, execArgv: [] });
  // From the sources, jiti compiles the worker's modules, as it does TypeScript config modules.
  const jiti = createRequire(import.meta.url).resolve("jiti");
  const boot = `require(${JSON.stringify(jiti)}).createJiti(${JSON.stringify(entry.href)}).import(${JSON.stringify(fileURLToPath(entry))})`;
  return new Worker(boot, { eval: true, workerData, execArgv: [] });
}

/**
 * Every object under `root` (and `root`), each once, depth first in key order;
 * only plain objects and arrays are walked into. Both threads walk the same
 * data in this order, which is what lets the positions travel as numbers.
 */
function* containers(root: unknown): Generator<object> {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object" || seen.has(node)) continue;
    seen.add(node);
    yield node;
    const keys = ownKeys(node);
    for (let i = keys.length - 1; i >= 0; i--) stack.push((node as Record<string, unknown>)[keys[i]!]);
  }
}

const ownKeys = (node: object): string[] => (isPlainContainer(node) ? Object.keys(node) : []);

function packSpots(root: unknown): PackedSpots {
  const keys: number[] = [];
  const extra: PackedSpots["extra"] = [];
  let n = 0;
  for (const node of containers(root)) {
    const spots = spotsOf(node);
    let packed = 0;
    for (const key of ownKeys(node)) {
      const spot = spots?.get(key);
      if (spot) packed++;
      keys.push(spot ? (spot.loc.line ?? 0) : -1, spot?.loc.col ?? 0, spot?.plain ? 1 : 0);
    }
    if (spots && spots.size > packed) {
      for (const [key, { loc, plain }] of spots) {
        if (!Object.hasOwn(node, key) || !isPlainContainer(node)) extra.push([n, key, loc.line ?? 0, loc.col ?? 0, plain ? 1 : 0]);
      }
    }
    n++;
  }
  return { keys: Int32Array.from(keys), extra };
}

/** Puts the worker's positions back on the objects the main thread received, a few milliseconds at a time. */
async function restoreSpots(root: unknown, { keys, extra }: PackedSpots, file: string | null): Promise<void> {
  const at = (line: number, col: number): Loc => (line === 0 ? { file } : { file, line, col });
  let i = 0;
  let e = 0;
  let n = 0;
  let start = performance.now();
  for (const node of containers(root)) {
    if ((n & 63) === 0 && performance.now() - start > SLICE_MS) {
      await new Promise((done) => setImmediate(done));
      start = performance.now();
    }
    for (const key of ownKeys(node)) {
      if (keys[i] !== -1) setSpot(node, key, at(keys[i]!, keys[i + 1]!), keys[i + 2] === 1);
      i += 3;
    }
    for (; e < extra.length && extra[e]![0] === n; e++) setSpot(node, extra[e]![1], at(extra[e]![2], extra[e]![3]), extra[e]![4] === 1);
    n++;
  }
}
