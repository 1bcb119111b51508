import { InvalidCallbackError } from "../../core/errors.ts";

/** Option readers shared by the presets: a wrong type is an error naming the preset and the key, never the value (it may be a secret). */

export function stringOption(name: string, options: Record<string, unknown>, key: string): string | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.trim() === "") throw new InvalidCallbackError(`${name}: callback_settings.${name}.${key} must be a non-empty string.`);
  return v;
}

export function headersOption(name: string, options: Record<string, unknown>): Record<string, string> | undefined {
  const headers = options.headers;
  if (headers === undefined || headers === null) return undefined;
  if (typeof headers !== "object" || Array.isArray(headers)) throw new InvalidCallbackError(`${name}: callback_settings.${name}.headers must be a mapping of header names to strings.`);
  for (const [header, value] of Object.entries(headers)) {
    if (typeof value !== "string") throw new InvalidCallbackError(`${name}: header "${header}" in callback_settings.${name}.headers must be a string.`);
  }
  return { ...(headers as Record<string, string>) };
}

/**
 * Headers written as LiteLLM's variables hold them: `Name=value,Other=value`
 * (GENERIC_LOGGER_HEADERS, TRACELOOP_HEADERS). A value may hold `=`; with
 * `decode`, names and values are percent-decoded as the OTel header format says.
 */
export function parseHeaderList(text: string, decode = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(",")) {
    const at = item.indexOf("=");
    // As LiteLLM: an entry without `=` is skipped.
    if (at < 0) continue;
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (!key) continue;
    out[decode ? safeDecode(key) : key] = decode ? safeDecode(value) : value;
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
