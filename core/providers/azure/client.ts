import { AzureOpenAI } from "openai";
import { pool, SHARED_OPTIONS } from "../openai/client.ts";
import type { AzureAuth } from "./endpoint.ts";

/** One `AzureOpenAI` client per (endpoint, api-version, key or token), on the same connection pool as OpenAI's. */

const pooled = pool<AzureOpenAI>();

export function azureClientFor(endpoint: string, apiVersion: string, auth: AzureAuth): AzureOpenAI {
  const id = `${endpoint}\u0000${apiVersion}\u0000${auth.key !== undefined ? `k:${auth.key}` : `t:${auth.token}`}`;
  return pooled(id, () => {
    const token = auth.token;
    return new AzureOpenAI({
      ...SHARED_OPTIONS,
      // baseURL, not endpoint: the client would otherwise read OPENAI_BASE_URL and refuse both.
      baseURL: `${endpoint}/openai`,
      apiVersion,
      // null, not undefined, with a token: undefined would make the client read AZURE_OPENAI_API_KEY and refuse key and token together.
      apiKey: (auth.key ?? null) as string | undefined,
      azureADTokenProvider: token === undefined ? undefined : async () => token,
    });
  });
}
