import { hash } from "node:crypto";
import { NOT_KEYED } from "../call/param-registry.ts";
import type { KeyParts } from "./types.ts";

/**
 * The cache key: SHA-256 of a canonical encoding of what changes the answer.
 * Two requests that differ only in key order, in per-call plumbing (metadata,
 * user, stream, timeouts, keys, callbacks, cache controls) share a key; a call's
 * own `api_base` or `mock_response` changes the answer, so it changes the key.
 */

/** Parameters left out of the key: they change how a call runs or is logged, not the answer (the parameter registry's `keyed: false` rows). */
export const KEY_IGNORED_PARAMS: ReadonlySet<string> = NOT_KEYED;

/** Deepest nesting a key encodes (the records' bound too); a deeper request is not cached. */
export const KEY_MAX_DEPTH = 32;
/** Longest canonical text a key is made from (32 MiB); a bigger request is not cached. */
export const KEY_MAX_CHARS = 32 * 1024 * 1024;

/** A request too deep or too big to key: the call goes on as a cache miss, and is not stored. */
export class UnkeyableRequest extends Error {
  override name = "UnkeyableRequest";
}

/** Bumped when the encoding changes, so entries written by an older runtime are never read as ours. */
const KEY_VERSION = 1;

/**
 * `[<namespace>:]litellm:<sha256 hex>`. `kind` is hashed in, so a chat call and
 * an embedding never share a key; the namespace keeps apps on one Redis apart.
 */
export function cacheKey(parts: KeyParts, namespace?: string): string {
  const params: Record<string, unknown> = {};
  for (const name of Object.keys(parts.params)) {
    if (!KEY_IGNORED_PARAMS.has(name)) params[name] = parts.params[name];
  }
  const doc = { v: KEY_VERSION, kind: parts.kind, model: parts.model, messages: parts.messages, input: parts.input, params };
  // crypto.hash: the one-shot form, about twice as fast as createHash for inputs this small.
  const digest = hash("sha256", canonical(doc), "hex");
  return namespace ? `${namespace}:litellm:${digest}` : `litellm:${digest}`;
}

/**
 * JSON with object keys sorted at every depth: the same value always gives the
 * same string. Like JSON.stringify, `undefined` (and functions, symbols) are
 * dropped from objects and become null in arrays, non-finite numbers are null,
 * and `toJSON` is honoured. A cycle is written as "[Circular]" and a BigInt
 * as its decimal string with an `n`. Bounded: nesting past KEY_MAX_DEPTH or
 * text past KEY_MAX_CHARS throws UnkeyableRequest (never a stack overflow).
 */
export function canonical(value: unknown): string {
  return encode(value, []) ?? "null";
}

/** `stack`: the objects being encoded above this one (a cycle check; request documents are shallow, so an array beats a Set). */
function encode(value: unknown, stack: object[]): string | undefined {
  switch (typeof value) {
    case "string":
      if (value.length > KEY_MAX_CHARS) throw new UnkeyableRequest(`a string of ${value.length} characters is over the cache key's ${KEY_MAX_CHARS}`);
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(`${value}n`);
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  const obj = value as object;
  if (typeof (obj as { toJSON?: unknown }).toJSON === "function") {
    try {
      return encode((obj as { toJSON(): unknown }).toJSON(), stack);
    } catch {
      return "null";
    }
  }
  if (stack.includes(obj)) return '"[Circular]"';
  if (stack.length >= KEY_MAX_DEPTH) throw new UnkeyableRequest(`the request is nested deeper than ${KEY_MAX_DEPTH} levels`);
  stack.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = "[";
    for (let i = 0; i < obj.length; i++) out += (i === 0 ? "" : ",") + (encode(obj[i], stack) ?? "null");
    out += "]";
  } else {
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length > 1) keys.sort();
    out = "{";
    for (const k of keys) {
      const encoded = encode(record[k], stack);
      if (encoded !== undefined) out += (out.length === 1 ? "" : ",") + JSON.stringify(k) + ":" + encoded;
    }
    out += "}";
  }
  if (out.length > KEY_MAX_CHARS) throw new UnkeyableRequest(`the request is over the cache key's ${KEY_MAX_CHARS} characters`);
  stack.pop();
  return out;
}
