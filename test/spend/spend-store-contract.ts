import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ReserveRequest,
  SettleRequest,
  SpendStore,
  VirtualKeyRecord,
} from "../../src/state/spend-stores.js";

/** A spend store under test; `settle` waits until its behind-the-request writes are answered. */
export interface SpendSubject {
  store: SpendStore;
  close(): Promise<void>;
  settle?(): Promise<void>;
}

/** 2023-11-14T22:14:00Z: the start of a minute. */
export const t0 = 1_700_000_040_000;
const minute = 60_000;
const usd = 1e9;

export function keyRecord(overrides: Partial<VirtualKeyRecord> = {}): VirtualKeyRecord {
  return {
    id: "vk_a",
    name: "team-a",
    hash: "a".repeat(64),
    hint: "…aaaa",
    budgetNanoUsd: usd,
    budgetPeriod: "30d",
    rpm: null,
    tpm: null,
    models: null,
    expiresAt: null,
    createdAt: t0,
    revokedAt: null,
    source: "admin",
    ...overrides,
  };
}

let sequence = 0;
export function reserveRequest(overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  sequence += 1;
  return {
    keyId: "vk_a",
    reservationId: `r${sequence}`,
    now: t0,
    amountNanoUsd: 0.1 * usd,
    tokens: 100,
    budget: { limitNanoUsd: usd, periodStart: t0, periodEnd: t0 + 30 * 86_400_000 },
    rpm: null,
    tpm: null,
    expiresAt: t0 + 600_000,
    ...overrides,
  };
}

export function settleRequest(
  reservation: ReserveRequest | null,
  overrides: Partial<SettleRequest> = {},
): SettleRequest {
  return {
    keyId: reservation?.keyId ?? null,
    reservationId: reservation?.reservationId ?? null,
    periodStart: reservation?.budget?.periodStart ?? null,
    periodEnd: reservation?.budget?.periodEnd ?? null,
    now: reservation?.now ?? t0,
    amountNanoUsd: reservation?.amountNanoUsd ?? 0,
    tokensDelta: 0,
    group: "smart",
    deploymentId: "openai-1/gpt-4.1",
    promptTokens: 60,
    completionTokens: 40,
    counted: true,
    ...overrides,
  };
}

