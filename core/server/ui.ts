/**
 * The live page's routes (`GET /ui`, core/ui/types.ts): the page and its
 * assets (no key: they hold no data), and under `/ui/api/` the calls as
 * server-sent events, one call in full, and the plumbing's health (the master
 * key, as the model routes). The calls come from the `ui` built-in, which the
 * server adds to the process-wide `callbacks` list while it serves the page:
 * each runtime's chains resolve the name with their own config, so a config
 * that names `ui` as well gets one handler, and its ring, not two.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Runtime } from "../config/runtime.ts";
import { ConfigError, formatIssue, SERVER_ERROR_CODES } from "../errors.ts";
import { globalScope } from "../globals.ts";
import { clusterState, shareHealth } from "../cluster/ui-state.ts";
import { gather, onCollect, onSharedRow, shareRow, valuesOf } from "../cluster/worker.ts";
import { Fanout, frame } from "../ui/fanout.ts";
import { RemoteRows } from "../ui/remote-rows.ts";
import { uiHostOf } from "../ui/hosts.ts";
import { ringOf, type CallRing } from "../ui/ring.ts";
import { uiSettings } from "../ui/settings.ts";
import { configState, plumbingState, processHealth } from "../ui/state.ts";
import type { ReloadEvent, SnapshotEvent } from "../ui/types.ts";
import { checkBearer } from "./auth.ts";
import type { ServerContext } from "./calls.ts";
import { HttpError } from "./errors.ts";
import { sendJSON } from "./reply.ts";
import { StaticFiles, UI_SECURITY_HEADERS } from "./ui-static.ts";

/** `startServer`'s `ui` option in its object form. */
export interface UiOptions {
  /** The folder the page's files are served from. @default the package's `ui/` */
  dir?: string;
}

const BUILTIN = "ui";
/** Servers with the page, process-wide: the built-in leaves the process-wide list with the last of them. */
let serving = 0;

function addBuiltin(): void {
  if (serving++ > 0) return;
  const list = globalScope.getList("callbacks");
  if (!list.includes(BUILTIN)) list.push(BUILTIN);
}

function removeBuiltin(): void {
  if (--serving > 0) return;
  const list = globalScope.getList("callbacks");
  const at = list.indexOf(BUILTIN);
  if (at >= 0) list.splice(at, 1);
}

/** The failed reload, as `serve` prints it: one `file:line:col: message` line per problem. */
function reloadText(err: unknown): string {
  if (err instanceof ConfigError && err.issues.length > 0) return err.issues.map((i) => formatIssue(i)).join("\n");
  return err instanceof Error ? err.message : String(err);
}

const notFound = (path: string) => new HttpError(404, `unknown route GET ${path}: the live page is at GET /ui.`, "invalid_request_error", SERVER_ERROR_CODES.routeNotFound);

/** The live page of one server. */
export class UiServer {
  readonly ring: CallRing;
  readonly fanout: Fanout;
  private readonly files: StaticFiles;
  private lastReloadError: string | null = null;
  /** Rows of the other workers under `serve --num_workers N`; null outside a cluster. */
  private remote: RemoteRows | null = null;
  private readonly stop: Array<() => void> = [];

  constructor(
    private readonly runtime: Runtime,
    options: UiOptions = {},
  ) {
    this.files = new StaticFiles(options.dir);
    this.ring = ringOf(runtime.builtinOwner);
    this.ring.resize(this.settings().max_events);
    this.fanout = new Fanout(() => this.settings().max_client_buffer);
    this.stop.push(this.ring.subscribe((row) => this.fanout.publish(frame("call", row))));
    const onReload = () => {
      this.lastReloadError = null;
      this.ring.resize(this.settings().max_events);
      this.remote?.resize(this.settings().max_events);
      this.ensureBuiltin();
      this.reloaded(true, null);
    };
    const onReloadError = (err: unknown) => {
      this.lastReloadError = reloadText(err);
      // Listening must not silence the runtime's own report, which it prints only when nobody listens.
      if (runtime.listenerCount("reload_error") === 1) process.stderr.write(`litellm-runtime: reload failed, the previous config keeps serving:\n${err instanceof Error ? err.message : String(err)}\n`);
      this.reloaded(false, this.lastReloadError);
    };
    runtime.on("reload", onReload);
    runtime.on("reload_error", onReloadError);
    this.stop.push(() => runtime.off("reload", onReload), () => runtime.off("reload_error", onReloadError));
    addBuiltin();
    this.stop.push(removeBuiltin);
    this.ensureBuiltin();
    uiServers.set(runtime, this);
  }

  private settings() {
    return uiSettings(this.runtime.config);
  }

  /** The current config's `ui` built-in, made now rather than at the first call: the health tab reads its host. */
  private ensureBuiltin(): void {
    this.runtime.tracers();
  }

