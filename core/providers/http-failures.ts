/**
 * What a provider request that did not end in a 2xx becomes: the runtime's error
 * class for a non-2xx answer (with its rate-limit headers) or a redirect, the
 * failure of the request itself, and every such text scrubbed of credentials.
 */
import type { IncomingHttpHeaders } from "node:http";
import { APIConnectionError, APIError, LiteLLMError, Timeout } from "../errors.ts";
import { scrubUpstream, urlSecrets } from "../secrets.ts";
import type { Answer, StatusError, Where } from "./http.ts";

/** The error of a non-2xx answer that is not retried: a redirect named, or the provider's error class with its rate-limit headers. */
export function notOk(res: Answer, where: Where, onStatus: StatusError): LiteLLMError {
  if (res.status >= 300 && res.status < 400) return scrubbed(redirected(where, res), where);
  return scrubbed(withRateLimits(onStatus(res.status, res.text, res.headers), res.headers), where);
}

/** Anthropic's rate-limit headers under OpenAI's names, as LiteLLM maps them. */
const ANTHROPIC_RATE_LIMITS: Readonly<Record<string, string>> = {
  "anthropic-ratelimit-requests-limit": "x-ratelimit-limit-requests",
  "anthropic-ratelimit-requests-remaining": "x-ratelimit-remaining-requests",
  "anthropic-ratelimit-requests-reset": "x-ratelimit-reset-requests",
  "anthropic-ratelimit-tokens-limit": "x-ratelimit-limit-tokens",
  "anthropic-ratelimit-tokens-remaining": "x-ratelimit-remaining-tokens",
  "anthropic-ratelimit-tokens-reset": "x-ratelimit-reset-tokens",
};

/** The name a lower-case response header is kept under when it is a rate-limit header, else undefined. */
export function rateLimitName(name: string): string | undefined {
  return name.startsWith("x-ratelimit-") ? name : ANTHROPIC_RATE_LIMITS[name];
}

/** An upstream's error keeps its rate-limit headers, as LiteLLM's exceptions keep `litellm_response_headers`. */
function withRateLimits(err: LiteLLMError, headers: IncomingHttpHeaders): LiteLLMError {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const key = rateLimitName(name);
    const value = header(headers, name);
    if (key !== undefined && value !== undefined && kept[key] === undefined) kept[key] = value;
  }
  err.litellm_response_headers = kept;
  return err;
}

/**
 * A 3xx: requests are not redirected (a POST with a key must not follow a
 * redirect it did not ask for), so the answer is an error naming the new address.
 */
function redirected(where: Where, res: Answer): APIError {
  const location = header(res.headers, "location");
  const to = location ? ` to ${location}` : "";
  return new APIError(
    `${where.provider}: ${where.url} answered ${res.status}, redirecting${to}. Requests are not redirected: set ${where.baseHint} to the address it points to.`,
    { llm_provider: where.provider, model: where.model, status: res.status },
  );
}

/**
 * An error whose text may carry what the upstream echoed (its key) or the URL's
 * credentials, masked in its message and stack before it leaves the provider:
 * the caller, the server's client and every record get the masked text.
 */
export function scrubbed<E extends Error>(err: E, where: Where): E {
  const secrets = [...(where.secrets ?? []), ...urlSecrets(where.url)];
  const message = scrubUpstream(err.message, secrets);
  if (message === err.message) return err;
  const stack = err.stack;
  err.message = message;
  if (typeof stack === "string") err.stack = scrubUpstream(stack, secrets);
  return err;
}

/** One header's value: undici gives repeated headers as an array. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * A failure of the request itself (no HTTP answer, or one cut short). `answered` says
 * whether the headers had arrived; `aborted` that the caller or the stream's consumer stopped it.
 */
export function transportError(err: unknown, where: Where, answered: boolean, aborted: boolean): LiteLLMError {
  if (err instanceof LiteLLMError) return err;
  const opts = { llm_provider: where.provider, model: where.model, cause: err };
  const p = where.provider;
  if (aborted) return new APIConnectionError(`${p}: the request to ${where.url} was aborted.`, opts);
  const code = codeOf(err);
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") {
    const what =
      code === "UND_ERR_BODY_TIMEOUT" ? `the rest of the answer from ${where.url} did not arrive` : code === "UND_ERR_CONNECT_TIMEOUT" ? `no connection to ${where.url}` : `no answer from ${where.url}`;
    return new Timeout(`${p}: ${what} within ${where.timeoutMs / 1000} s. Raise "timeout" (seconds) if the model is just slow.`, opts);
  }
  if (answered) return new APIConnectionError(`${p}: ${where.url} closed the connection before the response was complete (${code}).`, opts);
  return new APIConnectionError(`${p}: could not reach ${where.url} (${code}). Check ${where.baseHint} and that the server is running.`, opts);
}

/** The socket's code (ECONNREFUSED, UND_ERR_SOCKET), looking through the causes undici wraps it in. */
function codeOf(err: unknown): string {
  let cur = err;
  for (let depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const { code } = cur as { code?: unknown };
    if (typeof code === "string") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.message : String(err);
}
