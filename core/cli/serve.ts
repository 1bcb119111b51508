import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { relative } from "node:path";
import { createRuntime, type ReloadInfo, type Runtime } from "../config/runtime.ts";
import { ConfigError, formatIssue } from "../errors.ts";
import { startServer, type RunningServer } from "../server/index.ts";
import { isLoopback } from "../server/reload-guard.ts";
import { EXIT, parseCommand, usageError } from "./args.ts";
import { reportConfigError } from "./config-commands.ts";
import { uiSettings } from "../ui/settings.ts";
import { runPrimary } from "../cluster/primary.ts";
import { joinCluster } from "../cluster/join.ts";
import { inClusterWorker, reportListening, reportReload } from "../cluster/worker.ts";

export const SERVE_USAGE = `Usage: litellm-runtime serve [--config F] [--host H] [--port N] [--watch | --no-watch] [--open]

An OpenAI-compatible HTTP server for the config's models: POST /v1/chat/completions,
POST /v1/embeddings, GET /v1/models, GET /health/liveliness, GET /health/readiness,
and a live page of the calls at GET /ui (general_settings.ui.enabled: false turns it off).
Every request runs the config's callbacks. Host and port come from
general_settings (default 127.0.0.1:4000); the flags override them. Without
general_settings.master_key anyone who can reach the server can use it, so it
listens on loopback unless --host says otherwise.

The config and its callback modules reload on save, without a restart.
SIGTERM or SIGINT stops taking requests, lets those in flight finish (streams
too) within general_settings.shutdown_grace_seconds (default 10), flushes every
callback and the cache, then exits 0; a second signal exits at once with 1.

--num_workers N runs N worker processes on the one port (node:cluster; each new
connection goes to the next worker): each loads and watches the config, a
worker that dies is restarted (SERVER_WORKER_DIED on stderr), SIGTERM drains
them all, GET /metrics and the live page count every worker's calls, and each
response names its worker in the x-litellm-worker-pid header.

Options:
  -c, --config F   the config file (default: searched from the working directory upward)
      --host H     interface to listen on (0.0.0.0 for every interface)
  -p, --port N     TCP port (0: any free port; the URL printed says which)
      --num_workers N  worker processes (0: one per core; default 1: this process alone)
      --watch      reload when the config or a callback module changes (the default)
      --no-watch   do not watch files
      --open       print the live page's address (http://host:port/ui) on stderr once the server listens
  -h, --help       this text

Exit codes: 0 stopped cleanly, 1 the server failed (e.g. the port is in use), 2 bad usage or invalid config.
`;

function parsePort(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 65535) return null;
  return Number(text);
}

/** `litellm-runtime serve`: runs until SIGTERM/SIGINT. */
export async function serve(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { type: "string", short: "c" },
      host: { type: "string" },
      port: { type: "string", short: "p" },
      watch: { type: "boolean" },
      "no-watch": { type: "boolean" },
      open: { type: "boolean" },
      num_workers: { type: "string" },
    },
    SERVE_USAGE,
    0,
  );
  if (typeof args === "number") return args;
  const { config, host } = args.values;
  const port = parsePort(args.values.port);
  if (port === null) return usageError(`--port must be a whole number from 0 to 65535; found "${args.values.port}"`, SERVE_USAGE);
  if (host === "") return usageError("--host must not be empty", SERVE_USAGE);
  if (args.values.watch && args.values["no-watch"]) return usageError("pass one of --watch and --no-watch", SERVE_USAGE);
  const workers = parseWorkers(args.values.num_workers);
  if (workers === null) return usageError(`--num_workers must be a whole number (0: one per core); found "${args.values.num_workers}"`, SERVE_USAGE);
  if (workers > 1 && cluster.isPrimary) return servePrimary(config, workers);
  const worker = inClusterWorker();

  let rt: Runtime;
  try {
    rt = await createRuntime({ config, watch: !args.values["no-watch"] });
  } catch (err) {
    return reportConfigError(err);
  }
  logReloads(rt, worker);

  let server: RunningServer;
  try {
    server = await startServer(rt, { host, port, ui: uiSettings(rt.config).enabled, responseHeaders: worker ? { "x-litellm-worker-pid": String(process.pid) } : undefined });
  } catch (err) {
    await rt.close();
    process.stderr.write(`litellm-runtime: ${listenFailure(err, port ?? rt.settings.general.port)}\n`);
    return EXIT.failed;
  }
  if (worker) {
    const leave = joinCluster(rt);
    // The primary prints the start-up line once, for every worker: each one only reports its own.
    const { line, warning } = startupText(server, rt);
    reportListening(line, warning + (args.values.open ? openLine(server, rt) : ""));
    const code = await shutdownOnSignal(server, rt, ["SIGTERM"]);
    leave();
    return code;
  }
  announce(server, rt);
  // LiteLLM's word: "open" prints where the page is; no browser is launched from a server process.
  if (args.values.open) process.stderr.write(openLine(server, rt));
  return shutdownOnSignal(server, rt);
}

/** `--num_workers`: null when malformed; 0 means one per core; absent means 1 (one process, no cluster). */
function parseWorkers(text: string | undefined): number | null {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text) || Number(text) > 1024) return null;
  return Number(text) === 0 ? availableParallelism() : Number(text);
}

/** The primary of `--num_workers N`: checks the config once (exit 2 as a single server would), then runs the workers. */
async function servePrimary(config: string | undefined, workers: number): Promise<number> {
  try {
    const rt = await createRuntime({ config, watch: false });
    await rt.close();
  } catch (err) {
    return reportConfigError(err);
  }
  return runPrimary({ workers });
}

