import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
let base: string;

beforeAll(async () => {
  sim = await startSimulator({
    keys: { "key-a001": {}, "key-b002": {}, "key-f003": {} },
    requireKnownKeys: true,
    models: { small: { contextWindow: 40 }, large: { contextWindow: 100_000 } },
  });
  gateway = gatewayFor(
    [
      provider("a", sim.url, "key-a001"),
      provider("b", sim.url, "key-b002"),
      provider("f", sim.url, "key-f003"),
      provider("bad", sim.url, "sk-not-a-real-key-0000"),
    ],
    [
      {
        name: "m",
        strategy: "priority",
        automatic: false,
        deployments: [spec("a", "gpt-4.1"), spec("b", "gpt-4.1"), spec("f", "gpt-4.1-mini", { tier: 1 })],
      },
      { name: "solo", strategy: "priority", automatic: false, deployments: [spec("a", "gpt-4.1")] },
      {
        name: "keys",
        strategy: "round-robin",
        automatic: false,
        deployments: [spec("a", "gpt-4.1"), spec("bad", "gpt-4.1"), spec("b", "gpt-4.1")],
      },
      {
        name: "ctx",
        strategy: "priority",
        automatic: false,
        deployments: [
          spec("a", "small", { contextWindow: 40 }),
          spec("b", "small", { contextWindow: 40 }),
          spec("f", "large", { contextWindow: 100_000, tier: 1 }),
        ],
      },
    ],
    {
      engine: {
        firstTokenTimeoutMs: 300,
        streamIdleTimeoutMs: 300,
        retrySameDelayMs: 10,
        finishGraceMs: 100,
        circuit: { failureThreshold: 2, openMs: 1000 },
      },
    },
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address();
  base = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});
afterEach(() => {
  sim.reset();
  gateway.engine.resetState();
});

const user = [{ role: "user", content: "What is the capital of France?" }];

async function post(body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: user, ...body }),
    ...(signal ? { signal } : {}),
  });
}

