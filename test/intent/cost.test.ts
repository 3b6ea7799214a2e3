import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { classifyIntent } from "../../src/core/intent/index.js";
import type { ChatRequest } from "../../src/types/index.js";
import { loadLabelled } from "./labelled-set.js";
import { hugeProse, realisticMix } from "./realistic-mix.js";

/** Median µs per request over `rounds` passes of `requests` (after a warm-up). */
function medianMicros(requests: readonly ChatRequest[], rounds: number): number {
  for (let i = 0; i < 3_000; i += 1) classifyIntent(requests[i % requests.length]!);
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    for (const request of requests) classifyIntent(request);
    perRound.push(((performance.now() - started) * 1_000) / requests.length);
  }
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(perRound.length / 2)]!;
}

describe("intent classifier cost", () => {
  it("a realistic mix costs well under 50 µs per request (median)", () => {
    const mix = realisticMix(loadLabelled("labelled"));
    const median = medianMicros(mix, 60);
    console.log(
      `intent: ${median.toFixed(1)} µs per request (median over ${mix.length} requests × 60 rounds)`,
    );
    // Measured ~5–12 µs on a loaded 2-core machine; the bound is generous so a busy CI box passes.
    expect(median).toBeLessThan(50);
  });

  it("a huge prompt costs what its bounds cost, not what its size would", () => {
    const median = medianMicros([hugeProse], 400);
    console.log(`intent: ${median.toFixed(1)} µs for 100 KB system + 100 KB user of prose (median)`);
    expect(median).toBeLessThan(400);
  });
});
