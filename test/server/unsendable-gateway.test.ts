import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

/**
 * A body the gateway's parser accepts (its `server.max_json_depth` is set high here) but that
 * `JSON.stringify` cannot re-serialise for the upstream: the caller's 400, and no deployment of the
 * group may be charged for it.
 */
let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;

beforeAll(async () => {
  sim = await startSimulator();
  gateway = gatewayFor(
    [
      provider("a", sim.url, "key-a"),
      provider("b", sim.url, "key-b"),
      provider("c", sim.url, "key-c"),
      { ...provider("an", sim.origin, "an-key"), type: "anthropic" },
    ],
    [
      {
        name: "m",
        strategy: "priority",
        automatic: false,
        deployments: [
          spec("a", "gpt-4.1"),
          spec("b", "gpt-4.1"),
          spec("c", "gpt-4.1"),
          spec("an", "claude-sonnet-4-0"),
        ],
      },
    ],
    {
      engine: { circuit: { failureThreshold: 2, openMs: 60_000 } },
      server: { maxJsonDepth: 100_000, bodyLimitBytes: 1024 * 1024 },
    },
  );
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});

function deepBody(stream: boolean, depth: number): string {
  const deep = "[".repeat(depth) + "]".repeat(depth);
  return `{"model":"m","stream":${stream},"messages":[{"role":"user","content":"hi"}],"metadata":{"deep":${deep}}}`;
}

interface StatusPage {
  deployments: Array<{
    id: string;
    available: boolean;
    state: { status: string };
    circuit: string;
    consecutiveFailures: number;
    stats: { failed: number; rateLimited: number; lastError: unknown };
  }>;
}

describe("gateway: a request llmux cannot send", () => {
  it.each([false, true])(
    "is a 400 in OpenAI's format at once, and leaves every deployment alone (stream: %s)",
    async (stream) => {
      sim.reset();
      for (let round = 0; round < 3; round += 1) {
        const started = performance.now();
        const response = await gateway.app.inject({
          method: "POST",
          url: "/v1/chat/completions",
          headers: { "content-type": "application/json" },
          payload: deepBody(stream, 5000),
        });
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(response.statusCode).toBe(400);
        expect(response.headers["content-type"]).toMatch(/application\/json/);
        const body = response.json<{ error: { message: string; type: string; code: string | null } }>();
        expect(body.error.type).toBe("invalid_request_error");
        expect(body.error.message).toMatch(/cannot be serialised as JSON/);
      }
      expect(sim.requests).toHaveLength(0);
      const status = (await gateway.app.inject({ method: "GET", url: "/status" })).json<StatusPage>();
      expect(status.deployments).toHaveLength(4);
      for (const d of status.deployments) {
        expect(d, d.id).toMatchObject({
          available: true,
          state: { status: "available" },
          circuit: "closed",
          consecutiveFailures: 0,
          stats: { failed: 0, rateLimited: 0, lastError: null },
        });
      }
      // The group still serves a sendable request from its first deployment.
      const ok = await gateway.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        payload: { model: "m", messages: [{ role: "user", content: "hi" }] },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["x-llmux-deployment"]).toBe("a/gpt-4.1");
      gateway.engine.resetState();
    },
  );
});
