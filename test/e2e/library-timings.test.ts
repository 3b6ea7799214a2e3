import { performance } from "node:perf_hooks";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Multiplexer } from "../../src/index.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { AttemptEndEvent } from "../../src/types/index.js";

/**
 * The library's timings (attempt_end events and getStats() percentiles) are in one time base and
 * bounded by what the caller measured, streaming or not (a wall-clock first-token time subtracted
 * from a monotonic start read as ~1.8e12 ms).
 */
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ keys: { "key-a": {}, "key-b": {} }, chunks: 4, chunkDelayMs: 15 });
});
afterAll(async () => {
  await sim.close();
});

const messages = [{ role: "user" as const, content: "hi" }];

describe("library timings are in one time base", () => {
  it("attempt_end and getStats(): 0 ≤ TTFT ≤ latency ≤ the caller's time, streaming and not", async () => {
    sim.addFault({ kind: "status", key: "key-a", status: 500, times: 1 });
    const mux = new Multiplexer({ strategy: "priority" });
    const ends: AttemptEndEvent[] = [];
    mux.on((event) => {
      if (event.type === "attempt_end") ends.push(event);
    });
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "key-a", maxRetries: 0 }), 1, "gpt-4.1");
    mux.addModel(new OpenAI({ baseURL: sim.url, apiKey: "key-b", maxRetries: 0 }), 1, "gpt-4.1-mini");
    let longest = 0;
    try {
      for (const stream of [true, false, true, false, true, false]) {
        const started = performance.now();
        if (stream) {
          const chunks = await mux.chat.completions.create({ model: "m", messages, stream: true });
          let text = "";
          for await (const chunk of chunks) text += chunk.choices[0]?.delta?.content ?? "";
          expect(text.length).toBeGreaterThan(0);
        } else {
          await mux.chat.completions.create({ model: "m", messages });
        }
        const totalMs = performance.now() - started;
        longest = Math.max(longest, totalMs);
        const end = ends.at(-1)!;
        expect(end).toMatchObject({ outcome: "success", stream });
        expect(end.firstTokenMs).not.toBeNull();
        expect(end.firstTokenMs!).toBeGreaterThanOrEqual(0);
        expect(end.firstTokenMs!).toBeLessThanOrEqual(end.durationMs);
        expect(end.durationMs).toBeLessThanOrEqual(totalMs);
        if (stream) expect(end.durationMs - end.firstTokenMs!).toBeGreaterThan(10);
      }
      const stats = Object.values(mux.getStats());
      expect(stats.reduce((sum, entry) => sum + entry.success, 0)).toBe(6);
      for (const entry of stats) {
        if (entry.success === 0) continue;
        for (const p of ["p50", "p90", "p99"] as const) {
          const ttft = entry.timeToFirstToken[p]!;
          const latency = entry.latency[p]!;
          expect(ttft, `${entry.id} ${p}`).toBeGreaterThanOrEqual(0);
          expect(ttft, `${entry.id} ${p}`).toBeLessThanOrEqual(latency);
          expect(latency, `${entry.id} ${p}`).toBeLessThanOrEqual(longest);
        }
      }
    } finally {
      await mux.close();
    }
  });
});
