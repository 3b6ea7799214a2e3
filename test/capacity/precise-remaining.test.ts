import { describe, expect, it } from "vitest";
import { preciseRemaining, type DimensionReading } from "../../src/core/capacity/readings.js";

const shape = { capacity: 30, rate: 30 / 60_000 };

/** What a provider reports for a true `level`: the whole units, and the time to full to the ms. */
function reported(level: number, resolution = 1): DimensionReading {
  const timeToFull = Math.round((shape.capacity - level) / shape.rate);
  return {
    remaining: Math.floor(level),
    limit: 30,
    point: { at: 0, timeToFull, remaining: Math.floor(level), limit: 30, resolution },
  };
}

describe("preciseRemaining", () => {
  it("reads the fraction a provider rounds away from its reset, a quarter unit under it", () => {
    expect(preciseRemaining(reported(4.9), shape)).toBeCloseTo(4.65, 2);
    expect(preciseRemaining(reported(0.8), shape)).toBeCloseTo(0.55, 2);
  });

  it("never below the whole units reported, never at the next one", () => {
    expect(preciseRemaining(reported(3.1), shape)).toBe(3);
    // A fit whose capacity is too high cannot lift it past the reported unit.
    expect(preciseRemaining(reported(3.1), { ...shape, capacity: 32 })).toBe(3.75);
    // One too low cannot take it under.
    expect(preciseRemaining(reported(3.9), { ...shape, capacity: 28 })).toBe(3);
  });

  it("whole-second resets (Anthropic) or no reset: the units as reported", () => {
    expect(preciseRemaining(reported(4.9, 1_000), shape)).toBe(4);
    expect(preciseRemaining({ remaining: 4, limit: 30, point: null }, shape)).toBe(4);
  });
});
