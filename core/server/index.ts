/**
 * The OpenAI-compatible HTTP server over a config runtime: node:http and no
 * framework, since every request of every client passes through here.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Runtime } from "../config/runtime.ts";
import { LiteLLMError, SERVER_ERROR_CODES } from "../errors.ts";
import { ClientGone } from "./body.ts";
import type { ServerContext } from "./calls.ts";
import type { ClientParamSwitch } from "./client-params.ts";
import { clientErrorResponse, toWire, type WireError } from "./errors.ts";
import { sendError } from "./reply.ts";
import { authGuard } from "./reload-guard.ts";
import { router } from "./routes.ts";
import { assignRequestId } from "./request-id.ts";
import { UiServer, type UiOptions } from "./ui.ts";

export { SERVER_ERROR_CODES } from "../errors.ts";

/** Options of `startServer()`; each defaults to the runtime's `settings.general` (the config's `general_settings`, defaults applied). */
export interface ServerOptions {
  /** Interface to listen on. @default general_settings.host, else "127.0.0.1" */
  host?: string;
  /** TCP port; 0 picks any free port. @default general_settings.port, else 4000 */
  port?: number;
  /**
   * Bearer token the model routes require; null turns authentication off.
   * @default general_settings.master_key, read from the runtime's current settings on each request (a reload that changes it applies at once)
   */
  masterKey?: string | null;
  /** Largest request body in bytes; larger ones get 413. @default general_settings.max_request_body_bytes (current settings), else 1 MiB */
  maxBodyBytes?: number;
  /**
   * Serve the live page of the calls at `GET /ui` (docs/ui.md): adds the `ui` built-in while the server runs.
   * An object form names the folder of the page's files. `litellm-runtime serve` turns it on. @default false
   */
  ui?: boolean | UiOptions;
  /** Headers set on every response (`serve --num_workers N` sets `x-litellm-worker-pid`). @default none */
  responseHeaders?: Readonly<Record<string, string>>;
}

/** A server that `startServer()` started. */
export interface RunningServer {
  /** `http://host:port` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * Stops accepting, lets requests in flight (streams too) finish within
   * `graceMs`, then cuts the rest; resolves when every socket is gone. Does not close the runtime.
   * @default general_settings.shutdown_grace_seconds × 1000, else 10 000
   */
  close(graceMs?: number): Promise<void>;
  /** Requests in flight now (for shutdown logs). */
  inflight(): number;
}

/** A connection's requests running now, kept on its socket. */
const BUSY: unique symbol = Symbol("litellm-runtime.busy");
type Counted = Socket & { [BUSY]?: number };

const NONE_ON: ReadonlySet<ClientParamSwitch> = new Set();
const CREDENTIALS_ON: ReadonlySet<ClientParamSwitch> = new Set(["allow_client_side_credentials"]);

/** Above the 60 s idle timeout of common load balancers, so they close first and never reuse a socket we just closed. */
const KEEP_ALIVE_MS = 65_000;

function check(name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`startServer(): ${name} must be an integer from ${min} to ${max}; found ${value}.`);
}

