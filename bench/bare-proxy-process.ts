/**
 * A minimal pass-through proxy (node:http + undici) for `bench/gateway.ts`: the "bare node proxy"
 * baseline. Forwards POST bodies to the upstream base URL and pipes the answer back, chunk by chunk.
 * argv[2]: JSON `{ upstream }` (e.g. `http://127.0.0.1:PORT/v1`).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { Agent, request } from "undici";
import { serveProbes } from "./child-ipc.js";

const { upstream } = JSON.parse(process.argv[2] ?? "{}") as { upstream: string };
const origin = new URL(upstream);
const prefix = origin.pathname.replace(/\/$/, "").replace(/\/v1$/, "");
const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 });

const server = createServer((incoming, outgoing) => {
  const chunks: Buffer[] = [];
  incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
  incoming.on("end", () => {
    request(`${origin.origin}${prefix}${incoming.url ?? "/"}`, {
      dispatcher,
      method: "POST",
      headers: {
        "content-type": incoming.headers["content-type"] ?? "application/json",
        authorization: incoming.headers.authorization ?? "Bearer bench-key",
      },
      body: Buffer.concat(chunks),
    }).then(
      async (answer) => {
        const type = answer.headers["content-type"];
        outgoing.writeHead(answer.statusCode, typeof type === "string" ? { "content-type": type } : {});
        await pipeline(answer.body, outgoing).catch(() => {});
      },
      () => {
        outgoing.writeHead(502).end();
      },
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  serveProbes(`http://127.0.0.1:${port}`, async () => {
    server.closeAllConnections();
    server.close();
    await dispatcher.close();
  });
});
