import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { formatPlan, parseConfig } from "../../src/config/index.js";
import { SecretRedactor } from "../../src/errors/index.js";
import { createLogger } from "../../src/observability/index.js";

/** Every credential in the config below, none with a known key prefix. */
const secrets = {
  urlUser: "svc-user-777",
  urlPassword: "Pa55-w0rd-in-url",
  apiKey: "plainkey-without-prefix-111",
  header: "header-secret-value-222",
  otherHeader: "org-header-333",
  azureKey: "azurekey0123456789abcdef",
  gatewayKey: "gateway-key-444-secret",
  redisPassword: "redis-pass-555",
};
const encodedForms = [
  Buffer.from(`${secrets.urlUser}:${secrets.urlPassword}`).toString("base64"),
  Buffer.from(secrets.apiKey).toString("base64"),
];

/** An upstream that echoes every credential it receives (all headers and the URL) in its errors. */
function startEchoUpstream(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const echo = `credentials received: ${JSON.stringify(request.headers)} at ${request.url ?? ""}`;
      seen.push(echo);
      const model = String((JSON.parse(body || "{}") as { model?: string }).model ?? request.url);
      const error = JSON.stringify({ error: { message: echo, type: "invalid_request_error", code: "bad" } });
      if (model.includes("stream")) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = {
          id: "c1",
          object: "chat.completion.chunk",
          created: 1,
          model,
          choices: [] as unknown[],
        };
        chunk.choices.push({ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null });
        response.write(`data: ${JSON.stringify(chunk)}\n\n`);
        response.end(`data: ${error}\n\n`);
        return;
      }
      const status = model.includes("401") ? 401 : model.includes("500") ? 500 : 400;
      response.writeHead(status, { "content-type": "application/json" }).end(error);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `127.0.0.1:${port}`, seen });
    });
  });
}

let upstream: Awaited<ReturnType<typeof startEchoUpstream>>;
let gateway: RunningGateway;
let configText: string;
const logLines: string[] = [];
const seenByClient: string[] = [];

beforeAll(async () => {
  upstream = await startEchoUpstream();
  configText = [
    "server:",
    "  port: 0",
    "  auth:",
    `    keys: [${secrets.gatewayKey}]`,
    "routing:",
    "  max_attempts: 2",
    "providers:",
    "  - id: echo",
    "    type: openai-compatible",
    `    base_url: http://${secrets.urlUser}:${secrets.urlPassword}@${upstream.url}/v1`,
    `    api_key: ${secrets.apiKey}`,
    "    headers:",
    `      X-Custom-Auth: ${secrets.header}`,
    `      X-Org: ${secrets.otherHeader}`,
    "  - id: az",
    "    type: azure",
    `    base_url: http://${upstream.url}`,
    `    api_key: ${secrets.azureKey}`,
    "    deployments: { echo-400: echo-400, echo-401: echo-401 }",
    "models:",
    "  bad: { deployments: [echo/echo-400] }",
    "  denied: { deployments: [echo/echo-401] }",
    "  broken: { deployments: [echo/echo-500] }",
    "  streamed: { deployments: [echo/echo-stream] }",
    "  azure-bad: { deployments: [az/echo-400] }",
    "  azure-denied: { deployments: [az/echo-401] }",
    "state:",
    "  redis:",
    `    url: redis://:${secrets.redisPassword}@127.0.0.1:1`,
    "",
  ].join("\n");
  const { config } = parseConfig(configText, { file: "secrets.yaml", env: {} });
  // As `llmux serve` builds it: the logger masks every configured secret by value.
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logLines.push(line) },
    redactor: SecretRedactor.fromConfig(config),
  });
  gateway = await startGateway(config, { logger, port: 0 });
}, 30_000);
afterAll(async () => {
  await gateway.close(100);
  await new Promise((resolve) => upstream.server.close(resolve));
});

async function call(path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${secrets.gatewayKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  seenByClient.push(text);
  return { status: response.status, text };
}

function expectNoSecret(text: string): void {
  for (const secret of [...Object.values(secrets), ...encodedForms]) expect(text).not.toContain(secret);
}

const messages = [{ role: "user", content: "hi" }];

describe("secrets are masked by value everywhere", () => {
  it("in HTTP error bodies, though the upstream echoed every credential", async () => {
    for (const model of ["bad", "denied", "broken", "azure-bad", "azure-denied"]) {
      const answer = await call("/v1/chat/completions", { model, messages });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { type: expect.any(String) } });
      expectNoSecret(answer.text);
    }
    // The upstream did receive (and echo) the credentials: the masking is what hides them.
    const echoed = upstream.seen.join("\n");
    expect(echoed).toContain(secrets.apiKey);
    expect(echoed).toContain(secrets.header);
    expect(echoed).toContain(secrets.azureKey);
    const bad = seenByClient.find((text) => text.includes("credentials received")) ?? "";
    expect(bad).toContain("[redacted]");
  });

  it("in the in-band error event of a stream", async () => {
    const answer = await call("/v1/chat/completions", { model: "streamed", messages, stream: true });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('data: {"error":');
    expect(answer.text).not.toContain("[DONE]");
    expectNoSecret(answer.text);
  });

  it("in /status, /metrics and every log line", async () => {
    const status = await call("/status");
    expect(status.status).toBe(200);
    expect(status.text).toContain("[redacted]");
    expectNoSecret(status.text);
    const metrics = await call("/metrics");
    expect(metrics.status).toBe(200);
    expectNoSecret(metrics.text);
    expect(logLines.length).toBeGreaterThan(5);
    expect(logLines.join("")).toContain("[redacted]");
    expectNoSecret(logLines.join(""));
  });

  it("in `llmux check` output", () => {
    const { config, warnings } = parseConfig(configText, { file: "secrets.yaml", env: {} });
    const plan = formatPlan(config);
    expect(plan).toContain("Providers (2):");
    expectNoSecret(plan);
    expectNoSecret(warnings.join("\n"));
  });
});
