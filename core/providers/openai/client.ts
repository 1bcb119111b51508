import OpenAI from "openai";
import { Agent, fetch as undiciFetch } from "undici";

/**
 * One `openai` client per (base URL, key), sharing one kept-alive connection
 * pool, so a call never pays for a new TLS handshake or client set-up.
 */

const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });

/** What every SDK client here shares, the Azure one too: the one undici pool, no retries or printing of its own. */
export const SHARED_OPTIONS = {
  maxRetries: 0,
  // Errors reach the caller and the callbacks as our own classes; the client need not print them too.
  logLevel: "off" as const,
  fetch: undiciFetch as unknown as typeof fetch,
  fetchOptions: { dispatcher: agent } as Record<string, unknown>,
};

/** A bounded cache of clients by id: the oldest goes when a 257th arrives (keys rotate; the map must not grow forever). */
export function pool<T>(): (id: string, make: () => T) => T {
  const clients = new Map<string, T>();
  return (id, make) => {
    let client = clients.get(id);
    if (client === undefined) {
      if (clients.size >= 256) clients.delete(clients.keys().next().value!);
      clients.set(id, (client = make()));
    }
    return client;
  };
}

const pooled = pool<OpenAI>();

/** The client for a base URL; without a key it sends no Authorization header at all (a local server needs none). */
export function clientFor(baseURL: string, apiKey: string | undefined): OpenAI {
  return pooled(`${baseURL}\u0000${apiKey ?? ""}`, () =>
    new OpenAI({
      ...SHARED_OPTIONS,
      baseURL,
      // The client insists on a key; the null header below keeps this one off the wire.
      apiKey: apiKey ?? "no-key",
      ...(apiKey === undefined ? { defaultHeaders: { authorization: null } } : {}),
    }),
  );
}
