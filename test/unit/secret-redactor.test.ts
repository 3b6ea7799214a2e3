import { describe, expect, it } from "vitest";
import { redactSecrets, SecretRedactor } from "../../src/errors/index.js";

const config = {
  server: { auth: { keys: ["gateway-key-0001"] } },
  state: { redis: { url: "redis://cache-user:redis%2Fpass-99@cache:6379/0" } },
  providers: [
    {
      apiKey: "azure0123456789abcdef",
      baseUrl: "http://svc-account:p%40ss-w0rd-1@proxy.internal:8080/v1",
      headers: { "X-Tenant-Token": "tenant-token-value", "X-Title": "My App" },
    },
    { apiKey: "ollama", baseUrl: null, headers: {} },
  ],
};

describe("SecretRedactor", () => {
  const redactor = SecretRedactor.fromConfig(config);

  it.each([
    ["an api key without a known prefix", "bad key azure0123456789abcdef given", "bad key [redacted] given"],
    [
      "a header value",
      'headers: {"x-tenant-token":"tenant-token-value"}',
      'headers: {"x-tenant-token":"[redacted]"}',
    ],
    ["a gateway key", "key gateway-key-0001", "key [redacted]"],
    ["a URL password, decoded", "password p@ss-w0rd-1 rejected", "password [redacted] rejected"],
    ["a URL password, as written", "url http://x/?p=p%40ss-w0rd-1", "url http://x/?p=[redacted]"],
    ["a URL user", "user svc-account unknown", "user [redacted] unknown"],
    [
      "Basic user:password",
      `got ${Buffer.from("svc-account:p@ss-w0rd-1").toString("base64")} in header`,
      "got [redacted] in header",
    ],
    ["the Redis password", "AUTH redis/pass-99 failed", "AUTH [redacted] failed"],
    ["a base64 key", `x ${Buffer.from("azure0123456789abcdef").toString("base64")} y`, "x [redacted] y"],
    ["a URL-encoded header value", `v=${encodeURIComponent("tenant-token-value")}`, "v=[redacted]"],
  ])("masks %s", (_name, text, expected) => {
    expect(redactor.redact(text)).toBe(expected);
  });

  it("masks a JSON-escaped secret in a serialised line", () => {
    const quoted = new SecretRedactor(['quote"in-the-middle']);
    expect(quoted.redact(JSON.stringify({ message: 'saw quote"in-the-middle' }))).toBe(
      '{"message":"saw [redacted]"}',
    );
  });

  it("leaves short values (ollama) and ordinary text alone", () => {
    expect(redactor.redact("provider ollama (type ollama) answered 200")).toBe(
      "provider ollama (type ollama) answered 200",
    );
  });

  it("masks the longer of two overlapping secrets whole", () => {
    const overlapping = new SecretRedactor(["abcdefgh", "abcdefgh-ijkl"]);
    expect(overlapping.redact("abcdefgh-ijkl and abcdefgh")).toBe("[redacted] and [redacted]");
  });

  it("keeps masking the known key shapes", () => {
    expect(SecretRedactor.shapesOnly().redact("key sk-proj-abcdef123456 and Bearer tok_12345678")).toBe(
      "key sk-proj-[redacted] and Bearer [redacted]",
    );
  });
});

describe("redactSecrets", () => {
  it("masks URL passwords and Basic credentials without a known value", () => {
    expect(redactSecrets("connect http://user:hunter2@host:80/x failed")).toBe(
      "connect http://user:[redacted]@host:80/x failed",
    );
    expect(redactSecrets("Authorization: Basic dXNlcjpodW50ZXIy")).toBe("Authorization: Basic [redacted]");
    expect(redactSecrets("see https://example.com/a?b=1 and http://[::1]:80/")).toBe(
      "see https://example.com/a?b=1 and http://[::1]:80/",
    );
  });
});
