import type { ReloadGuard } from "../config/runtime.ts";
import { CONFIG_ERROR_CODES } from "../errors.ts";

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

/**
 * A server that listens beyond loopback refuses a reload that removes its
 * `master_key`: a save that drops one line must not open the door with only a
 * "reloaded" line to show for it. `general_settings.allow_unauthenticated: true`
 * in the new config says it is meant.
 */
export function authGuard(host: string): ReloadGuard {
  return (next, current) => {
    if (isLoopback(host) || !current.general_settings?.master_key || next.general_settings?.master_key) return undefined;
    if (next.general_settings?.allow_unauthenticated === true) return undefined;
    return {
      code: CONFIG_ERROR_CODES.invalidValue,
      file: null,
      path: "general_settings.master_key",
      message:
        `this reload removes master_key while the server listens on ${host}, beyond loopback: anyone who can reach it could use it. ` +
        "The previous config, with its key, keeps serving. Put master_key back, or set general_settings.allow_unauthenticated: true if an open server is meant.",
    };
  };
}
