// A loopback Mixpanel ingestion server that checks /track bodies as strictly as Mixpanel's API reference describes them.
//
// Sources (docs.mixpanel.com/reference/track-event and import-events; openapi/src/ingestion.openapi.yaml in mixpanel/docs):
//   POST /track, Content-Type: application/json, body a JSON array (minItems 1) of {event, properties}, no other keys;
//   properties.token (string), properties.time (integer seconds or milliseconds since the epoch; /track takes the last
//   5 days only, and nothing more than 1 hour ahead), properties.distinct_id (string), properties.$insert_id (at most 36
//   bytes, alphanumerics or "-"); neither id may be one of Mixpanel's placeholder values (anon, null, 0, ...);
//   fewer than 255 properties, nested objects of fewer than 255 keys and at most 3 levels deep, arrays under 255
//   elements, an event under 1 MB. Answers: 200 with "1" (or {"status":1,"error":null} with ?verbose=1); a refusal
//   is "0" (or {"status":0,"error":"..."}). Deduplication is on (event, time, distinct_id, $insert_id).
// Batches: at most 50 events per request (the limit this project's issue sets; Mixpanel's page now says 2000).
import { fail, FailurePlan, listen, readBody, type Failure } from "./fake-collector.ts";

export type { Failure } from "./fake-collector.ts";

export interface MixpanelEvent {
  event: string;
  properties: Record<string, unknown> & { token: string; distinct_id: string; time: number; $insert_id: string };
}

export interface TrackRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received. */
  raw: string;
  /** The status answered (0 for a dropped connection). */
  status: number;
  /** The error text of a refusal. */
  error?: string;
}

