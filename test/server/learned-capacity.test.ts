import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type RunningGateway } from "../../src/cli/gateway.js";
import { parseConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

/**
 * The core promise with nothing configured but the keys: a provider-like token bucket (60 a minute,
 * a burst of 15) learned from its headers, then paced — no upstream 429 once the bucket is empty,
 * and /status and /metrics say what was learned.
 */
let sim: Simulator;
let gateway: RunningGateway;

beforeAll(async () => {
  sim = await startSimulator({
    limiter: "bucket",
    burst: 0.25,
    keys: { "key-a": { rpm: 60 } },
    requireKnownKeys: true,
  });
  const { config } = parseConfig(
    `
server: { port: 0 }
routing: { max_wait_ms: 5s }
providers:
  - { id: a, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1] }
`,
    { file: "llmux.yaml", env: {} },
  );
  gateway = await startGateway(config, {
    logger: createLogger({ level: "silent" }),
    port: 0,
    host: "127.0.0.1",
  });
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});

async function ask(): Promise<number> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4.1", messages: [{ role: "user", content: "hi" }] }),
  });
  await response.text();
  return response.status;
}

describe("learned capacity, nothing configured", () => {
  it("empties the burst, then paces at the refill rate: every request served, no upstream 429", async () => {
    for (let i = 0; i < 15; i += 1) expect(await ask()).toBe(200);
    const started = performance.now();
    // The bucket is empty now: four more at once must be spread over ~4 s (1 a second), not sent together.
    const statuses = await Promise.all(Array.from({ length: 4 }, () => ask()));
    const elapsed = performance.now() - started;
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(sim.requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(elapsed).toBeGreaterThan(2_500);
    expect(elapsed).toBeLessThan(7_000);
  }, 20_000);

  it("shows the learned bucket in /status and /metrics", async () => {
    const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
      deployments: Array<{
        id: string;
        capacity: {
          mode: string;
          requests: { capacity: number; refillPerMinute: number };
          answers: number;
          rejected: number;
        };
      }>;
    };
    const capacity = status.deployments.find((d) => d.id === "a/gpt-4.1")?.capacity;
    expect(capacity?.mode).toBe("headers");
    expect(capacity?.requests.capacity).toBeGreaterThan(13);
    expect(capacity?.requests.capacity).toBeLessThanOrEqual(15);
    expect(capacity?.requests.refillPerMinute).toBeCloseTo(60, 6);
    expect(capacity?.rejected).toBe(0);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const labels = 'deployment="a/gpt-4.1",provider="a",model="gpt-4.1"';
    expect(metrics).toContain(`llmux_learned_refill_per_minute{${labels},dimension="requests"} 60`);
    expect(metrics).toMatch(new RegExp(`llmux_learned_capacity\\{${labels},dimension="requests"\\} 1[45]`));
    expect(metrics).toContain(`llmux_learned_answers{${labels},outcome="rate_limited"} 0`);
  });
});
