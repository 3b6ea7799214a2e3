import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  Multiplexer,
  RateLimitedError,
  StreamInterruptedError,
  InvalidRequestError,
} from "../../src/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({
    keys: { "key-a001": {}, "key-b002": {}, "key-c003": {}, "key-f004": {} },
    requireKnownKeys: true,
    models: { small: { contextWindow: 50 }, large: { contextWindow: 100_000 } },
  });
});
afterAll(async () => {
  await sim.close();
});
afterEach(() => {
  sim.reset();
});

function client(key: string): OpenAI {
  return new OpenAI({ baseURL: sim.url, apiKey: key });
}

const messages = [{ role: "user" as const, content: "What is the capital of France?" }];

function requestsBy(key: string): number {
  return sim.requests.filter((r) => r.key === key && r.path.endsWith("/chat/completions")).length;
}

async function collectText(stream: AsyncIterable<OpenAI.ChatCompletionChunk>): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  return text;
}

describe("library against the simulator with real OpenAI SDK clients", () => {
  it("429 with Retry-After: fails over at once and keeps the key off until the header's time", async () => {
    sim.addFault({
      kind: "status",
      key: "key-a001",
      status: 429,
      headers: { "retry-after": "30" },
      times: 1,
    });
    const mux = new Multiplexer({ strategy: "priority" });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const started = Date.now();
    const completion = await mux.chat.completions.create({ model: "placeholder", messages });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(completion.choices[0]?.message.content).toBe("Hello from gpt-4.1 via key b002.");
    await mux.chat.completions.create({ model: "placeholder", messages });
    expect(requestsBy("key-a001")).toBe(1);
    const stats = mux.getStats();
    expect(stats["gpt-4.1"]).toMatchObject({
      success: 0,
      rateLimited: 1,
      failed: 0,
      state: { status: "cooling", reason: "rate_limited" },
    });
    const until = (stats["gpt-4.1"]?.state as { until: number }).until;
    expect(until - started).toBeGreaterThanOrEqual(29_000);
    expect(until - started).toBeLessThanOrEqual(31_000);
    expect(stats["gpt-4.1#2"]).toMatchObject({ success: 2, rateLimited: 0 });
  });

  it("429 without Retry-After: backs off and fails over", async () => {
    sim.addFault({
      kind: "status",
      key: "key-a001",
      status: 429,
      body: { error: { message: "Too many", type: "requests", param: null, code: "rate_limit_exceeded" } },
    });
    const mux = new Multiplexer({ strategy: "priority", failure: { backoffBaseMs: 5000 } });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const completion = await mux.chat.completions.create({ model: "x", messages });
    expect(completion.choices[0]?.message.content).toContain("b002");
    const state = mux.getStats()["gpt-4.1"]?.state as { status: string; until: number };
    expect(state.status).toBe("cooling");
    expect(state.until - Date.now()).toBeGreaterThan(3000);
  });

  it("a real per-key rpm limit: two keys serve twice the requests, then the caller gets a 429 with retryAfterMs", async () => {
    sim.setKey("key-a001", { rpm: 3 });
    sim.setKey("key-b002", { rpm: 3 });
    const mux = new Multiplexer({ strategy: "round-robin", maxWaitMs: 0 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    for (let i = 0; i < 6; i += 1) await mux.chat.completions.create({ model: "x", messages });
    const error = await mux.chat.completions.create({ model: "x", messages }).catch((e: unknown) => e);
    sim.setKey("key-a001", {});
    sim.setKey("key-b002", {});
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).status).toBe(429);
    // Learned from the headers as a bucket of 3 per minute: the next request fits in about 20 s.
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(15_000);
    expect((error as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(60_000);
    const stats = mux.getStats();
    expect(stats["gpt-4.1"]?.success).toBe(3);
    expect(stats["gpt-4.1#2"]?.success).toBe(3);
  });

  it("persistent 429 on every primary: the fallback tier answers", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 429, headers: { "retry-after": "60" } });
    sim.addFault({ kind: "status", key: "key-b002", status: 429, headers: { "retry-after": "60" } });
    const mux = new Multiplexer();
    mux.addModel(client("key-a001"), 5, "gpt-4.1");
    mux.addModel(client("key-b002"), 3, "gpt-4.1");
    mux.addFallbackModel(client("key-f004"), 1, "gpt-4.1-mini");
    for (let i = 0; i < 3; i += 1) {
      const completion = await mux.chat.completions.create({ model: "x", messages });
      expect(completion.model).toBe("gpt-4.1-mini");
    }
    expect(requestsBy("key-a001") + requestsBy("key-b002")).toBe(2);
    expect(mux.getStats()["gpt-4.1-mini"]?.success).toBe(3);
  });

  it("500 once: the request still succeeds", async () => {
    sim.addFault({ kind: "status", status: 500, times: 1 });
    const mux = new Multiplexer({ retrySameDelayMs: 10 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    const completion = await mux.chat.completions.create({ model: "x", messages });
    expect(completion.choices[0]?.message.content).toBe("Hello from gpt-4.1 via key a001.");
    expect(mux.getStats()["gpt-4.1"]).toMatchObject({ success: 1, failed: 1 });
  });

  it("503 persistent: fails over, and the circuit keeps the broken key from being hammered", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 503 });
    const mux = new Multiplexer({
      strategy: "round-robin",
      retrySameLimit: 0,
      circuit: { failureThreshold: 3, openMs: 60_000 },
    });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    for (let i = 0; i < 20; i += 1) {
      const completion = await mux.chat.completions.create({ model: "x", messages });
      expect(completion.choices[0]?.message.content).toContain("b002");
    }
    expect(requestsBy("key-a001")).toBe(3);
    expect(mux.getStats()["gpt-4.1"]).toMatchObject({
      failed: 3,
      circuit: "open",
      state: { status: "circuit_open" },
    });
  });

  it("TCP reset before headers: fails over", async () => {
    sim.addFault({ kind: "reset", key: "key-a001" });
    const mux = new Multiplexer({ strategy: "priority", retrySameLimit: 0 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const completion = await mux.chat.completions.create({ model: "x", messages });
    expect(completion.choices[0]?.message.content).toContain("b002");
    expect(mux.getStats()["gpt-4.1"]?.lastError).toMatchObject({ kind: "network" });
  });

  it("no response at all: times out, aborts the hung request and fails over without retrying it", async () => {
    sim.addFault({ kind: "hang", key: "key-a001" });
    const mux = new Multiplexer({ strategy: "priority", firstTokenTimeoutMs: 150 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const started = Date.now();
    const completion = await mux.chat.completions.create({ model: "x", messages });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(completion.choices[0]?.message.content).toContain("b002");
    expect(requestsBy("key-a001")).toBe(1);
    await expect.poll(() => sim.requests.find((r) => r.key === "key-a001")?.aborted).toBe(true);
  });

  it("slow first token on a stream: fails over to a fast deployment", async () => {
    const slow = await startSimulator({ latencyMs: 3000 });
    try {
      const mux = new Multiplexer({ strategy: "priority", firstTokenTimeoutMs: 200 });
      mux.addModel(new OpenAI({ baseURL: slow.url, apiKey: "slow-0001" }), 1, "gpt-4.1");
      mux.addModel(client("key-b002"), 1, "gpt-4.1");
      const started = Date.now();
      const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
      expect(await collectText(stream)).toBe("Hello from gpt-4.1 via key b002.");
      expect(Date.now() - started).toBeLessThan(2000);
      expect(stream.deploymentId).toBe("gpt-4.1#2");
    } finally {
      await slow.close();
    }
  });

  it("stream cut mid-answer: the other key finishes the answer in the same stream", async () => {
    sim.addFault({ kind: "cut", key: "key-a001", afterChunks: 2 });
    const mux = new Multiplexer({ strategy: "priority" });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(text).toBe("Hello from gpt-4.1 via key b002.");
    expect(requestsBy("key-b002")).toBe(1);
  });

  it("stream stall after the first content: a typed error after the idle timeout", async () => {
    sim.addFault({ kind: "stall", afterChunks: 1 });
    const mux = new Multiplexer({ streamIdleTimeoutMs: 150 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
    const started = Date.now();
    const error = await collectText(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamInterruptedError);
    expect((error as StreamInterruptedError).reason).toBe("stream_stall");
    expect(Date.now() - started).toBeLessThan(1500);
    await expect.poll(() => sim.requests[0]?.aborted).toBe(true);
  });

  it("a malformed chunk is skipped and counted; the answer is complete", async () => {
    sim.addFault({ kind: "malformed", afterChunks: 2 });
    const mux = new Multiplexer();
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
    expect(await collectText(stream)).toBe("Hello from gpt-4.1 via key a001.");
    expect(mux.getStats()["gpt-4.1"]).toMatchObject({ success: 1, malformedChunks: 1 });
  });

  it("a finish reason without [DONE] ends promptly", async () => {
    sim.addFault({ kind: "no-done", keepOpen: true });
    const mux = new Multiplexer({ finishGraceMs: 100, streamIdleTimeoutMs: 30_000 });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    const started = Date.now();
    const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
    expect(await collectText(stream)).toBe("Hello from gpt-4.1 via key a001.");
    expect(Date.now() - started).toBeLessThan(1500);
    expect(mux.getStats()["gpt-4.1"]?.success).toBe(1);
  });

  it("context length exceeded: moves to the deployment with the larger window", async () => {
    const mux = new Multiplexer({ strategy: "priority" });
    mux.addModel(client("key-a001"), 1, "small", { contextWindow: 50 });
    mux.addModel(client("key-b002"), 1, "small", { contextWindow: 50 });
    mux.addFallbackModel(client("key-c003"), 1, "large", { contextWindow: 100_000 });
    const long = [{ role: "user" as const, content: "word ".repeat(400) }];
    const completion = await mux.chat.completions.create({ model: "x", messages: long });
    expect(completion.model).toBe("large");
    expect(requestsBy("key-a001")).toBe(1);
    expect(requestsBy("key-b002")).toBe(0);
  });

  it("a content-policy 400 is returned at once with the provider's reason and not retried", async () => {
    sim.addFault({
      kind: "status",
      status: 400,
      body: {
        error: {
          message: "Your request was rejected as a result of our safety system.",
          type: "invalid_request_error",
          param: null,
          code: "content_policy_violation",
        },
      },
    });
    const mux = new Multiplexer();
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("key-b002"), 1, "gpt-4.1");
    const error = await mux.chat.completions.create({ model: "x", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toContain("safety system");
    expect((error as InvalidRequestError).status).toBe(400);
    expect(sim.requests).toHaveLength(1);
  });

  it("one bad key among good ones: taken out (visible in stats), the good keys keep serving", async () => {
    const mux = new Multiplexer({ strategy: "round-robin" });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addModel(client("sk-wrong-key-9999"), 1, "gpt-4.1");
    mux.addModel(client("key-c003"), 1, "gpt-4.1");
    for (let i = 0; i < 9; i += 1) await mux.chat.completions.create({ model: "x", messages });
    expect(requestsBy("sk-wrong-key-9999")).toBe(1);
    const bad = mux.getStats()["gpt-4.1#2"];
    expect(bad?.state).toMatchObject({ status: "disabled" });
    expect(JSON.stringify(mux.getStats())).not.toContain("wrong-key");
    expect((mux.getStats()["gpt-4.1"]?.success ?? 0) + (mux.getStats()["gpt-4.1#3"]?.success ?? 0)).toBe(9);
  });

  it("primary down, then recovered: traffic returns to it after the circuit's probe", async () => {
    sim.addFault({ kind: "status", key: "key-a001", status: 503 });
    const mux = new Multiplexer({ retrySameLimit: 0, circuit: { failureThreshold: 2, openMs: 1000 } });
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    mux.addFallbackModel(client("key-f004"), 1, "gpt-4.1-mini");
    for (let i = 0; i < 5; i += 1)
      expect((await mux.chat.completions.create({ model: "x", messages })).model).toBe("gpt-4.1-mini");
    expect(requestsBy("key-a001")).toBe(2);
    sim.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 3; i += 1)
      expect((await mux.chat.completions.create({ model: "x", messages })).model).toBe("gpt-4.1");
    expect(mux.getStats()["gpt-4.1"]).toMatchObject({
      circuit: "closed",
      success: 3,
      state: { status: "available" },
    });
  });

  it("a caller's abort reaches the upstream (stream and non-stream)", async () => {
    sim.addFault({ kind: "stall", afterChunks: 1, times: 1 });
    const mux = new Multiplexer();
    mux.addModel(client("key-a001"), 1, "gpt-4.1");
    const controller = new AbortController();
    const stream = await mux.chat.completions.create(
      { model: "x", messages, stream: true },
      { signal: controller.signal },
    );
    const reading = collectText(stream);
    setTimeout(() => controller.abort(), 50);
    await reading;
    await expect.poll(() => sim.requests[0]?.aborted).toBe(true);

    sim.addFault({ kind: "hang", times: 1 });
    const second = new AbortController();
    const pending = mux.chat.completions.create({ model: "x", messages }, { signal: second.signal });
    setTimeout(() => second.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe("aborted");
    await expect.poll(() => sim.requests[1]?.aborted).toBe(true);
  });

  it("a caller's break stops the upstream stream", async () => {
    const slow = await startSimulator({ chunkDelayMs: 50, chunks: 40 });
    try {
      const mux = new Multiplexer();
      mux.addModel(new OpenAI({ baseURL: slow.url, apiKey: "k" }), 1, "gpt-4.1");
      const stream = await mux.chat.completions.create({ model: "x", messages, stream: true });
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) break;
      }
      await expect.poll(() => slow.requests[0]?.aborted).toBe(true);
    } finally {
      await slow.close();
    }
  });
});
