// A loopback HTTP server for the fake upstreams: port 0 on 127.0.0.1, and a close() that never waits on kept-alive sockets.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface Loopback {
  port: number;
  /** Closes the server and cuts every open socket; a second call is a no-op. */
  close(): Promise<void>;
}

/** Serves `handle`; a handler that throws answers with `crashed` (or cuts the socket when headers are already out). */
export async function listenLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  crashed: (res: ServerResponse, err: unknown) => void,
): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      crashed(res, err);
    });
  });
  // Tracked so close() can cut kept-alive connections instead of waiting for their idle timeout.
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // ERR_SERVER_NOT_RUNNING is a second close(): fine, so afterEach hooks can be blunt.
        server.close((err) => (err && (err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING" ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}
