import { describe, expect, it } from "vitest";
import { bucketOf, bucketValue, defaultLayout, WindowHistogram } from "../../src/core/latency/index.js";
import { seededRng } from "../helpers/fake-clock.js";

const t0 = 1_700_000_040_000; // a slice boundary for 60 s slices
const minute = 60_000;

/** The nearest-rank percentile of samples. */
function exact(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe("log buckets", () => {
  it("report every value within 4 % (0.5 ms to 30 min), monotonically", () => {
    let previous = -1;
    for (let value = 0.6; value < 1_800_000; value *= 1.013) {
      const bucket = bucketOf(defaultLayout, value);
      expect(bucket).toBeGreaterThanOrEqual(previous);
      previous = bucket;
      expect(Math.abs(bucketValue(defaultLayout, bucket) / value - 1)).toBeLessThan(0.04);
    }
    expect(bucketOf(defaultLayout, -5)).toBe(0);
    expect(bucketOf(defaultLayout, Number.NaN)).toBe(0);
    expect(bucketOf(defaultLayout, 1e12)).toBe(defaultLayout.count - 1);
  });
});

describe("WindowHistogram", () => {
  it("p50/p95/p99 within 4 % of the exact percentiles", () => {
    const rng = seededRng(7);
    const histogram = new WindowHistogram(defaultLayout, minute, 30);
    const samples: number[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      // Log-normal-ish latencies around 800 ms with a long tail.
      const value = 800 * Math.exp((rng() + rng() + rng() - 1.5) * 1.2) + (rng() < 0.02 ? 5_000 * rng() : 0);
      samples.push(value);
      histogram.add(value, t0 + i * 50);
    }
    const result = histogram.percentiles(t0 + 20_000 * 50)!;
    expect(result.count).toBe(samples.length);
    for (const [key, q] of [
      ["p50", 0.5],
      ["p95", 0.95],
      ["p99", 0.99],
    ] as const) {
      expect(Math.abs(result[key] / exact(samples, q) - 1)).toBeLessThan(0.04);
    }
  });

  it("forgets slices that left the window, and nothing else", () => {
    const histogram = new WindowHistogram(defaultLayout, minute, 3); // a 3-minute window
    histogram.add(100, t0);
    histogram.add(200, t0 + minute);
    histogram.add(300, t0 + 2 * minute + 59_999);
    expect(histogram.percentiles(t0 + 2 * minute + 59_999)!.count).toBe(3);
    expect(histogram.percentiles(t0 + 3 * minute)).toMatchObject({ count: 2 });
    expect(histogram.percentiles(t0 + 4 * minute)).toMatchObject({ count: 1 });
    expect(histogram.percentiles(t0 + 5 * minute)).toBeNull();
    histogram.add(400, t0 + 10 * minute);
    expect(histogram.percentiles(t0 + 10 * minute)).toMatchObject({ count: 1 });
  });

  it("drops an observation older than the window; keeps a late one still inside it", () => {
    const histogram = new WindowHistogram(defaultLayout, minute, 3);
    histogram.add(100, t0 + 5 * minute);
    histogram.add(100, t0); // five minutes late: outside
    histogram.add(100, t0 + 4 * minute); // one minute late: inside
    expect(histogram.percentiles(t0 + 5 * minute)!.count).toBe(2);
  });

  it("round-trips through its sparse slices", () => {
    const histogram = new WindowHistogram(defaultLayout, minute, 30);
    for (let i = 0; i < 100; i += 1) histogram.add(10 + i * 7, t0 + i * 10_000);
    const copy = new WindowHistogram(defaultLayout, minute, 30);
    copy.absorb(histogram.slices(t0 + 990_000));
    expect(copy.percentiles(t0 + 990_000)).toEqual(histogram.percentiles(t0 + 990_000));
  });
});
