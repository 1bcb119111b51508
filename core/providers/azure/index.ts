import { openaiStyleProvider, type OpenAIStyle } from "../openai/provider.ts";
import { azureApiVersion, azureAuth, azureDeployment, azureEndpoint } from "./endpoint.ts";

/**
 * `azure/<deployment>`: Azure OpenAI, with the deployment in the path, `api-version`
 * in the query and an `api-key` header (or a bearer Entra ID token). Body,
 * streaming, errors and embeddings are OpenAI's.
 */
const azure: OpenAIStyle = {
  name: "azure",
  endpoint(target, path) {
    const auth = azureAuth(target);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth.key !== undefined) headers["api-key"] = auth.key;
    else headers.authorization = `Bearer ${auth.token}`;
    // Both checked and escaped: a name or version with `&`, `?`, `/` or a line break must not reshape the URL.
    const url = `${azureEndpoint(target)}/openai/deployments/${azureDeployment(target)}${path}?api-version=${encodeURIComponent(azureApiVersion(target))}`;
    return { url, headers, apiKey: auth.key ?? auth.token };
  },
  // Azure OpenAI takes OpenAI's parameters only.
  strict: () => true,
};

export const azureProvider = openaiStyleProvider(azure);
