import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, type ChunkSink } from "../../src/core/transport/post.js";
import { createUpstreamAgent } from "../../src/core/transport/upstream-agent.js";
import { UpstreamNetworkError } from "../../src/errors/index.js";
import type { AttemptOptions } from "../../src/types/index.js";

/** A minimal attempt: abortable from the test. */
class TestAttempt implements AttemptOptions {
  aborted = false;
  reason: unknown = undefined;
  readonly #listeners: Array<(reason: unknown) => void> = [];
  get signal(): AbortSignal {
    throw new Error("post must use onAbort, not the signal");
  }
  onAbort(listener: (reason: unknown) => void): void {
    if (this.aborted) listener(this.reason);
    else this.#listeners.push(listener);
  }
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.#listeners) listener(reason);
  }
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;
const routes = new Map<string, Handler>();
let server: Server;
let origin: string;
const agent = createUpstreamAgent();
const seen: Array<{ path: string; headers: IncomingMessage["headers"]; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (part: string) => (body += part));
    request.on("end", () => {
      seen.push({ path: request.url ?? "", headers: request.headers, body });
      routes.get(request.url ?? "")?.(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await agent.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const neverError = (status: number): unknown => new Error(`unexpected ${status}`);

describe("post (undici dispatch exchange)", () => {
  it("sends method, headers and body; resolves at the headers; bytes() reads the whole body", async () => {
    routes.set("/ok", (_request, response, body) => {
      response.writeHead(200, { "content-type": "application/json", "x-ratelimit-remaining-requests": "9" });
      response.write('{"echo":');
      setTimeout(() => response.end(`${JSON.stringify(body)}}`), 20);
    });
    const response = await post(
      agent,
      { origin, path: "/ok" },
      { "content-type": "application/json", authorization: "Bearer sk-test" },
      '{"q":1}',
      new TestAttempt(),
      "openai",
      neverError,
    );
    expect(response.status).toBe(200);
    expect(response.headers["x-ratelimit-remaining-requests"]).toBe("9");
    expect(JSON.parse((await response.body.bytes()).toString())).toEqual({ echo: '{"q":1}' });
    const last = seen.at(-1)!;
    expect(last.headers.authorization).toBe("Bearer sk-test");
    expect(last.body).toBe('{"q":1}');
  });

  it("iterates chunks in order as they arrive", async () => {
    routes.set("/chunks", (_request, response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        response.write(`data: ${sent}\n\n`);
        if (sent === 5) {
          clearInterval(timer);
          response.end();
        }
      }, 5);
    });
    const response = await post(
      agent,
      { origin, path: "/chunks" },
      {},
      "",
      new TestAttempt(),
      "openai",
      neverError,
    );
    let text = "";
    for await (const chunk of response.body) text += chunk.toString();
    expect(text).toBe("data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\ndata: 5\n\n");
  });

  it("push() delivers what was queued before it, then the rest, then end, once", async () => {
    routes.set("/push", (_request, response) => {
      response.writeHead(200);
      response.write("a");
      setTimeout(() => response.write("b"), 10);
      setTimeout(() => response.end("c"), 30);
    });
    const response = await post(
      agent,
      { origin, path: "/push" },
      {},
      "",
      new TestAttempt(),
      "openai",
      neverError,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const parts: string[] = [];
    const done = await new Promise<string>((resolve) => {
      const sink: ChunkSink = {
        chunk: (chunk) => parts.push(chunk.toString()),
        end: () => resolve("end"),
        error: (error) => resolve(`error ${String(error)}`),
      };
      response.body.push(sink);
    });
    expect(done).toBe("end");
    expect(parts.join("")).toBe("abc");
  });

  it("an error status reads the bounded body and throws what onError builds", async () => {
    routes.set("/429", (_request, response) => {
      response.writeHead(429, { "retry-after": "2", "content-type": "application/json" });
      response.end('{"error":{"message":"slow down"}}');
    });
    const calls: Array<[number, string, string]> = [];
    const error = await post(
      agent,
      { origin, path: "/429" },
      {},
      "",
      new TestAttempt(),
      "openai",
      (status, headers, text) => {
        calls.push([status, headers["retry-after"] ?? "", text]);
        return new Error("rate limited");
      },
    ).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe("rate limited");
    expect(calls).toEqual([[429, "2", '{"error":{"message":"slow down"}}']]);
  });

  it("cuts an error body at 64 KB", async () => {
    routes.set("/big-error", (_request, response) => {
      response.writeHead(500);
      response.end("x".repeat(300_000));
    });
    let length = 0;
    await post(
      agent,
      { origin, path: "/big-error" },
      {},
      "",
      new TestAttempt(),
      "openai",
      (_status, _headers, text) => {
        length = text.length;
        return new Error("5xx");
      },
    ).catch(() => undefined);
    expect(length).toBe(64 * 1024);
  });

  it("an abort before the headers rejects with the attempt's reason and the upstream sees the close", async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => (closed = resolve));
    routes.set("/slow", (_request, response) => {
      response.on("close", () => closed());
    });
    const attempt = new TestAttempt();
    const pending = post(agent, { origin, path: "/slow" }, {}, "", attempt, "openai", neverError);
    setTimeout(() => attempt.abort(new Error("first token timeout")), 30);
    await expect(pending).rejects.toThrow("first token timeout");
    await upstreamClosed;
  });

  it("an abort mid-body fails the iterator with the attempt's reason", async () => {
    routes.set("/stall", (_request, response) => {
      response.writeHead(200);
      response.write("data: 1\n\n");
    });
    const attempt = new TestAttempt();
    const response = await post(agent, { origin, path: "/stall" }, {}, "", attempt, "openai", neverError);
    const iterator = response.body[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.toString()).toBe("data: 1\n\n");
    const next = iterator.next();
    attempt.abort(new Error("idle timeout"));
    await expect(next).rejects.toThrow("idle timeout");
  });

  it("a connection refused is an UpstreamNetworkError naming the provider", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await post(
      agent,
      { origin: `http://127.0.0.1:${port}`, path: "/" },
      {},
      "",
      new TestAttempt(),
      "groq",
      neverError,
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect((error as UpstreamNetworkError).networkCode).toBe("ECONNREFUSED");
    expect((error as UpstreamNetworkError).provider).toBe("groq");
  });

  it("a body cut by the upstream fails the reader with a network error", async () => {
    routes.set("/cut", (_request, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("partial");
      setTimeout(() => response.socket?.destroy(), 10);
    });
    const response = await post(
      agent,
      { origin, path: "/cut" },
      {},
      "",
      new TestAttempt(),
      "openai",
      neverError,
    );
    await expect(response.body.bytes()).rejects.toBeInstanceOf(UpstreamNetworkError);
  });
});
