import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayFor } from "../helpers/gateway.js";
import { rawExchange } from "./raw-http.js";

let gateway: ReturnType<typeof gatewayFor>;
let port: number;

beforeAll(async () => {
  gateway = gatewayFor([], []);
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  port = (gateway.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await gateway.close();
});

const post = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n";

describe("HTTP framing errors", () => {
  it.each([
    [
      "bad chunked encoding",
      `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      "invalid chunked encoding",
    ],
    [
      "two Content-Length headers",
      `${post}Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      "Content-Length",
    ],
    [
      "a bad character in a header",
      `${post}X-Bad\u0001Name: 1\r\nContent-Length: 2\r\n\r\n{}`,
      "invalid character in a header",
    ],
  ])(
    "answers %s with a 400 in the OpenAI error shape and closes the connection",
    async (_name, request, words) => {
      const answer = await rawExchange(port, request, 3000);
      expect(answer.status).toBe(400);
      expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(answer.headers["connection"]).toBe("close");
      expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.body));
      expect(JSON.parse(answer.body)).toEqual({
        error: {
          message: expect.stringContaining(words),
          type: "invalid_request_error",
          param: null,
          code: "invalid_http_request",
        },
      });
      expect(answer.body).not.toContain("Bad Request");
      expect(answer.closed).toBe(true);
    },
  );

  it("answers headers that are too large with a 431 in the OpenAI error shape", async () => {
    const answer = await rawExchange(
      port,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body).error).toMatchObject({
      type: "invalid_request_error",
      code: "invalid_http_request",
    });
  });
});
