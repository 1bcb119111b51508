/** OpenAI's failures as the runtime's error classes: an error status, or an `error` object mid-stream. */
import type { IncomingHttpHeaders } from "node:http";
import { ContentPolicyViolationError, ContextWindowExceededError, LiteLLMError, errorForStatus } from "../../errors.ts";
import { scrubUpstream } from "../../secrets.ts";
import type { Where } from "../http.ts";
import { header } from "../http-failures.ts";

interface ErrorBody {
  message?: string | undefined;
  code?: unknown;
  type?: unknown;
}

/** `error` of OpenAI's error body `{"error": {"message", "type", "param", "code"}}`; a body that is not OpenAI's (a proxy's page) becomes the message. */
function parseErrorBody(text: string): ErrorBody {
  try {
    const e = (JSON.parse(text) as { error?: unknown } | null)?.error;
    if (e && typeof e === "object") {
      const { message, code, type } = e as { message?: unknown; code?: unknown; type?: unknown };
      return { message: typeof message === "string" ? message : undefined, code, type };
    }
    if (typeof e === "string") return { message: e };
  } catch {
    // not JSON: fall through
  }
  const trimmed = text.trim();
  return { message: trimmed ? trimmed.slice(0, 300) : undefined };
}

/**
 * An OpenAI-style error as ours. `status` is the response's, or undefined for an
 * error sent mid-stream (its `code`, when numeric, or 500).
 */
export function openaiError(where: Where, status: number | undefined, text: string, headers: IncomingHttpHeaders): LiteLLMError {
  const body = parseErrorBody(text);
  const code = status ?? (typeof body.code === "number" ? body.code : 500);
  const detail = body.message ?? `HTTP ${code}`;
  // OpenAI says which 400 it is in `code`; routing falls back on these two.
  const Cls =
    code === 400 && body.code === "context_length_exceeded"
      ? ContextWindowExceededError
      : code === 400 && (body.code === "content_policy_violation" || body.code === "content_filter")
        ? ContentPolicyViolationError
        : errorForStatus(code);
  // No header is no hint: Number("") would read it as "retry after 0 s".
  const after = header(headers, "retry-after");
  const retry = after ? Number(after) : NaN;
  const hint = code === 401 && !where.hasKey ? ` No key was sent: set "api_key" (in the call or the config's litellm_params) or the provider's key variable.` : "";
  const during = status === undefined ? " mid-stream" : "";
  // The upstream's text may echo the key it was sent: masked before the error (and its stack) exists.
  return new Cls(scrubUpstream(`${where.provider} returned ${code}${during}: ${detail}${hint}`, where.secrets), {
    llm_provider: where.provider,
    model: where.model,
    status: code,
    retry_after: Number.isFinite(retry) ? retry : undefined,
  });
}
