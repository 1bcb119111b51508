/**
 * What every HTTP provider shares, imported with the first request to one of them:
 * one kept-alive undici pool per origin and the POST with its retries. What a
 * non-2xx answer or a failed request becomes is in http-failures.ts.
 *
 * No vendor SDK sits on this path: the runtime already owns the request body
 * (`complete_input_dict`), the errors and the retries, and with the official
 * `openai` client on fetch a proxied call cost the server ~910 µs of CPU, where
 * it costs ~260 µs now (README, Performance).
 */
import type { IncomingHttpHeaders } from "node:http";
import { Agent, type Dispatcher } from "undici";
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_STREAM_BYTES } from "../call/params.ts";
import { sleepUnless, type CallSignal } from "../call/signal.ts";
import { BodyStream } from "./body-stream.ts";
import { InvalidResponseError, type LiteLLMError } from "../errors.ts";
import { header, notOk, rateLimitName, scrubbed, transportError } from "./http-failures.ts";
import { SECRET_OPTIONS } from "./options.ts";
import type { ProviderRequest } from "./types.ts";

// An Agent keeps one kept-alive Pool per origin (a vendor, a proxy, a test fake): no new TLS handshake per call.
const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });

/** What an error message names: who failed, for which model, at which URL. */
export interface Where {
  provider: string;
  model: string;
  url: string;
  timeoutMs: number;
  hasKey: boolean;
  /** Says where the address came from, for "could not reach": `"api_base" (or OPENAI_BASE_URL)`. */
  baseHint: string;
  /** The request's own credentials (its key, its token): masked in any error text built from the answer. */
  secrets?: ReadonlyArray<string | undefined>;
}

export function whereOf(req: ProviderRequest, baseHint: string): Where {
  // A deployment's target serves call after call with the same URL, timeout and key (core/config/live.ts): its Where is made once.
  const known = knownWhere.get(req.target);
  const url = req.url ?? "";
  if (known !== undefined && known.url === url && known.timeoutMs === req.timeoutMs && known.apiKey === req.apiKey && known.baseHint === baseHint) return known.where;
  const where: Where = { provider: req.target.provider, model: req.target.model, url, timeoutMs: req.timeoutMs, hasKey: req.apiKey !== undefined, baseHint, secrets: secretsOf(req) };
  knownWhere.set(req.target, { url, timeoutMs: req.timeoutMs, apiKey: req.apiKey, baseHint, where });
  return where;
}

/** Each target's latest Where, with the request it was made for. */
const knownWhere = new WeakMap<ProviderRequest["target"], { url: string; timeoutMs: number; apiKey: string | undefined; baseHint: string; where: Where }>();

/** The key the request carries, and any credential among its options (an Azure token given beside a key). */
function secretsOf(req: ProviderRequest): Array<string | undefined> {
  const secrets = [req.apiKey];
  for (const name of SECRET_OPTIONS) {
    const value = req.target.options[name];
    if (typeof value === "string") secrets.push(value);
  }
  return secrets;
}

/** Turns a non-2xx answer into the provider's error class. */
export type StatusError = (status: number, text: string, headers: IncomingHttpHeaders) => LiteLLMError;

/**
 * An answer as the retries see it: a status, the headers (all of a non-2xx one; of a
 * 2xx only its rate-limit headers, `x-ratelimit-*`), and the text of a non-2xx (or whole) one.
 */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A whole answer: its status, headers (a 2xx's rate-limit headers only) and body text. */
export type Whole = Answer;

/** A 2xx answer whose body is read as it arrives. */
export interface Opened extends Answer {
  body: BodyStream;
}

/**
 * Sends until an answer can be returned: after up to `req.maxRetries` retries of what
 * may pass (no answer, 408, 409, 429, 5xx), waiting as the upstream asks (`retry-after-ms`,
 * `retry-after`) or 0.5 s doubling to 8 s, as the official clients do. A non-2xx that
 * is not retried throws `onStatus`'s error.
 */
async function withRetries<T extends Answer>(req: ProviderRequest, where: Where, signal: CallSignal | undefined, onStatus: StatusError, send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const left = req.maxRetries - attempt;
    let res: T;
    try {
      res = await send();
    } catch (err) {
      const failure = transportError(err, where, (err as { answered?: boolean }).answered === true, signal?.aborted === true);
      // An answer over its byte limit would be as large again: never retried.
      if (left > 0 && !signal?.aborted && !(failure instanceof InvalidResponseError)) {
        await sleepUnless(backoffMs(attempt, undefined), signal);
        continue;
      }
      throw scrubbed(failure, where);
    }
    if (res.status >= 200 && res.status < 300) return res;
    if (left > 0 && res.status >= 400 && mayRetry(res.status, res.headers) && !signal?.aborted) {
      await sleepUnless(backoffMs(attempt, res.headers), signal);
      continue;
    }
    throw notOk(res, where, onStatus);
  }
}