  private reloaded(ok: boolean, error: string | null): void {
    const event: ReloadEvent = { ok, version: this.runtime.configVersion, loaded_at: this.runtime.loadedAt.toISOString(), error: error === null ? null : this.runtime.scrub(error) };
    this.fanout.publish(frame("reload", event));
  }

  /** Answers a path under `/ui`. */
  async dispatch(req: IncomingMessage, res: ServerResponse, ctx: ServerContext, path: string): Promise<void> {
    for (const name in UI_SECURITY_HEADERS) res.setHeader(name, UI_SECURITY_HEADERS[name]!);
    if (!this.settings().enabled) throw notFound(path);
    if (req.method !== "GET" && req.method !== "HEAD") {
      throw new HttpError(405, `${req.method} is not allowed on ${path}: use GET.`, "invalid_request_error", SERVER_ERROR_CODES.methodNotAllowed, null, { allow: "GET" });
    }
    if (path === "/ui" || path === "/ui/") return this.asset(req, res, "index.html", path);
    if (path.startsWith("/ui/assets/")) return this.asset(req, res, path.slice("/ui/assets/".length), path);
    if (!path.startsWith("/ui/api/")) throw notFound(path);
    const key = ctx.masterKey();
    if (typeof key === "string") checkBearer(req.headers.authorization, key);
    if (path === "/ui/api/events") return this.events(res);
    if (path === "/ui/api/state") {
      const state = this.remote
        ? await clusterState(configState(this.runtime, this.lastReloadError), this.ownHealth)
        : await plumbingState(this.runtime, uiHostOf(this.runtime.builtinOwner), this.lastReloadError);
      return sendJSON(res, 200, JSON.stringify(state), { "cache-control": "no-store" });
    }
    if (path.startsWith("/ui/api/calls/")) {
      let id: string;
      try {
        id = decodeURIComponent(path.slice("/ui/api/calls/".length));
      } catch {
        throw notFound(path);
      }
      const detail = this.ring.detailJson(id) ?? (this.remote ? await this.peerDetail(id) : undefined);
      if (detail === undefined) throw new HttpError(404, `no call ${JSON.stringify(id)} in the live page's buffer (it keeps the last ${this.ring.maxEvents} calls).`, "invalid_request_error", SERVER_ERROR_CODES.routeNotFound);
      return sendJSON(res, 200, detail, { "cache-control": "no-store" });
    }
    throw notFound(path);
  }

  private async asset(req: IncomingMessage, res: ServerResponse, asset: string, path: string): Promise<void> {
    if (!(await this.files.serve(req, res, asset))) throw notFound(path);
  }

  private events(res: ServerResponse): void {
    const rt = this.runtime;
    const own = this.ring.rows();
    const snapshot: SnapshotEvent = { calls: this.remote ? this.remote.merged(own) : own, config: { version: rt.configVersion, loaded_at: rt.loadedAt.toISOString() }, max_events: this.ring.maxEvents };
    this.fanout.open(res, frame("snapshot", snapshot));
  }

  /** This worker's part of a cluster's health tab. */
  private readonly ownHealth = async () => ({ ...(await processHealth(this.runtime, uiHostOf(this.runtime.builtinOwner))), config_version: this.runtime.configVersion });

  /**
   * Under `serve --num_workers N`: this worker's rows go to the other workers'
   * pages and theirs come to this one's; a call another worker holds is
   * fetched from it through the primary, and the health tab gathers every
   * worker's counts (core/cluster/ui-state.ts). Returns the stop.
   */
  joinCluster(): () => void {
    this.remote = new RemoteRows(this.settings().max_events);
    const remote = this.remote;
    const stops = [
      this.ring.subscribe((row) => shareRow(row)),
      onSharedRow((row) => {
        remote.add(row);
        this.fanout.publish(frame("call", row));
      }),
      onCollect("ui-detail", (id) => (typeof id === "string" ? (this.ring.detailJson(id) ?? null) : null)),
      shareHealth(this.ownHealth),
    ];
    this.stop.push(...stops);
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** A call's detail from whichever worker holds it. */
  private async peerDetail(id: string): Promise<string | undefined> {
    return valuesOf(await gather("ui-detail", id)).find((v): v is string => typeof v === "string");
  }

  /** Ends the page's streams and lets go of the runtime's events (the ring stays: another server may read it). */
  close(): void {
    if (uiServers.get(this.runtime) === this) uiServers.delete(this.runtime);
    for (const stop of this.stop.splice(0)) stop();
    this.fanout.closeAll();
  }
}

const uiServers = new WeakMap<Runtime, UiServer>();

/** The live page serving `runtime`, if a server has one (for tests: its open streams' queues). */
export function uiServerOf(runtime: Runtime): UiServer | undefined {
  return uiServers.get(runtime);
}
