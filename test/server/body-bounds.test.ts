import type { AddressInfo } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nestsDeeperThan } from "../../src/server/json-body.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { answerOf, chatHead, open, rawExchange } from "./raw-http.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const mib = 1024 * 1024;
let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
let port: number;

beforeAll(async () => {
  sim = await startSimulator();
  gateway = gatewayFor(
    [provider("p", sim.url, "sk-test-key")],
    [{ name: "m", strategy: "priority", automatic: false, deployments: [spec("p", "gpt-4.1")] }],
    { server: { bodyLimitBytes: 64 * mib, bodyTimeoutMs: 200, requestReadTimeoutMs: 1500 } },
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  port = (gateway.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

function bufferedBytes(): number {
  gc();
  return process.memoryUsage().arrayBuffers;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("JSON nesting bound", () => {
  it("answers a 5,000-deep body with a 400 naming the limit", async () => {
    const payload = `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${nested(5000)}}`;
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        message: expect.stringContaining("JSON nesting deeper than 128 levels"),
        type: "invalid_request_error",
        param: null,
        code: "json_too_deep",
      },
    });
    expect(response.json().error.message).toContain("server.max_json_depth");
    expect(sim.requests).toHaveLength(0);
  });

  it("accepts a deep but real tool schema (well under the limit)", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) schema = { type: "object", properties: { [`level${i}`]: schema } };
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: {
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "f", parameters: schema } }],
      },
    });
    expect(response.statusCode).toBe(200);
  });

  it("counts levels exactly and walks a huge depth without recursion", () => {
    expect(nestsDeeperThan(JSON.parse(nested(128)), 128)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested(129)), 128)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    expect(nestsDeeperThan("text", 0)).toBe(false);
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, 128)).toBe(true);
    expect(nestsDeeperThan(deep, 300_000)).toBe(false);
  });
});

describe("request body timeouts", () => {
  it("answers a body that stops arriving with a 408 in the OpenAI shape, then closes the connection", async () => {
    const socket = await open(port);
    const answer = answerOf(socket, 5000);
    socket.write(chatHead(1000) + '{"model":"m","messages":[');
    const started = Date.now();
    const result = await answer;
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(result.status).toBe(408);
    expect(result.headers["connection"]).toBe("close");
    expect(JSON.parse(result.body)).toEqual({
      error: {
        message: expect.stringContaining("server.body_timeout_ms"),
        type: "invalid_request_error",
        param: null,
        code: "request_timeout",
      },
    });
    expect(result.closed).toBe(true);
  });

  it("answers a body trickling in slower than request_read_timeout_ms with a 408", async () => {
    const socket = await open(port);
    const answer = answerOf(socket, 5000);
    socket.write(chatHead(1000));
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(" ");
    }, 50);
    const result = await answer;
    clearInterval(trickle);
    expect(result.status).toBe(408);
    expect(JSON.parse(result.body).error).toMatchObject({
      message: expect.stringContaining("server.request_read_timeout_ms"),
      code: "request_timeout",
    });
    expect(result.closed).toBe(true);
  });

  it("still reads a complete body sent in pieces", async () => {
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const socket = await open(port);
    const answer = answerOf(socket, 3000, true);
    socket.write(chatHead(Buffer.byteLength(body)) + body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(body.slice(10));
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.closed).toBe(false);
  });

  it("releases many stalled partial bodies at the timeout", async () => {
    const before = bufferedBytes();
    const part = Buffer.alloc(4 * mib, 0x20);
    const sockets = await Promise.all(Array.from({ length: 10 }, () => open(port)));
    const answers = sockets.map((socket) => answerOf(socket, 8000));
    for (const socket of sockets) socket.write(Buffer.concat([Buffer.from(chatHead(8 * mib)), part]));
    // While stalled, the server holds the partial bodies (so this check can fail).
    await until(() => process.memoryUsage().arrayBuffers - before > 35 * mib);
    const results = await Promise.all(answers);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(408));
    expect(results.every((r) => r.closed)).toBe(true);
    await until(() => bufferedBytes() - before < 8 * mib);
  });

  it("releases partial bodies when the clients close mid-body (no timeout involved)", async () => {
    const untimed = gatewayFor([], [], {
      server: { bodyLimitBytes: 64 * mib, bodyTimeoutMs: 0, requestReadTimeoutMs: 0 },
    });
    await untimed.app.listen({ port: 0, host: "127.0.0.1" });
    const untimedPort = (untimed.app.server.address() as AddressInfo).port;
    try {
      const before = bufferedBytes();
      const part = Buffer.alloc(4 * mib, 0x20);
      const sockets = await Promise.all(Array.from({ length: 10 }, () => open(untimedPort)));
      for (const socket of sockets) socket.write(Buffer.concat([Buffer.from(chatHead(8 * mib)), part]));
      await until(() => process.memoryUsage().arrayBuffers - before > 35 * mib);
      for (const socket of sockets) socket.destroy();
      await until(() => bufferedBytes() - before < 8 * mib);
    } finally {
      await untimed.close();
    }
  });

  it("refuses a declared body over the limit at once with a 413", async () => {
    const result = await rawExchange(port, chatHead(65 * mib), 3000);
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body).error).toMatchObject({ type: "invalid_request_error" });
  });
});
