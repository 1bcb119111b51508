import { createHash } from "node:crypto";
import { registerReadOnlyBuiltin, type BuiltinContext } from "../core/callbacks/builtins.ts";
import { boundedJson, DEFAULT_MAX_RECORD_BYTES, DEFAULT_RECORD_POLICY, sizeMarker, type RecordPolicy } from "../core/callbacks/safe-json.ts";
import { InvalidCallbackError } from "../core/errors.ts";
import type { CallbackKwargs, StandardLoggingObject } from "../core/types.ts";
import { DeliveringLogger } from "./delivering-logger.ts";

/**
 * The `mixpanel` built-in: one Mixpanel event per successful or failed call,
 * sent to Mixpanel's ingestion API (`POST {api_host}/track`, a JSON array of
 * `{event, properties}`) in batches of at most 50, retried with backoff.
 *
 * Each event carries `token`, `distinct_id`, `time` (the call's end, integer
 * milliseconds since the epoch: /track takes seconds or milliseconds) and an
 * `$insert_id` derived from the call id and status, so a retried batch is
 * deduplicated by Mixpanel rather than counted twice. Messages and responses
 * are never sent: Mixpanel is for counting and slicing, not for transcripts.
 * Besides the record, an event carries two things of the call the record
 * (LiteLLM's) leaves out: its `user` and its `metadata`, to slice by.
 */

export const MIXPANEL_MAX_BATCH = 50;

/** The options as resolved once: defaults ← MIXPANEL_TOKEN ← `callback_settings.mixpanel`. */
export interface MixpanelOptions {
  readonly token: string;
  /** @default "https://api.mixpanel.com" (https://api-eu.mixpanel.com for EU residency) */
  readonly api_host: string;
  /** @default "LLM Response" */
  readonly event_name: string;
  /** For calls with no `user` (nor end user, nor `metadata.user_id`). Default: the call id. */
  readonly distinct_id: string | undefined;
  /** @default 50 (Mixpanel's limit per /track request) */
  readonly batch_size: number;
  /** Milliseconds. @default 1000 */
  readonly flush_interval: number;
  /** @default 3 */
  readonly max_retries: number;
}

export interface MixpanelEvent {
  event: string;
  properties: Record<string, unknown>;
}

/** What one call sends: its record, and the call's `user` and `metadata` (the caller's, which the record does not copy). */
export interface MixpanelItem {
  readonly record: StandardLoggingObject;
  readonly user: string | null;
  readonly metadata: Record<string, unknown> | null;
}

export function resolveMixpanelOptions(options: Record<string, unknown>, env: Readonly<Record<string, string | undefined>> = process.env): MixpanelOptions {
  const token = options.token ?? env.MIXPANEL_TOKEN;
  if (typeof token !== "string" || token.trim() === "") {
    throw new InvalidCallbackError(
      "mixpanel: no project token. Set callback_settings.mixpanel.token in the config (e.g. token: os.environ/MIXPANEL_TOKEN), or the MIXPANEL_TOKEN environment variable.",
      { option: "token", example: "process.env.MIXPANEL_TOKEN" },
    );
  }
  const apiHost = str(options, "api_host", "https://api.mixpanel.com");
  if (!/^https?:\/\//.test(apiHost)) throw new InvalidCallbackError(`mixpanel: api_host must start with https:// or http://; found "${apiHost}".`);
  const distinct = options.distinct_id === undefined ? undefined : str(options, "distinct_id", "");
  return Object.freeze({
    token,
    api_host: apiHost.replace(/\/+$/, ""),
    event_name: str(options, "event_name", "LLM Response"),
    distinct_id: distinct && validDistinctId(distinct) ? distinct : undefined,
    batch_size: int(options, "batch_size", MIXPANEL_MAX_BATCH, 1, MIXPANEL_MAX_BATCH),
    flush_interval: int(options, "flush_interval", 1000, 1),
    max_retries: int(options, "max_retries", 3, 0),
  });
}

/** Values Mixpanel refuses as distinct_id or $insert_id (its ingestion API reference lists them). */
const INVALID_IDS = new Set(["00000000-0000-0000-0000-000000000000", "anon", "anonymous", "nil", "none", "null", "n/a", "na", "undefined", "unknown", "<nil>", "0", "-1", "true", "false", "[]", "{}"]);

function validDistinctId(id: string): boolean {
  return id.trim() !== "" && !INVALID_IDS.has(id.trim().toLowerCase());
}

/** Mixpanel's $insert_id: at most 36 alphanumerics or "-". A hash of call id and status: the same on every retry, distinct per event. */
export function insertId(call: { id: string; status: string }): string {
  return createHash("sha256").update(`${call.id}\u0000${call.status}`).digest("hex").slice(0, 32);
}

/** The call's id: the record's `litellm_call_id` (its `id` is the response's). */
const callId = (slo: StandardLoggingObject): string => slo.litellm_call_id ?? slo.id;

/** One call as a Mixpanel event: the record's own field names, so a property means the same as in every other built-in. */
export function toMixpanelEvent(item: MixpanelItem, o: MixpanelOptions, maxBytes = DEFAULT_MAX_RECORD_BYTES): MixpanelEvent {
  const slo = item.record;
  const metadata = item.metadata && typeof item.metadata === "object" ? item.metadata : {};
  const userId = typeof metadata.user_id === "string" ? metadata.user_id : undefined;
  const distinct = [item.user ?? undefined, slo.end_user ?? undefined, userId, o.distinct_id].find((v): v is string => typeof v === "string" && validDistinctId(v)) ?? callId(slo);
  const err = slo.status === "failure" ? slo.error_information : null;
  const properties: Record<string, unknown> = {
    token: o.token,
    distinct_id: distinct,
    time: Math.round((slo.endTime || Date.now() / 1000) * 1000),
    $insert_id: insertId({ id: callId(slo), status: slo.status }),
    litellm_call_id: callId(slo),
    trace_id: slo.trace_id,
    status: slo.status,
    call_type: slo.call_type,
    stream: slo.stream,
    stream_aborted: slo.stream_aborted === true,
    model: slo.model,
    model_group: slo.model_group,
    custom_llm_provider: slo.custom_llm_provider,
    prompt_tokens: slo.prompt_tokens,
    completion_tokens: slo.completion_tokens,
    total_tokens: slo.total_tokens,
    response_cost: slo.response_cost,
    cache_hit: slo.cache_hit,
    response_time: slo.response_time,
    user: item.user,
    end_user: slo.end_user,
    metadata: fitSize(metadata, maxBytes),
  };
  if (err) {
    properties.error_class = err.error_class;
    properties.error_code = err.error_code;
    properties.error_message = err.error_message.slice(0, 255);
  }
  return { event: o.event_name, properties };
}

/**
 * Shapes a value to Mixpanel's limits on object properties: nesting depth 3,
 * fewer than 255 keys per object and 255 elements per array. Deeper values
 * are sent as JSON text rather than refused with the whole batch.
 */
function fit(value: unknown, level: number): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  if (level > 3) return boundedJson(value);
  if (Array.isArray(value)) return value.slice(0, 254).map((v) => fit(v, level + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).slice(0, 254)) out[key] = fit((value as Record<string, unknown>)[key], level + 1);
  return out;
}

