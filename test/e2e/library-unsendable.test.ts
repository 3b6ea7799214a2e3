import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropic, InvalidRequestError, Multiplexer, UnsendableRequestError } from "../../src/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { EngineEvent } from "../../src/types/index.js";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});

/** A JSON value nested 5,000 arrays deep: it parses, but `JSON.stringify` overflows the stack. */
const deep = JSON.parse("[".repeat(5000) + "]".repeat(5000)) as unknown;
const messages = [{ role: "user" as const, content: "hi" }];

function deepParams(stream: boolean): OpenAI.ChatCompletionCreateParams {
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: "function",
      function: {
        name: "f",
        parameters: { type: "object", properties: { x: { type: "array", default: deep } } },
      },
    },
  ];
  return { model: "placeholder", messages, tools, stream };
}

describe("library: a body llmux cannot serialise is the caller's 400, not the keys' failure", () => {
  it.each([false, true])("OpenAI SDK clients and a native target (stream: %s)", async (stream) => {
    const mux = new Multiplexer({ strategy: "priority", circuit: { failureThreshold: 2, openMs: 60_000 } });
    const events: EngineEvent[] = [];
    mux.on((event) => events.push(event));
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "k1", maxRetries: 0 }), 1, "gpt-4.1");
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "k2", maxRetries: 0 }), 1, "gpt-4.1-mini");
    mux.addModel(anthropic({ apiKey: "an-key", baseURL: sim.origin }), 1, "claude-sonnet-4-0");
    sim.reset();
    try {
      for (let round = 0; round < 3; round += 1) {
        const error = await mux.chat.completions
          .create(deepParams(stream))
          .catch((thrown: unknown) => thrown);
        expect(error).toBeInstanceOf(UnsendableRequestError);
        expect(error).toBeInstanceOf(InvalidRequestError);
        expect((error as InvalidRequestError).status).toBe(400);
        expect((error as InvalidRequestError).attempts.map((a) => a.kind)).toEqual(["local"]);
      }
      expect(sim.requests).toHaveLength(0);
      const stats = mux.getStats();
      expect(Object.keys(stats)).toHaveLength(3);
      for (const entry of Object.values(stats)) {
        expect(entry, entry.id).toMatchObject({
          state: { status: "available" },
          circuit: "closed",
          success: 0,
          failed: 0,
          rateLimited: 0,
          lastError: null,
        });
      }
      expect(events.filter((e) => e.type === "cooldown" || e.type === "circuit")).toEqual([]);
      // The same models still answer a sendable request.
      const answer = await mux.chat.completions.create({ model: "placeholder", messages });
      expect(answer).toMatchObject({ model: "gpt-4.1" });
    } finally {
      await mux.close();
    }
  });
});
