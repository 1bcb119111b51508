// @ts-check
// Talking to the server: the master key (kept for this tab in sessionStorage, sent only as an
// Authorization header: never in a URL, never in localStorage) and the JSON routes.
import { byId } from "./dom.js";

const KEY_SLOT = "litellm-runtime:ui:key";

/** @returns {string | null} */
export function storedKey() {
  try {
    return sessionStorage.getItem(KEY_SLOT);
  } catch {
    return null;
  }
}

/** @param {string | null} key */
function storeKey(key) {
  try {
    if (key === null) sessionStorage.removeItem(KEY_SLOT);
    else sessionStorage.setItem(KEY_SLOT, key);
  } catch {
    // Storage disabled: the key lives as long as the page does (memory below).
  }
  memoryKey = key;
}
/** @type {string | null} */
let memoryKey = null;

/** The request headers, with the key when there is one. @returns {Record<string, string>} */
export function authHeaders() {
  const key = storedKey() ?? memoryKey;
  return key ? { authorization: `Bearer ${key}` } : {};
}

export class HttpError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The message of an error answer (OpenAI's `{error: {message}}` shape), else its status. @param {Response} res */
async function messageOf(res) {
  try {
    const body = await res.json();
    const msg = body?.error?.message ?? body?.message;
    if (typeof msg === "string" && msg) return msg;
  } catch {
    // not JSON
  }
  return `${res.status} ${res.statusText}`.trim();
}

/**
 * GET a JSON route, with the key.
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>}
 */
export async function getJson(path, signal) {
  const res = await fetch(path, { headers: { ...authHeaders(), accept: "application/json" }, cache: "no-store", signal });
  if (!res.ok) throw new HttpError(res.status, await messageOf(res));
  return res.json();
}

/**
 * GET `path` until it answers, asking for the master key while the server says 401. A refused
 * key is dropped and the prompt says why; other failures are retried after a pause.
 * @param {string} path
 * @param {(text: string | null) => void} banner
 * @returns {Promise<any>}
 */
export async function getWithKey(path, banner) {
  /** @type {string | null} */
  let refusal = null;
  for (let wait = 1000; ; ) {
    try {
      const body = await getJson(path);
      hideKeyForm();
      banner(null);
      return body;
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        const hadKey = Object.keys(authHeaders()).length > 0;
        storeKey(null);
        if (hadKey) refusal = `The server refused this key: ${err.message}`;
        storeKey(await askForKey(refusal));
        continue;
      }
      banner(`Cannot reach the server (${err instanceof Error ? err.message : String(err)}); retrying…`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 10_000);
    }
  }
}

/** Drops the key (the server refused it later, e.g. after a reload changed it). */
export function forgetKey() {
  storeKey(null);
}

/**
 * Shows the key form and resolves with what is typed.
 * @param {string | null} error
 * @returns {Promise<string>}
 */
function askForKey(error) {
  const view = byId("key-view");
  const form = /** @type {HTMLFormElement} */ (byId("key-form"));
  const input = /** @type {HTMLInputElement} */ (byId("key-input"));
  const errorLine = byId("key-error");
  errorLine.textContent = error ?? "";
  errorLine.hidden = !error;
  for (const id of ["calls-view", "health-view", "panel"]) byId(id).hidden = true;
  view.hidden = false;
  input.value = "";
  input.focus();
  return new Promise((resolve) => {
    /** @param {SubmitEvent} ev */
    const submit = (ev) => {
      ev.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      form.removeEventListener("submit", submit);
      input.value = "";
      resolve(key);
    };
    form.addEventListener("submit", submit);
  });
}

function hideKeyForm() {
  byId("key-view").hidden = true;
}
