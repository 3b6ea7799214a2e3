import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { classifyIntent } from "../../src/core/intent/index.js";
import type { ChatRequest } from "../../src/types/index.js";
import { loadLabelled } from "./labelled-set.js";
import { hugeProse, realisticMix } from "./realistic-mix.js";

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Median µs per request over `rounds` passes of `requests` (after a warm-up), by wall clock and by
 * process CPU time (which leaves out the time the process waited for a core on a busy machine).
 */
function cost(requests: readonly ChatRequest[], rounds: number): { wall: number; cpu: number } {
  for (let i = 0; i < 3_000; i += 1) classifyIntent(requests[i % requests.length]!);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const startedCpu = process.cpuUsage();
    const started = performance.now();
    for (const request of requests) classifyIntent(request);
    wall.push(((performance.now() - started) * 1_000) / requests.length);
    const used = process.cpuUsage(startedCpu);
    cpu.push((used.user + used.system) / requests.length);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

describe("intent classifier cost", () => {
  it("a realistic mix costs under 50 µs per request (median)", () => {
    const mix = realisticMix(loadLabelled("labelled"));
    const { wall, cpu } = cost(mix, 60);
    console.log(
      `intent: ${wall.toFixed(1)} µs wall, ${cpu.toFixed(1)} µs CPU per request (median over ${mix.length} requests × 60 rounds)`,
    );
    // ~10–17 µs CPU on a loaded 2-core machine; CPU time keeps the bound stable when the box is busy.
    expect(cpu).toBeLessThan(50);
  });

  it("a huge prompt costs what its bounds cost, not what its size would", () => {
    const { wall, cpu } = cost([hugeProse], 400);
    console.log(
      `intent: ${wall.toFixed(1)} µs wall, ${cpu.toFixed(1)} µs CPU for 100 KB system + 100 KB user of prose`,
    );
    expect(cpu).toBeLessThan(400);
  });
});
