// The fake OpenAI upstream in its own process, so its work does not share our event loop.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Upstream {
  /** Base URL for an OpenAI client, ending in /v1. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = "--bench-upstream-child";

/** Spawns `node --import jiti/register bench/upstream.ts --bench-upstream-child` and waits for the URL it prints. */
export async function startUpstream(): Promise<Upstream> {
  const child = spawn(process.execPath, ["--import", "jiti/register", SELF, CHILD_FLAG], {
    stdio: ["pipe", "pipe", "inherit"],
    cwd: process.cwd(),
  });
  const url = await firstLine(child);
  return { url, pid: child.pid!, stop: () => stop(child) };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error("the upstream child printed no URL within 20 s")), 20_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      lines.close();
      child.kill();
      reject(err);
    };
    child.once("exit", (code) => fail(new Error(`the upstream child exited (code ${code}) before printing its URL`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
      lines.close();
      if (/^http:\/\/127\.0\.0\.1:\d+\/v1$/.test(line)) resolve(line);
      else fail(new Error(`the upstream child printed ${JSON.stringify(line)}, not a URL`));
    });
  });
}

/** Closing stdin asks the child to close its server and exit; a kill follows if it lingers. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

/** The child's side: start the fake, print its URL, and live until the parent closes our stdin. */
async function runChild(): Promise<void> {
  const { startFakeOpenAI } = await import("../test/support/fake-openai.ts");
  const fake = await startFakeOpenAI();
  // The fake records every request; a benchmark sends tens of thousands, so forget them as they come.
  const forget = setInterval(() => void (fake.requests.length = 0), 500);
  process.stdout.write(`${fake.url}\n`);
  process.stdin.resume();
  process.stdin.once("end", async () => {
    clearInterval(forget);
    await fake.close();
    process.exit(0);
  });
}

if (process.argv.includes(CHILD_FLAG) && process.argv[1] === SELF) await runChild();