/** Serves `runtime` over HTTP; resolves once it listens. */
export async function startServer(runtime: Runtime, options: ServerOptions = {}): Promise<RunningServer> {
  // The settings in service now: a reload swaps them, and each request reads the current ones.
  const general = () => runtime.settings.general;
  const host = options.host ?? general().host;
  const port = options.port ?? general().port;
  check("port", port, 0, 65535);
  check("maxBodyBytes", options.maxBodyBytes, 1, Number.MAX_SAFE_INTEGER);
  // An empty key would lock every request out while the server looks open, as master_key: "" in a config would.
  if (typeof options.masterKey === "string" && options.masterKey.trim() === "") {
    throw new RangeError("startServer(): masterKey is empty: pass null (or leave it out) to run without authentication, on loopback only, or pass a key.");
  }

  let closing = false;
  let inflight = 0;
  // The open connections, each with its requests running (on the socket itself, under BUSY: a property set
  // per connection, not a map looked up twice per request), to end a connection when its last one finishes during shutdown.
  const sockets = new Set<Counted>();

  let aliasesFor: unknown;
  let aliases: ReadonlySet<string> = new Set();
  const masterKey = options.masterKey !== undefined ? () => options.masterKey : () => general().master_key;
  const ctx: ServerContext = {
    runtime,
    aliases() {
      // The config object changes only with a reload: rebuild the set then, not per request.
      if (runtime.config !== aliasesFor) {
        aliasesFor = runtime.config;
        aliases = new Set(runtime.models());
      }
      return aliases;
    },
    bodyLimit: () => options.maxBodyBytes ?? general().max_request_body_bytes,
    clientSwitches: () => (general().allow_client_side_credentials ? CREDENTIALS_ON : NONE_ON),
    masterKey,
    fail: (req, res, err) => fail(req, res, err, runtime.scrub),
  };
  const ui = options.ui ? new UiServer(runtime, options.ui === true ? {} : options.ui) : undefined;
  const dispatch = router(masterKey, () => closing, ui);
  const extraHeaders = options.responseHeaders ? Object.entries(options.responseHeaders) : null;

  const finished = (socket: Counted) => {
    inflight--;
    const busy = socket[BUSY];
    if (busy === undefined) return; // not a connection this server counted
    socket[BUSY] = busy - 1;
    if (closing && busy === 1) socket.end();
  };
  // One listener for every response (it finds its socket through the request), where a closure per request cost more.
  const onResponseClose = function (this: ServerResponse) {
    finished(this.req.socket as Counted);
  };

  const server = createServer({ noDelay: true, requestTimeout: 120_000, headersTimeout: KEEP_ALIVE_MS + 1_000 }, (req: IncomingMessage, res: ServerResponse) => {
    inflight++;
    const socket = req.socket as Counted;
    if (socket[BUSY] !== undefined) socket[BUSY]++;
    // `on`, not `once` (which wraps the listener): a response closes once.
    res.on("close", onResponseClose);
    if (closing) res.setHeader("connection", "close");
    if (extraHeaders) for (const [name, value] of extraHeaders) res.setHeader(name, value);
    assignRequestId(req, res);
    try {
      // The model routes answer their own errors and return nothing: no promise to wait on.
      dispatch(req, res, ctx)?.catch((err: unknown) => ctx.fail(req, res, err));
    } catch (err) {
      ctx.fail(req, res, err);
    }
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.on("connection", (socket: Socket) => {
    (socket as Counted)[BUSY] = 0;
    sockets.add(socket as Counted);
    socket.once("close", () => sockets.delete(socket as Counted));
  });
  // Node's own answer is a bare "400 Bad Request"; ours is OpenAI-shaped. Same guard as Node's: never into a response under way.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (err.code !== "ECONNRESET" && socket.writable && !current?.headersSent) socket.end(clientErrorResponse(err.code));
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      ui?.close();
      reject(new LiteLLMError(`could not listen on ${host}:${port}: ${err.code === "EADDRINUSE" ? "the port is taken (pick another with --port, or 0 for any free one)" : err.message}.`, SERVER_ERROR_CODES.listen, { cause: err }));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  // The key comes from the config when not given here: a reload must not drop it on a public interface.
  const dropGuard = options.masterKey === undefined ? runtime.addReloadGuard(authGuard(host)) : undefined;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    inflight: () => inflight,
    close(graceMs?: number) {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        dropGuard?.();
        // The page's streams never end by themselves: ended here, so they do not hold the close for the whole grace period.
        ui?.close();
        const grace = graceMs ?? general().shutdown_grace_seconds * 1000;
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, grace);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        for (const socket of sockets) if (socket[BUSY] === 0) socket.destroy();
      });
      return closed;
    },
  };
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return length !== undefined ? length !== "0" : req.headers["transfer-encoding"] !== undefined;
}

function fail(req: IncomingMessage, res: ServerResponse, err: unknown, scrub: (text: string) => string): void {
  if (err instanceof ClientGone) return;
  // A body left unread (401, 404, 413) is not drained for keep-alive: the connection closes instead.
  if (!req.complete && !res.headersSent && hasBody(req)) res.setHeader("connection", "close");
  let wire: WireError;
  try {
    wire = toWire(err, `${req.method} ${req.url}`, scrub);
  } catch {
    // An error that cannot even be read (a getter that throws): answered, never left to become an unhandled rejection.
    wire = { status: 500, type: "api_error", message: "internal server error: the error could not be read.", code: SERVER_ERROR_CODES.internal, param: null };
  }
  sendError(res, wire);
}
