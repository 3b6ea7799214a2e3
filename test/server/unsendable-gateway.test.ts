import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

/**
 * A body the gateway's parser accepts (its `server.max_json_depth` is set high here) but that
 * `JSON.stringify` cannot re-serialise. An OpenAI-compatible upstream gets the caller's bytes as
 * they came (only `model` spliced in), so nothing needs re-serialising: it is served. A translated
 * upstream (Anthropic) must build its own body: the caller's 400 — and in neither case may a
 * deployment be charged for it.
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
        deployments: [spec("an", "claude-sonnet-4-0")],
      },
      {
        name: "openai",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "gpt-4.1"), spec("b", "gpt-4.1"), spec("c", "gpt-4.1")],
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

/** A body with a `depth`-deep array inside a tool's parameter schema (which every mapper passes on). */
function deepBody(stream: boolean, depth: number, model = "m"): string {
  const deep = "[".repeat(depth) + "]".repeat(depth);
  const tool = `{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"x":{"enum":${deep}}}}}}`;
  return `{"model":"${model}","stream":${stream},"messages":[{"role":"user","content":"hi"}],"tools":[${tool}]}`;
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
    "to a translated upstream: a 400 in OpenAI's format at once, every deployment left alone (stream: %s)",
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
      // The group still serves a sendable request.
      const ok = await gateway.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        payload: { model: "m", messages: [{ role: "user", content: "hi" }] },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers["x-llmux-deployment"]).toBe("an/claude-sonnet-4-0");
      gateway.engine.resetState();
    },
  );

  it.each([false, true])(
    "to an OpenAI-compatible upstream: forwarded as the caller sent it (stream: %s)",
    async (stream) => {
      sim.reset();
      const body = deepBody(stream, 5000, "openai");
      const response = await gateway.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: { "content-type": "application/json" },
        payload: body,
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers["x-llmux-deployment"]).toBe("a/gpt-4.1");
      expect(sim.requests).toHaveLength(1);
      // The caller's bytes, the deep schema included (JSON.stringify could not have written it).
      const sent = sim.requests[0]?.body as { tools?: Array<{ function: { name: string } }> };
      expect(sent.tools?.[0]?.function.name).toBe("f");
      const status = (await gateway.app.inject({ method: "GET", url: "/status" })).json<StatusPage>();
      for (const d of status.deployments)
        expect(d, d.id).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });
      gateway.engine.resetState();
    },
  );
});
