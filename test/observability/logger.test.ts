import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../../src/errors/index.js";
import { createLogger, redactPaths, requestLogLine } from "../../src/observability/logger.js";

const secret = "sk-test-SECRET123";

/** A logger writing into an array of parsed JSON lines. */
function captured(level?: string) {
  const raw: string[] = [];
  const logger = createLogger({
    ...(level === undefined ? {} : { level }),
    destination: { write: (line: string) => void raw.push(line) },
  });
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, raw, lines };
}

describe("createLogger", () => {
  it("writes JSON lines at the chosen level", () => {
    const { logger, lines } = captured("warn");
    logger.info({ a: 1 }, "hidden");
    logger.warn({ b: 2 }, "shown");
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({ level: 40, b: 2, msg: "shown" });
  });

  it("defaults to info", () => {
    const { logger, lines } = captured();
    logger.debug({}, "hidden");
    logger.info({}, "shown");
    expect(lines().map((line) => line["msg"])).toEqual(["shown"]);
  });

  it.each([
    ["an authorization header of a request", { req: { headers: { authorization: `Bearer ${secret}` } } }],
    ["request.headers", { request: { headers: { Authorization: `Bearer ${secret}` } } }],
    ["x-api-key", { headers: { "x-api-key": secret } }],
    ["api-key (Azure)", { headers: { "api-key": secret } }],
    ["x-goog-api-key (Gemini)", { headers: { "x-goog-api-key": secret } }],
    ["a top-level apiKey", { apiKey: secret }],
    ["a provider's apiKey", { provider: { id: "openai-1", apiKey: secret } }],
    ["a target's api_key", { target: { id: "d", api_key: secret } }],
    ["options.apiKey", { options: { apiKey: secret } }],
    [
      "a list of providers",
      {
        providers: [
          { id: "a", apiKey: secret },
          { id: "b", api_key: secret },
        ],
      },
    ],
    ["config.providers", { config: { providers: [{ id: "a", apiKey: secret }] } }],
    ["an upstream response's headers in an event", { event: { headers: { "set-cookie": secret } } }],
    ["a password", { password: secret }],
    ["a cookie", { headers: { cookie: `session=${secret}` } }],
  ])("censors %s", (_name, object) => {
    const { logger, raw } = captured();
    logger.warn(object, "something happened");
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain("SECRET123");
    expect(raw[0]).toContain('"[redacted]"');
  });

  it("keeps the fields next to a secret", () => {
    const { logger, lines } = captured();
    logger.info({ provider: { id: "openai-1", apiKey: secret }, headers: { "content-type": "json" } }, "x");
    expect(lines()[0]).toMatchObject({
      provider: { id: "openai-1", apiKey: "[redacted]" },
      headers: { "content-type": "json" },
    });
  });

  it("does not change the logged object", () => {
    const { logger } = captured();
    const object = { headers: { authorization: secret } };
    logger.info(object, "x");
    expect(object.headers.authorization).toBe(secret);
  });

  it("censors child logger bindings too", () => {
    const { logger, raw } = captured();
    logger.child({ apiKey: secret }).info({ ok: true }, "x");
    expect(raw.join("")).not.toContain("SECRET123");
  });

  it("with a redactor, masks configured secrets by value anywhere in a line", () => {
    const raw: string[] = [];
    const logger = createLogger({
      destination: { write: (line: string) => void raw.push(line) },
      redactor: new SecretRedactor(["azure-key-without-prefix", "header-value-1234"]),
    });
    logger.warn(
      { event: { message: "upstream said: bad key azure-key-without-prefix" }, note: "header-value-1234" },
      "cooldown after header-value-1234 was refused",
    );
    expect(raw).toHaveLength(1);
    expect(raw[0]).not.toContain("azure-key-without-prefix");
    expect(raw[0]).not.toContain("header-value-1234");
    expect(JSON.parse(raw[0] ?? "")).toMatchObject({
      event: { message: "upstream said: bad key [redacted]" },
      note: "[redacted]",
      msg: "cooldown after [redacted] was refused",
    });
  });

  it("without a redactor, leaves values that only look ordinary", () => {
    const { logger, raw } = captured();
    logger.info({ note: "azure-key-without-prefix" }, "x");
    expect(raw[0]).toContain("azure-key-without-prefix");
  });

  it("anchors every redaction path (no leading wildcard, which costs microseconds per line)", () => {
    const paths = redactPaths();
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((path) => path.startsWith("*"))).toEqual([]);
    expect(paths).toContain("req.headers.authorization");
    expect(paths).toContain('headers["x-api-key"]');
    expect(paths).toContain('headers["api-key"]');
  });
});

describe("requestLogLine", () => {
  it("shapes the one line per request, without bodies", () => {
    const line = requestLogLine({
      requestId: "req-1",
      method: "POST",
      route: "/v1/chat/completions",
      model: "gpt-4.1",
      group: "gpt-4.1",
      deployment: "openai-1/gpt-4.1",
      attempts: 2,
      status: 200,
      latencyMs: 431.23456,
      upstreamMs: 430.0001,
      stream: true,
    });
    expect(line).toEqual({
      requestId: "req-1",
      method: "POST",
      route: "/v1/chat/completions",
      model: "gpt-4.1",
      group: "gpt-4.1",
      deployment: "openai-1/gpt-4.1",
      attempts: 2,
      status: 200,
      stream: true,
      latencyMs: 431.235,
      upstreamMs: 430,
      overheadMs: 1.234,
      errorCode: null,
    });
  });

  it("carries the error code and never a negative overhead", () => {
    const line = requestLogLine({
      requestId: "req-2",
      method: "POST",
      route: "/v1/chat/completions",
      model: "smart",
      group: "smart",
      deployment: null,
      attempts: 3,
      status: 429,
      latencyMs: 10,
      upstreamMs: 10.5,
      stream: false,
      errorCode: "rate_limited",
    });
    expect(line).toMatchObject({ errorCode: "rate_limited", overheadMs: 0, deployment: null });
  });

  it("goes through the logger as one JSON line", () => {
    const { logger, lines } = captured();
    logger.info(
      requestLogLine({
        requestId: "req-3",
        method: "GET",
        route: "/v1/models",
        model: null,
        group: null,
        deployment: null,
        attempts: 0,
        status: 200,
        latencyMs: 0.2,
        upstreamMs: 0,
        stream: false,
      }),
      "request",
    );
    expect(lines()[0]).toMatchObject({ requestId: "req-3", route: "/v1/models", msg: "request" });
  });
});