/**
 * One request and no retries (the default): the answer through a single promise
 * step, with what `withRetries` makes of a failure when none is left.
 */
function once<T extends Answer>(where: Where, signal: CallSignal | undefined, onStatus: StatusError, sent: Promise<T>): Promise<T> {
  return sent.then(
    (res) => checked(res, where, onStatus),
    (err: unknown) => {
      throw lastFailure(err, where, signal);
    },
  );
}

/** A 2xx answer as it is; any other, the provider's error for its status. */
function checked<T extends Answer>(res: T, where: Where, onStatus: StatusError): T {
  if (res.status >= 200 && res.status < 300) return res;
  throw notOk(res, where, onStatus);
}

/** A request that failed with no retry left: the provider's error for it, scrubbed of the request's credentials. */
function lastFailure(err: unknown, where: Where, signal: CallSignal | undefined): Error {
  return scrubbed(transportError(err, where, (err as { answered?: boolean }).answered === true, signal?.aborted === true), where);
}

/** What a 2xx whole answer is made into (its text parsed, say); it may throw, failing the request with that error. */
export type Reading<T> = (res: Whole) => T;

/** How `exchange` settles a request itself: its answer checked and read, its failure made the provider's error. */
interface Settle {
  ok(res: Whole): unknown;
  fail(err: unknown): unknown;
}

/**
 * POSTs `body` and reads the whole answer (JSON), with the retries; `read`, when given, makes a 2xx answer
 * into what the promise resolves with. With no retries (the default) the answer is checked and read in
 * undici's own callback: the request's promise is the caller's, with no promise step between them.
 */
export function postWhole(req: ProviderRequest, where: Where, body: string, signal: CallSignal | undefined, onStatus: StatusError): Promise<Whole>;
export function postWhole<T>(req: ProviderRequest, where: Where, body: string, signal: CallSignal | undefined, onStatus: StatusError, read: Reading<T>): Promise<T>;
export function postWhole<T>(req: ProviderRequest, where: Where, body: string, signal: CallSignal | undefined, onStatus: StatusError, read?: Reading<T>): Promise<T | Whole> {
  const limit = req.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (req.maxRetries > 0) {
    const answered = withRetries(req, where, signal, onStatus, () => exchange(where, req.headers, body, signal, false, limit) as Promise<Whole>);
    return read ? answered.then(read) : answered;
  }
  return exchange(where, req.headers, body, signal, false, limit, {
    ok: (res) => (read ? read(checked(res, where, onStatus)) : checked(res, where, onStatus)),
    fail: (err) => lastFailure(err, where, signal),
  }) as Promise<T | Whole>;
}

/** POSTs `body` and resolves at a 2xx's headers, its body to be read as it arrives (a stream), with the retries. */
export function postStream(req: ProviderRequest, where: Where, body: string, signal: CallSignal | undefined, onStatus: StatusError): Promise<Opened> {
  const limit = req.maxStreamBytes ?? DEFAULT_MAX_STREAM_BYTES;
  const send = () => exchange(where, req.headers, body, signal, true, limit) as Promise<Opened>;
  return req.maxRetries > 0 ? withRetries(req, where, signal, onStatus, send) : once(where, signal, onStatus, send());
}

const aborted = (): Error => new Error("aborted");

/**
 * One request. Resolves with the whole answer, or with `stream` and a 2xx, at its
 * headers with a BodyStream; a non-2xx is always read whole. A failure after the
 * headers carries `answered: true`.
 *
 * undici's own handler interface (onConnect ... onComplete), not `request()`: no
 * Readable per call, and of a 2xx's headers only the rate-limit ones are read (LiteLLM's `additional_headers`).
 * undici's timeouts are per phase: until the headers, then between body chunks.
 * Bytes are counted as they arrive: past `limit` the request is stopped, so an
 * endless or huge answer never holds more than `limit` in memory. With `after`, a whole answer
 * resolves with what `after.ok` makes of it (or rejects with what it throws), and a failure
 * rejects with what `after.fail` makes of it.
 */
