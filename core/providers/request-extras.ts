/**
 * What every provider does with a call's extras, the same way: `extra_headers`
 * over its own headers, `extra_body` merged into its JSON body, and parameters
 * its API does not take refused (UnsupportedParamsError) or, with
 * `drop_params`, dropped and named once in a warning.
 */
import { InvalidParamsError, UnsupportedParamsError } from "../errors.ts";

/**
 * Headers that carry a credential or an account. An extra header may set one the
 * provider does not set (a gateway's own sign-in), but never replace one it does:
 * that call fails, naming the header, rather than send with other credentials
 * than the ones its api_key / azure_ad_token / organization say.
 */
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "api-key", "x-api-key", "x-goog-api-key", "openai-organization", "openai-project"]);

/**
 * `headers` with the call's extra headers over them, names in lower case (HTTP
 * names are case-insensitive: `X-Trace` replaces `x-trace`). Changes `headers`,
 * which each request builds anew.
 */
export function withExtraHeaders(headers: Record<string, string>, extra: Readonly<Record<string, string>> | undefined, provider: string, model: string): Record<string, string> {
  if (!extra) return headers;
  for (const name of Object.keys(extra)) {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) && headers[lower] !== undefined && headers[lower] !== extra[name])
      throw new InvalidParamsError(
        `${provider}/${model}: extra_headers sets "${name}", which this request already carries from its credentials; ` +
          `set the credential itself (api_key, azure_ad_token, organization) rather than its header.`,
        { llm_provider: provider, model },
      );
    headers[lower] = extra[name]!;
  }
  return headers;
}

/**
 * `body` with its `extra_body` taken out and that object's keys merged over the rest (the
 * OpenAI clients' escape hatch: never checked, sent as given). Changes `body`, built anew per request.
 */
export function withExtraBody(body: Record<string, unknown>, provider: string, model: string): Record<string, unknown> {
  if (!("extra_body" in body)) return body;
  const extra = body.extra_body;
  delete body.extra_body;
  if (extra == null) return body;
  if (typeof extra !== "object" || Array.isArray(extra))
    throw new InvalidParamsError(`${provider}/${model}: "extra_body" must be an object whose keys are merged into the request body; found ${Array.isArray(extra) ? "an array" : typeof extra}.`, {
      llm_provider: provider,
      model,
    });
  return Object.assign(body, extra);
}

/** Parameter and provider pairs already named in a drop_params warning: each is named once per process. */
const warned = new Set<string>();

/**
 * `optional` without the parameters `takes` refuses. Without `drop` the first
 * refusal fails the call before anything is sent, naming every refused one; with
 * it they are left out, each named once per provider on stderr. Returns
 * `optional` itself when all are taken (the common case: no copy).
 */
export function supportedOnly(optional: Record<string, unknown>, takes: (name: string) => boolean, drop: boolean | undefined, provider: string, model: string): Record<string, unknown> {
  let refused: string[] | undefined;
  for (const name in optional) if (optional[name] !== undefined && !takes(name)) (refused ??= []).push(name);
  if (!refused) return optional;
  if (!drop) throw unsupported(refused, provider, model);
  const kept: Record<string, unknown> = {};
  for (const name in optional) if (!refused.includes(name)) kept[name] = optional[name];
  for (const name of refused) {
    const key = `${provider}\u0000${name}`;
    if (warned.has(key)) continue;
    warned.add(key);
    process.stderr.write(`litellm-runtime: warning: drop_params: "${name}" is not sent to ${provider}, whose API does not take it (first seen with model "${model}").\n`);
  }
  return kept;
}

function unsupported(names: readonly string[], provider: string, model: string): UnsupportedParamsError {
  const listed = names.map((n) => `"${n}"`).join(", ");
  return new UnsupportedParamsError(
    `${provider} does not support the parameter${names.length === 1 ? "" : "s"} ${listed} (model "${model}"). ` +
      `Remove ${names.length === 1 ? "it" : "them"} from the call, or set drop_params: true (per call, in litellm_params, or litellm_settings.drop_params) to drop ${names.length === 1 ? "it" : "them"}.`,
    { llm_provider: provider, model },
  );
}
