/**
 * The `openai` client and its error mapping, loaded on the first request to an
 * OpenAI-compatible server: the SDK and undici cost ~200 ms to import, which a
 * runtime serving only the mock, or another provider, should never pay.
 */
export { clientFor } from "./client.ts";
export { mapOpenAIError } from "./errors.ts";

