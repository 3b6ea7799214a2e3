import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AffinityTable, preferDeployment, RedisAffinityStore } from "../../src/core/affinity/index.js";
import { deleteUnder, keysUnder, redisAnswers, uniquePrefix } from "../state/redis-helpers.js";
import { affinityStoreContract } from "./store-contract.js";

affinityStoreContract("memory", async () => ({ store: new AffinityTable(), close: async () => {} }));

describe("AffinityTable bounds", () => {
  it("keeps at most maxEntries sessions, dropping the least recently used", () => {
    const table = new AffinityTable({ maxEntries: 2 });
    table.set("a", "d1", 0);
    table.set("b", "d2", 0);
    table.get("a", 0);
    table.set("c", "d3", 0);
    expect(table.get("b", 0)).toBeNull();
    expect(table.get("a", 0)).toBe("d1");
    expect(table.size).toBe(2);
  });

  it("answers synchronously", () => {
    const table = new AffinityTable({ ttlMs: 10 });
    table.set("a", "d1", 0);
    expect(table.get("a", 9)).toBe("d1");
    expect(table.get("a", 10)).toBeNull();
  });
});

const available = await redisAnswers(6379);
const skip = !available && process.env["CI"] !== "true";
if (skip) console.warn("Redis affinity tests skipped: no Redis on 127.0.0.1:6379");

describe.skipIf(skip)("RedisAffinityStore", () => {
  let admin: Redis;
  const client = () => {
    const redis = new Redis(6379, "127.0.0.1", { maxRetriesPerRequest: 1, commandTimeout: 2_000 });
    redis.on("error", () => {});
    return redis;
  };
  beforeAll(() => {
    admin = client();
  });
  afterAll(() => admin.disconnect());

  affinityStoreContract("redis (two nodes)", async () => {
    const prefix = uniquePrefix();
    const [one, two] = [client(), client()];
    return {
      store: new RedisAffinityStore({ client: one, prefix }),
      peer: new RedisAffinityStore({ client: two, prefix }),
      close: async () => {
        await deleteUnder(admin, prefix);
        one.disconnect();
        two.disconnect();
      },
    };
  });

  it("one key per session under <prefix>af:, with Redis's own TTL", async () => {
    const prefix = uniquePrefix();
    const redis = client();
    const store = new RedisAffinityStore({ client: redis, prefix });
    await store.set("k", "d", Date.now(), 30_000);
    expect(await keysUnder(admin, prefix)).toEqual([`${prefix}af:k`]);
    expect(await admin.pttl(`${prefix}af:k`)).toBeGreaterThan(25_000);
    await deleteUnder(admin, prefix);
    redis.disconnect();
  });
});

describe("preferDeployment", () => {
  const order = [{ id: "a" }, { id: "b" }, { id: "c" }];
  it("moves the session's deployment first when it is a candidate", () => {
    expect(preferDeployment(order, "c").map((d) => d.id)).toEqual(["c", "a", "b"]);
    expect(preferDeployment(order, "a").map((d) => d.id)).toEqual(["a", "b", "c"]);
    expect(preferDeployment(order, "gone").map((d) => d.id)).toEqual(["a", "b", "c"]);
    expect(preferDeployment(order, null)).toEqual(order);
  });
});
