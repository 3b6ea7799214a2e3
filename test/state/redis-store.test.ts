import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createRedisStateStore,
  type RedisStateStore,
  type RedisStateStoreOptions,
} from "../../src/state/index.js";
import type { CapacityLimits, CircuitPolicy, StoreStatus } from "../../src/types/index.js";
import {
  deleteUnder,
  eventually,
  keysUnder,
  redisAnswers,
  startRedisServer,
  stopRedisServer,
  uniquePrefix,
} from "./redis-helpers.js";
import { stateStoreContract } from "./store-contract.js";

const url = "redis://127.0.0.1:6379";
const available = await redisAnswers(6379);
// In CI a missing Redis is a failure (the tests run and fail), never a silent skip.
const skip = !available && process.env["CI"] !== "true";
if (skip) console.warn("Redis tests skipped: no Redis on 127.0.0.1:6379 (start redis-server to run them)");

const t0 = 1_700_000_040_000;
const minute = 60_000;
const policy: CircuitPolicy = { failureThreshold: 3, openMs: 1_000, maxOpenMs: 4_000, probeLeaseMs: 500 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(skip)("RedisStateStore", () => {
  let admin: Redis;
  const opened: { store: RedisStateStore; prefix: string }[] = [];

  beforeAll(() => {
    admin = new Redis(6379, "127.0.0.1", { maxRetriesPerRequest: 1 });
    admin.on("error", () => {});
  });
  afterEach(async () => {
    for (const { store, prefix } of opened.splice(0)) {
      await store.close();
      await deleteUnder(admin, prefix);
    }
  });
  afterAll(async () => {
    admin.disconnect();
  });

  /** A store on the shared test Redis, connected (and cleaned up after the test). */
  async function connected(
    prefix: string,
    extra: Partial<RedisStateStoreOptions> = {},
  ): Promise<RedisStateStore> {
    const store = createRedisStateStore({ url, prefix, syncIntervalMs: 60_000, ...extra });
    opened.push({ store, prefix });
    const status = await store.ready();
    if (status !== "connected") throw new Error(`the Redis store did not connect to ${url} (${status})`);
    return store;
  }

  it("Redis answers on 127.0.0.1:6379", () => {
    expect(available, "start redis-server (CI: .ci/run does)").toBe(true);
  });

  stateStoreContract("redis", async () => {
    const prefix = uniquePrefix();
    const store = createRedisStateStore({ url, prefix, syncIntervalMs: 60_000 });
    const status = await store.ready();
    if (status !== "connected") throw new Error(`the Redis store did not connect to ${url} (${status})`);
    return {
      store,
      settle: () => store.flush(),
      close: async () => {
        await store.close();
        await deleteUnder(admin, prefix);
      },
    };
  });

  describe("two nodes", () => {
    it("health changes on one node reach the other's view", async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await connected(prefix), await connected(prefix)];
      a.coolDown("d", t0 + 60_000, "rate_limited", true);
      await eventually(() => b.health("d").cooldownUntil === t0 + 60_000, 2_000, "the cooldown on B");
      expect(b.health("d")).toMatchObject({ cooldownReason: "rate_limited", backoffLevel: 1 });

      for (let i = 0; i < 3; i++) a.recordFailure("e", t0, policy);
      await eventually(() => b.health("e").circuit === "open", 2_000, "the open circuit on B");
      expect(b.admit("e", t0 + 1_000, 500)).toEqual({ ok: true, probe: true });
      await eventually(() => a.health("e").circuit === "half_open", 2_000, "B's probe on A");
      expect(a.admit("e", t0 + 1_001, 500)).toEqual({
        ok: false,
        reason: "probe_in_flight",
        until: t0 + 1_500,
      });
      expect(b.recordSuccess("e", t0 + 1_100)).toEqual({ from: "half_open", to: "closed", until: 0 });
      await eventually(() => a.health("e").circuit === "closed", 2_000, "the closed circuit on A");
      expect(a.health("e").consecutiveFailures).toBe(0);

      a.disable("f", "invalid API key", t0);
      await eventually(() => b.health("f").disabledReason === "invalid API key", 2_000, "the disable on B");
      b.enable("f");
      await eventually(() => a.health("f").disabledReason === null, 2_000, "the enable on A");
    });

    it("share capacity: rpm 5 lets 5 requests through in total, the 6th is denied on either", async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await connected(prefix), await connected(prefix)];
      const limits: CapacityLimits = { rpm: 5, tpm: null, rpd: null };
      for (let i = 0; i < 5; i++) {
        expect(await (i % 2 === 0 ? a : b).acquire("d", t0 + i, limits, 0, minute)).toEqual({ ok: true });
      }
      expect(await a.acquire("d", t0 + 10, limits, 0, minute)).toMatchObject({
        ok: false,
        dimension: "requests",
      });
      expect(await b.acquire("d", t0 + 10, limits, 0, minute)).toMatchObject({
        ok: false,
        dimension: "requests",
      });
      expect(a.usage("d", t0 + 10, minute).requests).toBe(5);

      // Concurrent: 20 at once across both nodes, exactly 5 granted.
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).acquire("e", t0, limits, 0, minute)),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(5);
    });
  });

  it("sets a TTL on every key it writes", async () => {
    const prefix = uniquePrefix();
    const store = await connected(prefix, { now: () => t0 });
    store.coolDown("d", t0 + 60_000, "rate_limited", false);
    for (let i = 0; i < 3; i++) store.recordFailure("c", t0, policy);
    store.admit("c", t0 + 1_000, 500);
    store.disable("x", "bad key", t0);
    const limits: CapacityLimits = { rpm: 10, tpm: 1_000, rpd: 100 };
    await store.acquire("d", t0, limits, 10, minute);
    await store.acquire("d", t0 + minute, limits, 10, minute);
    store.adjustTokens("d", t0 + minute, 5, minute);
    store.recordQuota("d", { requests: null, tokens: { limit: 10, remaining: 5, resetAt: null }, at: t0 });
    store.nextCursor("rr:g:0");
    await store.flush();

    const keys = await keysUnder(admin, prefix);
    const window = Math.floor(t0 / minute);
    const day = Math.floor(t0 / 86_400_000);
    const hour = 3_600_000;
    const expected: Record<string, [number, number]> = {
      [`${prefix}h:{d}`]: [hour, hour + 60_000],
      [`${prefix}h:{c}`]: [hour, hour + 500],
      [`${prefix}h:{x}`]: [7 * 86_400_000 - 60_000, 7 * 86_400_000],
      [`${prefix}w:{d}:60000:${window}`]: [minute, 2 * minute],
      [`${prefix}w:{d}:60000:${window + 1}`]: [minute, 2 * minute],
      [`${prefix}d:{d}:${day}`]: [86_400_000, 2 * 86_400_000],
      [`${prefix}q:{d}`]: [hour - 60_000, hour],
      [`${prefix}c:rr:g:0`]: [86_400_000 - 60_000, 86_400_000],
    };
    expect(keys.sort()).toEqual(Object.keys(expected).sort());
    for (const key of keys) {
      const pttl = await admin.pttl(key);
      const [low, high] = expected[key]!;
      expect(pttl, key).toBeGreaterThan(0);
      expect(pttl, key).toBeGreaterThanOrEqual(low - 5_000);
      expect(pttl, key).toBeLessThanOrEqual(high);
    }
  });

  it("heals a missed broadcast with the periodic sync", async () => {
    const prefix = uniquePrefix();
    const store = await connected(prefix, { syncIntervalMs: 100 });
    expect(store.health("d").cooldownUntil).toBe(0);
    // Written behind the store's back (no broadcast), as a node whose PUBLISH was lost would.
    await admin.hset(`${prefix}h:{d}`, {
      ...{ v: "1", cu: String(t0 + 5_000), cr: "=rate_limited", bl: "2", ci: "open", cf: "3" },
      ...{ ou: String(t0 + 2_000), oc: "1", pl: "0", dr: "", da: "0" },
    });
    await admin.set(`${prefix}q:{d}`, JSON.stringify({ requests: null, tokens: null, at: t0 }));
    await eventually(() => store.health("d").cooldownUntil === t0 + 5_000, 2_000, "the resync");
    expect(store.health("d")).toMatchObject({
      cooldownReason: "rate_limited",
      backoffLevel: 2,
      circuit: "open",
    });
    expect(store.quota("d")).toEqual({ requests: null, tokens: null, at: t0 });
  });

  describe("without Redis", () => {
    it("serves from its view when Redis cannot be reached, and says so once", async () => {
      const port = await closedPort();
      const statuses: [StoreStatus, string][] = [];
      const store = createRedisStateStore({
        url: `redis://127.0.0.1:${port}`,
        prefix: uniquePrefix(),
        connectTimeoutMs: 200,
        onStatusChange: (status, detail) => statuses.push([status, detail]),
      });
      try {
        expect(await store.ready()).toBe("degraded");
        expect(store.status).toBe("degraded");
        store.coolDown("d", t0 + 1_000, "rate_limited", false);
        expect(store.admit("d", t0, 500)).toEqual({ ok: false, reason: "cooling", until: t0 + 1_000 });
        const limits: CapacityLimits = { rpm: 2, tpm: null, rpd: null };
        expect(await store.acquire("d", t0, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("d", t0, limits, 0, minute)).toMatchObject({
          ok: false,
          dimension: "requests",
        });
        expect([store.nextCursor("k"), store.nextCursor("k")]).toEqual([0, 1]);
        await sleep(700); // ioredis keeps retrying meanwhile
        expect(statuses).toHaveLength(1);
        expect(statuses[0]![0]).toBe("degraded");
        expect(statuses[0]![1]).toContain(`127.0.0.1:${port}`);
      } finally {
        await store.close();
      }
    });

    it("degrades when Redis goes away, reconnects and resyncs when it is back", async () => {
      const port = 6390;
      const prefix = uniquePrefix();
      let server = await startRedisServer(port);
      const statuses: StoreStatus[] = [];
      const store = createRedisStateStore({
        url: `redis://127.0.0.1:${port}`,
        prefix,
        syncIntervalMs: 60_000, // only the reconnect resyncs
        onStatusChange: (status) => statuses.push(status),
      });
      try {
        expect(await store.ready()).toBe("connected");
        expect(store.health("d").cooldownUntil).toBe(0);
        await stopRedisServer(server);
        await eventually(() => store.status === "degraded", 3_000, "degraded");

        store.coolDown("e", t0 + 1_000, "server_error", false);
        expect(store.health("e").cooldownUntil).toBe(t0 + 1_000);
        const limits: CapacityLimits = { rpm: 1, tpm: null, rpd: null };
        expect(await store.acquire("e", t0, limits, 0, minute)).toEqual({ ok: true });
        expect(await store.acquire("e", t0, limits, 0, minute)).toMatchObject({ ok: false });
        await sleep(500);
        expect(statuses).toEqual(["connected", "degraded"]);

        server = await startRedisServer(port);
        const other = new Redis(port, "127.0.0.1");
        try {
          await other.hset(`${prefix}h:{d}`, { v: "1", cu: String(t0 + 9_000), cr: "=overloaded" });
          await eventually(() => store.status === "connected", 5_000, "reconnected");
          expect(statuses).toEqual(["connected", "degraded", "connected"]);
          expect(store.health("d")).toMatchObject({
            cooldownUntil: t0 + 9_000,
            cooldownReason: "overloaded",
          });
          store.disable("f", "bad key", t0);
          await store.flush();
          expect(await other.hget(`${prefix}h:{f}`, "dr")).toBe("=bad key");
        } finally {
          other.disconnect();
        }
      } finally {
        await store.close();
        await stopRedisServer(server);
      }
    });
  });
});

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
