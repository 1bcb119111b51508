// The floor of the server suite: the least a Node proxy can do per request (node:http in, undici's dispatch out,
// the body parsed and re-serialised once, a stream's bytes passed on), with none of a runtime's work.
// Not a product: a reference, so our server's figures can be read against what this machine allows.
import { createServer } from "node:http";
import { Agent, type Dispatcher } from "undici";

export const BARE_MARK = "BENCH_BARE_LISTENING ";

export async function runBareProxy(upstreamUrl: string): Promise<void> {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256, pipelining: 1 });
  const up = new URL(upstreamUrl);
  const origin = up.origin;
  const path = `${up.pathname}/chat/completions`;
  const server = createServer({ noDelay: true }, (req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(parts).toString("utf8")) as { stream?: boolean };
      const headers = { "content-type": "application/json", authorization: req.headers.authorization ?? "" };
      const chunks: Buffer[] = [];
      const handler: Dispatcher.DispatchHandler = {
        onConnect() {},
        onHeaders(status) {
          if (body.stream) res.writeHead(status, { "content-type": "text/event-stream" });
          return true;
        },
        onData(chunk) {
          if (body.stream) res.write(chunk);
          else chunks.push(chunk);
          return true;
        },
        onComplete() {
          if (body.stream) return void res.end();
          const text = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        },
        onError(err) {
          if (res.headersSent) return void res.destroy();
          res.writeHead(502, { "content-type": "text/plain" });
          res.end(String(err));
        },
      };
      agent.dispatch({ origin, path, method: "POST", headers, body: JSON.stringify(body) }, handler);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  process.stdout.write(`${BARE_MARK}http://127.0.0.1:${port}\n`);
  process.stdin.resume();
  process.stdin.once("end", () => process.exit(0));
}
