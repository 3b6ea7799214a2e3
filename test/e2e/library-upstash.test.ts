import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Multiplexer } from "../../src/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { seededRng } from "../helpers/fake-clock.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

describe("drop-in for @upstash/model-multiplexer", () => {
  it("runs the upstash README quick start unchanged (with local base URLs)", async () => {
    // The README's code, with base URLs pointed at the simulator.
    const claude = new OpenAI({ apiKey: "anthropic-key", baseURL: sim.url });
    const openai = new OpenAI({ apiKey: "openai-key-1", baseURL: sim.url });
    const openai_2 = new OpenAI({ apiKey: "openai-key-2", baseURL: sim.url });
    const gemini = new OpenAI({ apiKey: "gemini-key", baseURL: sim.url });

    const multiplexer = new Multiplexer();
    multiplexer.addModel(claude, 5, "claude-sonnet-4-0");
    multiplexer.addModel(openai, 3, "gpt-4.1");
    multiplexer.addModel(openai_2, 3, "gpt-4.1");
    multiplexer.addFallbackModel(openai, 3, "gpt-4.1-mini");
    multiplexer.addFallbackModel(gemini, 3, "gemini-2.0-flash");

    const completion = await multiplexer.chat.completions.create({
      model: "placeholder",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    expect(completion.choices[0]?.message.content).toMatch(
      /^Hello from (claude-sonnet-4-0|gpt-4\.1) via key/,
    );

    const stream = (await multiplexer.chat.completions.create({
      model: "claude-sonnet-4-0",
      messages: [{ role: "user", content: "Write a poem about AI." }],
      stream: true,
    })) as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content || "";
    expect(text).toMatch(/^Hello from /);

    const stats = multiplexer.getStats();
    expect(Object.keys(stats)).toEqual([
      "claude-sonnet-4-0",
      "gpt-4.1",
      "gpt-4.1#2",
      "gpt-4.1-mini",
      "gemini-2.0-flash",
    ]);
    const total = Object.values(stats).reduce((sum, s) => sum + s.success, 0);
    expect(total).toBe(2);
    for (const entry of Object.values(stats)) {
      expect(entry).toEqual(
        expect.objectContaining({ success: expect.any(Number), rateLimited: 0, failed: 0 }),
      );
    }
    multiplexer.reset();
    expect(multiplexer.getStats()).toEqual({});
  });

  it("spreads primaries by weight (seeded rng, 5:3)", async () => {
    const mux = new Multiplexer({ rng: seededRng(42) });
    mux.addModel(new OpenAI({ apiKey: "w5", baseURL: sim.url }), 5, "a");
    mux.addModel(new OpenAI({ apiKey: "w3", baseURL: sim.url }), 3, "b");
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 400; i += 1) {
      const completion = await mux.chat.completions.create({
        model: "x",
        messages: [{ role: "user", content: "hi" }],
      });
      counts[completion.model as "a" | "b"] += 1;
    }
    expect(counts.a / 400).toBeGreaterThan(0.55);
    expect(counts.a / 400).toBeLessThan(0.7);
    expect(mux.getStats()["a"]?.latency.samples).toBe(counts.a);
    expect(mux.getStats()["a"]?.tokens.completion).toBe(counts.a * 5);
  });

  it("keeps stream usage when the caller asks for it, and records tokens either way", async () => {
    const mux = new Multiplexer();
    mux.addModel(new OpenAI({ apiKey: "u1", baseURL: sim.url }), 1, "m");
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const stream = await mux.chat.completions.create({
      model: "x",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ completion_tokens: 5 });

    const plain: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await mux.chat.completions.create({
      model: "x",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    }))
      plain.push(chunk);
    expect(plain.every((c) => c.choices.length > 0)).toBe(true);
    expect(sim.requests.at(-1)?.body).toMatchObject({ stream_options: { include_usage: true } });
    expect(mux.getStats()["m"]?.tokens.completion).toBe(10);
  });

  it("pools embeddings across keys and decodes the SDK's base64 default", async () => {
    const mux = new Multiplexer();
    mux.addModel(new OpenAI({ apiKey: "e1", baseURL: sim.url }), 1, "text-embedding-3-small", {
      kind: "embeddings",
    });
    mux.addModel(new OpenAI({ apiKey: "e2", baseURL: sim.url }), 1, "text-embedding-3-small", {
      kind: "embeddings",
    });
    mux.addModel(new OpenAI({ apiKey: "c1", baseURL: sim.url }), 1, "chat-model");
    const direct = await new OpenAI({ apiKey: "e1", baseURL: sim.url }).embeddings.create({
      model: "text-embedding-3-small",
      input: ["hello", "world"],
    });
    const result = await mux.embeddings.create({
      model: "text-embedding-3-small",
      input: ["hello", "world"],
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toEqual(direct.data[0]?.embedding);
    expect(result.data[0]?.embedding.length).toBe(8);
    const floats = await mux.embeddings.create({
      model: "text-embedding-3-small",
      input: "hello",
      encoding_format: "float",
    });
    expect(floats.data[0]?.embedding).toEqual(direct.data[0]?.embedding);
  });

  it("rejects bad arguments clearly", async () => {
    const mux = new Multiplexer();
    expect(() => mux.addModel(new OpenAI({ apiKey: "x", baseURL: sim.url }), 0, "m")).toThrow(/weight/);
    expect(() => mux.addModel(new OpenAI({ apiKey: "x", baseURL: sim.url }), 1, "")).toThrow(/modelName/);
    await expect(mux.chat.completions.create({ model: "x", messages: [] })).rejects.toThrow(/No models/);
  });
});
