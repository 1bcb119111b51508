/** The master key check: constant time, and the key never appears in a message or a log. */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { hashKey, PROXY_ADMIN_USER_ID, userApiKeyAuth, type CallerResolver } from "../call/caller.ts";
import { SERVER_ERROR_CODES } from "../errors.ts";
import { HttpError } from "./errors.ts";

const sha256 = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();

let lastKey: string | undefined;
let lastDigest: Buffer | undefined;

/** The key's digest, kept while the key stays the same (it changes only with a reload). */
function digestOf(key: string): Buffer {
  if (key !== lastKey || !lastDigest) {
    lastKey = key;
    lastDigest = sha256(key);
  }
  return lastDigest;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, message, "authentication_error", SERVER_ERROR_CODES.invalidApiKey, null, { "www-authenticate": "Bearer" });
}

const BEARER = /^bearer\s+/i;

/**
 * Throws 401 unless `authorization` is `Bearer <key>`. Both sides are hashed
 * first, so the comparison runs on equal lengths and the key's length does not leak.
 * An empty key matches nothing: a master_key set to "" locks the server rather than opening it.
 */
export function checkBearer(authorization: string | undefined, key: string): void {
  if (!authorization) throw unauthorized("no API key: send \"Authorization: Bearer <key>\" with the server's master_key.");
  const token = BEARER.test(authorization) ? authorization.replace(BEARER, "").trim() : "";
  if (!token) throw unauthorized("the Authorization header is not \"Bearer <key>\".");
  const ok = timingSafeEqual(sha256(token), digestOf(key));
  if (!ok || key === "") throw unauthorized("invalid API key.");
}

/**
 * Who calls a model route, as the call hooks get it (`user_api_key_dict`, LiteLLM's
 * `UserAPIKeyAuth`), made only when a hook asks. The key is there as its SHA-256
 * hash, never as sent. The master key's holder is the proxy admin, as in LiteLLM;
 * so is every caller of a server without one (LiteLLM's rule when no key is set).
 */
export function callerFor(req: IncomingMessage, masterKey: string | null | undefined, user: unknown): CallerResolver {
  return () => {
    const authorization = req.headers.authorization;
    const token = authorization && BEARER.test(authorization) ? authorization.replace(BEARER, "").trim() : "";
    const hash = token ? hashKey(token) : null;
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    return userApiKeyAuth({
      api_key: hash,
      token: hash,
      user_role: "proxy_admin",
      user_id: typeof masterKey === "string" ? PROXY_ADMIN_USER_ID : null,
      end_user_id: typeof user === "string" ? user : null,
      request_route: q === -1 ? url : url.slice(0, q),
    });
  };
}
