/**
 * Where an OpenAI-compatible request goes and with which key; light, so building a request loads no HTTP client.
 * Defaults come from the target's environment (a config runtime's own), else process.env.
 */
import { stringOption } from "../options.ts";
import type { ResolvedModel } from "../types.ts";

const DEFAULT_BASE = "https://api.openai.com/v1";

export function baseUrlOf(target: ResolvedModel): string {
  const env = target.env ?? process.env;
  return target.api_base ?? env.OPENAI_BASE_URL ?? env.OPENAI_API_BASE ?? DEFAULT_BASE;
}

/** The key a call would use, for masking in kwargs. */
export function keyFor(target: ResolvedModel): string | undefined {
  return target.api_key ?? (target.env ?? process.env).OPENAI_API_KEY;
}

/**
 * `OpenAI-Organization` and `OpenAI-Project`, as the official clients send them: the
 * organization from the call or `litellm_params.organization`, else OPENAI_ORG_ID
 * (or LiteLLM's OPENAI_ORGANIZATION); the project from OPENAI_PROJECT_ID.
 */
export function organizationHeaders(target: ResolvedModel, headers: Record<string, string>): void {
  const env = target.env ?? process.env;
  const organization = openaiOption(target, "organization") ?? (env.OPENAI_ORG_ID || env.OPENAI_ORGANIZATION || undefined);
  if (organization) headers["openai-organization"] = organization;
  const project = env.OPENAI_PROJECT_ID;
  if (project) headers["openai-project"] = project;
}

/** OpenAI's own options (core/providers/options.ts), which its compatible hosts share: the call's over the deployment's. */
type OpenAIOption = "organization";

/** One of OpenAI's options, as a string, or undefined. */
export function openaiOption(target: ResolvedModel, name: OpenAIOption): string | undefined {
  return stringOption(target.options, name);
}