async function streamText(response: Response): Promise<{ text: string; events: string[] }> {
  const raw = await response.text();
  const events = raw.split("\n\n").filter(Boolean);
  let text = "";
  for (const event of events) {
    const data = event.slice(6);
    if (data === "[DONE]" || data.startsWith('{"error"')) continue;
    const chunk = JSON.parse(data) as { choices: Array<{ delta?: { content?: string } }> };
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return { text, events };
}

const byKey = (key: string) => sim.requests.filter((r) => r.key === key).length;

describe("failover through the gateway", () => {
  it("429 with Retry-After: next key answers, the first stays cooling for the header's time", async () => {
    sim.addFault({
      kind: "status",
      key: "key-a001",
      status: 429,
      headers: { "retry-after": "20" },
      times: 1,
    });
    const first = await post({ model: "m" });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-llmux-deployment")).toBe("b/gpt-4.1");
    await post({ model: "m" });
    expect(byKey("key-a001")).toBe(1);
    const status = (await (await fetch(`${base}/status`)).json()) as {
      deployments: Array<{ id: string; state: { status: string; remainingMs?: number } }>;
    };
    const a = status.deployments.find((d) => d.id === "a/gpt-4.1");
    expect(a?.state.status).toBe("cooling");
    expect(a?.state.remainingMs).toBeGreaterThan(18_000);
  });

  it("429 without Retry-After: fails over and backs off", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 429 });
    expect((await post({ model: "m" })).headers.get("x-llmux-deployment")).toBe("b/gpt-4.1");
    expect((await post({ model: "m" })).headers.get("x-llmux-deployment")).toBe("b/gpt-4.1");
    expect(byKey("key-a001")).toBe(1);
  });

  it("persistent 429 on every primary: the fallback tier answers", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 429, headers: { "retry-after": "60" } });
    sim.addFault({ kind: "status", key: "key-b002", status: 429, headers: { "retry-after": "60" } });
    const response = await post({ model: "m" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("gpt-4.1-mini");
  });

  it("500 once on the only deployment: retried once and answered", async () => {
    sim.addFault({ kind: "status", status: 500, times: 1 });
    const response = await post({ model: "solo" });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-llmux-attempts")).toBe("2");
  });

  it("503 persistent on one key: fails over; the circuit keeps it from being hammered", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 503 });
    for (let i = 0; i < 8; i += 1) expect((await post({ model: "m" })).status).toBe(200);
    expect(byKey("key-a001")).toBeLessThanOrEqual(3);
  });

  it("TCP reset before headers and a hang: both fail over", async () => {
    sim.addFault({ kind: "reset", key: "key-a001", times: 1 });
    expect((await post({ model: "m" })).headers.get("x-llmux-deployment")).toBe("b/gpt-4.1");
    gateway.engine.resetState();
    sim.addFault({ kind: "hang", key: "key-a001", times: 1 });
    const started = Date.now();
    const response = await post({ model: "m" });
    expect(response.headers.get("x-llmux-deployment")).toBe("b/gpt-4.1");
    expect(Date.now() - started).toBeLessThan(2000);
    await expect
      .poll(() => sim.requests.filter((r) => r.key === "key-a001" && r.status === 0).at(-1)?.aborted)
      .toBe(true);
  });

  it("slow first token on a stream: fails over before anything is sent", async () => {
    const slow = await startSimulator({ latencyMs: 2000 });
    const slowGateway = gatewayFor(
      [provider("slow", slow.url, "k"), provider("b", sim.url, "key-b002")],
      [
        {
          name: "m",
          strategy: "priority",
          automatic: false,
          deployments: [spec("slow", "gpt-4.1"), spec("b", "gpt-4.1")],
        },
      ],
      { engine: { firstTokenTimeoutMs: 200 } },
    );
    try {
      const response = await slowGateway.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        payload: { model: "m", messages: user, stream: true },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers["x-llmux-deployment"]).toBe("b/gpt-4.1");
      expect(response.body).toContain("data: [DONE]");
    } finally {
      await slowGateway.close();
      await slow.close();
    }
  });

  it("stream cut and stall after the commit point: the answer is finished (continued with a prefill), then [DONE]", async () => {
    for (const kind of ["cut", "stall"] as const) {
      sim.addFault({ kind, afterChunks: 2, times: 1 });
      const response = await post({ model: "solo", stream: true });
      const { text, events } = await streamText(response);
      expect(text).toBe("Hello from gpt-4.1 via key a001.");
      expect(events.at(-1)).toBe("data: [DONE]");
      gateway.engine.resetState();
      sim.reset();
    }
  });

  it("a stream that breaks again while being continued ends with an error event, never [DONE]", async () => {
    sim.addFault({ kind: "cut", afterChunks: 2 });
    const response = await post({ model: "solo", stream: true });
    const { events } = await streamText(response);
    expect(events.at(-1)).toMatch(
      /^data: \{"error":\{"message":".+","type":"server_error","param":null,"code":"stream_interrupted"\}\}$/,
    );
    expect(events.join("")).not.toContain("[DONE]");
  });

  it("an in-band error in the read that brought the first content fails over invisibly: nothing had reached the client", async () => {
    // The simulator writes the whole stream at once: the error arrives with the content, before
    // anything was sent to the client, so the attempt fails over and the client gets a whole answer.
    sim.addFault({ kind: "stream-error", afterChunks: 2, times: 1 });
    const { text, events } = await streamText(await post({ model: "solo", stream: true }));
    expect(text).toBe("Hello from gpt-4.1 via key a001.");
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(sim.requests).toHaveLength(2);
  });

  it("a malformed chunk is skipped; a missing [DONE] still ends promptly with [DONE] to the client", async () => {
    sim.addFault({ kind: "malformed", afterChunks: 1, times: 1 });
    const malformed = await streamText(await post({ model: "solo", stream: true }));
    expect(malformed.text).toBe("Hello from gpt-4.1 via key a001.");
    expect(malformed.events.join("")).not.toContain("not json");
    sim.addFault({ kind: "no-done", keepOpen: true, times: 1 });
    const started = Date.now();
    const noDone = await streamText(await post({ model: "solo", stream: true }));
    expect(noDone.text).toBe("Hello from gpt-4.1 via key a001.");
    expect(noDone.events.at(-1)).toBe("data: [DONE]");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("context length: moves to the larger model; content policy 400: returned once, unretried", async () => {
    const long = [{ role: "user", content: "word ".repeat(300) }];
    const response = await post({ model: "ctx", messages: long });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("large");
    expect(byKey("key-b002")).toBe(0);

    sim.addFault({
      kind: "status",
      status: 400,
      body: {
        error: {
          message: "Rejected by the safety system",
          type: "invalid_request_error",
          param: null,
          code: "content_policy_violation",
        },
      },
    });
    const refused = await post({ model: "m" });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: {
        message: "a: Rejected by the safety system",
        type: "invalid_request_error",
        param: null,
        code: "content_policy_violation",
      },
    });
    expect(sim.requests.filter((r) => r.model === "gpt-4.1")).toHaveLength(1);
  });

  it("one bad key among good ones is taken out; its key never shows in status or metrics", async () => {
    for (let i = 0; i < 6; i += 1) expect((await post({ model: "keys" })).status).toBe(200);
    expect(byKey("sk-not-a-real-key-0000")).toBe(1);
    const status = await (await fetch(`${base}/status`)).text();
    expect(status).toContain('"status":"disabled"');
    expect(status).not.toContain("sk-not-a-real-key");
  });

  it("primary down, then recovered: traffic returns after the circuit's probe", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 503 });
    sim.addFault({ kind: "status", key: "key-b002", status: 503 });
    for (let i = 0; i < 3; i += 1)
      expect(((await (await post({ model: "m" })).json()) as { model: string }).model).toBe("gpt-4.1-mini");
    sim.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const back = await post({ model: "m" });
    expect(back.headers.get("x-llmux-deployment")).toMatch(/^[ab]\/gpt-4\.1$/);
  });

  it("a client that disconnects aborts the upstream request", async () => {
    const slow = await startSimulator({ chunkDelayMs: 50, chunks: 40 });
    const slowGateway = gatewayFor(
      [provider("s", slow.url, "k")],
      [{ name: "m", strategy: "priority", automatic: false, deployments: [spec("s", "gpt-4.1")] }],
    );
    await slowGateway.app.listen({ port: 0, host: "127.0.0.1" });
    const address = slowGateway.app.server.address();
    const url = typeof address === "object" && address ? `http://127.0.0.1:${address.port}` : "";
    try {
      const controller = new AbortController();
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "m", messages: user, stream: true }),
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      await reader.read();
      controller.abort();
      await expect.poll(() => slow.requests[0]?.aborted).toBe(true);
    } finally {
      await slowGateway.close();
      await slow.close();
    }
  });
});
