import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { gatewayFor, provider, spec } from "../helpers/gateway.js";
import { validateOpenAI } from "../helpers/openai-spec.js";
import { validateAnthropic } from "../providers/anthropic/anthropic-spec.js";
import { validateGeminiRequest } from "../providers/gemini/gemini-spec.js";

let sim: Simulator;
let gateway: ReturnType<typeof gatewayFor>;
let client: OpenAI;

beforeAll(async () => {
  sim = await startSimulator({ geminiWrapErrorsInArray: true });
  gateway = gatewayFor(
    [
      { ...provider("an-1", sim.origin, "an-key-1"), type: "anthropic" },
      { ...provider("an-2", sim.origin, "an-key-2"), type: "anthropic" },
      { ...provider("ge-1", sim.origin, "ge-key-1"), type: "gemini" },
      { ...provider("ge-2", sim.origin, "ge-key-2"), type: "gemini" },
    ],
    [
      {
        name: "claude",
        strategy: "priority",
        automatic: false,
        deployments: [spec("an-1", "claude-sonnet-4-0"), spec("an-2", "claude-sonnet-4-0")],
      },
      {
        name: "gemini",
        strategy: "priority",
        automatic: false,
        deployments: [spec("ge-1", "gemini-2.5-flash"), spec("ge-2", "gemini-2.5-flash")],
      },
      {
        name: "gemini-solo",
        strategy: "priority",
        automatic: false,
        deployments: [spec("ge-1", "gemini-2.5-flash")],
      },
    ],
  );
  await gateway.app.listen({ port: 0, host: "127.0.0.1" });
  const address = gateway.app.server.address();
  client = new OpenAI({
    baseURL: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/v1`,
    apiKey: "x",
    maxRetries: 0,
  });
});
afterAll(async () => {
  await gateway.close();
  await sim.close();
});
afterEach(() => {
  sim.reset();
  gateway.engine.resetState();
});

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: "developer", content: "Be brief." },
  {
    role: "user",
    content: [
      { type: "text", text: "Describe this." },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    ],
  },
];

describe("native Anthropic upstream through the gateway (real openai SDK)", () => {
  it("answers non-stream and stream in OpenAI shape; the simulator gets a valid Messages request", async () => {
    const completion = await client.chat.completions.create({
      model: "claude",
      messages,
      max_tokens: 100,
      stop: ["END"],
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    expect(completion.choices[0]?.message.content).toBe("Hello from claude-sonnet-4-0 via key ey-1.");
    expect(completion.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: 5 });
    const sent = sim.requests.at(-1)!;
    expect(sent.wire).toBe("anthropic");
    expect(sent.headers["x-api-key"]).toBe("an-key-1");
    validateAnthropic("CreateMessageParams", sent.body);
    expect(sent.body).toMatchObject({ system: "Be brief.", max_tokens: 100, stop_sequences: ["END"] });

    let text = "";
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await client.chat.completions.create({
      model: "claude",
      messages,
      stream: true,
      stream_options: { include_usage: true },
    })) {
      validateOpenAI("CreateChatCompletionStreamResponse", chunk);
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Hello from claude-sonnet-4-0 via key ey-1.");
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(5);
  });

  it("429 with retry-after and 529 overloaded fail over to the other key", async () => {
    sim.addFault({
      kind: "status",
      key: "an-key-1",
      status: 429,
      headers: { "retry-after": "30" },
      times: 1,
    });
    const limited = await client.chat.completions.create({ model: "claude", messages }).withResponse();
    expect(limited.response.headers.get("x-llmux-deployment")).toBe("an-2/claude-sonnet-4-0");
    const state = (await (await fetch(client.baseURL.replace("/v1", "/status"))).json()) as {
      deployments: Array<{ id: string; state: { status: string; reason?: string } }>;
    };
    expect(state.deployments.find((d) => d.id === "an-1/claude-sonnet-4-0")?.state).toMatchObject({
      status: "cooling",
      reason: "rate_limited",
    });
    gateway.engine.resetState();
    sim.addFault({ kind: "status", key: "an-key-1", status: 529, times: 1 });
    const overloaded = await client.chat.completions.create({ model: "claude", messages }).withResponse();
    expect(overloaded.response.headers.get("x-llmux-deployment")).toBe("an-2/claude-sonnet-4-0");
  });

  it("an error event mid-stream reaches the client as an error, never a clean end", async () => {
    // The events after the first content come in later reads (as from the real API), past the commit point.
    const slow = await startSimulator({ chunkDelayMs: 5 });
    const gateway = gatewayFor(
      [{ ...provider("an-slow", slow.origin, "an-key-1"), type: "anthropic" }],
      [
        {
          name: "claude",
          strategy: "priority",
          automatic: false,
          deployments: [spec("an-slow", "claude-sonnet-4-0")],
        },
      ],
    );
    await gateway.app.listen({ port: 0, host: "127.0.0.1" });
    const address = gateway.app.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const slowClient = new OpenAI({
      apiKey: "unused",
      baseURL: `http://127.0.0.1:${port}/v1`,
      maxRetries: 0,
    });
    try {
      slow.addFault({ kind: "stream-error", afterChunks: 2 });
      const stream = await slowClient.chat.completions.create({ model: "claude", messages, stream: true });
      let text = "";
      const error = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })().catch((e: unknown) => e);
      // The fault stays: the continuation (the same deployment, with the text as an assistant
      // prefill) breaks as well, so the stream ends with the error after the text sent.
      expect(text).toMatch(/^Hello from claude-sonnet-4-0 via/);
      expect(text).not.toBe("Hello from claude-sonnet-4-0 via key an-key-1.");
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toMatch(/overloaded|stream/i);
    } finally {
      await gateway.close();
      await slow.close();
    }
  });

  it("learns the anthropic-ratelimit-* headers (RFC 3339 resets) into the status page", async () => {
    sim.setKey("an-key-1", { rpm: 50 });
    await client.chat.completions.create({ model: "claude", messages });
    const status = (await (await fetch(client.baseURL.replace("/v1", "/status"))).json()) as {
      deployments: Array<{
        id: string;
        capacity: {
          mode: string;
          requests: { capacity: number; remaining: number; refillPerMinute: number };
        };
      }>;
    };
    // Learned from the anthropic-ratelimit-* headers: a bucket of 50 refilling 50 a minute, one used.
    const capacity = status.deployments.find((d) => d.id === "an-1/claude-sonnet-4-0")?.capacity;
    expect(capacity?.mode).toBe("headers");
    // (Whole-second resets are read half a second short, so the capacity comes out a little under.)
    expect(capacity?.requests.capacity).toBeGreaterThan(49);
    expect(capacity?.requests.capacity).toBeLessThanOrEqual(50);
    expect(capacity?.requests.refillPerMinute).toBeCloseTo(50, 5);
    expect(capacity?.requests.remaining).toBeGreaterThanOrEqual(48);
    expect(capacity?.requests.remaining).toBeLessThanOrEqual(50);
    sim.setKey("an-key-1", {});
  });
});

