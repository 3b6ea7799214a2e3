import { describe, expect, it } from "vitest";
import { answerReadings, fitBucket, theilSenRate, type BucketPoint } from "../../src/core/capacity/index.js";
import { rateLimitSnapshot } from "../../src/util/index.js";

/** Points of a bucket of `capacity` refilling at `rate` per ms, at the given levels left. */
function points(
  capacity: number,
  rate: number,
  levels: number[],
  limit: number | null,
  resolution = 1,
): BucketPoint[] {
  return levels.map((remaining, index) => ({
    at: index * 100,
    remaining,
    timeToFull: (capacity - remaining) / rate,
    limit,
    resolution,
  }));
}

describe("fitBucket", () => {
  it("levels reported rounded down (as providers do): the capacity is the highest R + r·T, exact within a few answers", () => {
    const capacity = 30;
    const rate = 30 / 60_000;
    const levels = [27.8, 21.3, 14.05, 9.6, 3.92, 1.4];
    const floored = levels.map((level, index) => ({
      at: index * 100,
      remaining: Math.floor(level),
      timeToFull: Math.round((capacity - level) / rate),
      limit: 30,
      resolution: 1,
    }));
    // One answer: what it proves (never above the truth).
    const first = fitBucket(floored.slice(0, 1), null);
    expect(first?.capacity).toBeLessThanOrEqual(capacity);
    expect(first?.capacity).toBeGreaterThan(capacity - 1);
    // Six: within a twentieth of a unit, where the median of R + r·T sat about half a unit low.
    const six = fitBucket(floored, null);
    expect(six?.rate).toBe(rate);
    expect(six?.capacity).toBeLessThanOrEqual(capacity + 1e-3);
    expect(six?.capacity).toBeGreaterThan(capacity - 0.1);
    // Whole-second resets (Anthropic) are too coarse for this: the median, as before.
    const coarse = floored.map((point) => ({ ...point, resolution: 1_000 }));
    expect(fitBucket(coarse, null)?.capacity).toBeLessThan(capacity - 0.1);
  });

  it("one answer: the limit over a minute, and the capacity it implies", () => {
    expect(fitBucket(points(15, 60 / 60_000, [14], 60), null)).toEqual({
      capacity: 15,
      rate: 60 / 60_000,
      samples: 1,
      windowMs: 60_000,
    });
  });

  it("a per-second limit: a minute is the safe first guess, the slope finds the second", () => {
    const rate = 10 / 1_000;
    expect(fitBucket(points(10, rate, [9], 10), null)?.windowMs).toBe(60_000);
    expect(fitBucket(points(10, rate, [9, 7, 5, 3, 1], 10), null)).toMatchObject({ rate, windowMs: 1_000 });
  });

  it("a limit the minute cannot explain (Groq's per-day requests) is over the next window that can", () => {
    const rate = 14_400 / 86_400_000;
    // One answer with its reset within a minute reads as per minute (a fixed window would look so);
    // a second whose time to full grew as the remaining fell is a bucket's, and the day shows.
    expect(fitBucket(points(14_400, rate, [14_399], 14_400), null)?.windowMs).toBe(60_000);
    expect(fitBucket(points(14_400, rate, [14_399, 14_398], 14_400), null)).toMatchObject({
      capacity: 14_400,
      windowMs: 86_400_000,
    });
  });

  it("a fixed one-minute window (remaining and reset fall together) reads as the limit per minute", () => {
    const window = [
      { at: 0, remaining: 2, timeToFull: 59_000, limit: 3, resolution: 1 },
      { at: 10_000, remaining: 1, timeToFull: 49_000, limit: 3, resolution: 1 },
    ];
    expect(fitBucket(window, null)).toMatchObject({ rate: 3 / 60_000, windowMs: 60_000 });
  });

  it("without a limit header, the slope itself; nothing from a single answer", () => {
    const rate = 7 / 60_000;
    expect(fitBucket(points(20, rate, [19], null), null)).toBeNull();
    const fit = fitBucket(points(20, rate, [19, 16, 12, 9, 4], null), null);
    expect(fit?.rate).toBeCloseTo(rate, 12);
    expect(fit?.capacity).toBeCloseTo(20, 9);
    expect(fit?.windowMs).toBeNull();
  });

  it("keeps a prior that still fits; drops one that does not", () => {
    const rate = 50 / 60_000;
    const prior = { capacity: 12.5, rate: 50 / 3_600_000 };
    expect(fitBucket(points(12.5, rate, [11], 50), prior)?.rate).toBe(prior.rate);
    expect(fitBucket(points(50, rate, [40], 50), { capacity: 50, rate: 50 / 1_000 })?.rate).toBe(rate);
  });

  it("ignores full buckets and answers without time to full; caps the capacity at the limit", () => {
    const full: BucketPoint = { at: 0, remaining: 60, timeToFull: 0, limit: 60, resolution: 1 };
    expect(fitBucket([full], null)).toBeNull();
    const rounded: BucketPoint = { at: 0, remaining: 59, timeToFull: 2_000, limit: 60, resolution: 1_000 };
    expect(fitBucket([rounded, full], null)?.capacity).toBe(60);
  });

  it("the slope is the median of pairwise slopes: an outlier does not move it", () => {
    const rate = 1 / 1_000;
    const sample = points(60, rate, [50, 40, 30, 20, 10], 60);
    sample[2] = { ...sample[2]!, remaining: 45 };
    expect(theilSenRate(sample)).toBeCloseTo(rate, 12);
  });
});

describe("answerReadings", () => {
  const sentAt = Date.UTC(2025, 9, 25, 12, 0, 0, 250);

  it("reads OpenAI durations from the send, at millisecond precision", () => {
    const headers = {
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "1s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "900",
      "x-ratelimit-reset-tokens": "6m0s",
    };
    const readings = answerReadings(headers, sentAt);
    expect(readings.requests).toEqual({
      remaining: 59,
      limit: 60,
      point: { at: sentAt, timeToFull: 1_000, remaining: 59, limit: 60, resolution: 1 },
    });
    expect(readings.tokens?.point?.timeToFull).toBe(360_000);
  });

  it("reads Anthropic timestamps at second precision, and input tokens when tokens are absent", () => {
    const headers = {
      "anthropic-ratelimit-requests-limit": "50",
      "anthropic-ratelimit-requests-remaining": "10",
      "anthropic-ratelimit-requests-reset": "2025-10-25T12:00:03Z",
      "anthropic-ratelimit-input-tokens-limit": "40000",
      "anthropic-ratelimit-input-tokens-remaining": "9000",
      "anthropic-ratelimit-input-tokens-reset": "2025-10-25T12:00:02.500Z",
    };
    const readings = answerReadings(headers, sentAt);
    // 2.75 s to the whole-second reset, less half a second for its rounding.
    expect(readings.requests?.point).toMatchObject({ timeToFull: 2_250, resolution: 1_000 });
    expect(readings.tokens?.point).toMatchObject({ remaining: 9_000, timeToFull: 2_250, resolution: 1 });
  });

  it("takes a snapshot parsed at the send; a remaining without a reset has no point; none is none", () => {
    const snapshot = rateLimitSnapshot(
      { "x-ratelimit-remaining-requests": "3", "x-ratelimit-limit-requests": "5" },
      sentAt,
    );
    expect(answerReadings(snapshot, sentAt)).toEqual({
      requests: { remaining: 3, limit: 5, point: null },
      tokens: null,
    });
    expect(answerReadings({}, sentAt)).toEqual({ requests: null, tokens: null });
    expect(answerReadings(null, sentAt)).toEqual({ requests: null, tokens: null });
  });
});
