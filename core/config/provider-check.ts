/** Checks, at load, that every `model_list` entry has a provider to answer it. */
import { CONFIG_ERROR_CODES, type ConfigIssue } from "../errors.ts";
import { supportedProvidersText, unsupportedPrefix, type ProviderEnv } from "../providers/index.ts";
import { COMPATIBLE_PROVIDERS, hasBase } from "../providers/openai/compatible-table.ts";

type Path = Array<string | number>;

/** A problem of one entry: where it is (for the locator) and what it is (the issue without its position). */
export interface ProviderProblem {
  readonly at: Path;
  readonly issue: Omit<ConfigIssue, "file">;
}

const dotted = (path: Path): string => path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/**
 * A deployment no call could reach, named at load rather than on its first call:
 * a provider prefix this runtime does not support (`bedrock/...`, or an unknown
 * prefix without `api_base`), or a server of one's own (`hosted_vllm/...`,
 * `lm_studio/...`) with no `api_base` and no base variable in `env`.
 * `at` is the path of the entry's `litellm_params`.
 */
export function providerProblem(params: Readonly<Record<string, unknown>>, env: ProviderEnv, at: Path): ProviderProblem | undefined {
  const model = params.model;
  if (typeof model !== "string") return undefined;
  const apiBase = typeof params.api_base === "string" && params.api_base !== "" ? params.api_base : undefined;
  const prefix = unsupportedPrefix(model, apiBase);
  if (prefix !== undefined) {
    const path = dotted([...at, "model"]);
    const message = `${JSON.stringify(model)} names provider "${prefix}", which this runtime does not support. ${supportedProvidersText()}`;
    return { at: [...at, "model"], issue: { code: CONFIG_ERROR_CODES.unsupportedProvider, path, message } };
  }
  const own = model.slice(0, Math.max(0, model.indexOf("/")));
  if (apiBase === undefined && own !== "" && !hasBase(own, env)) {
    const vars = (COMPATIBLE_PROVIDERS as Record<string, { baseEnv: readonly string[] }>)[own]!.baseEnv.join(" or ");
    const message = `${JSON.stringify(model)} goes to a server of your own, which has no default address: set "api_base" in these litellm_params (such as http://127.0.0.1:8000/v1), or ${vars}.`;
    return { at, issue: { code: CONFIG_ERROR_CODES.missingKey, path: dotted([...at, "api_base"]), message } };
  }
  return undefined;
}
