import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";

/** An upstream answering every chat request with 1 000 prompt tokens (200 cached) and 500 completion tokens. */
function startUpstream(): Promise<{ server: Server; url: string; models: string[] }> {
  const models: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const parsed = JSON.parse(body || "{}") as { model?: string; stream?: boolean };
      models.push(String(parsed.model));
      const usage = {
        prompt_tokens: 1000,
        completion_tokens: 500,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 200 },
      };
      if (parsed.stream === true) {
        const base = { id: "c1", object: "chat.completion.chunk", created: 1, model: parsed.model };
        const content = { index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: "stop" };
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`data: ${JSON.stringify({ ...base, choices: [content] })}\n\n`);
        response.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        response.end("data: [DONE]\n\n");
        return;
      }
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: parsed.model,
          choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          usage,
        }),
      );
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/v1`, models });
    });
  });
}

const adminKey = "admin-key-0123456789";
const teamKey = "team-key-0123456789abc";
const gatewayKey = "gateway-key-0123456789";
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let gateway: RunningGateway;
const logLines: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  const text = [
    "server:",
    "  port: 0",
    `  admin_key: ${adminKey}`,
    "  auth:",
    `    keys: [${gatewayKey}]`,
    "providers:",
    "  - id: up",
    "    type: openai-compatible",
    `    base_url: ${upstream.url}`,
    "    api_key: upstream-key-1",
    "models:",
    // big: $10 in / $30 out per 1M; small: $1 / $2 (cached $0.5).
    "  smart:",
    "    deployments:",
    "      - { provider: up, model: big, price: { input_per_1m_usd: 10, output_per_1m_usd: 30 } }",
    "    fallbacks:",
    "      - { provider: up, model: small, price: { input_per_1m_usd: 1, output_per_1m_usd: 2, cached_input_per_1m_usd: 0.5 } }",
    "  premium: { deployments: [{ provider: up, model: big, price: { input_per_1m_usd: 10, output_per_1m_usd: 30 } }] }",
    "  unpriced: { deployments: [up/free] }",
    // least-cost picks by the price table, not by list order (the dearer one is listed first).
    "  thrifty:",
    "    strategy: least-cost",
    "    deployments:",
    "      - { provider: up, model: dear, price: { input_per_1m_usd: 5, output_per_1m_usd: 15 } }",
    "      - { provider: up, model: cheap, price: { input_per_1m_usd: 0.1, output_per_1m_usd: 0.4 } }",
    "budgets:",
    "  max_usd_per_request: 0.01",
    "  groups:",
    "    unpriced: { max_usd_per_request: null }",
    "    thrifty: { max_usd_per_request: null }",
    "keys:",
    `  - { name: team-a, key: "${teamKey}", budget_usd: 0.005, rpm: 100, models: [smart, unpriced] }`,
    "state:",
    "  spend_db: ':memory:'",
    "",
  ].join("\n");
  const { config } = parseConfig(text, { file: "spend.yaml", env: {} });
  const logger = createLogger({
    level: "info",
    destination: { write: (line: string) => void logLines.push(line) },
  });
  gateway = await startGateway(config, { logger, port: 0 });
}, 30_000);

afterAll(async () => {
  await gateway.close(100);
  await new Promise((resolve) => upstream.server.close(resolve));
});

function chat(key: string, model: string, maxTokens = 100): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: maxTokens, messages: [{ role: "user", content: "hello" }] }),
  });
}

describe("spend control through the gateway", () => {
  it("skips the deployment over the per-request limit and prices the answer from its usage", async () => {
    const response = await chat(gatewayKey, "smart");
    expect(response.status).toBe(200);
    // big's estimate (~$0.003) fits $0.01, but a long answer would not: with max_tokens 100 it fits.
    expect(response.headers.get("x-route-decision")).toBe("up:big");
    // 800 × $10 + 200 × $10 (no cached price: input rate) + 500 × $30 = $0.025 per 1M-scaled.
    expect(response.headers.get("x-llmux-cost-usd")).toBe("0.025000");
    expect(response.headers.get("x-route-estimate-usd")).not.toBeNull();
  });

  it("down-routes to the cheaper deployment when the expensive one's estimate is over the limit", async () => {
    const response = await chat(gatewayKey, "smart", 1000);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-route-decision")).toBe("up:small");
    // 800 × $1 + 200 × $0.5 + 500 × $2 = $0.0019.
    expect(response.headers.get("x-llmux-cost-usd")).toBe("0.001900");
    expect(upstream.models.at(-1)).toBe("small");
  });

  it("writes the cost into a stream's final usage (include_usage)", async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${gatewayKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "smart",
        max_tokens: 1000,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "hello" }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-route-decision")).toBe("up:small");
    const text = await response.text();
    const usageLine = text.split("\n").find((line) => line.includes('"usage"'));
    const chunk = JSON.parse(usageLine?.slice("data: ".length) ?? "{}") as { usage?: { cost_usd?: number } };
    expect(chunk.usage?.cost_usd).toBe(0.0019);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("answers 402 with the structured body when no deployment fits", async () => {
    const response = await chat(gatewayKey, "premium", 1000);
    expect(response.status).toBe(402);
    const body = (await response.json()) as {
      error: { code: string; type: string; details: { limit: number } };
    };
    expect(body.error.code).toBe("insufficient_budget");
    expect(body.error.details.limit).toBe(0.01);
  });

  it("checks virtual keys: unknown 401, model allow-list 403, budget 402 once spent", async () => {
    expect((await chat("not-a-known-key-000000", "smart")).status).toBe(401);
    expect((await chat(teamKey, "premium")).status).toBe(403);
    const first = await chat(teamKey, "smart", 1000);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-llmux-cost-usd")).toBe("0.001900");
    const second = await chat(teamKey, "smart", 1000);
    expect(second.status).toBe(200);
    // $0.0038 spent + the ~$0.002 estimate held > $0.005: refused before routing.
    const third = await chat(teamKey, "smart", 1000);
    expect(third.status).toBe(402);
    const body = (await third.json()) as { error: { code: string } };
    expect(body.error.code).toBe("budget_exhausted");
  });

  it("reports cost in /metrics, /status, the log line and /admin/spend; the admin API needs its key", async () => {
    const metrics = await (
      await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${gatewayKey}` } })
    ).text();
    expect(metrics).toMatch(/llmux_cost_usd_total\{group="smart",deployment="up\/big",key=""\} 0\.025/);
    expect(metrics).toMatch(
      /llmux_cost_usd_total\{group="smart",deployment="up\/small",key="team-a"\} 0\.0038/,
    );
    const status = (await (
      await fetch(`${gateway.url}/status`, { headers: { authorization: `Bearer ${gatewayKey}` } })
    ).json()) as { spend: { by_key: Record<string, number>; prices: Record<string, unknown> } };
    expect(status.spend.by_key["team-a"]).toBeCloseTo(0.0038, 9);
    expect(status.spend.prices["up/free"]).toBeNull();
    expect(logLines.some((line) => line.includes('"costUsd":0.025'))).toBe(true);
    expect(logLines.join("\n")).not.toContain(teamKey);
    expect(
      (await fetch(`${gateway.url}/admin/keys`, { headers: { authorization: `Bearer ${gatewayKey}` } }))
        .status,
    ).toBe(401);
    const spend = (await (
      await fetch(`${gateway.url}/admin/spend?by=key`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { data: { keyName: string | null; usd: number; requests: number }[] };
    const team = spend.data.find((row) => row.keyName === "team-a");
    expect(team?.usd).toBeCloseTo(0.0038, 9);
    expect(team?.requests).toBe(2);
  });

  it("creates a key through the admin API that works at once and revokes it", async () => {
    const created = await fetch(`${gateway.url}/admin/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "temp", models: ["unpriced"] }),
    });
    expect(created.status).toBe(201);
    const { key, id } = (await created.json()) as { key: string; id: string };
    expect((await chat(key, "unpriced")).status).toBe(200);
    const revoked = await fetch(`${gateway.url}/admin/keys/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(revoked.status).toBe(200);
    expect((await chat(key, "unpriced")).status).toBe(401);
  });

  it("least-cost sends every request to the cheapest priced deployment of the tier", async () => {
    const before = upstream.models.length;
    for (let index = 0; index < 6; index += 1) expect((await chat(gatewayKey, "thrifty")).status).toBe(200);
    expect(upstream.models.slice(before)).toEqual(Array(6).fill("cheap"));
  });

  it("the dashboard's data shows the spend per key and per group from the ledger", async () => {
    const data = (await (
      await fetch(`${gateway.url}/ui/data`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as {
      spend: { keys: { name: string; usd: number }[]; groups: { name: string; usd: number }[] };
    };
    expect(data.spend.keys.find((row) => row.name === "team-a")?.usd).toBeCloseTo(0.0038, 9);
    expect(data.spend.groups.find((row) => row.name === "smart")?.usd).toBeGreaterThan(0);
    expect(JSON.stringify(data)).not.toContain(teamKey);
  });
});
