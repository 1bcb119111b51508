import { baseUrlOf, keyFor, organizationHeaders } from "./endpoint.ts";
import { bearerStyle, openaiStyleProvider } from "./provider.ts";

/** api.openai.com itself: it takes OpenAI's parameters only. Any other base is a compatible server, which may take more. */
const OPENAI_ITSELF = /^https:\/\/api\.openai\.com\/v1\/*$/;

/** OpenAI, and any server that speaks its API (`api_base`), over the shared HTTP path of OpenAI-style providers. */
export const openaiProvider = openaiStyleProvider({
  ...bearerStyle("openai", baseUrlOf, keyFor, organizationHeaders),
  strict: (target) => OPENAI_ITSELF.test(baseUrlOf(target)),
});
