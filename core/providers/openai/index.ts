import { baseUrlOf, keyFor, organizationHeaders } from "./endpoint.ts";
import { bearerStyle, openaiStyleProvider } from "./provider.ts";

/** OpenAI, and any server that speaks its API (`api_base`), over the shared HTTP path of OpenAI-style providers. */
export const openaiProvider = openaiStyleProvider(
  bearerStyle(
    "openai",
    baseUrlOf,
    keyFor,
    organizationHeaders,
  ),
);
