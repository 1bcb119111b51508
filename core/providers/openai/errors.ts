import OpenAI from "openai";
import { APIConnectionError, InvalidResponseError, LiteLLMError, Timeout, errorForStatus } from "../../errors.ts";

/** Any error from the `openai` client, as one of the runtime's classes, naming where it came from. */
export function mapOpenAIError(err: unknown, provider: string, model: string, baseURL: string): LiteLLMError {
  if (err instanceof LiteLLMError) return err;
  const opts = { llm_provider: provider, model, cause: err };
  if (err instanceof OpenAI.APIConnectionTimeoutError)
    return new Timeout(`${provider}: no answer from ${baseURL} within the timeout. Raise "timeout" (seconds) if the model is just slow.`, opts);
  if (err instanceof OpenAI.APIUserAbortError) return new APIConnectionError(`${provider}: the request to ${baseURL} was aborted.`, opts);
  if (err instanceof OpenAI.APIConnectionError) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? err.message;
    return new APIConnectionError(`${provider}: could not reach ${baseURL} (${why}). Check "api_base" and that the server is running.`, opts);
  }
  if (err instanceof OpenAI.APIError && typeof err.status === "number") {
    const body = err.error as { message?: string } | undefined;
    const detail = body?.message ?? err.message;
    const retry = Number(err.headers?.get?.("retry-after"));
    const Cls = errorForStatus(err.status);
    return new Cls(`${provider} returned ${err.status}: ${detail}`, { ...opts, status: err.status, retry_after: Number.isFinite(retry) ? retry : undefined });
  }
  if (err instanceof SyntaxError)
    return new InvalidResponseError(`${provider}: ${baseURL} answered with a body that is not valid JSON (${err.message}).`, opts);
  if (err instanceof OpenAI.OpenAIError) return new InvalidResponseError(`${provider}: ${err.message}`, opts);
  const message = err instanceof Error ? err.message : String(err);
  return new APIConnectionError(`${provider}: request to ${baseURL} failed: ${message}`, opts);
}