/** What every SpendStore must do (undici's `cacheStoreTests` pattern), with fake times and no sleeps. */
export function spendStoreContract(name: string, make: () => Promise<SpendSubject>): void {
  describe(`SpendStore contract: ${name}`, () => {
    let subject: SpendSubject;
    let store: SpendStore;
    const settled = async () => subject.settle?.();
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.close());

    describe("keys", () => {
      it("saves, finds by hash, lists and revokes", async () => {
        await store.saveKey(keyRecord());
        await store.saveKey(
          keyRecord({
            id: "vk_b",
            name: "team-b",
            hash: "b".repeat(64),
            createdAt: t0 + 1,
            models: ["smart"],
          }),
        );
        expect(await store.findKey("a".repeat(64))).toEqual(keyRecord());
        expect(await store.findKey("c".repeat(64))).toBeNull();
        expect((await store.listKeys()).map((key) => [key.name, key.models])).toEqual([
          ["team-a", null],
          ["team-b", ["smart"]],
        ]);
        expect(await store.revokeKey("vk_a", t0 + 5)).toBe(true);
        expect(await store.revokeKey("vk_none", t0 + 5)).toBe(false);
        expect((await store.findKey("a".repeat(64)))?.revokedAt).toBe(t0 + 5);
      });

      it("a new secret replaces the old one", async () => {
        await store.saveKey(keyRecord());
        await store.saveKey(keyRecord({ hash: "d".repeat(64), budgetNanoUsd: 2 * usd }));
        expect(await store.findKey("a".repeat(64))).toBeNull();
        expect((await store.findKey("d".repeat(64)))?.budgetNanoUsd).toBe(2 * usd);
        expect(await store.listKeys()).toHaveLength(1);
      });
    });

    describe("budgets", () => {
      it("holds reservations against the budget and refuses what would exceed it", async () => {
        const first = reserveRequest({ amountNanoUsd: 0.6 * usd });
        expect(await store.reserve(first)).toEqual({ ok: true, spentNanoUsd: 0, reservedNanoUsd: 0.6 * usd });
        expect(await store.reserve(reserveRequest({ amountNanoUsd: 0.5 * usd }))).toEqual({
          ok: false,
          reason: "budget",
          spentNanoUsd: 0,
          reservedNanoUsd: 0.6 * usd,
        });
        expect((await store.reserve(reserveRequest({ amountNanoUsd: 0.4 * usd }))).ok).toBe(true);
      });

      it("settling adds the real cost and releases the hold", async () => {
        const first = reserveRequest({ amountNanoUsd: 0.6 * usd });
        await store.reserve(first);
        store.settle(settleRequest(first, { amountNanoUsd: 0.25 * usd }));
        await settled();
        expect(await store.spent("vk_a", t0)).toBe(0.25 * usd);
        expect(await store.reserve(reserveRequest({ amountNanoUsd: 0.75 * usd }))).toEqual({
          ok: true,
          spentNanoUsd: 0.25 * usd,
          reservedNanoUsd: 0.75 * usd,
        });
      });

      it("a lost reservation stops counting when it expires; its late settle still counts", async () => {
        const lost = reserveRequest({ amountNanoUsd: 0.9 * usd, expiresAt: t0 + 1_000 });
        await store.reserve(lost);
        expect((await store.reserve(reserveRequest({ now: t0 + 999, amountNanoUsd: 0.2 * usd }))).ok).toBe(
          false,
        );
        const later = reserveRequest({ now: t0 + 1_000, amountNanoUsd: 0.2 * usd });
        expect(await store.reserve(later)).toEqual({ ok: true, spentNanoUsd: 0, reservedNanoUsd: 0.2 * usd });
        store.settle(settleRequest(lost, { now: t0 + 2_000, amountNanoUsd: 0.5 * usd }));
        await settled();
        expect(await store.spent("vk_a", t0)).toBe(0.5 * usd);
        expect(
          await store.reserve(reserveRequest({ now: t0 + 2_000, amountNanoUsd: 0.4 * usd })),
        ).toMatchObject({
          ok: false,
          spentNanoUsd: 0.5 * usd,
          reservedNanoUsd: 0.2 * usd,
        });
      });

      it("each budget window counts apart", async () => {
        const old = reserveRequest();
        await store.reserve(old);
        store.settle(settleRequest(old, { amountNanoUsd: usd }));
        await settled();
        const next = {
          limitNanoUsd: usd,
          periodStart: t0 + 30 * 86_400_000,
          periodEnd: t0 + 60 * 86_400_000,
        };
        expect(await store.reserve(reserveRequest({ now: next.periodStart, budget: next }))).toMatchObject({
          ok: true,
          spentNanoUsd: 0,
        });
        expect(await store.spent("vk_a", t0)).toBe(usd);
      });

      it("100 concurrent reservations never hold more than the budget", async () => {
        const estimate = 0.03 * usd;
        const requests = Array.from({ length: 100 }, () => reserveRequest({ amountNanoUsd: estimate }));
        const outcomes = await Promise.all(requests.map((request) => store.reserve(request)));
        const admitted = requests.filter((_, index) => outcomes[index]?.ok);
        expect(admitted).toHaveLength(33);
        expect(admitted.length * estimate).toBeLessThanOrEqual(usd);
        // Each costs more than its estimate: the overshoot is at most each request's own excess.
        const actual = 0.035 * usd;
        for (const request of admitted) store.settle(settleRequest(request, { amountNanoUsd: actual }));
        await settled();
        const spent = await store.spent("vk_a", t0);
        expect(spent).toBe(admitted.length * actual);
        expect(spent - usd).toBeLessThanOrEqual(admitted.length * (actual - estimate));
        expect((await store.reserve(reserveRequest({ amountNanoUsd: 1 }))).ok).toBe(false);
      });
    });

    describe("rate limits per key", () => {
      it("requests per minute, on a sliding window, with the time it frees", async () => {
        const limited = { budget: null, rpm: 2 };
        expect((await store.reserve(reserveRequest({ ...limited }))).ok).toBe(true);
        expect((await store.reserve(reserveRequest({ ...limited, now: t0 + 10_000 }))).ok).toBe(true);
        expect(await store.reserve(reserveRequest({ ...limited, now: t0 + 20_000 }))).toEqual({
          ok: false,
          reason: "requests",
          retryAt: t0 + minute + 30_000,
        });
        expect((await store.reserve(reserveRequest({ ...limited, now: t0 + minute + 30_000 }))).ok).toBe(
          true,
        );
      });

      it("tokens per minute, corrected by the real usage at settle", async () => {
        const limited = { budget: null, tpm: 1_000 };
        const first = reserveRequest({ ...limited, tokens: 800 });
        expect((await store.reserve(first)).ok).toBe(true);
        expect(await store.reserve(reserveRequest({ ...limited, tokens: 300 }))).toMatchObject({
          ok: false,
          reason: "tokens",
        });
        store.settle(settleRequest(first, { tokensDelta: -600 }));
        await settled();
        expect((await store.reserve(reserveRequest({ ...limited, tokens: 300 }))).ok).toBe(true);
      });

      it("a refused budget charges no request to the window", async () => {
        const tight = { rpm: 1, amountNanoUsd: 2 * usd };
        expect((await store.reserve(reserveRequest(tight))).ok).toBe(false);
        expect((await store.reserve(reserveRequest({ rpm: 1 }))).ok).toBe(true);
      });
    });

    describe("reports", () => {
      it("sums spend by key, group and deployment since a time", async () => {
        const a = reserveRequest();
        const b = reserveRequest({ keyId: "vk_b", now: t0 + 5 * minute });
        store.settle(settleRequest(a, { amountNanoUsd: 0.2 * usd }));
        store.settle(
          settleRequest(b, { amountNanoUsd: 0.1 * usd, group: "cheap", deploymentId: "groq-1/llama" }),
        );
        store.settle(
          settleRequest(null, { now: t0 + 6 * minute, amountNanoUsd: 0.05 * usd, group: "cheap" }),
        );
        store.settle(settleRequest(a, { reservationId: null, amountNanoUsd: 0, counted: false }));
        await settled();
        const now = t0 + 10 * minute;
        expect(await store.report("key", t0, now)).toEqual([
          { name: "vk_a", nanoUsd: 0.2 * usd, requests: 1, promptTokens: 60, completionTokens: 40 },
          { name: "vk_b", nanoUsd: 0.1 * usd, requests: 1, promptTokens: 60, completionTokens: 40 },
        ]);
        expect(await store.report("group", t0, now)).toEqual([
          { name: "smart", nanoUsd: 0.2 * usd, requests: 1, promptTokens: 60, completionTokens: 40 },
          { name: "cheap", nanoUsd: 0.15 * usd, requests: 2, promptTokens: 120, completionTokens: 80 },
        ]);
        expect((await store.report("deployment", t0, now)).map((row) => [row.name, row.nanoUsd])).toEqual([
          ["openai-1/gpt-4.1", 0.25 * usd],
          ["groq-1/llama", 0.1 * usd],
        ]);
        expect((await store.report("key", t0 + 5 * minute + 30_000, now)).map((row) => row.name)).toEqual([
          "vk_b",
        ]);
      });
    });
  });
}
