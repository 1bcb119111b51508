/** A request body turned into a call's parameters: checked, with metadata merged, and nothing the config owns. */
import type { IncomingMessage } from "node:http";
import { ModelNames, unknownModelMessage } from "../config/wildcards.ts";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { forbiddenMessage, forbiddenParam, type ClientParamSwitch } from "./client-params.ts";
import { HttpError } from "./errors.ts";

function bad(message: string, code: string, param: string | null): HttpError {
  return new HttpError(400, message, "invalid_request_error", code, param);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The `x-litellm-metadata` header as an object, or a 400. */
function headerMetadata(req: IncomingMessage): Record<string, unknown> | undefined {
  const raw = req.headers["x-litellm-metadata"];
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Array.isArray(raw) ? raw.join(",") : raw);
  } catch (err) {
    throw bad(`the x-litellm-metadata header is not valid JSON: ${(err as Error).message}`, SERVER_ERROR_CODES.invalidMetadataHeader, null);
  }
  if (!isObject(value)) throw bad("the x-litellm-metadata header must be a JSON object, such as {\"team\": \"search\"}.", SERVER_ERROR_CODES.invalidMetadataHeader, null);
  return value;
}

/** The config's names, compiled once per alias set (a reload makes a new set). */
const compiled = new WeakMap<ReadonlySet<string>, ModelNames>();

/** The config's aliases and wildcard entries (`"*"`, `"anthropic/*"`), ready to resolve requested names against. */
export function modelNamesOf(aliases: ReadonlySet<string>): ModelNames {
  let names = compiled.get(aliases);
  if (names === undefined) compiled.set(aliases, (names = new ModelNames(aliases)));
  return names;
}

/**
 * Checks the body of a model call (`required` is "messages" or "input") and
 * returns it as the call's parameters. Only the config's aliases and the names
 * its wildcard entries cover are served, as LiteLLM's proxy does. A parameter the config owns (client-params.ts) is a
 * 400 naming it, unless a switch that is `on` hands it to clients. Metadata
 * from the header and the body are merged; the body wins on a key both give,
 * being the more specific of the two.
 */
export function callParams(
  body: Record<string, unknown>,
  req: IncomingMessage,
  aliases: ReadonlySet<string>,
  required: "messages" | "input",
  on: ReadonlySet<ClientParamSwitch>,
): Record<string, unknown> {
  const model = body.model;
  if (model === undefined) throw bad("missing required parameter: 'model'.", SERVER_ERROR_CODES.missingParameter, "model");
  if (typeof model !== "string") throw bad("'model' must be a string.", SERVER_ERROR_CODES.invalidType, "model");
  if (!aliases.has(model)) {
    const names = modelNamesOf(aliases);
    if (names.match(model) === undefined) throw bad(unknownModelMessage(model, names, "this server"), SERVER_ERROR_CODES.modelNotFound, "model");
  }
  const field = body[required];
  if (field === undefined) throw bad(`missing required parameter: '${required}'.`, SERVER_ERROR_CODES.missingParameter, required);
  if (required === "messages" && !Array.isArray(field)) throw bad("'messages' must be an array of chat messages.", SERVER_ERROR_CODES.invalidType, "messages");
  const forbidden = forbiddenParam(body, on);
  if (forbidden) throw bad(forbiddenMessage(forbidden), SERVER_ERROR_CODES.paramNotAllowed, forbidden.param);
  if (body.user === null) delete body.user;
  else if (body.user !== undefined && typeof body.user !== "string") throw bad("'user' must be a string.", SERVER_ERROR_CODES.invalidType, "user");
  const metadata = body.metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) throw bad("'metadata' must be a JSON object.", SERVER_ERROR_CODES.invalidType, "metadata");
  const fromHeader = headerMetadata(req);
  if (fromHeader) body.metadata = { ...fromHeader, ...(metadata as Record<string, unknown> | null | undefined) };
  else if (metadata === null) delete body.metadata;
  return body;
}
