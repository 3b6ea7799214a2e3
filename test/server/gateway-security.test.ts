import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/observability/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
const metrics = new GatewayMetrics({ processMetrics: false });

beforeAll(async () => {
  sim = await startSimulator();
  gateway = gatewayFor(
    [provider("p", sim.url, "sk-upstream-secret-777")],
    [{ name: "m", strategy: "priority", automatic: false, deployments: [spec("p", "gpt-4.1")] }],
    {
      server: {
        auth: { keys: ["gw-key-one", "gw-key-two"], publicStatus: false, publicMetrics: false },
        rateLimit: { perKeyRpm: 3, perIpRpm: null },
        metrics,
      },
    },
  );
  gateway.engine.events.on(metrics.listener);
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});

const body = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("gateway keys, client limits and metrics", () => {
  it("rejects a missing or wrong gateway key with 401 in the OpenAI error shape; accepts Bearer and x-api-key", async () => {
    const none = await gateway.app.inject({ method: "POST", url: "/v1/chat/completions", payload: body });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({
      error: {
        message: expect.stringContaining("gateway API key"),
        type: "invalid_request_error",
        param: null,
        code: "invalid_api_key",
      },
    });
    const wrong = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: body,
      headers: { authorization: "Bearer gw-key-oneX" },
    });
    expect(wrong.statusCode).toBe(401);
    const bearer = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: body,
      headers: { authorization: "Bearer gw-key-one" },
    });
    expect(bearer.statusCode).toBe(200);
    const header = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      payload: body,
      headers: { "x-api-key": "gw-key-two" },
    });
    expect(header.statusCode).toBe(200);
    expect(sim.requests.every((r) => r.key === "sk-upstream-secret-777")).toBe(true);
  });

  it("keeps /status and /metrics behind the key, /health public", async () => {
    expect((await gateway.app.inject({ url: "/health" })).statusCode).toBe(200);
    expect((await gateway.app.inject({ url: "/status" })).statusCode).toBe(401);
    expect((await gateway.app.inject({ url: "/metrics" })).statusCode).toBe(401);
    const status = await gateway.app.inject({
      url: "/status",
      headers: { authorization: "Bearer gw-key-one" },
    });
    expect(status.statusCode).toBe(200);
    expect(status.body).not.toContain("upstream-secret");
  });

  it("limits requests per gateway key with 429 and Retry-After", async () => {
    const responses = [];
    for (let i = 0; i < 4; i += 1) {
      responses.push(
        await gateway.app.inject({
          method: "POST",
          url: "/v1/chat/completions",
          payload: body,
          headers: { authorization: "Bearer gw-key-two" },
        }),
      );
    }
    // gw-key-two made one request in the first test; the limit is 3 per minute.
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 429, 429]);
    expect(Number(responses[2]?.headers["retry-after"])).toBeGreaterThan(0);
    expect(responses[2]?.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
  });

  it("exposes Prometheus metrics with no secret in them", async () => {
    const response = await gateway.app.inject({
      url: "/metrics",
      headers: { authorization: "Bearer gw-key-one" },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(
      /llmux_attempts_total\{deployment="p\/gpt-4\.1",provider="p",model="gpt-4\.1",outcome="success",failure="none"\} [1-9]/,
    );
    expect(response.body).toMatch(
      /llmux_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="401"\} 2/,
    );
    expect(response.body).toContain("llmux_gateway_overhead_seconds_bucket");
    expect(response.body).not.toContain("upstream-secret");
    expect(response.body).not.toContain("gw-key");
  });
});