function listenFailure(err: unknown, port: number): string {
  // The server wraps the listen error (with its own code); the system's code is on the cause.
  const e = ((err as { cause?: unknown })?.cause ?? err) as NodeJS.ErrnoException;
  if (e?.code === "EADDRINUSE") return `port ${port} is in use; pass --port (or set general_settings.port) to use another, or stop what listens there.`;
  if (e?.code === "EACCES") return `not allowed to listen on port ${port}; ports below 1024 need privileges: pass --port with a higher one.`;
  if (e?.code === "EADDRNOTAVAIL" || e?.code === "ENOTFOUND") return `cannot listen on that host (${e.message}); pass --host with an address of this machine.`;
  return `the server failed to start: ${e?.message ?? String(err)}`;
}

/** The one start-up line on stdout, and a loud warning on stderr when an open server is reachable from other machines. */
function announce(server: RunningServer, rt: Runtime): void {
  const { line, warning } = startupText(server, rt);
  process.stdout.write(`${line}\n`);
  if (warning) process.stderr.write(warning);
}

/** The start-up line, and the warning block for an open server off loopback (or ""). */
function startupText(server: RunningServer, rt: Runtime): { line: string; warning: string } {
  const models = rt.models();
  const keyed = rt.settings.general.master_key !== null;
  const local = isLoopback(server.host);
  const access = keyed
    ? "requests need Authorization: Bearer <general_settings.master_key>"
    : local
      ? `no master_key: anyone who can reach ${server.host} can use it (loopback only; pass --host to listen elsewhere)`
      : `no master_key and listening on ${server.host}: anyone who can reach this machine can use it`;
  const page = pageUrl(server, rt);
  const line = `litellm-runtime: serving ${server.url} · models: ${models.join(", ") || "none"} · ${access}${page ? ` · live page: ${page}` : ""}`;
  const warning =
    !keyed && !local
      ? `\nWARNING: no general_settings.master_key is set and the server listens on ${server.host}, not loopback:\n` +
        `WARNING: anyone who can reach port ${server.port} can call the configured models with your provider keys.\n` +
        `WARNING: set general_settings.master_key (e.g. os.environ/LITELLM_MASTER_KEY), or pass --host 127.0.0.1.\n\n`
      : "";
  return { line, warning };
}

/** What `--open` prints on stderr: where the live page is. */
function openLine(server: RunningServer, rt: Runtime): string {
  return `litellm-runtime: live page: ${pageUrl(server, rt) ?? "off (general_settings.ui.enabled: false)"}\n`;
}

/** The live page's address, or null when the config turns it off. */
function pageUrl(server: RunningServer, rt: Runtime): string | null {
  return uiSettings(rt.config).enabled ? `${server.url}/ui` : null;
}

/** Prints each reload and each refused one; a cluster worker tells the primary instead, which prints each once for all of them. */
function logReloads(rt: Runtime, worker: boolean): void {
  rt.on("reload", ({ changed }: ReloadInfo) => {
    const files = changed.map((f) => relative(process.cwd(), f) || f).join(", ");
    const line = `reloaded${files ? ` (${files} changed)` : ""}; models: ${rt.models().join(", ") || "none"}`;
    if (worker) reportReload("reload", [line]);
    else process.stderr.write(`litellm-runtime: ${line}\n`);
  });
  // One line per issue, location first (editors and terminals open file:line:col), each saying the reload changed nothing.
  rt.on("reload_error", (err: ConfigError) => {
    const issues = err.issues?.length ? err.issues.map((i) => formatIssue(i.file ? { ...i, file: relative(process.cwd(), i.file) || i.file } : i)) : [err.message.replace(/\s*\n\s*/g, " ")];
    if (worker) reportReload("reload_error", issues);
    else process.stderr.write(issues.map((text) => `${text} (reload_error: the previous config keeps serving)\n`).join(""));
  });
}

/**
 * Waits for one of `signals`, then shuts down in order: stop accepting, drain, flush and close the runtime.
 * A cluster worker waits for SIGTERM alone (the primary's), and ignores the SIGINT a terminal sends the whole process group.
 */
async function shutdownOnSignal(server: RunningServer, rt: Runtime, signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): Promise<number> {
  if (!signals.includes("SIGINT")) process.on("SIGINT", () => undefined);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const first = (sig: NodeJS.Signals) => {
      for (const s of signals) process.removeListener(s, first);
      // Listening again at once: a second signal must not fall through to Node's default (or the file built-in's re-kill).
      for (const s of signals) process.on(s, again);
      resolve(sig);
    };
    for (const s of signals) process.on(s, first);
  });
  const grace = rt.settings.general.shutdown_grace_seconds;
  process.stderr.write(`litellm-runtime: ${signal}: not taking new requests; waiting up to ${grace} s for ${server.inflight()} in flight (signal again to exit now)\n`);
  let code: number = EXIT.ok;
  try {
    await server.close(grace * 1000);
  } catch (err) {
    process.stderr.write(`litellm-runtime: closing the server failed: ${(err as Error).message}\n`);
    code = EXIT.failed;
  }
  // Flushes every callback and the cache: the last events of the drained requests are delivered before exit.
  await rt.close();
  process.stderr.write("litellm-runtime: stopped\n");
  return code;
}

function again(sig: NodeJS.Signals): void {
  process.stderr.write(`litellm-runtime: ${sig} again: exiting now, without waiting for requests or callbacks\n`);
  process.exit(EXIT.failed);
}
