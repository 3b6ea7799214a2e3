import { describe, expect, it } from "vitest";
import { idealRun } from "../../bench/quota-ideal.js";
import { arrivalOffsets, type RunSettings } from "../../bench/quota-load.js";
import { timeScale } from "../../bench/quota-scale.js";
import { SCENARIOS, type Scenario } from "../../bench/quota-scenarios.js";

const scenario = (name: string): Scenario => SCENARIOS.find((candidate) => candidate.name === name)!;
const settings = (burst: number, arrivals: "even" | "poisson"): RunSettings => ({
  scale: timeScale(4_000),
  windows: 15,
  limiter: "bucket",
  burst,
  latencyMs: 100,
  engine: {},
  naiveCooldownMs: 4_000,
  arrivals,
  seed: 42,
  countRejected: false,
  redis: undefined,
});

describe("bench:quota ceiling (one pooled bucket, same wait)", () => {
  it("serves every evenly spaced request at 80 % and refuses none", () => {
    const run = settings(0.25, "even");
    const offsets = arrivalOffsets(scenario("80%"), run);
    const ideal = idealRun(scenario("80%"), run, offsets, 0)!;
    expect(ideal.refused).toBe(0);
    expect(ideal.served).toBe(offsets.length);
  });

  it("at 130 % serves the whole quota and refuses the excess", () => {
    const run = settings(1, "even");
    const offsets = arrivalOffsets(scenario("130%"), run);
    const ideal = idealRun(scenario("130%"), run, offsets, 200)!;
    expect(ideal.servedQuotaPct).toBeGreaterThan(99);
    expect(ideal.servedQuotaPct).toBeLessThanOrEqual(100.5);
    expect(ideal.refused).toBeGreaterThan(offsets.length * 0.2);
  });

  it("a longer wait refuses fewer Poisson arrivals at 100 %; tokens count in tokens", () => {
    const run = settings(0.25, "poisson");
    const offsets = arrivalOffsets(scenario("100%"), run);
    const short = idealRun(scenario("100%"), run, offsets, 200)!;
    const long = idealRun(scenario("100%"), run, offsets, 667)!;
    expect(long.refused).toBeLessThan(short.refused);
    const tokens = idealRun(scenario("tokens 100%"), run, arrivalOffsets(scenario("tokens 100%"), run), 200)!;
    expect(tokens.servedQuotaPct).toBeGreaterThan(90);
    expect(tokens.servedQuotaPct).toBeLessThanOrEqual(101);
  });

  it("has no ceiling for fixed windows", () => {
    const run = { ...settings(1, "even"), limiter: "window" as const };
    expect(idealRun(scenario("100%"), run, [], 200)).toBeNull();
  });
});
