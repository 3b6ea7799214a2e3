import { describe, expect, it } from "vitest";
import { configKeyId, hashKey, SpendService, type VirtualKeySettings } from "../../src/core/spend/index.js";
import {
  BudgetExhaustedError,
  InvalidApiKeyError,
  InvalidRequestError,
  KeyRateLimitedError,
  ModelNotAllowedError,
} from "../../src/errors/index.js";
import { MemorySpendStore } from "../../src/state/spend-stores.js";

const cost = { group: "smart", deploymentId: "openai-1/gpt-4.1", promptTokens: 100, completionTokens: 50 };
const created = Date.UTC(2026, 0, 15, 10, 30);

function service(start = created) {
  const clock = { now: start };
  const store = new MemorySpendStore();
  return { clock, store, spend: new SpendService({ store, now: () => clock.now }) };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe("SpendService: keys", () => {
  it("shows the secret once and keeps only its hash", async () => {
    const { spend, store } = service();
    const { key, info } = await spend.createKey({ name: "team-a", budget_usd: 10, budget_period: "30d" });
    expect(key).toMatch(/^llmux-[A-Za-z0-9_-]{43}$/);
    expect(info).toMatchObject({
      name: "team-a",
      hint: `…${key.slice(-4)}`,
      budgetUsd: 10,
      spentUsd: 0,
      source: "admin",
    });
    expect(JSON.stringify(await store.listKeys())).not.toContain(key);
    expect((await store.listKeys())[0]?.hash).toBe(hashKey(key));
    expect(JSON.stringify(await spend.listKeys())).not.toContain(hashKey(key));
  });

  it("refuses bad or duplicate keys", async () => {
    const { spend } = service();
    await spend.createKey({ name: "team-a" });
    await expect(spend.createKey({ name: "team-a" })).rejects.toMatchObject({ status: 409, param: "name" });
    await expect(spend.createKey({ name: "team a" })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(spend.createKey({ name: "b", budget_period: "2w" as "7d" })).rejects.toThrow(
      /budget_period: must be one of/,
    );
    await expect(spend.createKey({ name: "c", models: ["nope"] }, ["smart"])).rejects.toThrow(
      /unknown model group 'nope'/,
    );
  });

  it("401 for unknown, revoked and expired keys; 403 for a group the key may not use", async () => {
    const { spend, clock } = service();
    const { key, info } = await spend.createKey({
      name: "team-a",
      models: ["cheap"],
      expires_at: created + 60_000,
    });
    expect(await failure(spend.authorize("llmux-nope", "cheap"))).toMatchObject({
      status: 401,
      reason: "unknown",
    });
    expect(await failure(spend.authorize(key, "smart"))).toBeInstanceOf(ModelNotAllowedError);
    await expect(spend.authorize(key, "cheap")).resolves.toMatchObject({ group: "cheap" });
    clock.now += 60_000;
    expect(await failure(spend.authorize(key, "cheap"))).toMatchObject({ reason: "expired" });
    expect(await spend.revokeKey(info.id)).toBe(true);
    const revoked = await failure(spend.authorize(key, "cheap"));
    expect(revoked).toBeInstanceOf(InvalidApiKeyError);
    expect(revoked).toMatchObject({ reason: "revoked" });
  });

  it("syncs the config's keys: added, rotated (spend stays with the name), removed ones revoked", async () => {
    const { spend } = service();
    const teamA: VirtualKeySettings = {
      name: "team-a",
      key: "team-a-secret-0001",
      budgetUsd: 1,
      budgetPeriod: "30d",
      rpm: null,
      tpm: null,
      models: null,
      expiresAt: null,
    };
    const teamB = { ...teamA, name: "team-b", key: "team-b-secret-0001" };
    await spend.syncConfigKeys([teamA, teamB]);
    const grant = await spend.authorize(teamA.key, "smart");
    expect(grant.key.id).toBe(configKeyId("team-a"));
    spend.settle(await spend.reserve(grant, { usd: 0.5, tokens: 10 }), { ...cost, usd: 0.5 });
    await spend.syncConfigKeys([{ ...teamA, key: "team-a-secret-0002" }]);
    await expect(spend.authorize(teamA.key, "smart")).rejects.toMatchObject({ reason: "unknown" });
    await expect(spend.authorize("team-a-secret-0002", "smart")).resolves.toMatchObject({
      key: { createdAt: created },
    });
    await expect(spend.authorize(teamB.key, "smart")).rejects.toMatchObject({ reason: "revoked" });
    expect((await spend.listKeys()).map((key) => [key.name, key.spentUsd, key.revokedAt])).toEqual([
      ["team-a", 0.5, null],
      ["team-b", 0, created],
    ]);
  });
});

describe("SpendService: budgets and limits", () => {
  it("reserves the estimate, settles the real cost, and refuses once the budget is used (402)", async () => {
    const { spend } = service();
    const { key } = await spend.createKey({ name: "team-a", budget_usd: 1, budget_period: "30d" });
    const grant = await spend.authorize(key, "smart");
    const first = await spend.reserve(grant, { usd: 0.6, tokens: 150 });
    const refused = await failure(spend.reserve(grant, { usd: 0.5, tokens: 150 }));
    expect(refused).toBeInstanceOf(BudgetExhaustedError);
    expect((refused as BudgetExhaustedError).exhaustion).toEqual({
      keyName: "team-a",
      limitUsd: 1,
      spentUsd: 0,
      reservedUsd: 0.6,
      estimateUsd: 0.5,
      period: "30d",
      resetsAt: Date.UTC(2026, 1, 14),
    });
    spend.settle(first, { ...cost, usd: 0.2 });
    spend.settle(first, { ...cost, usd: 0.2 });
    const second = await spend.reserve(grant, { usd: 0.5, tokens: 150 });
    spend.release(second, "smart");
    expect((await spend.listKeys())[0]?.spentUsd).toBe(0.2);
    expect(await spend.report("key", created)).toEqual([
      {
        name: grant.key.id,
        keyName: "team-a",
        usd: 0.2,
        requests: 1,
        promptTokens: 100,
        completionTokens: 50,
      },
    ]);
  });

  it("429 with Retry-After over the key's requests per minute", async () => {
    const { spend, clock } = service(Date.UTC(2026, 0, 15, 10, 30, 0));
    const { key } = await spend.createKey({ name: "team-a", rpm: 2 });
    const grant = await spend.authorize(key, "smart");
    await spend.reserve(grant, { usd: 0, tokens: 10 });
    await spend.reserve(grant, { usd: 0, tokens: 10 });
    clock.now += 15_000;
    const limited = await failure(spend.reserve(grant, { usd: 0, tokens: 10 }));
    expect(limited).toBeInstanceOf(KeyRateLimitedError);
    expect(limited).toMatchObject({ status: 429, retryAfterMs: 75_000, headers: { "retry-after": "75" } });
  });

  it("a key without budget or limits holds nothing but still counts its spend", async () => {
    const { spend } = service();
    const { key } = await spend.createKey({ name: "free" });
    const reservation = await spend.reserve(await spend.authorize(key, "smart"), { usd: 1_000, tokens: 1 });
    expect(reservation.held).toBe(false);
    spend.settle(reservation, { ...cost, usd: 3 });
    spend.record({ ...cost, usd: 1, group: "cheap" });
    expect((await spend.listKeys())[0]).toMatchObject({ spentUsd: 3, resetsAt: null });
    expect((await spend.report("group", created)).map((row) => [row.name, row.usd])).toEqual([
      ["smart", 3],
      ["cheap", 1],
    ]);
  });

  // [period, first reset after creation on 2026-01-15 10:30 UTC, the reset after it]
  const periods: ["1d" | "7d" | "30d" | "1mo", number, number][] = [
    ["1d", Date.UTC(2026, 0, 16), Date.UTC(2026, 0, 17)],
    ["7d", Date.UTC(2026, 0, 22), Date.UTC(2026, 0, 29)],
    ["30d", Date.UTC(2026, 1, 14), Date.UTC(2026, 2, 16)],
    ["1mo", Date.UTC(2026, 1, 1), Date.UTC(2026, 2, 1)],
  ];
  it.each(periods)(
    "a %s budget resets at its period's end (fake clock)",
    async (period, reset, nextReset) => {
      const { spend, clock } = service();
      const { key } = await spend.createKey({ name: "team-a", budget_usd: 1, budget_period: period });
      const grant = await spend.authorize(key, "smart");
      const exhaust = async () =>
        spend.settle(await spend.reserve(grant, { usd: 1, tokens: 1 }), { ...cost, usd: 1 });
      await exhaust();
      for (const [at, resetsAt] of [
        [reset - 1, reset],
        [nextReset - 1, nextReset],
      ] as const) {
        clock.now = at;
        const refused = await failure(spend.reserve(grant, { usd: 0.01, tokens: 1 }));
        expect((refused as BudgetExhaustedError).exhaustion.resetsAt).toBe(resetsAt);
        clock.now = resetsAt;
        await exhaust();
      }
      expect((await spend.listKeys())[0]).toMatchObject({ spentUsd: 1, periodStart: nextReset });
    },
  );
});
