import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";

const teamKey = "team-key-redis-0123456789";
let upstream: Server;
const nodes: RunningGateway[] = [];

beforeAll(async () => {
  upstream = createServer((_request, response) => {
    _request.resume();
    _request.on("end", () =>
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: "c",
          object: "chat.completion",
          created: 1,
          model: "m",
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const port = (upstream.address() as AddressInfo).port;
  const prefix = `llmux-test-spend-${process.pid}-${Date.now()}:`;
  const text = [
    "server: { port: 0, auth: { keys: [gateway-key-0123456789] } }",
    "providers:",
    `  - { id: up, type: openai-compatible, base_url: "http://127.0.0.1:${port}/v1", api_key: k }`,
    "models:",
    "  g: { deployments: [{ provider: up, model: m, price: { input_per_1m_usd: 1, output_per_1m_usd: 1 } }] }",
    "keys:",
    `  - { name: shared, key: "${teamKey}", rpm: 3 }`,
    "state:",
    `  redis: { url: "redis://127.0.0.1:6379", prefix: "${prefix}" }`,
    "",
  ].join("\n");
  const { config } = parseConfig(text, { file: "redis.yaml", env: {} });
  for (let i = 0; i < 2; i++)
    nodes.push(await startGateway(config, { logger: createLogger({ level: "silent" }), port: 0 }));
}, 30_000);

afterAll(async () => {
  for (const node of nodes) await node.close(100);
  await new Promise((resolve) => upstream.close(resolve));
});

function chat(node: RunningGateway): Promise<number> {
  return fetch(`${node.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${teamKey}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "g", messages: [{ role: "user", content: "hi" }] }),
  }).then((response) => response.status);
}

describe("virtual key limits on two gateway nodes sharing Redis", () => {
  it("a key's rpm is shared, not multiplied by the nodes", async () => {
    const [a, b] = nodes as [RunningGateway, RunningGateway];
    expect(await chat(a)).toBe(200);
    expect(await chat(b)).toBe(200);
    expect(await chat(a)).toBe(200);
    // 3 per minute across both nodes: the fourth is refused wherever it lands.
    expect(await chat(b)).toBe(429);
    expect(await chat(a)).toBe(429);
  });
});
