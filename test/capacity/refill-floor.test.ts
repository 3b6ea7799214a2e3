import { describe, expect, it } from "vitest";
import { RefillFloor } from "../../src/core/capacity/refill-floor.js";
import { TokenBucket } from "../../src/sim/token-bucket.js";

const minute = 60_000;
/** 30 requests per minute. */
const limit = 30;
const rate = limit / minute;

/**
 * Sends one request every `gapMs` (a fake clock) to a provider-like token bucket of `burst × limit`,
 * answering after `latencyMs`; feeds every answer to the floor as LearnedCapacity does.
 */
function drive(options: {
  gapMs: number;
  count: number;
  exact: boolean;
  burst?: number;
  idleEvery?: number;
}) {
  const floor = new RefillFloor();
  const bucket = new TokenBucket(limit, minute, options.burst ?? 0.25, 0);
  const latencyMs = 100;
  let now = 0;
  const floors: number[] = [];
  for (let i = 0; i < options.count; i++) {
    now += options.gapMs;
    // A quiet spell now and then: the bucket fills up, refill is lost.
    if (options.idleEvery !== undefined && i % options.idleEvery === 0) now += 60_000;
    const sentAt = now;
    const admittedAt = sentAt + latencyMs;
    const wait = bucket.waitMs(1, admittedAt);
    if (wait === 0) {
      bucket.take(1, admittedAt);
      floor.noteAdmitted(sentAt);
    } else {
      floor.noteRejected({ sentAt, x: admittedAt + (options.exact ? wait : 0), exact: options.exact });
      floors.push(floor.floor);
    }
  }
  return { floor: floor.floor, floors };
}

describe("RefillFloor", () => {
  it("is 0 until two 429s span enough successes", () => {
    const floor = new RefillFloor();
    for (let at = 0; at < 10_000; at += 1_000) floor.noteAdmitted(at);
    expect(floor.floor).toBe(0);
    floor.noteRejected({ sentAt: 10_000, x: 10_500, exact: true });
    expect(floor.floor).toBe(0);
    floor.noteAdmitted(11_000);
    floor.noteAdmitted(12_000);
    // Two successes between the 429s: fewer than the span a bound needs.
    floor.noteRejected({ sentAt: 13_000, x: 13_500, exact: true });
    expect(floor.floor).toBe(0);
  });

  it("with exact retry delays, a saturated bucket gives its refill exactly (never more)", () => {
    const { floor, floors } = drive({ gapMs: 1_500, count: 400, exact: true });
    expect(floors.length).toBeGreaterThan(20);
    expect(floor).toBeLessThanOrEqual(rate * (1 + 1e-9));
    expect(floor).toBeGreaterThan(rate * 0.99);
    for (const value of floors) expect(value).toBeLessThanOrEqual(rate * (1 + 1e-9));
  });

  it("without retry delays, stays a bound of the refill, within a few per cent of it", () => {
    const { floor, floors } = drive({ gapMs: 1_500, count: 400, exact: false });
    expect(floor).toBeLessThanOrEqual(rate);
    expect(floor).toBeGreaterThan(rate * 0.9);
    for (const value of floors) expect(value).toBeLessThanOrEqual(rate);
  });

  it("quiet spells (refill lost to a full bucket) only lower it", () => {
    const { floor } = drive({ gapMs: 1_000, count: 600, exact: true, idleEvery: 40 });
    expect(floor).toBeGreaterThan(0);
    expect(floor).toBeLessThanOrEqual(rate * (1 + 1e-9));
  });

  it("counts successes answered out of order by their send time", () => {
    const floor = new RefillFloor();
    floor.noteRejected({ sentAt: 0, x: 1_000, exact: true });
    for (const at of [3_000, 2_000, 5_000, 4_000, 7_000, 6_000, 9_000, 8_000, 10_000, 11_000])
      floor.noteAdmitted(at);
    // A success sent after the second 429 does not count between the two.
    floor.noteAdmitted(30_000);
    floor.noteRejected({ sentAt: 20_000, x: 21_000, exact: true });
    expect(floor.floor).toBeCloseTo(10 / 20_000, 12);
  });
});
