import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUpstreamAgent } from "../../src/core/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

/**
 * Client streams aborted mid-answer must not leave idle upstream connections behind (undici 7
 * reconnects for the aborted request and parks the new socket for the keep-alive timeout,
 * nodejs/undici#5845): the upstream's open connections fall back to a few within a second, not N.
 */
const aborts = 20;

/** Counts the connections a server holds open. */
function counted(server: Server | ReturnType<typeof createTcpServer>): {
  open: () => number;
  total: () => number;
} {
  const sockets = new Set<Socket>();
  let total = 0;
  server.on("connection", (socket: Socket) => {
    total += 1;
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return { open: () => sockets.size, total: () => total };
}

/** A TCP pass-through in front of the simulator, so its connections can be counted. */
async function countingProxy(
  target: number,
): Promise<{ url: string; count: ReturnType<typeof counted>; close: () => void }> {
  const links = new Set<Socket>();
  const server = createTcpServer((inbound) => {
    const outbound = connect(target, "127.0.0.1");
    links.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const end = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.once("close", end).on("error", end);
    outbound.once("close", end).on("error", end);
  });
  const count = counted(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    count,
    close: () => {
      for (const socket of links) socket.destroy();
      server.close();
    },
  };
}

/** A bare OpenAI-style streaming upstream (keep-alive hint 10 s, like the simulator): one chunk per 20 ms. */
async function slowUpstream(pieces = 50): Promise<{
  url: string;
  count: ReturnType<typeof counted>;
  close: () => void;
}> {
  const server = createHttpServer({ keepAliveTimeout: 10_000 }, (request, response) => {
    request.resume();
    request.once("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      let sent = 0;
      const chunk = (content: string, finish: string | null): string =>
        `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":${JSON.stringify(finish)}}]}\n\n`;
      const timer = setInterval(() => {
        sent += 1;
        if (sent < pieces) response.write(chunk(`word${sent} `, null));
        else {
          clearInterval(timer);
          response.end(`${chunk("", "stop")}data: [DONE]\n\n`);
        }
      }, 20);
      response.once("close", () => clearInterval(timer));
    });
  });
  const count = counted(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    count,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Starts a stream through the gateway and disconnects after the second piece of the answer arrives. */
function abortMidAnswer(port: number): Promise<void> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] });
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/chat/completions",
        method: "POST",
        headers: { "content-type": "application/json" },
      },
      (response) => {
        let pieces = 0;
        response.on("data", () => {
          pieces += 1;
          if (pieces === 2) {
            request.destroy();
            resolve();
          }
        });
        response.once("end", () => resolve());
      },
    );
    request.once("error", () => resolve());
    request.end(body);
  });
}

/** Polls until `open()` is at most `limit`, or `withinMs` passed; returns the last count. */
async function settle(open: () => number, limit: number, withinMs: number): Promise<number> {
  const until = performance.now() + withinMs;
  while (open() > limit && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 25));
  return open();
}

async function gatewayOver(url: string): Promise<{ gateway: ReturnType<typeof gatewayFor>; port: number }> {
  const gateway = gatewayFor(
    [provider("up", url, "key-a")],
    [{ name: "m", strategy: "priority", automatic: false, deployments: [spec("up", "gpt-4.1")] }],
    // The default wait budget: 20 streams at once on a fresh deployment start two at a time until
    // its first answer (the learned capacity's slow start), the rest wait a moment.
    { engine: { maxWaitMs: 3_000 } },
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address() as AddressInfo;
  return { gateway, port: address.port };
}

describe("aborted client streams leave no idle upstream connections", () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ keys: { "key-a": {} }, chunks: 50, chunkDelayMs: 20 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it(`through the gateway to the simulator: ${aborts} aborts → the upstream's connections drop back within 1 s`, async () => {
    const proxy = await countingProxy(sim.port);
    const { gateway, port } = await gatewayOver(proxy.url);
    try {
      await Promise.all(Array.from({ length: aborts }, () => abortMidAnswer(port)));
      expect(proxy.count.total()).toBeGreaterThanOrEqual(aborts);
      expect(await settle(proxy.count.open, 2, 1_000)).toBeLessThanOrEqual(2);
      // The simulator saw every answer cut short (and stopped writing it).
      const unaborted = (): number => aborts - sim.requests.filter((r) => r.aborted).length;
      expect(await settle(unaborted, 0, 1_000)).toBe(0);
      // The pool still serves.
      const ok = await gateway.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        payload: { model: "m", messages: [{ role: "user", content: "hi" }] },
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await gateway.close();
      proxy.close();
    }
  });

  it(`through the gateway to a bare node:http upstream: ${aborts} aborts → at most 2 open within 1 s`, async () => {
    const upstream = await slowUpstream();
    const { gateway, port } = await gatewayOver(upstream.url);
    try {
      await Promise.all(Array.from({ length: aborts }, () => abortMidAnswer(port)));
      expect(await settle(upstream.count.open, 2, 1_000)).toBeLessThanOrEqual(2);
    } finally {
      await gateway.close();
      upstream.close();
    }
  });

  it("the upstream agent keeps connections that carry requests and reuses them", async () => {
    const upstream = await slowUpstream(3);
    const agent = createUpstreamAgent();
    const fresh = createUpstreamAgent();
    const origin = upstream.url.replace(/\/v1$/, "");
    try {
      for (let round = 0; round < 3; round += 1) {
        const responses = await Promise.all(
          Array.from({ length: 3 }, () =>
            agent.request({ origin, path: "/v1/chat/completions", method: "POST", body: "{}" }),
          ),
        );
        const texts = await Promise.all(responses.map((response) => response.body.text()));
        for (const text of texts) expect(text).toContain("data: [DONE]");
        // undici frees a client one turn after its body ended; without it any pool opens more.
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Three at a time over three rounds: three connections, kept alive and reused.
      expect(upstream.count.total()).toBe(3);
      expect(upstream.count.open()).toBe(3);
      // A request whose body (and so its headers) is written later still holds its fresh connection.
      const late = await fresh.request({
        origin,
        path: "/v1/chat/completions",
        method: "POST",
        body: Readable.from(
          (async function* () {
            await new Promise((resolve) => setTimeout(resolve, 30));
            yield "{}";
          })(),
        ),
      });
      expect(await late.body.text()).toContain("data: [DONE]");
    } finally {
      await agent.close();
      await fresh.close();
      upstream.close();
    }
  });
});