/** Metadata within max_record_bytes, else a marker with its size: the event still counts the call. */
function fitSize(metadata: object, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(boundedJson(metadata));
  return bytes > maxBytes ? sizeMarker(bytes, maxBytes) : fit(metadata, 1);
}

/**
 * One event's JSON, on its own: an event that cannot be built or written is
 * sent with what identifies the call and `serialization_error`, and never
 * costs the other events of its batch.
 */
export function mixpanelEventJson(item: MixpanelItem, o: MixpanelOptions, policy: RecordPolicy = DEFAULT_RECORD_POLICY): string {
  try {
    return policy.scrub(boundedJson(toMixpanelEvent(item, o, policy.maxBytes)));
  } catch (err) {
    const slo = item.record;
    const read = (k: keyof StandardLoggingObject): unknown => {
      try {
        const v = slo[k];
        return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : null;
      } catch {
        return null;
      }
    };
    const id = typeof read("litellm_call_id") === "string" ? (read("litellm_call_id") as string) : typeof read("id") === "string" ? (read("id") as string) : "unknown";
    const status = typeof read("status") === "string" ? (read("status") as string) : "unknown";
    const properties = {
      token: o.token,
      distinct_id: id,
      time: Date.now(),
      $insert_id: insertId({ id, status }),
      litellm_call_id: id,
      status,
      model: read("model"),
      response_cost: read("response_cost"),
      serialization_error: reasonOf(err),
    };
    return JSON.stringify({ event: o.event_name, properties });
  }
}

function reasonOf(err: unknown): string {
  try {
    if (err instanceof Error && typeof err.message === "string") return err.message;
  } catch {
    // A message getter that throws: the generic reason.
  }
  return "the event could not be serialised";
}

/** Mixpanel answers 200 with `1` (or `{"status":1}` with verbose=1) when it took the batch, `0` / `{"status":0,"error":...}` when it did not. */
function refusal(body: string): string | undefined {
  const text = body.trim();
  if (text === "1") return undefined;
  if (text === "0") return "Mixpanel answered 0: no valid event in the batch";
  try {
    const parsed = JSON.parse(text) as { status?: unknown; error?: unknown };
    if (parsed.status === 0) return `Mixpanel: ${String(parsed.error ?? "the batch was refused")}`;
  } catch {
    // Not Mixpanel's JSON: a 2xx from a proxy in front of it counts as taken.
  }
  return undefined;
}

export class MixpanelLogger extends DeliveringLogger<MixpanelItem> {
  readonly settings: MixpanelOptions;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    const o = resolveMixpanelOptions(options, context?.env);
    const policy = context?.records ?? DEFAULT_RECORD_POLICY;
    super(options, {
      name: "mixpanel",
      // ip=0: the server's address is not the user's; verbose=1: a refusal comes with Mixpanel's reason.
      url: `${o.api_host}/track?ip=0&verbose=1`,
      batchSize: o.batch_size,
      flushIntervalMs: o.flush_interval,
      maxRetries: o.max_retries,
      // Event by event: one that cannot be written whole never loses its batch.
      encode: (batch) => `[${batch.map((item) => mixpanelEventJson(item, o, policy)).join(",")}]`,
      rejects: refusal,
    });
    this.settings = o;
  }

  protected override item(kwargs: CallbackKwargs, record: StandardLoggingObject): MixpanelItem {
    const metadata = kwargs.litellm_params?.metadata;
    return { record, user: typeof kwargs.user === "string" ? kwargs.user : null, metadata: metadata && typeof metadata === "object" ? metadata : null };
  }
}

function str(options: Record<string, unknown>, key: string, fallback: string): string {
  const v = options[key] ?? fallback;
  if (typeof v !== "string" || v === "") throw new InvalidCallbackError(`mixpanel: ${key} must be a non-empty string; found ${JSON.stringify(v)}.`);
  return v;
}

function int(options: Record<string, unknown>, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidCallbackError(`mixpanel: ${key} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : " up"}; found ${JSON.stringify(v)}.`);
  }
  return v;
}

registerReadOnlyBuiltin("mixpanel", (options, context) => new MixpanelLogger(options, context));
