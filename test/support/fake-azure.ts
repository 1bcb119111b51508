// A loopback Azure OpenAI resource: Azure's paths, api-version and auth checks in front of the fake OpenAI upstream.
import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLoopback } from "./loopback.ts";
import { startFakeOpenAI, type FakeBehaviour, type FakeOpenAI } from "./fake-openai.ts";
import { sendJSON } from "./sse.ts";

export interface AzureRequest {
  method: string;
  /** e.g. /openai/deployments/my-gpt/chat/completions */
  path: string;
  deployment: string;
  /** The query, e.g. {"api-version": "2024-10-21"}. */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface FakeAzure {
  /** The resource endpoint, as `api_base` takes it: http://127.0.0.1:<port>/ */
  endpoint: string;
  requests: AzureRequest[];
  /** The OpenAI fake behind it: its behaviours (status, headers, usage, fail-<n> names...) apply per deployment name. */
  upstream: FakeOpenAI;
  set(b: FakeBehaviour): void;
  queue(...bs: FakeBehaviour[]): void;
  reset(): void;
  close(): Promise<void>;
}

const ROUTE = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

/** The first event Azure streams: the prompt's content-filter results, with no choices. */
const FILTER_PREAMBLE = {
  choices: [],
  created: 0,
  id: "",
  model: "",
  object: "",
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: "safe" } } }],
};

// Azure's wording for these two.
const azureError = (code: string, message: string) => ({ error: { code, message } });

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

export async function startFakeAzure(initial: FakeBehaviour = {}): Promise<FakeAzure> {
  const upstream = await startFakeOpenAI(initial);
  const requests: AzureRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    const m = ROUTE.exec(url.pathname);
    let body: any;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw || undefined;
    }
    const query = Object.fromEntries(url.searchParams);
    requests.push({ method: req.method ?? "GET", path: url.pathname, deployment: m ? decodeURIComponent(m[1]!) : "", query, headers: { ...req.headers }, body });
    if (!m || req.method !== "POST") return sendJSON(res, 404, azureError("404", "Resource not found"));
    if (!query["api-version"]) return sendJSON(res, 404, azureError("404", "Resource not found"));
    if (!req.headers["api-key"] && !req.headers.authorization)
      return sendJSON(res, 401, azureError("401", "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API."));

    // Azure takes the model from the path; the OpenAI fake reads it from the body.
    const forwarded = JSON.stringify(typeof body === "object" && body ? { ...body, model: decodeURIComponent(m[1]!) } : body);
    const up = request(`${upstream.url}/${m[2]}`, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(forwarded) } });
    up.end(forwarded);
    const answer = await new Promise<IncomingMessage>((resolve, reject) => up.once("response", resolve).once("error", reject));
    // Hop-by-hop headers belong to the upstream connection, not to this one.
    const { connection: _c, "keep-alive": _k, "transfer-encoding": _t, ...headers } = answer.headers;
    res.writeHead(answer.statusCode ?? 500, headers);
    if (String(answer.headers["content-type"]).startsWith("text/event-stream")) res.write(`data: ${JSON.stringify(FILTER_PREAMBLE)}\n\n`);
    // A connection the upstream cuts is cut here too.
    answer.once("aborted", () => res.destroy());
    answer.once("error", () => res.destroy());
    res.once("close", () => answer.destroy());
    answer.pipe(res);
  }

  const { port, close } = await listenLoopback(handle, (res, err) => sendJSON(res, 500, azureError("500", `Fake Azure crashed: ${String(err)}`)));

  return {
    endpoint: `http://127.0.0.1:${port}/`,
    requests,
    upstream,
    set: (b) => upstream.set(b),
    queue: (...bs) => upstream.queue(...bs),
    reset: () => {
      requests.length = 0;
      upstream.reset();
    },
    close: async () => {
      await close();
      await upstream.close();
    },
  };
}
