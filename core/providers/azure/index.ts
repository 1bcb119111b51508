import { openaiStyleProvider, type OpenAIStyle } from "../openai/provider.ts";
import { azureApiVersion, azureAuth, azureEndpoint } from "./endpoint.ts";

/**
 * `azure/<deployment>`: Azure OpenAI through the `openai` package's `AzureOpenAI`
 * client, which puts the deployment in the path and `api-version` in the query.
 * Body, streaming, errors and embeddings are OpenAI's.
 */
const azure: OpenAIStyle = {
  name: "azure",
  base: (t) => azureEndpoint(t),
  endpoint(target, path) {
    const auth = azureAuth(target);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth.key !== undefined) headers["api-key"] = auth.key;
    else headers.authorization = `Bearer ${auth.token}`;
    const url = `${azureEndpoint(target)}/openai/deployments/${target.model}${path}?api-version=${azureApiVersion(target)}`;
    return { url, headers, apiKey: auth.key ?? auth.token };
  },
  load: () => import("./sdk.ts").then(({ azureClientFor }) => (t) => azureClientFor(azureEndpoint(t), azureApiVersion(t), azureAuth(t))),
};

export const azureProvider = openaiStyleProvider(azure);