function exchange(where: Where, headers: Record<string, string>, body: string, signal: CallSignal | undefined, stream: boolean, limit: number, after?: Settle): Promise<unknown> {
  const { url, timeoutMs } = where;
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => reject(after ? after.fail(err) : err);
    if (signal?.aborted) return fail(aborted());
    const chunks: Buffer[] = [];
    let received = 0;
    let status = 0;
    let raw: Buffer[] = [];
    let abort: ((err?: Error) => void) | undefined;
    let opened: BodyStream | undefined;
    const onAbort = () => abort?.(aborted());
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal?.removeEventListener("abort", onAbort);
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        abort = a;
        if (signal?.aborted) a(aborted());
      },
      onHeaders(statusCode, rawHeaders, resume) {
        if (statusCode < 200) return true; // 1xx: the answer is still to come
        status = statusCode;
        raw = rawHeaders;
        if (stream && statusCode < 300) {
          opened = new BodyStream(resume, (err) => abort?.(err));
          resolve({ status, headers: rateLimitHeaders(raw), text: "", body: opened });
        }
        return true;
      },
      onData(chunk) {
        received += chunk.length;
        if (received > limit) {
          abort?.(tooLarge(where, limit, stream));
          return false;
        }
        if (opened) return opened.push(chunk);
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        settle();
        if (opened) return opened.end();
        const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
        const res: Whole = { status, headers: status >= 200 && status < 300 ? rateLimitHeaders(raw) : headerObject(raw), text };
        if (!after) return resolve(res);
        let out: unknown;
        try {
          out = after.ok(res);
        } catch (err) {
          return reject(err);
        }
        resolve(out);
      },
      onError(err) {
        settle();
        if (opened) return opened.fail(err);
        if (status !== 0) (err as { answered?: boolean }).answered = true;
        fail(err);
      },
    };
    try {
      const [origin, path] = parts(url);
      agent.dispatch({ origin, path, method: "POST", headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, handler);
    } catch (err) {
      settle();
      fail(err);
    }
  });
}

const MIB = 1024 * 1024;

/** An answer over its byte limit: which limit, and the setting that raises it. */
function tooLarge(where: Where, limit: number, stream: boolean): InvalidResponseError {
  const [what, setting] = stream ? ["the stream", "max_stream_bytes"] : ["the answer", "max_response_bytes"];
  const size = limit % MIB === 0 ? `${limit} bytes, ${limit / MIB} MiB` : `${limit} bytes`;
  return new InvalidResponseError(
    `${where.provider}: ${what} from ${where.url} is larger than ${setting} (${size}); the request was stopped there. ` +
      `Raise litellm_settings.${setting} (litellm.${setting} in library use) if answers this large are expected.`,
    { llm_provider: where.provider, model: where.model },
  );
}

/** A 2xx's rate-limit headers: only names longer than `x-ratelimit-` and starting with `x` or `a` are read as text, the rest are skipped unread. */
function rateLimitHeaders(raw: Buffer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const first = name[0]! | 0x20;
    if (name.length <= 12 || (first !== 0x78 /* x */ && first !== 0x61) /* a */) continue;
    const key = rateLimitName(raw[i]!.toString("latin1").toLowerCase());
    if (key !== undefined && out[key] === undefined) out[key] = raw[i + 1]!.toString("latin1");
  }
  return out;
}

/** Raw header pairs as an object of lower-case names (a repeated one keeps its first value). */
function headerObject(raw: Buffer[]): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1").toLowerCase();
    if (out[name] === undefined) out[name] = raw[i + 1]!.toString("latin1");
  }
  return out;
}

// A URL's origin and path, cached: the same few upstreams are asked on every call.
const split = new Map<string, [string, string]>();
function parts(url: string): [string, string] {
  let p = split.get(url);
  if (p === undefined) {
    const u = new URL(url);
    p = [u.origin, `${u.pathname}${u.search}`];
    if (split.size >= 1024) split.clear();
    split.set(url, p);
  }
  return p;
}

function mayRetry(status: number, headers: IncomingHttpHeaders): boolean {
  const asked = header(headers, "x-should-retry");
  if (asked === "true") return true;
  if (asked === "false") return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** The wait before retry `attempt + 1`: what the upstream asked when it is under a minute, else 0.5 s doubling to 8 s, less up to a quarter of jitter. */
export function backoffMs(attempt: number, headers: IncomingHttpHeaders | undefined): number {
  if (headers) {
    const ms = Number(header(headers, "retry-after-ms"));
    if (Number.isFinite(ms) && ms >= 0 && ms < 60_000) return ms;
    const after = header(headers, "retry-after");
    if (after) {
      const s = Number(after);
      const wait = Number.isFinite(s) ? s * 1000 : Date.parse(after) - Date.now();
      if (Number.isFinite(wait) && wait >= 0 && wait < 60_000) return wait;
    }
  }
  return Math.min(500 * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}
