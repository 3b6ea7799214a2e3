import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { answerOf, open } from "./raw-http.js";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ chunkDelayMs: 60, chunks: 8 });
});
afterAll(async () => {
  await sim.close();
});

describe("a request arriving while the gateway shuts down", () => {
  it("gets a 503 in the OpenAI error shape (not Fastify's body) after the in-flight stream finishes", async () => {
    const gateway = gatewayFor(
      [provider("p", sim.url, "sk-test-key")],
      [{ name: "m", strategy: "priority", automatic: false, deployments: [spec("p", "gpt-4.1")] }],
    );
    await gateway.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = gateway.app.server.address() as AddressInfo;
    const socket = await open(port);
    const answer = answerOf(socket, 5000);
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }], stream: true });
    socket.write(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Content-Length: ${body.length}\r\n\r\n${body}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.app.llmuxStreams.size).toBe(1);
    const closed = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // On the same (busy, so not idle-closed) connection: runs after the shutdown began.
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    const result = await answer;
    await closed;
    expect(result.text).toContain("data: [DONE]");
    // A stream that ended by itself leaves the registry.
    expect(gateway.app.llmuxStreams.size).toBe(0);
    const second = result.text.slice(result.text.indexOf("HTTP/1.1 503"));
    expect(second.startsWith("HTTP/1.1 503")).toBe(true);
    expect(second.toLowerCase()).toContain("connection: close");
    const json = second.slice(second.indexOf("\r\n\r\n") + 4);
    expect(JSON.parse(json)).toEqual({
      error: {
        message: expect.stringContaining("shutting down"),
        type: "server_error",
        param: null,
        code: "gateway_shutdown",
      },
    });
  });
});
