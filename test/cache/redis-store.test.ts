import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisCacheStore, ResponseCache, type RedisCacheClient } from "../../src/core/cache/index.js";
import { deleteUnder, keysUnder, redisAnswers, uniquePrefix } from "../state/redis-helpers.js";
import { cacheStoreContract } from "./store-contract.js";
import { textBody } from "./answers.js";
import { answerFromBody } from "../../src/core/cache/index.js";

const available = await redisAnswers(6379);
// In CI a missing Redis is a failure (the tests run and fail), never a silent skip.
const skip = !available && process.env["CI"] !== "true";
if (skip) console.warn("Redis cache tests skipped: no Redis on 127.0.0.1:6379");

function client(): Redis {
  const redis = new Redis(6379, "127.0.0.1", {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
  });
  redis.on("error", () => {});
  return redis;
}

describe.skipIf(skip)("RedisCacheStore", () => {
  let admin: Redis;
  beforeAll(() => {
    admin = client();
  });
  afterAll(() => admin.disconnect());

  cacheStoreContract("redis (two nodes)", async (maxEntryBytes) => {
    const prefix = uniquePrefix();
    const [one, two] = [client(), client()];
    return {
      store: new RedisCacheStore({ client: one, prefix, maxEntryBytes }),
      peer: new RedisCacheStore({ client: two, prefix, maxEntryBytes }),
      close: async () => {
        await deleteUnder(admin, prefix);
        one.disconnect();
        two.disconnect();
      },
    };
  });

  it("an ioredis client is a RedisCacheClient; one key per entry under <prefix>rc:, with Redis's own TTL", async () => {
    const prefix = uniquePrefix();
    const redis: RedisCacheClient = client();
    const store = new RedisCacheStore({ client: redis, prefix });
    await store.set("abc", Uint8Array.of(7), 30_000, Date.now());
    expect(await keysUnder(admin, prefix)).toEqual([`${prefix}rc:abc`]);
    const ttl = await admin.pttl(`${prefix}rc:abc`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await deleteUnder(admin, prefix);
    (redis as Redis).disconnect();
  });
});

describe("ResponseCache on a failing Redis", () => {
  it("a read error is a miss, a write error is skipped; both are counted, nothing throws", async () => {
    const down = new Redis(1, "127.0.0.1", {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
    });
    down.on("error", () => {});
    const cache = new ResponseCache({ store: new RedisCacheStore({ client: down }) });
    const request = { model: "m", messages: [{ role: "user", content: "hi" }] };
    const lookup = await cache.lookup("g", request, {}, 1_000);
    expect(lookup.status).toBe("miss");
    expect(await cache.save(lookup.key!, answerFromBody(JSON.stringify(textBody))!, { now: 1_000 })).toBe(
      false,
    );
    expect(cache.counters()).toMatchObject({ misses: 1, errors: 2, stores: 0, entries: null, bytes: null });
    down.disconnect();
  });
});
