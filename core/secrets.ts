/**
 * The one scrubber of secrets: the keys a scope knows (every configured
 * `api_key`, the master key, credentials inside an `api_base`) are replaced by
 * their masked form wherever text leaves the process: provider error messages,
 * error bodies sent to clients, and every serialised record. Credentials in
 * URLs (`user:pass@`, `?api-key=...`) are masked wherever a URL shows.
 * The list is built once per scope (config load), never per call.
 */
import { SECRET_PARAMS } from "./call/param-registry.ts";
import { COMPATIBLE_PROVIDERS } from "./providers/openai/compatible-table.ts";

/** `sk-...wxyz`: enough to tell keys apart, never enough to use one. */
export function maskKey(key: string | undefined | null): string | null {
  if (!key) return null;
  if (key.length <= 12) return "*".repeat(key.length);
  return `${key.slice(0, 3)}...${key.slice(-4)}`;
}

/** Shorter values are not scrubbed from free text: "none" or "x" as a placeholder key would mangle every log line. */
const MIN_SECRET_LENGTH = 6;
const URL_MASK = "****";

/** Query parameters that carry a credential (Azure's `api-key`, Google's `key`, SAS `sig`, ...). */
const CREDENTIAL_PARAM = "api[-_]?key|key|token|access[-_]?token|auth|password|secret|sig|signature|code";
const CREDENTIAL_QUERY = new RegExp(`([?&](?:${CREDENTIAL_PARAM})=)([^&#\\s"'\\\\<>]+)`, "gi");
const CREDENTIAL_QUERY_NAME = new RegExp(`^(?:${CREDENTIAL_PARAM})$`, "i");
/** `scheme://user:password@`: the password goes, the user stays (it names the account, and is often not secret). */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"'\\]*):([^\s@/"'\\]+)@/gi;

function maskUrlText(text: string): string {
  let out = text;
  if (out.includes("://") && out.includes("@")) out = out.replace(USERINFO, `$1:${URL_MASK}@`);
  if (out.includes("=")) out = out.replace(CREDENTIAL_QUERY, `$1${URL_MASK}`);
  return out;
}

// api_base values are few and repeat on every call: masked once each.
const masked = new Map<string, string>();

/** A URL as it may be shown: a password in it and credential query values become `****`. */
export function maskUrl(url: string): string;
export function maskUrl(url: string | null): string | null;
export function maskUrl(url: string | null): string | null {
  if (!url) return url;
  let m = masked.get(url);
  if (m === undefined) {
    m = maskUrlText(url);
    if (masked.size >= 1024) masked.clear();
    masked.set(url, m);
  }
  return m;
}

/** The credentials inside a URL: its password (and user, when it has no password: a token), and credential query values. */
export function urlSecrets(url: string | null | undefined): string[] {
  if (!url || (!url.includes("@") && !url.includes("="))) return [];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const out: string[] = [];
  const add = (raw: string) => {
    if (!raw) return;
    out.push(raw);
    try {
      const decoded = decodeURIComponent(raw);
      if (decoded !== raw) out.push(decoded);
    } catch {
      // Not percent-encoded text: the raw form is enough.
    }
  };
  if (u.password) add(u.password);
  else if (u.username) add(u.username);
  for (const [name, value] of u.searchParams) if (CREDENTIAL_QUERY_NAME.test(name)) add(value);
  return out;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A scope's secrets, compiled once into one pattern. */
export class Secrets {
  static readonly none = new Secrets([]);
  private readonly pattern: RegExp | null;
  private readonly masks: ReadonlyMap<string, string>;

  constructor(values: Iterable<string | null | undefined>) {
    const masks = new Map<string, string>();
    for (const v of values) if (typeof v === "string" && v.length >= MIN_SECRET_LENGTH) masks.set(v, maskKey(v)!);
    this.masks = masks;
    // Longest first: a key that contains another is masked whole.
    const list = [...masks.keys()].sort((a, b) => b.length - a.length);
    this.pattern = list.length ? new RegExp(list.map(escape).join("|"), "g") : null;
  }

  get size(): number {
    return this.masks.size;
  }

  /** `text` with every known secret masked, and credentials in URLs masked. Never throws. */
  readonly scrub = (text: string): string => {
    if (typeof text !== "string" || text === "") return text;
    const out = this.pattern ? text.replace(this.pattern, (s) => this.masks.get(s) ?? URL_MASK) : text;
    return maskUrlText(out);
  };

  /** These secrets and some more (a call's own key): for one error message, not kept. */
  with(extra: ReadonlyArray<string | null | undefined>): Secrets {
    const more = extra.filter((v): v is string => typeof v === "string" && v.length >= MIN_SECRET_LENGTH && !this.masks.has(v));
    return more.length ? new Secrets([...this.masks.keys(), ...more]) : this;
  }
}

/** The text of an error built from what an upstream answered: the request's own key and URL credentials masked. */
export function scrubUpstream(text: string, secrets: ReadonlyArray<string | null | undefined> | undefined): string {
  return (secrets && secrets.length ? new Secrets(secrets) : Secrets.none).scrub(text);
}

/** The variables the providers read a key or token from when a call and its config entry give none. */
const PROVIDER_KEY_VARIABLES = [
  "OPENAI_API_KEY",
  "AZURE_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "AZURE_AD_TOKEN",
  "ANTHROPIC_API_KEY",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  ...Object.values(COMPATIBLE_PROVIDERS).flatMap((p) => p.keyEnv),
];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});

/**
 * Every secret a config knows: each credential (`api_key`, `azure_ad_token`: the parameter registry's) of
 * `model_list`, `general_settings.master_key`, the credentials inside each
 * `api_base`, and the cache's Redis password and URL credentials. Values are as resolved (an `os.environ/NAME` reference is its
 * variable's value), so the environment values they came from are covered.
 * `env` is where the providers will look for their keys: a config's own environment, else process.env.
 */
export function configSecrets(config: unknown, env: Readonly<Record<string, string | undefined>> = process.env): Secrets {
  const c = obj(config);
  // The keys the providers fall back on when an entry names none.
  const values: string[] = PROVIDER_KEY_VARIABLES.flatMap((name) => (env[name] ? [env[name]!] : []));
  const general = obj(c.general_settings);
  if (typeof general.master_key === "string") values.push(general.master_key);
  // The cache's Redis password, and a Redis URL's credentials: a connection error may quote either.
  const cacheParams = obj(obj(c.litellm_settings).cache_params);
  if (typeof cacheParams.password === "string") values.push(cacheParams.password);
  if (typeof cacheParams.url === "string") values.push(...urlSecrets(cacheParams.url));
  const list = Array.isArray(c.model_list) ? c.model_list : [];
  for (const entry of list) {
    const p = obj(obj(entry).litellm_params);
    for (const k of SECRET_PARAMS) if (typeof p[k] === "string") values.push(p[k] as string);
    if (typeof p.api_base === "string") values.push(...urlSecrets(p.api_base));
  }
  return new Secrets(values);
}
