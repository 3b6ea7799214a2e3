/**
 * The floor of `npm run bench:gateway`: a bare node:http + undici pass-through proxy (nothing parsed,
 * nothing logged). Buffers the request body, POSTs it to the upstream with a pooled keep-alive
 * agent and pipes the answer back. Prints `READY <base url>`. argv[2]: `{ "upstream": "http://…/v1" }`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
import { Agent, request } from "undici";

const { upstream } = JSON.parse(process.argv[2] ?? "{}") as { upstream: string };
const origin = new URL(upstream).origin;
const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 30_000 });

const server = createServer((incoming, outgoing) => {
  const parts: Buffer[] = [];
  incoming.on("data", (part: Buffer) => parts.push(part));
  incoming.on("end", () => {
    request(`${origin}${incoming.url ?? "/"}`, {
      dispatcher,
      method: "POST",
      headers: { "content-type": "application/json", authorization: incoming.headers.authorization ?? "" },
      body: Buffer.concat(parts),
    }).then(
      async (answer) => {
        const type = answer.headers["content-type"];
        outgoing.writeHead(answer.statusCode, typeof type === "string" ? { "content-type": type } : {});
        await pipeline(answer.body, outgoing).catch(() => {});
      },
      () => outgoing.writeHead(502).end(),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
