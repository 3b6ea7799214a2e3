import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SpendService } from "../../src/core/spend/index.js";
import { BudgetExhaustedError } from "../../src/errors/index.js";
import { createRedisSpendStore, type RedisSpendStore } from "../../src/state/spend-stores.js";
import {
  deleteUnder,
  eventually,
  redisAnswers,
  startRedisServer,
  stopRedisServer,
  uniquePrefix,
} from "../state/redis-helpers.js";
import { keyRecord, reserveRequest, settleRequest, spendStoreContract, t0 } from "./spend-store-contract.js";

const url = "redis://127.0.0.1:6379";
const available = await redisAnswers(6379);
// In CI a missing Redis is a failure (the tests run and fail), never a silent skip.
const skip = !available && process.env["CI"] !== "true";
if (skip) console.warn("Redis spend tests skipped: no Redis on 127.0.0.1:6379");

const usd = 1e9;
let admin: Redis;
const prefixes: string[] = [];
beforeAll(() => {
  admin = new Redis(6379, "127.0.0.1", { maxRetriesPerRequest: 1 });
  admin.on("error", () => {});
});
afterAll(async () => {
  for (const prefix of prefixes.splice(0)) await deleteUnder(admin, prefix);
  admin.disconnect();
});

async function connected(prefix: string): Promise<RedisSpendStore> {
  const store = createRedisSpendStore({ url, prefix, syncIntervalMs: 60_000, flushIntervalMs: 60_000 });
  await store.ready();
  if (store.status !== "connected") throw new Error(`the Redis spend store did not connect to ${url}`);
  return store;
}

describe.skipIf(skip)("Redis spend store", () => {
  spendStoreContract("Redis", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const store = await connected(prefix);
    return { store, close: () => store.close(), settle: () => store.flush() };
  });

  describe("two nodes on one Redis", () => {
    const opened: RedisSpendStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    async function pair(): Promise<[RedisSpendStore, RedisSpendStore]> {
      const prefix = uniquePrefix();
      prefixes.push(prefix);
      const nodes: [RedisSpendStore, RedisSpendStore] = [await connected(prefix), await connected(prefix)];
      opened.push(...nodes);
      return nodes;
    }

    it("a budget holds for both nodes together", async () => {
      const [a, b] = await pair();
      const requests = Array.from({ length: 60 }, () => reserveRequest({ amountNanoUsd: 0.03 * usd }));
      const outcomes = await Promise.all(
        requests.map((request, index) => (index % 2 === 0 ? a : b).reserve(request)),
      );
      const admitted = requests.filter((_, index) => outcomes[index]?.ok);
      expect(admitted).toHaveLength(33);
      admitted.forEach((request, index) =>
        (index % 2 === 0 ? a : b).settle(settleRequest(request, { amountNanoUsd: 0.03 * usd })),
      );
      await Promise.all([a.flush(), b.flush()]);
      expect(await a.spent("vk_a", t0)).toBe(0.99 * usd);
      expect(await b.reserve(reserveRequest({ amountNanoUsd: 0.02 * usd }))).toMatchObject({
        ok: false,
        reason: "budget",
      });
      expect((await b.reserve(reserveRequest({ amountNanoUsd: 0.01 * usd }))).ok).toBe(true);
    });

    it("through the spend service: a key made on one node is exhausted on the other", async () => {
      const [a, b] = await pair();
      let now = t0;
      const first = new SpendService({ store: a, now: () => now });
      const second = new SpendService({ store: b, now: () => now });
      const { key } = await first.createKey({ name: "team-a", budget_usd: 1, budget_period: "1d" });
      const onB = await second.authorize(key, "smart");
      const reservation = await second.reserve(onB, { usd: 0.9, tokens: 100 });
      second.settle(reservation, {
        usd: 1,
        group: "smart",
        deploymentId: "d",
        promptTokens: 1,
        completionTokens: 1,
      });
      await b.flush();
      const onA = await first.authorize(key, "smart");
      await expect(first.reserve(onA, { usd: 0.01, tokens: 1 })).rejects.toBeInstanceOf(BudgetExhaustedError);
      now += 86_400_000;
      await expect(first.reserve(onA, { usd: 0.01, tokens: 1 })).resolves.toMatchObject({ held: true });
    });

    it("a revoked key is seen revoked by the other node", async () => {
      const [a, b] = await pair();
      await a.saveKey(keyRecord());
      expect((await b.findKey("a".repeat(64)))?.revokedAt).toBeNull();
      await a.revokeKey("vk_a", t0 + 1);
      await expect
        .poll(async () => (await b.findKey("a".repeat(64)))?.revokedAt, { timeout: 3_000, interval: 10 })
        .toBe(t0 + 1);
    });
  });

  it("while Redis is away decides on the node's ledger, and replays the settles when it is back", async () => {
    const port = 6391;
    const prefix = uniquePrefix();
    let server = await startRedisServer(port);
    const store = createRedisSpendStore({
      url: `redis://127.0.0.1:${port}`,
      prefix,
      syncIntervalMs: 60_000,
      flushIntervalMs: 60_000,
    });
    try {
      await store.ready();
      const first = reserveRequest({ amountNanoUsd: 0.5 * usd });
      expect((await store.reserve(first)).ok).toBe(true);
      store.settle(settleRequest(first, { amountNanoUsd: 0.5 * usd }));
      await store.flush();
      await stopRedisServer(server);
      await eventually(() => store.status === "degraded", 3_000, "degraded");

      // The ledger knows the 0.5 Redis reported: 0.4 fits, 0.2 more does not.
      const offline = reserveRequest({ amountNanoUsd: 0.4 * usd });
      expect(await store.reserve(offline)).toMatchObject({ ok: true, spentNanoUsd: 0.5 * usd });
      expect(await store.reserve(reserveRequest({ amountNanoUsd: 0.2 * usd }))).toMatchObject({
        ok: false,
        reason: "budget",
      });
      store.settle(settleRequest(offline, { amountNanoUsd: 0.3 * usd }));
      await expect(store.saveKey(keyRecord())).rejects.toThrow(/unavailable/);

      server = await startRedisServer(port);
      await eventually(() => store.status === "connected", 5_000, "reconnected");
      await store.flush();
      // The new server started empty: it holds what was replayed, 0.3.
      expect(await store.spent("vk_a", t0)).toBe(0.3 * usd);
    } finally {
      await store.close();
      await stopRedisServer(server);
    }
  });
});
