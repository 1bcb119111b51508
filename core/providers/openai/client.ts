import OpenAI from "openai";
import { Agent, fetch as undiciFetch } from "undici";
import { baseUrlOf } from "./endpoint.ts";

/**
 * One `openai` client per (base URL, key), sharing one kept-alive connection
 * pool, so a call never pays for a new TLS handshake or client set-up.
 */


const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256, pipelining: 1 });

const clients = new Map<string, OpenAI>();


export function clientFor(apiBase: string | null, apiKey: string | undefined): OpenAI {
  const baseURL = baseUrlOf(apiBase);
  // A local server needs no key, but the client insists on one.
  const key = apiKey ?? process.env.OPENAI_API_KEY ?? "sk-no-key-set";
  const id = `${baseURL}\u0000${key}`;
  let client = clients.get(id);
  if (!client) {
    if (clients.size >= 256) clients.delete(clients.keys().next().value!);
    client = new OpenAI({
      apiKey: key,
      baseURL,
      maxRetries: 0,
      // Errors reach the caller and the callbacks as our own classes; the client need not print them too.
      logLevel: "off",
      fetch: undiciFetch as unknown as typeof fetch,
      fetchOptions: { dispatcher: agent } as Record<string, unknown>,
    });
    clients.set(id, client);
  }
  return client;
}

