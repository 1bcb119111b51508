import { registerReadOnlyBuiltin, type BuiltinContext } from "../core/callbacks/builtins.ts";
import { DEFAULT_RECORD_POLICY, recordJson } from "../core/callbacks/safe-json.ts";
import { InvalidCallbackError } from "../core/errors.ts";
import { DeliveringLogger } from "./delivering-logger.ts";

/**
 * The `webhook` built-in (LiteLLM's `generic_api`): POSTs the standard record
 * of every successful or failed call as JSON to your own collector. With
 * `batch_size: 1` (the default) each POST is one JSON object; with more, a
 * JSON array of up to `batch_size` records. Same delivery guarantees as
 * mixpanel: batching, a kept-alive pool, retries with backoff, flush on
 * `flush()`/`close()`, every lost event reported with its count.
 *
 * Header values (`Authorization: Bearer ${WEBHOOK_TOKEN}`, resolved by the
 * config loader) are sent, and never written in a report.
 */

/** The options as resolved once from `callback_settings.webhook`. */
export interface WebhookOptions {
  readonly url: string;
  /** @default {} */
  readonly headers: Readonly<Record<string, string>>;
  /** 1: one JSON object per POST; more: a JSON array. @default 1 */
  readonly batch_size: number;
  /** Milliseconds. @default 1000 */
  readonly flush_interval: number;
  /** @default 3 */
  readonly max_retries: number;
}

export function resolveWebhookOptions(options: Record<string, unknown>): WebhookOptions {
  const url = options.url;
  if (typeof url !== "string" || url.trim() === "") {
    throw new InvalidCallbackError("webhook: no url. Set callback_settings.webhook.url in the config to the collector's address (https://...).", { option: "url", example: '"https://..."' });
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidCallbackError(`webhook: url "${url}" is not a valid URL.`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new InvalidCallbackError(`webhook: url must start with https:// or http://; found "${parsed.protocol}".`);
  const headers = options.headers ?? {};
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) throw new InvalidCallbackError("webhook: headers must be a mapping of header names to strings.");
  for (const [name, value] of Object.entries(headers)) {
    // The value may be a token: the message names the header, never its value.
    if (typeof value !== "string") throw new InvalidCallbackError(`webhook: header "${name}" must be a string.`);
  }
  return Object.freeze({
    url,
    headers: Object.freeze({ ...(headers as Record<string, string>) }),
    batch_size: int(options, "batch_size", 1, 1),
    flush_interval: int(options, "flush_interval", 1000, 1),
    max_retries: int(options, "max_retries", 3, 0),
  });
}

export class WebhookLogger extends DeliveringLogger {
  readonly settings: WebhookOptions;

  constructor(options: Record<string, unknown> = {}, context?: BuiltinContext) {
    const o = resolveWebhookOptions(options);
    const policy = context?.records ?? DEFAULT_RECORD_POLICY;
    super(options, {
      name: "webhook",
      url: o.url,
      headers: o.headers,
      batchSize: o.batch_size,
      flushIntervalMs: o.flush_interval,
      maxRetries: o.max_retries,
      // Each record on its own, bounded: one that cannot be written whole never costs its batch neighbours.
      encode: o.batch_size === 1 ? (batch) => recordJson(batch[0], policy) : (batch) => `[${batch.map((r) => recordJson(r, policy)).join(",")}]`,
    });
    this.settings = o;
  }
}

function int(options: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new InvalidCallbackError(`webhook: ${key} must be an integer of at least ${min}; found ${JSON.stringify(v)}.`);
  return v;
}

registerReadOnlyBuiltin("webhook", (options, context) => new WebhookLogger(options, context));
