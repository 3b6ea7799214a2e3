import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGateway } from "../../src/cli/gateway.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { chat, gatewayFromYaml } from "./helpers.js";

let sim: Simulator;
let gateway: RunningGateway;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {} }, requireKnownKeys: true });
  gateway = await gatewayFromYaml(`
server: { port: 0 }
routing: { affinity: false }
providers:
  - { id: slow, type: openai-compatible, base_url: "${sim.url}", api_key: key-a, models: [gpt-4.1] }
  - { id: fast, type: openai-compatible, base_url: "${sim.url}", api_key: key-b, models: [gpt-4.1] }
models:
  quick: { strategy: least-latency, deployments: [slow/gpt-4.1, fast/gpt-4.1] }
  only-slow: { deployments: [slow/gpt-4.1] }
  only-fast: { deployments: [fast/gpt-4.1] }
`);
});
afterAll(async () => {
  await gateway.close(200);
  await sim.close();
});

describe("least-latency through the gateway", () => {
  it("sends requests to the deployment with the lower p95 latency; /metrics shows the priors", async () => {
    sim.addFault({ kind: "slow", key: "key-a", delayMs: 40 });
    // History for both (a deployment's priors are shared by every group that has it).
    for (let i = 0; i < 6; i += 1) {
      for (const model of ["only-slow", "only-fast"])
        expect((await chat(gateway, { model, messages: [{ role: "user", content: `p${i}` }] })).status).toBe(
          200,
        );
    }
    const served: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const answer = await chat(gateway, { model: "quick", messages: [{ role: "user", content: `q${i}` }] });
      expect(answer.status).toBe(200);
      served.push(answer.headers.get("x-llmux-deployment") ?? "");
    }
    // 40 ms slower is far outside the 10 % tie tolerance: the fast one takes everything.
    expect(served.filter((id) => id === "fast/gpt-4.1").length).toBeGreaterThanOrEqual(19);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    const p95 = (id: string) =>
      Number(
        new RegExp(
          `^llmux_latency_prior_seconds\\{deployment="${id}",metric="latency",quantile="0.95"\\} (\\S+)$`,
          "m",
        ).exec(metrics)?.[1] ?? NaN,
      );
    expect(p95("slow/gpt-4.1")).toBeGreaterThan(0.035);
    expect(p95("fast/gpt-4.1")).toBeLessThan(p95("slow/gpt-4.1"));
  });
});
