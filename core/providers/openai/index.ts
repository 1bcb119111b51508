import { baseUrlOf, keyFor } from "./endpoint.ts";
import { bearerStyle, openaiStyleProvider } from "./provider.ts";

export { sdk } from "./provider.ts";

/** OpenAI, and any server that speaks its API (`api_base`), through the official `openai` client. */
export const openaiProvider = openaiStyleProvider(
  bearerStyle(
    "openai",
    (t) => baseUrlOf(t.api_base),
    (t) => keyFor(t.api_key),
  ),
);
