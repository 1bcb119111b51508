import { relative } from "node:path";
import { createRuntime, type ReloadInfo, type Runtime } from "../config/runtime.ts";
import { ConfigError, formatIssue } from "../errors.ts";
import { startServer, type RunningServer } from "../server/index.ts";
import { isLoopback } from "../server/reload-guard.ts";
import { EXIT, parseCommand, usageError } from "./args.ts";
import { reportConfigError } from "./config-commands.ts";
import { uiSettings } from "../ui/settings.ts";

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

Options:
  -c, --config F   the config file (default: searched from the working directory upward)
      --host H     interface to listen on (0.0.0.0 for every interface)
  -p, --port N     TCP port (0: any free port; the URL printed says which)
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

  let rt: Runtime;
  try {
    rt = await createRuntime({ config, watch: !args.values["no-watch"] });
  } catch (err) {
    return reportConfigError(err);
  }
  logReloads(rt);

  let server: RunningServer;
  try {
    server = await startServer(rt, { host, port, ui: uiSettings(rt.config).enabled });
  } catch (err) {
    await rt.close();
    process.stderr.write(`litellm-runtime: ${listenFailure(err, port ?? rt.settings.general.port)}\n`);
    return EXIT.failed;
  }
  announce(server, rt);
  // LiteLLM's word: "open" prints where the page is; no browser is launched from a server process.
  if (args.values.open) process.stderr.write(`litellm-runtime: live page: ${pageUrl(server, rt) ?? "off (general_settings.ui.enabled: false)"}\n`);
  return shutdownOnSignal(server, rt);
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
  const models = rt.models();
  const keyed = rt.settings.general.master_key !== null;
  const local = isLoopback(server.host);
  const access = keyed
    ? "requests need Authorization: Bearer <general_settings.master_key>"
    : local
      ? `no master_key: anyone who can reach ${server.host} can use it (loopback only; pass --host to listen elsewhere)`
      : `no master_key and listening on ${server.host}: anyone who can reach this machine can use it`;
  const page = pageUrl(server, rt);
  process.stdout.write(`litellm-runtime: serving ${server.url} · models: ${models.join(", ") || "none"} · ${access}${page ? ` · live page: ${page}` : ""}\n`);
  if (!keyed && !local) {
    process.stderr.write(
      `\nWARNING: no general_settings.master_key is set and the server listens on ${server.host}, not loopback:\n` +
        `WARNING: anyone who can reach port ${server.port} can call the configured models with your provider keys.\n` +
        `WARNING: set general_settings.master_key (e.g. os.environ/LITELLM_MASTER_KEY), or pass --host 127.0.0.1.\n\n`,
    );
  }
}

/** The live page's address, or null when the config turns it off. */
function pageUrl(server: RunningServer, rt: Runtime): string | null {
  return uiSettings(rt.config).enabled ? `${server.url}/ui` : null;
}

function logReloads(rt: Runtime): void {
  rt.on("reload", ({ changed }: ReloadInfo) => {
    const files = changed.map((f) => relative(process.cwd(), f) || f).join(", ");
    process.stderr.write(`litellm-runtime: reloaded${files ? ` (${files} changed)` : ""}; models: ${rt.models().join(", ") || "none"}\n`);
  });
  // One line per issue, location first (editors and terminals open file:line:col), each saying the reload changed nothing.
  rt.on("reload_error", (err: ConfigError) => {
    const issues = err.issues?.length ? err.issues.map((i) => formatIssue(i.file ? { ...i, file: relative(process.cwd(), i.file) || i.file } : i)) : [err.message.replace(/\s*\n\s*/g, " ")];
    process.stderr.write(issues.map((text) => `${text} (reload_error: the previous config keeps serving)\n`).join(""));
  });
}

/** Waits for SIGTERM/SIGINT, then shuts down in order: stop accepting, drain, flush and close the runtime. */
async function shutdownOnSignal(server: RunningServer, rt: Runtime): Promise<number> {
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const first = (sig: NodeJS.Signals) => {
      process.removeListener("SIGTERM", first);
      process.removeListener("SIGINT", first);
      // Listening again at once: a second signal must not fall through to Node's default (or the file built-in's re-kill).
      process.on("SIGTERM", again);
      process.on("SIGINT", again);
      resolve(sig);
    };
    process.on("SIGTERM", first);
    process.on("SIGINT", first);
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
