import { describe, expect, it } from "vitest";
import { LearnedCapacity } from "../../src/core/capacity/index.js";
import { MemoryStateStore } from "../../src/state/index.js";
import { runPacing, type PacingGate } from "./pacing-loop.js";
import { anthropicRequests, anthropicTokens, headerless, openaiTokens, type Shape } from "./scenarios.js";

async function pace(shape: Shape, load: number, seed: number, nodes = 1) {
  const store = new MemoryStateStore();
  const gates = Array.from({ length: nodes }, () => new LearnedCapacity(store));
  return runPacing({ ...shape, load, seed, gates });
}

const seeds = [1, 2, 3];

describe("pacing against a faithful bucket model (fake clock, Poisson arrivals)", () => {
  it("the model is not easy: without pacing, 130 % load is answered with over 20 % 429s", async () => {
    const naive: PacingGate = { take: () => ({ ok: true, mark: null }), observe: () => {} };
    const result = await runPacing({ ...anthropicRequests, load: 1.3, seed: 1, gates: [naive] });
    expect(result.rejectedShare).toBeGreaterThan(0.2);
  });

  describe.each([
    ["Anthropic, requests binding, burst 0.25", anthropicRequests],
    ["OpenAI, tokens binding, ±10 % charges", openaiTokens],
    ["Anthropic, tokens binding, burst 0.25, ±10 % charges", anthropicTokens],
  ])("headers: %s", (_name, shape) => {
    it.each(seeds)("full load (seed %i): at least 97 pct used, at most 1 pct rejected", async (seed) => {
      const result = await pace(shape, 1, seed);
      expect(result.used).toBeGreaterThanOrEqual(0.97);
      expect(result.rejectedShare).toBeLessThanOrEqual(0.01);
    });

    it.each(seeds)("130 pct load (seed %i): at least 97 pct used, at most 2 pct rejected", async (seed) => {
      const result = await pace(shape, 1.3, seed);
      expect(result.used).toBeGreaterThanOrEqual(0.97);
      expect(result.rejectedShare).toBeLessThanOrEqual(0.02);
    });
  });

  describe("no headers: AIMD", () => {
    it.each(seeds)("full load (seed %i): at least 90 pct used, at most 5 pct rejected", async (seed) => {
      const result = await pace(headerless, 1, seed);
      expect(result.used).toBeGreaterThanOrEqual(0.9);
      expect(result.rejectedShare).toBeLessThanOrEqual(0.05);
    });

    it.each(seeds)("130 pct load (seed %i): at least 90 pct used, at most 5 pct rejected", async (seed) => {
      const result = await pace(headerless, 1.3, seed);
      expect(result.used).toBeGreaterThanOrEqual(0.9);
      expect(result.rejectedShare).toBeLessThanOrEqual(0.05);
    });

    it("settles near the true rate", async () => {
      const store = new MemoryStateStore();
      const gate = new LearnedCapacity(store);
      await runPacing({ ...headerless, load: 1.3, seed: 1, gates: [gate] });
      const view = gate.view("deployment", 1_700_000_000_000 + headerless.durationMs);
      expect(view.mode).toBe("aimd");
      expect(view.requests.refillPerMinute).toBeGreaterThan(300 * 0.5);
      expect(view.requests.refillPerMinute).toBeLessThan(300 * 1.6);
    });
  });

  describe("two nodes on one store: the limit holds for both together", () => {
    it.each([
      ["Anthropic requests", anthropicRequests, 0.02],
      ["OpenAI tokens", openaiTokens, 0.02],
      ["AIMD", headerless, 0.05],
    ] as const)("%s at 130 pct load", async (_name, shape, rejected) => {
      const result = await pace(shape, 1.3, 4, 2);
      expect(result.used).toBeGreaterThanOrEqual(0.95);
      expect(result.rejectedShare).toBeLessThanOrEqual(rejected);
    });

    it("each node alone, unaware of the other, would overshoot (the test can fail)", async () => {
      const gates = [
        new LearnedCapacity(new MemoryStateStore()),
        new LearnedCapacity(new MemoryStateStore()),
      ];
      const result = await runPacing({ ...anthropicRequests, load: 1.3, seed: 4, gates });
      expect(result.rejectedShare).toBeGreaterThan(0.02);
    });
  });
});
