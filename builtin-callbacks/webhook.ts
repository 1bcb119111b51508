import { registerBuiltin } from "../core/callbacks/builtins.ts";
import { CustomLogger } from "../core/callbacks/custom-logger.ts";
import { InvalidCallbackError } from "../core/errors.ts";
import type { CallbackKwargs, StandardLoggingObject } from "../core/types.ts";
import { Delivery, type DeliveryStats } from "./delivery.ts";

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
    throw new InvalidCallbackError("webhook: no url. Set callback_settings.webhook.url in the config to the collector's address (https://...).");
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

export class WebhookLogger extends CustomLogger {
  readonly settings: WebhookOptions;
  private readonly delivery: Delivery<StandardLoggingObject>;

  constructor(options: Record<string, unknown> = {}) {
    super(options);
    const o = (this.settings = resolveWebhookOptions(options));
    this.delivery = new Delivery<StandardLoggingObject>({
      name: "webhook",
      url: o.url,
      headers: o.headers,
      batchSize: o.batch_size,
      flushIntervalMs: o.flush_interval,
      maxRetries: o.max_retries,
      encode: o.batch_size === 1 ? (batch) => JSON.stringify(batch[0]) : (batch) => JSON.stringify(batch),
    });
  }

  override log_success_event(kwargs: CallbackKwargs): void {
    if (kwargs.standard_logging_object) this.delivery.push(kwargs.standard_logging_object);
  }

  override log_failure_event(kwargs: CallbackKwargs): void {
    if (kwargs.standard_logging_object) this.delivery.push(kwargs.standard_logging_object);
  }

  /** POSTs every buffered record and waits for the requests, retries included. */
  flush(): Promise<void> {
    return this.delivery.flush();
  }

  close(): Promise<void> {
    return this.delivery.close();
  }

  stats(): DeliveryStats {
    return this.delivery.stats();
  }
}

function int(options: Record<string, unknown>, key: string, fallback: number, min: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new InvalidCallbackError(`webhook: ${key} must be an integer of at least ${min}; found ${JSON.stringify(v)}.`);
  return v;
}

registerBuiltin("webhook", (options) => new WebhookLogger(options));
