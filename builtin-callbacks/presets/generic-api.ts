import { createBuiltin, registerReadOnlyBuiltin, type BuiltinContext } from "../../core/callbacks/builtins.ts";
import { InvalidCallbackError } from "../../core/errors.ts";
import { headersOption, parseHeaderList, stringOption } from "./options.ts";

/**
 * `generic_api`: LiteLLM's name for what the `webhook` built-in does. It reads
 * LiteLLM's GENERIC_LOGGER_ENDPOINT and GENERIC_LOGGER_HEADERS
 * (`Name=value,Other=value`) and, like LiteLLM, POSTs JSON arrays of records
 * (its default `log_format: json_array`); `log_format: single` sends one object
 * per POST. Options in `callback_settings.generic_api` win: `url` (or LiteLLM's
 * `endpoint`), `headers` (merged over the variable's, key by key), and the
 * webhook's `batch_size`, `flush_interval`, `max_retries`.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** LiteLLM sends a batch of up to this many records as one array. */
const GENERIC_API_BATCH = 100;

/** The webhook options `generic_api` stands for. Pure: reads only its arguments. */
export function genericApiOptions(options: Record<string, unknown>, env: Env): Record<string, unknown> {
  const url = stringOption("generic_api", options, "url") ?? stringOption("generic_api", options, "endpoint") ?? nonEmpty(env.GENERIC_LOGGER_ENDPOINT);
  if (!url) {
    throw new InvalidCallbackError(
      "generic_api: no endpoint. Export GENERIC_LOGGER_ENDPOINT (LiteLLM's variable) or set callback_settings.generic_api.url to your collector's address (https://...).",
      { option: "url", example: '"https://..."' },
    );
  }
  const logFormat = options.log_format ?? "json_array";
  if (logFormat !== "json_array" && logFormat !== "single") {
    throw new InvalidCallbackError(`generic_api: log_format ${JSON.stringify(logFormat)} is not supported here; use json_array (arrays of records, the default) or single (one record per POST).`);
  }
  const { endpoint: _endpoint, log_format: _format, url: _url, headers: _headers, ...rest } = options;
  const fromEnv = env.GENERIC_LOGGER_HEADERS ? parseHeaderList(env.GENERIC_LOGGER_HEADERS) : {};
  return {
    batch_size: logFormat === "single" ? 1 : GENERIC_API_BATCH,
    ...rest,
    url,
    headers: { ...fromEnv, ...headersOption("generic_api", options) },
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() ? v.trim() : undefined;
}

export function createGenericApi(options: Record<string, unknown>, context: BuiltinContext): object {
  return createBuiltin("webhook", genericApiOptions(options, context.env ?? process.env), context);
}

registerReadOnlyBuiltin("generic_api", createGenericApi);
