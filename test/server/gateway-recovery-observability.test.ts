/**
 * Through the gateway: a stream cut mid-answer and continued on the fallback counts in /metrics
 * (`llmux_stream_recoveries_total{…,result="prefill"}`), in /status (the broken deployment's
 * `stats.recoveries`) and says `recovery` in the request's log line; a failed recovery says so too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
const metrics = new GatewayMetrics({ processMetrics: false });

beforeAll(async () => {
  sim = await startSimulator({
    keys: { "key-p001": {}, "key-f002": {} },
    requireKnownKeys: true,
    answer: "one two three four five six seven eight nine ten.",
  });
  gateway = gatewayFor(
    [provider("p", sim.url, "key-p001"), provider("f", sim.url, "key-f002")],
    [
      {
        name: "m",
        strategy: "priority",
        automatic: false,
        deployments: [spec("p", "gpt-4.1"), spec("f", "gpt-4.1-mini", { tier: 1 })],
      },
    ],
    {
      engine: { firstTokenTimeoutMs: 2000, streamIdleTimeoutMs: 300, retrySameLimit: 0, finishGraceMs: 100 },
      server: { metrics },
    },
  );
  gateway.engine.events.on(metrics.listener);
});

afterAll(async () => {
  await gateway.close();
  await sim.close();
});

function text(body: string): string {
  let out = "";
  for (const line of body.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> };
    out += chunk.choices?.[0]?.delta?.content ?? "";
  }
  return out;
}

const ask = () =>
  gateway.app.inject({
    method: "POST",
    url: "/v1/chat/completions",
    payload: { model: "m", stream: true, messages: [{ role: "user", content: "count" }] },
  });

describe("gateway: recoveries in /metrics, /status and the log line", () => {
  it("a recovered stream is counted with result=prefill on the deployment that broke", async () => {
    sim.addFault({ kind: "cut", key: "key-p001", afterChunks: 3, times: 1 });
    gateway.logger.lines.length = 0;
    const response = await ask();
    expect(response.statusCode).toBe(200);
    expect(text(response.body)).toBe("one two three four five six seven eight nine ten.");
    const exposition = (await gateway.app.inject({ url: "/metrics" })).body;
    expect(exposition).toContain(
      'llmux_stream_recoveries_total{group="m",deployment="p/gpt-4.1",result="prefill"} 1',
    );
    const status = (await gateway.app.inject({ url: "/status" })).json() as {
      deployments: Array<{ id: string; stats: { recoveries: Record<string, number> } }>;
    };
    const broke = status.deployments.find((d) => d.id === "p/gpt-4.1");
    expect(broke?.stats.recoveries).toEqual({ prefill: 1, spliced: 0, failed: 0 });
    const line = gateway.logger.lines.find((l) => l.message === "request");
    expect(line?.object).toMatchObject({ deployment: "p/gpt-4.1", recovery: "prefill", status: 200 });
  });

  it("a recovery with nowhere to go is counted failed and logged as such", async () => {
    sim.addFault({ kind: "cut", key: "key-p001", afterChunks: 3, times: 1 });
    sim.addFault({ kind: "status", key: "key-f002", status: 503, times: 1 });
    gateway.logger.lines.length = 0;
    const response = await ask();
    expect(response.body).toContain("stream_interrupted");
    const exposition = (await gateway.app.inject({ url: "/metrics" })).body;
    expect(exposition).toContain(
      'llmux_stream_recoveries_total{group="m",deployment="p/gpt-4.1",result="failed"} 1',
    );
    const line = gateway.logger.lines.find((l) => l.message === "request");
    expect(line?.object).toMatchObject({ recovery: "failed", errorCode: "stream_interrupted" });
  });
});
