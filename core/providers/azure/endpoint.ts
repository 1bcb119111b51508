import { AuthenticationError, InvalidParamsError } from "../../errors.ts";
import { stringOption } from "../options.ts";
import type { ResolvedModel } from "../types.ts";

/**
 * Where an Azure OpenAI request goes and how it signs in; light, so building a request loads no HTTP client.
 * Defaults come from the target's environment (a config runtime's own), else process.env.
 */

/**
 * Azure's latest GA data-plane inference version (Microsoft's REST reference, 2024-10-21):
 * it has `stream_options.include_usage`, which a streamed call needs to be priced.
 */
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

/** Azure's own options (core/providers/options.ts): the call's over the deployment's `litellm_params`. */
type AzureOption = "api_version" | "azure_ad_token";

/** One of Azure's options, as a string, or undefined. */
export function azureOption(target: ResolvedModel, name: AzureOption): string | undefined {
  return stringOption(target.options, name);
}

/** A key (sent as `api-key`) or a Microsoft Entra ID token (sent as `Authorization: Bearer`). */
export type AzureAuth = { readonly key: string; readonly token?: undefined } | { readonly key?: undefined; readonly token: string };

/** The resource endpoint without trailing slashes, e.g. https://x.openai.azure.com. */
export function azureEndpoint(target: ResolvedModel): string {
  // `||`: an empty variable (AZURE_API_BASE= in a .env file) is no setting.
  const env = target.env ?? process.env;
  const raw = target.api_base || env.AZURE_API_BASE || env.AZURE_OPENAI_ENDPOINT;
  if (!raw)
    throw new InvalidParamsError(
      `azure/${target.model}: no endpoint. Set "api_base" to the resource endpoint (https://<resource>.openai.azure.com/), or the AZURE_API_BASE environment variable.`,
      { llm_provider: "azure", model: target.model },
    );
  return raw.replace(/\/+$/, "");
}

/** What an `api-version` may be (`2024-10-21`, `2024-08-01-preview`, `preview`): nothing that could end the query or the line. */
const API_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The `api-version` of a request, checked: it goes into the URL. */
export function azureApiVersion(target: ResolvedModel): string {
  const version = azureOption(target, "api_version") || (target.env ?? process.env).AZURE_API_VERSION || DEFAULT_AZURE_API_VERSION;
  if (!API_VERSION.test(version))
    throw new InvalidParamsError(
      `azure/${target.model}: api_version ${JSON.stringify(version)} is not an API version; use letters, digits, dots and dashes only, such as "${DEFAULT_AZURE_API_VERSION}" or "2024-08-01-preview" (from "api_version" or AZURE_API_VERSION).`,
      { llm_provider: "azure", model: target.model },
    );
  return version;
}

/** The deployment as one path segment: escaped, and never `.` or `..`, which a URL would resolve away. */
export function azureDeployment(target: ResolvedModel): string {
  if (target.model === "." || target.model === "..")
    throw new InvalidParamsError(`azure/${target.model}: ${JSON.stringify(target.model)} is not a deployment name; write the name of the deployment in the Azure resource after "azure/".`, {
      llm_provider: "azure",
      model: target.model,
    });
  return encodeURIComponent(target.model);
}

/** What was given with the call or the config wins over the environment; a key over a token at the same level. */
export function azureAuth(target: ResolvedModel): AzureAuth {
  if (target.api_key) return { key: target.api_key };
  const given = azureOption(target, "azure_ad_token");
  if (given) return { token: given };
  const env = target.env ?? process.env;
  const key = env.AZURE_API_KEY || env.AZURE_OPENAI_API_KEY;
  if (key) return { key };
  const token = env.AZURE_AD_TOKEN;
  if (token) return { token };
  throw new AuthenticationError(
    `azure/${target.model}: no credentials. Set "api_key" (or AZURE_API_KEY) to the resource's key, or "azure_ad_token" (or AZURE_AD_TOKEN) to a Microsoft Entra ID token.`,
    { llm_provider: "azure", model: target.model },
  );
}
