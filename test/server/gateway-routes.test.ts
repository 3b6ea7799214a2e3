import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a001": {}, "key-b002": {} }, requireKnownKeys: true });
  gateway = gatewayFor(
    [provider("a", sim.url, "key-a001"), provider("b", sim.url, "key-b002")],
    [
      {
        name: "smart",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "gpt-4.1"), spec("b", "gpt-4.1"), spec("b", "gpt-4.1-mini", { tier: 1 })],
      },
      {
        name: "embed",
        strategy: "weighted",
        automatic: false,
        deployments: [spec("a", "text-embedding-3-small")],
      },
    ],
  );
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});
afterEach(() => {
  sim.reset();
  gateway.engine.resetState();
});

const chat = (body: unknown) =>
  gateway.app.inject({ method: "POST", url: "/v1/chat/completions", payload: body as object });

describe("gateway routes (in-process)", () => {
  it("answers a chat completion with the upstream body and headers saying who answered", async () => {
    const response = await chat({
      model: "smart",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.2,
      logprobs: false,
      some_unknown_field: { x: 1 },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.choices[0].message.content).toBe("Hello from gpt-4.1 via key a001.");
    expect(response.headers["x-llmux-deployment"]).toBe("a/gpt-4.1");
    expect(response.headers["x-llmux-attempts"]).toBe("1");
    expect(Number(response.headers["x-llmux-overhead-ms"])).toBeGreaterThanOrEqual(0);
    const sent = sim.requests[0]?.body as Record<string, unknown>;
    expect(sent).toEqual({
      model: "gpt-4.1",
      messages: [{ role: "user", content: "hi" }],
      temperature: 0.2,
      logprobs: false,
      some_unknown_field: { x: 1 },
    });
    expect(sim.requests[0]?.headers["authorization"]).toBe("Bearer key-a001");
  });

  it("streams SSE chunks through and ends with [DONE]", async () => {
    const response = await chat({
      model: "smart",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/event-stream");
    const events = response.body.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const text = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
      .map((c) => c.choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("Hello from gpt-4.1 via key a001.");
    expect(response.body).not.toContain('"choices":[]');
    // Chunks pass through as the upstream sent them: with the include_usage llmux asked for, that is
    // `"usage":null` on each (valid per the spec: "When present, it contains a null value except for
    // the last chunk"); only the usage chunk itself (empty choices) is dropped.
  });

  it("after the commit point a cut stream ends with an in-band error event, not [DONE]", async () => {
    sim.addFault({ kind: "cut", afterChunks: 2 });
    const response = await chat({
      model: "smart",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    const events = response.body.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toMatch(/^data: \{"error":/);
    expect(response.body).not.toContain("[DONE]");
    const error = JSON.parse(events.at(-1)!.slice(6)) as { error: { code: string; message: string } };
    expect(error.error.code).toBe("stream_interrupted");
  });

  it("fails over to the next key on 429 and reports 2 attempts", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 429, headers: { "retry-after": "20" } });
    const response = await chat({ model: "smart", messages: [{ role: "user", content: "hi" }] });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-llmux-deployment"]).toBe("b/gpt-4.1");
    expect(response.headers["x-llmux-attempts"]).toBe("2");
  });

  it("answers 429 with Retry-After and x-ratelimit-* when every deployment is cooling", async () => {
    sim.addFault({ kind: "status", status: 429, headers: { "retry-after": "30" } });
    const response = await chat({ model: "smart", messages: [{ role: "user", content: "hi" }] });
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers["retry-after"])).toBeGreaterThanOrEqual(29);
    expect(Number(response.headers["retry-after"])).toBeLessThanOrEqual(30);
    expect(response.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(response.json()).toMatchObject({
      error: { type: "rate_limit_error", code: "rate_limit_exceeded" },
    });
  });

  it("rejects malformed JSON, missing fields, unknown models and oversized bodies with OpenAI error bodies", async () => {
    const malformed = await gateway.app.inject({
      method: "POST",
      url: "/v1/chat/completions",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({
      error: { type: "invalid_request_error", param: null, code: null },
    });
    expect(malformed.json().error.message).toMatch(/Malformed JSON/);

    const missing = await chat({ model: "smart" });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: { param: "messages" } });

    const unknown = await chat({ model: "nope", messages: [{ role: "user", content: "hi" }] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: "model_not_found" } });
    expect(unknown.json().error.message).toContain("smart");

    const big = await chat({
      model: "smart",
      messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }],
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(sim.requests).toHaveLength(0);
  });

  it("lists models, answers health and status without secrets", async () => {
    const models = await gateway.app.inject({ url: "/v1/models" });
    expect(models.json()).toEqual({
      object: "list",
      data: [
        { id: "smart", object: "model", created: expect.any(Number), owned_by: "llmux" },
        { id: "embed", object: "model", created: expect.any(Number), owned_by: "llmux" },
      ],
    });
    const health = await gateway.app.inject({ url: "/health" });
    expect(health.json()).toMatchObject({ status: "ok", deployments: { total: 4, available: 4 } });
    await chat({ model: "smart", messages: [{ role: "user", content: "hi" }] });
    const status = await gateway.app.inject({ url: "/status" });
    expect(status.statusCode).toBe(200);
    expect(status.body).not.toContain("key-a001");
    expect(status.json().deployments[0]).toMatchObject({ id: "a/gpt-4.1", state: { status: "available" } });
    expect(status.json().deployments[0].stats.success).toBeGreaterThanOrEqual(1);
  });

  it("passes embeddings through", async () => {
    const response = await gateway.app.inject({
      method: "POST",
      url: "/v1/embeddings",
      payload: { model: "embed", input: ["a", "b"], encoding_format: "float" },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toHaveLength(2);
    expect(response.headers["x-llmux-deployment"]).toBe("a/text-embedding-3-small");
  });

  it("writes one log line per request with model, deployment, attempts, status and latency", async () => {
    gateway.logger.lines.length = 0;
    await chat({ model: "smart", messages: [{ role: "user", content: "hi" }] });
    await chat({ model: "smart", messages: [{ role: "user", content: "hi" }], stream: true });
    const lines = gateway.logger.lines.filter((l) => l.message === "request");
    expect(lines).toHaveLength(2);
    expect(lines[0]?.object).toMatchObject({
      model: "smart",
      deployment: "a/gpt-4.1",
      attempts: 1,
      status: 200,
      stream: false,
    });
    expect(lines[1]?.object).toMatchObject({
      model: "smart",
      deployment: "a/gpt-4.1",
      status: 200,
      stream: true,
    });
    expect(JSON.stringify(gateway.logger.lines)).not.toContain("key-a001");
  });
});
