import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CapacityLimits, CircuitPolicy, QuotaSnapshot, StateStore } from "../../src/types/index.js";
import { healthTransitions } from "../../src/state/index.js";
import { bucketContract } from "./bucket-contract.js";

/** A store under test. `settle` (optional) waits until the store's own writes are answered. */
export interface ContractSubject {
  store: StateStore;
  close(): Promise<void>;
  /**
   * For a shared store: resolves once every write has been answered and the view holds the backend's
   * record, so what the test reads next is what the backend computed (its scripts, not the view).
   */
  settle?(): Promise<void>;
}

/** Start of a minute (and of a 60 s window): 2023-11-14T22:14:00Z. */
const t0 = 1_700_000_040_000;
const minute = 60_000;
const day = 86_400_000;
const policy: CircuitPolicy = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 4_000, probeLeaseMs: 500 };
const only = (limits: Partial<CapacityLimits>): CapacityLimits => ({
  rpm: null,
  tpm: null,
  rpd: null,
  ...limits,
});

/**
 * Behaviour every StateStore must have (undici's `cacheStoreTests` pattern): run against the memory
 * store and the Redis store with fake `now` values and no sleeping.
 */
export function stateStoreContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`StateStore contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: StateStore;
    const settle = async () => subject.settle?.();
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.close());

    describe("health", () => {
      it("an unknown deployment is fresh, admitted and unused", () => {
        expect(store.health("d")).toEqual(healthTransitions.freshHealth());
        expect(store.admit("d", t0, 500)).toEqual({ ok: true, probe: false });
        expect(store.recordSuccess("d", t0)).toBeNull();
        expect(store.usage("d", t0, minute)).toEqual({ requests: 0, tokens: 0, requestsToday: 0 });
        expect(store.quota("d")).toBeNull();
      });

      it("a cooldown never shortens, and keeps the reason of the one that holds", async () => {
        store.coolDown("d", t0 + 10_000, "rate_limited", false);
        store.coolDown("d", t0 + 5_000, "server_error", false);
        await settle();
        expect(store.health("d")).toMatchObject({
          cooldownUntil: t0 + 10_000,
          cooldownReason: "rate_limited",
        });
        expect(store.admit("d", t0 + 6_000, 500)).toEqual({
          ok: false,
          reason: "cooling",
          until: t0 + 10_000,
        });
        expect(store.admit("d", t0 + 10_000, 500)).toEqual({ ok: true, probe: false });
        store.coolDown("d", t0 + 20_000, "overloaded", false);
        await settle();
        expect(store.health("d")).toMatchObject({ cooldownUntil: t0 + 20_000, cooldownReason: "overloaded" });
      });

      it("escalating cooldowns raise the backoff level; a provider signal resets it", async () => {
        for (let i = 1; i <= 3; i++) store.coolDown("d", t0 + i * 1_000, "server_error", true);
        await settle();
        expect(store.health("d").backoffLevel).toBe(3);
        store.coolDown("d", t0 + 500, "rate_limited", false);
        await settle();
        expect(store.health("d")).toMatchObject({ backoffLevel: 0, cooldownUntil: t0 + 3_000 });
      });

      it("the circuit opens at the failure threshold", async () => {
        expect(store.recordFailure("d", t0, policy)).toBeNull();
        expect(store.recordFailure("d", t0 + 5, policy)).toBeNull();
        expect(store.recordFailure("d", t0 + 10, policy)).toEqual({
          from: "closed",
          to: "open",
          until: t0 + 1_010,
        });
        await settle();
        expect(store.health("d")).toMatchObject({
          circuit: "open",
          consecutiveFailures: 3,
          circuitOpenCount: 1,
          circuitOpenUntil: t0 + 1_010,
        });
        expect(store.admit("d", t0 + 1_009, 500)).toEqual({
          ok: false,
          reason: "circuit_open",
          until: t0 + 1_010,
        });
        // More failures while open (requests already in flight) do not extend it.
        expect(store.recordFailure("d", t0 + 20, policy)).toBeNull();
        await settle();
        expect(store.health("d")).toMatchObject({ circuitOpenUntil: t0 + 1_010, consecutiveFailures: 4 });
      });

      it("the half-open probe lease is exclusive until it expires", async () => {
        for (let i = 0; i < 3; i++) store.recordFailure("d", t0, policy);
        await settle();
        expect(store.admit("d", t0 + 1_000, 500)).toEqual({ ok: true, probe: true });
        expect(store.admit("d", t0 + 1_001, 500)).toEqual({
          ok: false,
          reason: "probe_in_flight",
          until: t0 + 1_500,
        });
        await settle();
        expect(store.health("d")).toMatchObject({ circuit: "half_open", probeLeaseUntil: t0 + 1_500 });
        expect(store.admit("d", t0 + 1_499, 500)).toMatchObject({ ok: false, reason: "probe_in_flight" });
        expect(store.admit("d", t0 + 1_500, 500)).toEqual({ ok: true, probe: true });
        await settle();
        expect(store.health("d").probeLeaseUntil).toBe(t0 + 2_000);
      });

      it("a failed probe re-opens the circuit for twice as long, up to maxOpenMs", async () => {
        for (let i = 0; i < 3; i++) store.recordFailure("d", t0, policy);
        let now = t0 + 1_000;
        for (const openMs of [2_000, 4_000, 4_000]) {
          expect(store.admit("d", now, 500)).toEqual({ ok: true, probe: true });
          await settle();
          expect(store.recordFailure("d", now + 100, policy)).toEqual({
            from: "half_open",
            to: "open",
            until: now + 100 + openMs,
          });
          await settle();
          expect(store.health("d")).toMatchObject({ circuit: "open", probeLeaseUntil: 0 });
          now += 100 + openMs;
        }
        expect(store.health("d").circuitOpenCount).toBe(4);
      });

      it("a success closes the circuit and resets the counters, not the cooldown", async () => {
        for (let i = 0; i < 3; i++) store.recordFailure("d", t0, policy);
        store.coolDown("d", t0 + 30_000, "server_error", true);
        await settle();
        expect(store.admit("d", t0 + 30_000, 500)).toEqual({ ok: true, probe: true });
        await settle();
        expect(store.recordSuccess("d", t0 + 30_100)).toEqual({ from: "half_open", to: "closed", until: 0 });
        await settle();
        expect(store.health("d")).toEqual({
          ...healthTransitions.freshHealth(),
          cooldownUntil: t0 + 30_000,
          cooldownReason: "server_error",
        });
        expect(store.admit("d", t0 + 30_200, 500)).toEqual({ ok: true, probe: false });
      });

      it("a success on a closed circuit reports nothing but resets the failure count", async () => {
        store.recordFailure("d", t0, policy);
        store.recordFailure("d", t0, policy);
        await settle();
        expect(store.recordSuccess("d", t0 + 1)).toBeNull();
        await settle();
        expect(store.health("d").consecutiveFailures).toBe(0);
        expect(store.recordFailure("d", t0 + 2, policy)).toBeNull();
      });

      it("disable takes a deployment out until enable clears its state", async () => {
        store.recordFailure("d", t0, policy);
        store.disable("d", "invalid API key", t0 + 1);
        await settle();
        expect(store.health("d")).toMatchObject({ disabledReason: "invalid API key", disabledAt: t0 + 1 });
        expect(store.admit("d", t0 + day, 500)).toEqual({
          ok: false,
          reason: "disabled",
          until: Number.POSITIVE_INFINITY,
        });
        store.enable("d");
        await settle();
        expect(store.health("d")).toEqual(healthTransitions.freshHealth());
        expect(store.admit("d", t0 + 2, 500)).toEqual({ ok: true, probe: false });
      });
    });

    describe("capacity", () => {
      it("without limits every request is let through and nothing is counted", async () => {
        for (let i = 0; i < 5; i++)
          expect(await store.acquire("d", t0, only({}), 100, minute)).toEqual({ ok: true });
        expect(store.usage("d", t0, minute)).toEqual({ requests: 0, tokens: 0, requestsToday: 0 });
      });

      it("rpm: the request over the limit is denied with the exact retryAt, and takes nothing", async () => {
        const limits = only({ rpm: 3 });
        for (let i = 0; i < 3; i++)
          expect(await store.acquire("d", t0 + i * 1_000, limits, 0, minute)).toEqual({ ok: true });
        // The 3 requests slide out of the estimate: at 1/3 into the next window 2 remain.
        expect(await store.acquire("d", t0 + 3_000, limits, 0, minute)).toEqual({
          ok: false,
          dimension: "requests",
          retryAt: t0 + 80_000,
        });
        expect(store.usage("d", t0 + 3_000, minute)).toEqual({ requests: 3, tokens: 0, requestsToday: 3 });
        expect(await store.acquire("d", t0 + 79_999, limits, 0, minute)).toMatchObject({ ok: false });
        expect(await store.acquire("d", t0 + 80_000, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + 80_000, limits, 0, minute)).toMatchObject({ ok: false });
      });

      it("the window slides: the previous window counts by how much of it still overlaps", async () => {
        const limits = only({ rpm: 4 });
        for (let i = 0; i < 4; i++) await store.acquire("d", t0 + 50_000, limits, 0, minute);
        // At 15 s into the next window 3/4 of the previous one overlaps: 3 used, 1 free.
        expect(store.usage("d", t0 + minute + 15_000, minute).requests).toBe(3);
        expect(await store.acquire("d", t0 + minute + 15_000, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + minute + 15_000, limits, 0, minute)).toEqual({
          ok: false,
          dimension: "requests",
          retryAt: t0 + minute + 30_000,
        });
        // Two windows later nothing of it is left.
        expect(store.usage("d", t0 + 3 * minute, minute)).toMatchObject({ requests: 0, tokens: 0 });
      });

      it("tpm: the token budget slides the same way, with the exact retryAt", async () => {
        const limits = only({ tpm: 980 });
        expect(await store.acquire("d", t0 + 10, limits, 876, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + 20, limits, 105, minute)).toMatchObject({
          ok: false,
          dimension: "tokens",
        });
        const denied = await store.acquire("d", t0 + minute + 1_933, limits, 396, minute);
        expect(denied).toEqual({ ok: false, dimension: "tokens", retryAt: t0 + minute + 20_000 });
        // Exactly at retryAt it fits (876 × 2/3 is 584.0000000000001 in floating point).
        expect(await store.acquire("d", t0 + minute + 20_000, limits, 396, minute)).toEqual({ ok: true });
        expect(store.usage("d", t0 + minute + 20_000, minute).tokens).toBeCloseTo(980, 9);
      });

      it("a request bigger than the whole token budget passes on an empty window only", async () => {
        const limits = only({ tpm: 1_000 });
        expect(await store.acquire("d", t0, limits, 5_000, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + 1, limits, 5_000, minute)).toEqual({
          ok: false,
          dimension: "tokens",
          retryAt: t0 + 2 * minute,
        });
        expect(await store.acquire("d", t0 + 2 * minute, limits, 5_000, minute)).toEqual({ ok: true });
      });

      it("rpd: requests per UTC day, retry at the next midnight", async () => {
        const limits = only({ rpd: 2 });
        const midnight = (Math.floor(t0 / day) + 1) * day;
        expect(await store.acquire("d", t0, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + 3 * minute, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0 + 6 * minute, limits, 0, minute)).toEqual({
          ok: false,
          dimension: "requests_per_day",
          retryAt: midnight,
        });
        expect(store.usage("d", t0 + 6 * minute, minute).requestsToday).toBe(2);
        expect(await store.acquire("d", midnight, limits, 0, minute)).toEqual({ ok: true });
        expect(store.usage("d", midnight, minute).requestsToday).toBe(1);
      });

      it("adjustTokens corrects the current window, never below zero", async () => {
        const limits = only({ tpm: 1_000 });
        await store.acquire("d", t0, limits, 600, minute);
        store.adjustTokens("d", t0 + 1_000, -400, minute);
        await settle();
        expect(store.usage("d", t0 + 1_000, minute)).toEqual({ requests: 1, tokens: 200, requestsToday: 1 });
        expect(await store.acquire("d", t0 + 2_000, limits, 800, minute)).toEqual({ ok: true });
        store.adjustTokens("d", t0 + 3_000, -5_000, minute);
        await settle();
        expect(store.usage("d", t0 + 3_000, minute).tokens).toBe(0);
        store.adjustTokens("unknown", t0, 100, minute);
        expect(store.usage("unknown", t0, minute).tokens).toBe(0);
      });

      it("a now just behind the last one (across a window edge) does not wipe the counters", async () => {
        const limits = only({ rpm: 10 });
        for (let i = 0; i < 3; i++) await store.acquire("d", t0 + minute, limits, 0, minute);
        await store.acquire("d", t0 + minute - 1, limits, 0, minute);
        expect(store.usage("d", t0 + minute, minute)).toMatchObject({ requests: 4, requestsToday: 4 });
      });

      it("deployments and window lengths are counted apart", async () => {
        await store.acquire("a", t0, only({ rpm: 1 }), 0, minute);
        expect(await store.acquire("b", t0, only({ rpm: 1 }), 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("a", t0, only({ rpm: 1 }), 0, minute)).toMatchObject({ ok: false });
      });
    });

    describe("quota, cursors, clear", () => {
      const snapshot: QuotaSnapshot = {
        requests: { limit: 100, remaining: 42, resetAt: t0 + 30_000 },
        tokens: null,
        at: t0,
      };

      it("remembers the last quota snapshot", async () => {
        store.recordQuota("d", snapshot);
        store.recordQuota("d", { ...snapshot, at: t0 + 1 });
        await settle();
        expect(store.quota("d")).toEqual({ ...snapshot, at: t0 + 1 });
        expect(store.quota("other")).toBeNull();
      });

      it("cursors count from 0, one per key", () => {
        expect([store.nextCursor("a"), store.nextCursor("a"), store.nextCursor("a")]).toEqual([0, 1, 2]);
        expect(store.nextCursor("b")).toBe(0);
      });

      it("clear forgets everything", async () => {
        store.coolDown("d", t0 + 10_000, "rate_limited", true);
        store.disable("e", "bad key", t0);
        await store.acquire("d", t0, only({ rpm: 1 }), 10, minute);
        store.recordQuota("d", snapshot);
        store.nextCursor("a");
        await settle();
        store.clear();
        await settle();
        expect(store.health("d")).toEqual(healthTransitions.freshHealth());
        expect(store.health("e")).toEqual(healthTransitions.freshHealth());
        expect(store.usage("d", t0, minute)).toEqual({ requests: 0, tokens: 0, requestsToday: 0 });
        expect(store.quota("d")).toBeNull();
        expect(store.nextCursor("a")).toBe(0);
        expect(await store.acquire("d", t0, only({ rpm: 1 }), 10, minute)).toEqual({ ok: true });
      });
    });

    bucketContract(() => ({ store, settle }));
  });
}
