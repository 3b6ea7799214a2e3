import { describe, expect, it } from "vitest";
import { formatGoDuration } from "./duration.js";
import { FixedWindow } from "./fixed-window.js";
import { rfc3339 } from "./limit-headers.js";
import { TokenBucket } from "./token-bucket.js";

const T0 = Date.UTC(2025, 9, 25, 12, 0, 0);

describe("TokenBucket", () => {
  it("starts full at burst × limit and refills continuously at limit / window", () => {
    // 60 per 60 s with burst 0.25: holds 15, refills 1 per second.
    const bucket = new TokenBucket(60, 60_000, 0.25, T0);
    expect(bucket.capacity).toBe(15);
    expect(bucket.available(T0)).toBe(15);
    for (let index = 0; index < 15; index += 1) {
      expect(bucket.waitMs(1, T0)).toBe(0);
      bucket.take(1, T0);
    }
    expect(bucket.available(T0)).toBe(0);
    expect(bucket.waitMs(1, T0)).toBe(1000);
    expect(bucket.resetMs(T0)).toBe(15_000);
    expect(bucket.available(T0 + 500)).toBe(0.5);
    expect(bucket.waitMs(1, T0 + 500)).toBe(500);
    expect(bucket.waitMs(1, T0 + 1000)).toBe(0);
    // Never above capacity, however long it rests.
    expect(bucket.available(T0 + 3_600_000)).toBe(15);
    expect(bucket.resetMs(T0 + 3_600_000)).toBe(0);
  });

  it("with burst 1 lets a whole limit through at once, then only the refill", () => {
    const bucket = new TokenBucket(10, 1000, 1, T0);
    bucket.take(10, T0);
    expect(bucket.waitMs(1, T0)).toBe(100);
    // 2.5 refilled after 250 ms: two more fit, the third waits 50 ms.
    bucket.take(2, T0 + 250);
    expect(bucket.available(T0 + 250)).toBeCloseTo(0.5);
    expect(bucket.waitMs(1, T0 + 250)).toBeCloseTo(50);
  });

  it("never fits a charge above its capacity, and does not go below empty", () => {
    const bucket = new TokenBucket(1000, 60_000, 0.1, T0);
    expect(bucket.waitMs(101, T0)).toBe(Infinity);
    expect(bucket.waitMs(100, T0)).toBe(0);
    bucket.take(150, T0);
    expect(bucket.available(T0)).toBe(0);
    expect(bucket.resetMs(T0)).toBe(6000);
  });

  it("refills nothing when the clock goes back", () => {
    const bucket = new TokenBucket(10, 1000, 1, T0);
    bucket.take(10, T0);
    expect(bucket.available(T0 - 5000)).toBe(0);
    expect(bucket.available(T0 + 100)).toBeCloseTo(1);
  });
});

describe("FixedWindow", () => {
  it("first-use windows open at the first request after the last one ended", () => {
    const window = new FixedWindow(2, 1000, { kind: "first-use" });
    window.take(1, T0 + 10);
    window.take(1, T0 + 300);
    expect(window.waitMs(1, T0 + 400)).toBe(610);
    expect(window.resetMs(T0 + 400)).toBe(610);
    expect(window.available(T0 + 1010)).toBe(2);
    // The new window opened at T0 + 1010.
    expect(window.resetMs(T0 + 1500)).toBe(510);
  });

  it("aligned windows cut days at UTC midnight (origin 0), or at a configured origin", () => {
    const day = 86_400_000;
    const daily = new FixedWindow(3, day, { kind: "aligned", origin: 0 });
    daily.take(3, T0);
    expect(daily.waitMs(1, T0)).toBe(12 * 3_600_000);
    expect(daily.available(Date.UTC(2025, 9, 25, 23, 59, 59))).toBe(0);
    expect(daily.available(Date.UTC(2025, 9, 26))).toBe(3);
    const short = new FixedWindow(5, 10_000, { kind: "aligned", origin: T0 + 2500 });
    short.take(5, T0 + 3000);
    expect(short.waitMs(1, T0 + 3000)).toBe(9500);
    expect(short.available(T0 + 12_500)).toBe(5);
    expect(short.waitMs(6, T0)).toBe(Infinity);
  });
});

describe("header value formats", () => {
  it.each([
    [0, "0s"],
    [0.2, "1ms"],
    [20, "20ms"],
    [133.34, "134ms"],
    [999.5, "1s"],
    [1000, "1s"],
    [62_500, "1m2.5s"],
    [360_000, "6m0s"],
    [59_999.5, "1m0s"],
    [7_384_001, "2h3m4.001s"],
  ])("Go duration of %d ms is %s", (ms, expected) => {
    expect(formatGoDuration(ms)).toBe(expected);
  });

  it("RFC 3339 rounds up to the second", () => {
    expect(rfc3339(T0)).toBe("2025-10-25T12:00:00Z");
    expect(rfc3339(T0 + 1)).toBe("2025-10-25T12:00:01Z");
    expect(rfc3339(T0 + 61_000)).toBe("2025-10-25T12:01:01Z");
  });
});