describe("native Gemini upstream through the gateway (real openai SDK)", () => {
  it("answers non-stream and stream in OpenAI shape; the simulator gets a valid generateContent request", async () => {
    const completion = await client.chat.completions.create({
      model: "gemini",
      messages,
      max_tokens: 50,
      response_format: { type: "json_object" },
    });
    validateOpenAI("CreateChatCompletionResponse", completion);
    expect(completion.model).toContain("gemini-2.5-flash");
    const sent = sim.requests.at(-1)!;
    expect(sent.wire).toBe("gemini");
    expect(sent.path).toContain("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(sent.headers["x-goog-api-key"]).toBe("ge-key-1");
    validateGeminiRequest(sent.body);
    expect(sent.body).toMatchObject({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      generationConfig: { maxOutputTokens: 50, responseMimeType: "application/json" },
    });

    let text = "";
    for await (const chunk of await client.chat.completions.create({
      model: "gemini",
      messages,
      stream: true,
    })) {
      validateOpenAI("CreateChatCompletionStreamResponse", chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Hello from gemini-2.5-flash via key ey-1.");
    expect(sim.requests.at(-1)?.path).toContain(":streamGenerateContent");
  });

  it("RESOURCE_EXHAUSTED (array-wrapped, RetryInfo) cools the key for the retryDelay and fails over", async () => {
    sim.addFault({ kind: "status", key: "ge-key-1", status: 429, times: 1 });
    const response = await client.chat.completions.create({ model: "gemini", messages }).withResponse();
    expect(response.response.headers.get("x-llmux-deployment")).toBe("ge-2/gemini-2.5-flash");
    const health = gateway.engine.store.health("ge-1/gemini-2.5-flash");
    expect(health.cooldownReason).toBe("rate_limited");
    expect(health.cooldownUntil - Date.now()).toBeGreaterThan(500);
  });

  it("a per-day quota 429 takes the key out for the long quota cooldown", async () => {
    const body = [
      {
        error: {
          code: 429,
          message: "Quota exceeded for metric: generate_content_free_tier_requests, limit: 250",
          status: "RESOURCE_EXHAUSTED",
          details: [
            {
              "@type": "type.googleapis.com/google.rpc.QuotaFailure",
              violations: [
                {
                  quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                  quotaId: "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                },
              ],
            },
            { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "40s" },
          ],
        },
      },
    ];
    sim.addFault({ kind: "status", key: "ge-key-1", status: 429, body, times: 1 });
    await client.chat.completions.create({ model: "gemini", messages });
    const health = gateway.engine.store.health("ge-1/gemini-2.5-flash");
    expect(health.cooldownReason).toBe("quota_exhausted");
    expect(health.cooldownUntil - Date.now()).toBeGreaterThan(3_000_000);
  });

  it("a blocked prompt (200, no candidates) is a clear 400, not an empty answer", async () => {
    sim.addFault({ kind: "blocked" });
    const error = await client.chat.completions
      .create({ model: "gemini-solo", messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toMatch(/blocked/i);
    const stream = await client.chat.completions
      .create({ model: "gemini-solo", messages, stream: true })
      .then(async (s) => {
        for await (const _ of s);
        return null;
      })
      .catch((e: unknown) => e);
    expect(stream).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