export interface FakeMixpanel {
  /** The api_host to configure, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Every request, failed ones included, in order. */
  requests: TrackRequest[];
  /** Each event once: the first delivery of its (event, time, distinct_id, $insert_id). */
  accepted: MixpanelEvent[];
  /** Deliveries of an event already accepted (Mixpanel would deduplicate them). */
  duplicates: number;
  /** How many times each $insert_id was delivered in an accepted batch. */
  deliveries: Map<string, number>;
  failNext(...failures: Failure[]): void;
  failAlways(failure: Failure | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeMixpanelOptions {
  /** Refuse (401) events whose token differs. */
  token?: string;
  /** Most events per request. @default 50 */
  maxBatch?: number;
}

const PLACEHOLDER_IDS = new Set(["00000000-0000-0000-0000-000000000000", "anon", "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1", "true", "false", "[]", "{}"]);
const FIVE_DAYS_MS = 5 * 24 * 3600 * 1000;

/** Why a /track body would be refused, or its events. `now` is for the time window. */
export function checkTrackBody(raw: string, options: FakeMixpanelOptions = {}, now = Date.now()): { events: MixpanelEvent[] } | { error: string; status: number } {
  const bad = (error: string, status = 400) => ({ error, status });
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return bad("body is not valid JSON");
  }
  if (!Array.isArray(body)) return bad("body must be a JSON array of events");
  if (body.length === 0) return bad("body must hold at least one event");
  const max = options.maxBatch ?? 50;
  if (body.length > max) return bad(`${body.length} events in one request; at most ${max}`, 413);
  for (const [i, item] of body.entries()) {
    const at = `event ${i}`;
    if (!isObject(item)) return bad(`${at}: must be an object`);
    const extra = Object.keys(item).filter((k) => k !== "event" && k !== "properties");
    if (extra.length) return bad(`${at}: unexpected keys ${extra.join(", ")} (only event and properties)`);
    if (typeof item.event !== "string" || item.event === "") return bad(`${at}: "event" must be a non-empty string`);
    const p = item.properties;
    if (!isObject(p)) return bad(`${at}: "properties" must be an object`);
    if (typeof p.token !== "string" || p.token === "") return bad(`${at}: properties.token must be a non-empty string`);
    if (options.token !== undefined && p.token !== options.token) return bad(`${at}: invalid project token`, 401);
    if (typeof p.distinct_id !== "string") return bad(`${at}: properties.distinct_id must be a string`);
    if (PLACEHOLDER_IDS.has(p.distinct_id.toLowerCase())) return bad(`${at}: properties.distinct_id "${p.distinct_id}" is a disallowed placeholder`);
    if (typeof p.time !== "number" || !Number.isInteger(p.time)) return bad(`${at}: properties.time must be an integer (seconds or milliseconds since epoch)`);
    const ms = p.time < 1e11 ? p.time * 1000 : p.time;
    if (ms < now - FIVE_DAYS_MS || ms > now + 3600_000) return bad(`${at}: properties.time ${p.time} is outside /track's window (last 5 days, at most 1 hour ahead)`);
    const id = p.$insert_id;
    if (typeof id !== "string" || !/^[A-Za-z0-9-]+$/.test(id) || Buffer.byteLength(id) > 36) return bad(`${at}: properties.$insert_id must be 1-36 bytes of alphanumerics or "-"; found ${JSON.stringify(id)}`);
    if (PLACEHOLDER_IDS.has(id.toLowerCase())) return bad(`${at}: properties.$insert_id "${id}" is a disallowed placeholder`);
    if (Object.keys(p).length >= 255) return bad(`${at}: ${Object.keys(p).length} properties; must be fewer than 255`);
    for (const [key, value] of Object.entries(p)) {
      const problem = shapeProblem(value, 1);
      if (problem) return bad(`${at}: properties.${key} ${problem}`);
    }
    if (Buffer.byteLength(JSON.stringify(item)) >= 1_000_000) return bad(`${at}: larger than 1 MB`);
  }
  return { events: body as MixpanelEvent[] };
}

/** Nested objects: fewer than 255 keys, at most 3 levels; arrays: fewer than 255 elements. */
function shapeProblem(value: unknown, level: number): string | undefined {
  if (value === null || typeof value !== "object") return undefined;
  if (level > 3) return "nests deeper than 3 levels";
  const children = Array.isArray(value) ? value : Object.values(value);
  if (children.length >= 255) return Array.isArray(value) ? "has 255 or more elements" : "has 255 or more keys";
  for (const child of children) {
    const p = shapeProblem(child, level + 1);
    if (p) return p;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export async function startFakeMixpanel(options: FakeMixpanelOptions = {}): Promise<FakeMixpanel> {
  const plan = new FailurePlan();
  const keys = new Set<string>();
  const state: Pick<FakeMixpanel, "requests" | "accepted" | "duplicates" | "deliveries"> = { requests: [], accepted: [], duplicates: 0, deliveries: new Map() };

  const { port, close } = await listen(async (req, res) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://x");
    const query = Object.fromEntries(url.searchParams);
    const verbose = query.verbose === "1";
    const record: TrackRequest = { method: req.method ?? "", path: url.pathname, query, headers: req.headers, raw, status: 0 };
    state.requests.push(record);
    const answer = (status: number, error?: string) => {
      record.status = status;
      if (error !== undefined) record.error = error;
      const text = verbose ? JSON.stringify({ status: error === undefined ? 1 : 0, error: error ?? null }) : error === undefined ? "1" : "0";
      res.writeHead(status, { "content-type": verbose ? "application/json" : "text/plain", "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
    };
    if (req.method !== "POST") return answer(405, `${req.method} not allowed: POST /track`);
    if (url.pathname !== "/track") return answer(404, `no endpoint ${url.pathname}`);
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return answer(415, "Content-Type must be application/json");
    const failure = plan.take();
    if (failure) {
      record.status = "drop" in failure ? 0 : failure.status;
      return fail(res, failure, () => JSON.stringify({ status: 0, error: "injected failure" }));
    }
    const checked = checkTrackBody(raw, options);
    if ("error" in checked) return answer(checked.status, checked.error);
    for (const e of checked.events) {
      const p = e.properties;
      state.deliveries.set(p.$insert_id, (state.deliveries.get(p.$insert_id) ?? 0) + 1);
      const key = `${e.event}\u0000${p.time}\u0000${p.distinct_id}\u0000${p.$insert_id}`;
      if (keys.has(key)) state.duplicates++;
      else {
        keys.add(key);
        state.accepted.push(e);
      }
    }
    answer(200);
  });

  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    failNext: (...f: Failure[]) => plan.failNext(...f),
    failAlways: (f: Failure | undefined) => plan.failAlways(f),
    reset: () => {
      plan.reset();
      keys.clear();
      state.requests.length = 0;
      state.accepted.length = 0;
      state.duplicates = 0;
      state.deliveries.clear();
    },
    close,
  });
}
