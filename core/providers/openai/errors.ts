import OpenAI from "openai";
import { APIConnectionError, AuthenticationError, ContentPolicyViolationError, ContextWindowExceededError, InvalidResponseError, LiteLLMError, Timeout, errorForStatus } from "../../errors.ts";

/** Any error from the `openai` client, as one of the runtime's classes, naming where it came from. */
export function mapOpenAIError(err: unknown, provider: string, model: string, baseURL: string): LiteLLMError {
  if (err instanceof LiteLLMError) return err;
  const opts = { llm_provider: provider, model, cause: err };
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new Timeout(`${provider}: no answer from ${baseURL} within the timeout. Raise "timeout" (seconds) if the model is just slow.`, opts);
  if (err instanceof OpenAI.APIUserAbortError) return new APIConnectionError(`${provider}: the request to ${baseURL} was aborted.`, opts);
  if (err instanceof OpenAI.APIConnectionError) {
    return new APIConnectionError(`${provider}: could not reach ${baseURL} (${rootReason(err)}). Check "api_base" and that the server is running.`, opts);
  }
  if (err instanceof OpenAI.APIError && typeof err.status === "number") {
    const body = err.error as { message?: string } | undefined;
    const detail = body?.message ?? err.message;
    // No header is no hint: Number(null) would read it as "retry after 0 s".
    const header = err.headers?.get?.("retry-after");
    const retry = header ? Number(header) : NaN;
    // OpenAI says which 400 it is in `code`; routing falls back on these two.
    const code = (body as { code?: unknown } | undefined)?.code ?? (err as { code?: unknown }).code;
    const Cls =
      err.status === 400 && code === "context_length_exceeded"
        ? ContextWindowExceededError
        : err.status === 400 && (code === "content_policy_violation" || code === "content_filter")
          ? ContentPolicyViolationError
          : errorForStatus(err.status);
    return new Cls(`${provider} returned ${err.status}: ${detail}`, { ...opts, status: err.status, retry_after: Number.isFinite(retry) ? retry : undefined });
  }
  if (err instanceof SyntaxError)
    return new InvalidResponseError(`${provider}: ${baseURL} answered with a body that is not valid JSON (${err.message}).`, opts);
  // The client refuses to send without a key: that is the caller's missing credential, not a bad answer.
  if (err instanceof OpenAI.OpenAIError && /credentials|api[_ ]?key/i.test(err.message))
    return new AuthenticationError(`${provider}: no API key: set "api_key" (in the call or the config's litellm_params) or the provider's key variable. (${err.message})`, opts);
  if (err instanceof OpenAI.OpenAIError) return new InvalidResponseError(`${provider}: ${err.message}`, opts);
  const message = err instanceof Error ? err.message : String(err);
  // undici's word for a body cut short: the server closed the connection mid-response.
  if (message === "terminated")
    return new APIConnectionError(`${provider}: ${baseURL} closed the connection before the response was complete (${err instanceof Error ? rootReason(err) : message}).`, opts);
  return new APIConnectionError(`${provider}: request to ${baseURL} failed: ${message}`, opts);
}

/** The innermost reason of a connection failure: undici wraps the socket's code ("fetch failed" around ECONNREFUSED). */
function rootReason(err: Error): string {
  let reason = err.message;
  let cause = (err as { cause?: unknown }).cause;
  for (let depth = 0; cause && typeof cause === "object" && depth < 5; depth++) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string") return code;
    if (typeof message === "string" && message) reason = message;
    cause = (cause as { cause?: unknown }).cause;
  }
  return reason;
}
