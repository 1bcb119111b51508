/**
 * The live page's static files: the package's `ui/` folder (the page, its
 * scripts and styles) and the libraries it uses, resolved from node_modules
 * at run time, so nothing is fetched from a CDN and nothing is built at
 * install. Each file is read, hashed and gzipped once, on first request.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { IncomingMessage, ServerResponse } from "node:http";

/** On every /ui response: the page runs only its own scripts and talks only to this server. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
});

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

/** The vendored libraries, by the name the page asks for: a package and its file. */
const VENDOR: Readonly<Record<string, readonly [pkg: string, file: string]>> = {
  "uPlot.iife.min.js": ["uplot", "dist/uPlot.iife.min.js"],
  "uPlot.min.css": ["uplot", "dist/uPlot.min.css"],
  // The ES module build: it imports nothing, so the page can import it as is.
  "eventsource-parser.js": ["eventsource-parser", "dist/index.js"],
};

/** The package's folder: found upward, as the source (core/server) and the build (dist/core/server) sit at different depths. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name === "litellm-runtime") return dir;
    } catch {
      // no package.json here: keep climbing
    }
    const up = dirname(dir);
    if (up === dir) return dirname(fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** The page's folder in the package. */
export const UI_DIR = join(packageRoot(), "ui");

interface Prepared {
  readonly type: string;
  readonly etag: string;
  readonly body: Buffer;
  readonly gzip: Buffer | null;
}

const require = createRequire(import.meta.url);

/** The file behind a path under `/ui/assets/`, or undefined when there is none (no `..` escapes the folder). */
function fileFor(dir: string, asset: string): string | undefined {
  if (asset.startsWith("vendor/")) {
    const v = VENDOR[asset.slice("vendor/".length)];
    if (!v) return undefined;
    try {
      return join(dirname(require.resolve(`${v[0]}/package.json`)), v[1]);
    } catch {
      return undefined;
    }
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(asset);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = resolve(dir, decoded);
  const rel = relative(dir, file);
  if (rel === "" || rel.startsWith("..") || rel.split(sep).includes("..")) return undefined;
  return file;
}

/** Serves the page's files from `dir`; a file is read once, then answered from memory. */
export class StaticFiles {
  private readonly cache = new Map<string, Promise<Prepared | undefined>>();

  constructor(readonly dir: string = UI_DIR) {}

  /** Answers `asset` (`index.html`, `app.js`, `vendor/uPlot.min.css`): true when it exists. */
  async serve(req: IncomingMessage, res: ServerResponse, asset: string): Promise<boolean> {
    const file = fileFor(this.dir, asset);
    if (!file) return false;
    let prepared = this.cache.get(file);
    if (!prepared) {
      prepared = prepare(file);
      this.cache.set(file, prepared);
      // A file that is not there now may be written later (the page during development): not remembered as missing.
      void prepared.then((p) => p ?? this.cache.delete(file));
    }
    const p = await prepared;
    if (!p) return false;
    const headers: Record<string, string | number> = { ...UI_SECURITY_HEADERS, "content-type": p.type, "cache-control": "no-cache", etag: p.etag, vary: "accept-encoding" };
    if (req.headers["if-none-match"] === p.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const gzip = p.gzip !== null && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? p.gzip! : p.body;
    if (gzip) headers["content-encoding"] = "gzip";
    headers["content-length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }
}

async function prepare(file: string): Promise<Prepared | undefined> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return undefined;
  }
  const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  // Text compresses; images and fonts already are.
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 256;
  return { type, etag, body, gzip: compressible ? gzipSync(body) : null };
}
