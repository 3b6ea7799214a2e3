import { describe, expect, it } from "vitest";
import type { AimdPolicy, BucketObservation, BucketReading, StateStore } from "../../src/types/index.js";

const t0 = 1_700_000_040_000;
const minute = 60_000;
/** 60 requests per minute: one per second. */
const rate = 60 / minute;
const shape = (remaining: number | null, capacity = 10): BucketReading => ({ capacity, rate, remaining });
const policy: AimdPolicy = {
  initialRate: 1 / 1_000,
  burstMs: 2_000,
  decrease: 0.5,
  increase: 0.1,
  slowStartIncrease: 0.25,
};

function answer(partial: Partial<BucketObservation> & { sentAt: number }): BucketObservation {
  return {
    mark: null,
    rejected: false,
    requests: null,
    tokens: null,
    retryAt: null,
    extraTokens: 0,
    aimd: null,
    ...partial,
  };
}

/**
 * The learned-bucket operations every StateStore must have (part of `stateStoreContract`). `settle`
 * waits until a shared store's fire-and-forget writes are answered and adopted.
 */
export function bucketContract(subject: () => { store: StateStore; settle: () => Promise<void> }): void {
  const take = async (key: string, now: number, requests: number, tokens = 0) =>
    subject().store.takeBucket(key, now, { requests, tokens });

  describe("learned buckets", () => {
    it("an unknown bucket is not metered, but every take is counted for the marks", async () => {
      const { store } = subject();
      expect(store.bucket("b", t0)).toBeNull();
      expect(await take("b", t0, 1, 500)).toEqual({ ok: true, mark: { requests: 1, tokens: 500 } });
      expect(await take("b", t0, 1, 300)).toEqual({ ok: true, mark: { requests: 2, tokens: 800 } });
      expect(store.bucket("b", t0)).toMatchObject({
        mode: "unknown",
        requests: { capacity: 0, taken: 2 },
        tokens: { capacity: 0, taken: 800 },
      });
      expect(store.bucket("other", t0)).toBeNull();
    });

    it("an answer teaches the shape; the level is the provider's, refilled since, minus what was sent after", async () => {
      const { store, settle } = subject();
      const first = await take("b", t0, 1);
      await take("b", t0 + 10, 1);
      await take("b", t0 + 20, 1);
      expect(first).toMatchObject({ ok: true });
      const mark = first.ok ? first.mark : null;
      store.observeBucket("b", t0 + 500, answer({ sentAt: t0, mark, requests: shape(9) }));
      await settle();
      // 9 left after the first, 0.5 refilled since, 2 sent after it.
      expect(store.bucket("b", t0 + 500)).toMatchObject({
        mode: "headers",
        answers: 1,
        requests: { capacity: 10, rate, level: 9 + rate * 500 - 2, taken: 3, observedMark: 1 },
      });
      for (let i = 0; i < 7; i++) expect(await take("b", t0 + 500, 1)).toMatchObject({ ok: true });
      const level = 9 + rate * 500 - 2 - 7;
      expect(await take("b", t0 + 500, 1)).toEqual({
        ok: false,
        dimension: "requests",
        retryAt: t0 + 500 + Math.ceil((1 - level) / rate),
      });
      const retryAt = t0 + 500 + Math.ceil((1 - level) / rate);
      expect(await take("b", retryAt - 1, 1)).toMatchObject({ ok: false, dimension: "requests" });
      expect(await take("b", retryAt, 1)).toMatchObject({ ok: true, mark: { requests: 11 } });
      expect(store.bucket("b", retryAt)?.deniedAt).toBe(retryAt - 1);
    });

    it("the level refills at the rate up to the capacity", async () => {
      const { store, settle } = subject();
      const taken = await take("b", t0, 1);
      store.observeBucket(
        "b",
        t0,
        answer({ sentAt: t0, mark: taken.ok ? taken.mark : null, requests: shape(0) }),
      );
      await settle();
      expect(store.bucket("b", t0)?.requests.level).toBe(0);
      expect(store.bucket("b", t0 + 2_500)?.requests.level).toBe(rate * 2_500);
      expect(store.bucket("b", t0 + 60_000)?.requests.level).toBe(10);
      // Reading is not rolling: the stored record did not move.
      expect(store.bucket("b", t0)?.requests.level).toBe(0);
    });

    it("a late answer only lowers the level; the newest raises it halfway", async () => {
      const { store, settle } = subject();
      const marks = [];
      for (let i = 0; i < 4; i++) {
        const result = await take("b", t0, 1);
        marks.push(result.ok ? result.mark : null);
      }
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[2]!, requests: shape(6) }));
      await settle();
      // 6 after the third, the fourth after it.
      expect(store.bucket("b", t0)?.requests).toMatchObject({ level: 5, observedMark: 3 });
      // The second's answer says more is left: it is older than the third's, so it cannot raise.
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[1]!, requests: shape(9) }));
      await settle();
      expect(store.bucket("b", t0)?.requests).toMatchObject({ level: 5, observedMark: 3 });
      // ... but it may lower.
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[1]!, requests: shape(4) }));
      await settle();
      expect(store.bucket("b", t0)?.requests.level).toBe(2);
      // The newest says 7 are left after it: raised halfway.
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[3]!, requests: shape(7) }));
      await settle();
      expect(store.bucket("b", t0)?.requests).toMatchObject({ level: 4.5, observedMark: 4 });
    });

    it("a release gives the charge back; a charge above the capacity needs a full bucket", async () => {
      const { store, settle } = subject();
      const tokens: BucketReading = { capacity: 1_000, rate: 1_000 / minute, remaining: 1_000 };
      store.observeBucket("b", t0, answer({ sentAt: t0, tokens }));
      await settle();
      expect(await take("b", t0, 1, 400)).toMatchObject({ ok: true, mark: { tokens: 400 } });
      store.releaseBucket("b", t0, { requests: 1, tokens: 400 });
      await settle();
      expect(store.bucket("b", t0)?.tokens).toMatchObject({ level: 1_000, taken: 0 });
      expect(store.bucket("b", t0)?.requests).toMatchObject({ capacity: 0, taken: 0 });
      expect(await take("b", t0, 1, 5_000)).toMatchObject({ ok: true });
      expect(await take("b", t0 + 1, 1, 5_000)).toEqual({
        ok: false,
        dimension: "tokens",
        retryAt: t0 + 1 + Math.ceil((1_000 - (-4_000 + (1_000 / minute) * 1)) / (1_000 / minute)),
      });
      store.releaseBucket("unknown", t0, { requests: 1, tokens: 1 });
      await settle();
      expect(store.bucket("unknown", t0)).toBeNull();
    });

    it("a 429 holds the bucket until its Retry-After; extra tokens used are taken", async () => {
      const { store, settle } = subject();
      const tokens: BucketReading = { capacity: 1_000, rate: 1_000 / minute, remaining: 800 };
      store.observeBucket("b", t0, answer({ sentAt: t0, requests: shape(8), tokens }));
      store.observeBucket("b", t0, answer({ sentAt: t0, extraTokens: 300 }));
      await settle();
      expect(store.bucket("b", t0)?.tokens.level).toBe(500);
      store.observeBucket("b", t0, answer({ sentAt: t0, rejected: true, retryAt: t0 + 4_000 }));
      await settle();
      expect(store.bucket("b", t0)).toMatchObject({
        answers: 3,
        rejected: 1,
        requests: { level: 1 - rate * 4_000 },
        tokens: { level: -(1_000 / minute) * 4_000 },
      });
      expect(await take("b", t0 + 3_999, 1)).toMatchObject({ ok: false, dimension: "requests" });
      expect(await take("b", t0 + 4_000, 1)).toMatchObject({ ok: true });
    });

    it("without headers: AIMD grows the pace while it binds and cuts it once per round of 429s", async () => {
      const { store, settle } = subject();
      const first = await take("b", t0, 1);
      const second = await take("b", t0, 1);
      store.observeBucket(
        "b",
        t0 + 100,
        answer({ sentAt: t0, mark: first.ok ? first.mark : null, aimd: policy }),
      );
      await settle();
      // Started at the initial rate with a full burst; the pace did not bind, so no growth.
      expect(store.bucket("b", t0 + 100)).toMatchObject({
        mode: "aimd",
        slowStart: true,
        requests: { capacity: 2, rate: 1 / 1_000, level: 2 },
        tokens: { capacity: 0 },
      });
      await take("b", t0 + 100, 1);
      await take("b", t0 + 100, 1);
      expect(await take("b", t0 + 100, 1)).toMatchObject({ ok: false });
      // A take was denied since it was sent: the pace binds, and grows by the time since (at most 1 s).
      store.observeBucket(
        "b",
        t0 + 1_100,
        answer({ sentAt: t0, mark: second.ok ? second.mark : null, aimd: policy }),
      );
      await settle();
      expect(store.bucket("b", t0 + 1_100)).toMatchObject({
        pacedAt: t0 + 1_100,
        requests: { rate: (1 / 1_000) * 1.25, level: 1 },
      });
      const third = await take("b", t0 + 2_000, 1);
      const fourth = await take("b", t0 + 2_000, 1);
      const rejected = (result: typeof third) =>
        answer({
          sentAt: t0 + 2_000,
          mark: result.ok ? result.mark : null,
          aimd: policy,
          rejected: true,
          retryAt: t0 + 5_000,
        });
      store.observeBucket("b", t0 + 2_100, rejected(third));
      store.observeBucket("b", t0 + 2_100, rejected(fourth));
      await settle();
      const cut = (1 / 1_000) * 1.25 * 0.5;
      expect(store.bucket("b", t0 + 2_100)).toMatchObject({
        slowStart: false,
        decreaseMark: 6,
        rejected: 2,
        requests: { rate: cut, capacity: cut * 2_000, level: 1 - cut * 2_900 },
      });
      expect(await take("b", t0 + 4_999, 1)).toMatchObject({ ok: false });
      expect(await take("b", t0 + 5_000, 1)).toMatchObject({ ok: true });
    });

    it("without headers: a refill floor stops the AIMD cut (by 2 % at least) and keeps the least burst", async () => {
      const { store, settle } = subject();
      const floored = (floorRate: number): AimdPolicy => ({ ...policy, floorRate, minCapacity: 5 });
      const rejected = async (at: number, floorRate: number) => {
        const taken = await take("b", at, 1);
        store.observeBucket(
          "b",
          at + 100,
          answer({
            sentAt: at,
            mark: taken.ok ? taken.mark : null,
            aimd: floored(floorRate),
            rejected: true,
            retryAt: at + 1_000,
          }),
        );
        await settle();
        return store.bucket("b", at + 100);
      };
      // Entering AIMD at the initial rate (1/s): the floor (0.8/s) is above the half cut.
      const first = await rejected(t0, 0.8 / 1_000);
      expect(first).toMatchObject({ mode: "aimd", requests: { rate: 0.8 / 1_000, capacity: 5 } });
      // A floor at or above the rate still cuts it by 2 %.
      const second = await rejected(t0 + 2_000, 5 / 1_000);
      expect(second?.requests.rate).toBeCloseTo((0.8 / 1_000) * 0.98, 12);
      expect(second?.requests.capacity).toBe(5);
      // No floor: the policy's cut.
      const third = await rejected(t0 + 4_000, 0);
      expect(third?.requests.rate).toBeCloseTo((0.8 / 1_000) * 0.98 * 0.5, 12);
    });

    it("a lowering leaves a reserve that takes must leave in the bucket; it fades with every correction", async () => {
      const { store, settle } = subject();
      const marks = [];
      for (let i = 0; i < 3; i++) {
        const result = await take("b", t0, 1);
        marks.push(result.ok ? result.mark : null);
      }
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[0]!, requests: shape(9) }));
      await settle();
      // The first answer teaches the level (7): no reserve.
      expect(store.bucket("b", t0)?.requests).toMatchObject({ level: 7, reserve: 0 });
      // The second says one less than the mirror: the mirror was 1 optimistic.
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[1]!, requests: shape(7) }));
      await settle();
      expect(store.bucket("b", t0)?.requests).toMatchObject({ level: 6, reserve: 1 });
      for (let i = 0; i < 5; i++) expect(await take("b", t0, 1)).toMatchObject({ ok: true });
      // One unit left, but a take must leave the reserve too.
      expect(await take("b", t0, 1)).toEqual({
        ok: false,
        dimension: "requests",
        retryAt: t0 + Math.ceil((2 - 1) / rate),
      });
      store.observeBucket("b", t0, answer({ sentAt: t0, mark: marks[2]!, requests: shape(6) }));
      await settle();
      expect(store.bucket("b", t0)?.requests.reserve).toBe(0.995);
      // At most half the capacity.
      store.observeBucket("b", t0, answer({ sentAt: t0, requests: shape(0) }));
      store.observeBucket("b", t0 + 100_000, answer({ sentAt: t0 + 100_000, requests: shape(0) }));
      await settle();
      expect(store.bucket("b", t0 + 100_000)?.requests.reserve).toBe(5);
    });

    it("a bucket untouched for an hour is forgotten; clear forgets every bucket", async () => {
      const { store, settle } = subject();
      store.observeBucket("b", t0, answer({ sentAt: t0, requests: shape(5) }));
      store.observeBucket("c", t0, answer({ sentAt: t0, requests: shape(5) }));
      await settle();
      expect(store.bucket("b", t0 + 3_600_000)).not.toBeNull();
      expect(store.bucket("b", t0 + 3_600_001)).toBeNull();
      expect(await take("b", t0 + 3_600_001, 1)).toEqual({ ok: true, mark: { requests: 1, tokens: 0 } });
      expect(store.bucket("b", t0 + 3_600_001)?.mode).toBe("unknown");
      store.clear();
      await settle();
      expect(store.bucket("b", t0 + 3_600_001)).toBeNull();
      expect(store.bucket("c", t0)).toBeNull();
    });
  });
}
