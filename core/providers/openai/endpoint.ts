/** Where an OpenAI-compatible request goes and with which key; light, so building a request loads no HTTP client. */

const DEFAULT_BASE = "https://api.openai.com/v1";

export function baseUrlOf(apiBase: string | null): string {
  return apiBase ?? process.env.OPENAI_BASE_URL ?? process.env.OPENAI_API_BASE ?? DEFAULT_BASE;
}

/** The key a call would use, for masking in kwargs. */
export function keyFor(apiKey: string | undefined): string | undefined {
  return apiKey ?? process.env.OPENAI_API_KEY;
}
