/** Where an OpenAI-compatible request goes and with which key; light, so building a request loads no HTTP client. */
import type { ResolvedModel } from "../types.ts";

const DEFAULT_BASE = "https://api.openai.com/v1";

export function baseUrlOf(apiBase: string | null): string {
  return apiBase ?? process.env.OPENAI_BASE_URL ?? process.env.OPENAI_API_BASE ?? DEFAULT_BASE;
}

/** The key a call would use, for masking in kwargs. */
export function keyFor(apiKey: string | undefined): string | undefined {
  return apiKey ?? process.env.OPENAI_API_KEY;
}

/**
 * `OpenAI-Organization` and `OpenAI-Project`, as the official clients send them: the
 * organization from the call or `litellm_params.organization`, else OPENAI_ORG_ID
 * (or LiteLLM's OPENAI_ORGANIZATION); the project from OPENAI_PROJECT_ID.
 */
export function organizationHeaders(target: ResolvedModel, headers: Record<string, string>): void {
  const organization = target.organization ?? (process.env.OPENAI_ORG_ID || process.env.OPENAI_ORGANIZATION || undefined);
  if (organization) headers["openai-organization"] = organization;
  const project = process.env.OPENAI_PROJECT_ID;
  if (project) headers["openai-project"] = project;
}
