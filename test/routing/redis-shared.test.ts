import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { chat, gatewayFromYaml } from "./helpers.js";

/** Two gateway nodes on one Redis (127.0.0.1:6379), a prefix of their own. */
let sim: Simulator;
let nodes: RunningGateway[] = [];

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {} }, requireKnownKeys: true });
  const prefix = `llmux-test-${process.pid}-${Date.now()}:`;
  const yaml = `
server: { port: 0 }
state: { redis: { url: "redis://127.0.0.1:6379", prefix: "${prefix}" } }
cache: { enabled: true }
providers:
  - { id: a, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1] }
  - { id: b, type: openai-compatible, base_url: "${sim.url}", api_key: key-b, models: [gpt-4.1] }
models:
  pool: { strategy: round-robin, deployments: [a/gpt-4.1, b/gpt-4.1] }
`;
  nodes = [await gatewayFromYaml(yaml), await gatewayFromYaml(yaml)];
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close(200)));
  await sim.close();
});

const calls = () => sim.requests.filter((r) => r.path.endsWith("/chat/completions")).length;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("cache and affinity on Redis, shared by two nodes", () => {
  it("an answer stored by one node is a hit on the other (body and stream)", async () => {
    for (const stream of [false, true]) {
      const body = {
        model: "pool",
        stream,
        messages: [{ role: "user", content: `shared ${stream} ${Date.now()}` }],
      };
      const before = calls();
      const first = await chat(nodes[0]!, body);
      expect(first.headers.get("x-llmux-cache")).toBe("miss");
      await settle();
      const second = await chat(nodes[1]!, body);
      expect(second.headers.get("x-llmux-cache")).toBe("hit");
      expect(calls() - before).toBe(1);
      if (!stream) expect(second.text).toBe(first.text);
      else expect(second.text).toContain("data: [DONE]");
    }
  });

  it("a session keeps its deployment across nodes", async () => {
    const seen = new Set<string | null>();
    const sessionId = `redis-session-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 10; i += 1) {
      const node = nodes[i % 2]!;
      const answer = await chat(
        node,
        { model: "pool", messages: [{ role: "user", content: `turn ${i}` }] },
        { "x-session-id": sessionId, "x-llmux-cache": "bypass" },
      );
      seen.add(answer.headers.get("x-llmux-deployment"));
      await settle();
    }
    expect(seen.size).toBe(1);
  });
});
