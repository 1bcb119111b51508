/**
 * The one serialiser of logging records: JSON that never throws, whatever a
 * record carries. Depth is bounded (a deeper value becomes a marker), cycles
 * are cut, a BigInt is written as its decimal string, a value that throws when
 * read (a getter, `toJSON`, a revoked Proxy) becomes a marker, and a record
 * over `max_record_bytes` has its largest fields replaced by a marker with
 * their size, keeping its ids, status and cost. Every built-in that writes or
 * sends a record (console, file, webhook, mixpanel) goes through here.
 */

/** Nesting levels kept; a value below them is written as DEPTH_MARKER. */
export const MAX_DEPTH = 32;
/** `litellm_settings.max_record_bytes`'s default: 1 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576;
export const DEPTH_MARKER = `[truncated: deeper than ${MAX_DEPTH}]`;
export const CIRCULAR_MARKER = "[Circular]";
export const UNREADABLE_MARKER = "[unserialisable: reading this value threw]";

/** How a scope writes its records: the size bound and the scrubber of its secrets. */
export interface RecordPolicy {
  /** Bytes one serialised record may take. @default 1048576 */
  readonly maxBytes: number;
  /** Masks the scope's secrets in the serialised text. */
  readonly scrub: (text: string) => string;
}

export const DEFAULT_RECORD_POLICY: RecordPolicy = Object.freeze({ maxBytes: DEFAULT_MAX_RECORD_BYTES, scrub: (text: string) => text });

/**
 * JSON.stringify's output for `value`, bounded: never throws, never recurses
 * deeper than `maxDepth`. Object keys keep their order (records are not hashed).
 */
export function boundedJson(value: unknown, maxDepth = MAX_DEPTH): string {
  try {
    return encode(value, 0, maxDepth, []) ?? "null";
  } catch {
    return JSON.stringify(UNREADABLE_MARKER);
  }
}

/** `stack`: the objects being encoded above this one, to cut cycles (shallow by construction: at most maxDepth). */
function encode(value: unknown, depth: number, maxDepth: number, stack: object[]): string | undefined {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return `"${value.toString()}"`;
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  if (depth >= maxDepth) return JSON.stringify(DEPTH_MARKER);
  const obj = value as object;
  if (stack.includes(obj)) return JSON.stringify(CIRCULAR_MARKER);
  try {
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      const replaced: unknown = toJSON.call(obj);
      // A Date's toJSON gives a string; an object's own toJSON may give another object, encoded at the same depth.
      if (replaced !== obj) return encode(replaced, depth, maxDepth, stack);
    }
    stack.push(obj);
    let out: string;
    if (Array.isArray(obj)) {
      out = "[";
      for (let i = 0; i < obj.length; i++) out += (i === 0 ? "" : ",") + (encode(obj[i], depth + 1, maxDepth, stack) ?? "null");
      out += "]";
    } else {
      out = "{";
      const record = obj as Record<string, unknown>;
      for (const k of Object.keys(record)) {
        const encoded = encode(record[k], depth + 1, maxDepth, stack);
        if (encoded !== undefined) out += (out.length === 1 ? "" : ",") + JSON.stringify(k) + ":" + encoded;
      }
      out += "}";
    }
    stack.pop();
    return out;
  } catch {
    // A getter or toJSON that throws, a revoked Proxy: this value is lost, not the record.
    const at = stack.indexOf(obj);
    if (at >= 0) stack.length = at;
    return JSON.stringify(UNREADABLE_MARKER);
  }
}

/** The marker of a field dropped for size; says how big it was. */
export function sizeMarker(bytes: number, maxBytes: number): string {
  return `[truncated: ${bytes} bytes, over max_record_bytes ${maxBytes}]`;
}

/** Fields that say which call a record is: never dropped for size, and kept in a serialization_error record. */
const IDENTITY = ["id", "trace_id", "call_type", "status", "model", "model_group", "custom_llm_provider", "response_cost", "cache_hit", "startTime", "endTime"];

/** UTF-8 bytes of a JSON text; skips the count when even three bytes a character fit. */
function bytesOf(text: string, maxBytes: number): number {
  return text.length * 3 <= maxBytes ? text.length : Buffer.byteLength(text);
}

/**
 * One record as a JSON text, within the policy: bounded depth, then the
 * largest top-level fields replaced by a size marker until it fits, then the
 * scope's secrets masked. Never throws: a record that still cannot be written
 * comes back as its identity fields plus `serialization_error`.
 */
export function recordJson(record: unknown, policy: RecordPolicy = DEFAULT_RECORD_POLICY): string {
  try {
    return policy.scrub(fitted(record, policy.maxBytes));
  } catch (err) {
    return fallbackRecord(record, err, policy);
  }
}

function fitted(record: unknown, maxBytes: number): string {
  if (record === null || typeof record !== "object" || Array.isArray(record)) return boundedJson(record);
  const fields: Array<{ key: string; json: string; bytes: number }> = [];
  let total = 2;
  for (const key of Object.keys(record)) {
    let v: unknown;
    try {
      v = (record as Record<string, unknown>)[key];
    } catch {
      v = UNREADABLE_MARKER;
    }
    const json = encode(v, 1, MAX_DEPTH, [record]);
    if (json === undefined) continue;
    const bytes = bytesOf(json, maxBytes) + bytesOf(key, maxBytes) + 4;
    fields.push({ key, json, bytes });
    total += bytes;
  }
  if (total > maxBytes) {
    // Largest first: messages and response go before anything that names the call.
    const order = fields.filter((f) => !IDENTITY.includes(f.key)).sort((a, b) => b.bytes - a.bytes);
    for (const f of order) {
      if (total <= maxBytes) break;
      const marker = JSON.stringify(sizeMarker(f.bytes, maxBytes));
      total -= f.bytes - (marker.length + f.key.length + 4);
      f.json = marker;
    }
    if (total > maxBytes) throw new Error(`the record is still ${total} bytes with every large field truncated (max_record_bytes ${maxBytes})`);
  }
  let out = "{";
  for (const f of fields) out += (out.length === 1 ? "" : ",") + JSON.stringify(f.key) + ":" + f.json;
  return `${out}}`;
}

/** The record's identity and why it could not be written: the call is still in the log. */
function fallbackRecord(record: unknown, err: unknown, policy: RecordPolicy): string {
  const out: Record<string, unknown> = {};
  for (const key of IDENTITY) {
    try {
      const v = (record as Record<string, unknown> | null)?.[key];
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[key] = v;
    } catch {
      // An unreadable identity field is left out.
    }
  }
  let reason = "the record could not be serialised";
  try {
    if (err instanceof Error && typeof err.message === "string") reason = err.message;
  } catch {
    // A message getter that throws keeps the generic reason.
  }
  out.serialization_error = reason;
  const text = JSON.stringify(out);
  try {
    return policy.scrub(text);
  } catch {
    return text;
  }
}
