import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisStateStore, type RedisStateStore } from "../../src/state/index.js";
import type { BucketObservation } from "../../src/types/index.js";
import { deleteUnder, eventually, keysUnder, redisAnswers, uniquePrefix } from "./redis-helpers.js";

const url = "redis://127.0.0.1:6379";
const available = await redisAnswers(6379);
const skip = !available && process.env["CI"] !== "true";

const t0 = 1_700_000_040_000;
const rate = 60 / 60_000;
const learned = (remaining: number): BucketObservation => ({
  sentAt: t0,
  mark: null,
  rejected: false,
  requests: { capacity: 5, rate, remaining },
  tokens: null,
  retryAt: null,
  extraTokens: 0,
  aimd: null,
});

describe.skipIf(skip)("RedisStateStore learned buckets", () => {
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
  afterAll(() => admin.disconnect());

  async function connected(prefix: string, syncIntervalMs = 60_000): Promise<RedisStateStore> {
    const store = createRedisStateStore({ url, prefix, syncIntervalMs });
    opened.push({ store, prefix });
    if ((await store.ready()) !== "connected") throw new Error(`no Redis at ${url}`);
    return store;
  }

  it("two nodes draw on one bucket: a capacity of 5 lets 5 through in total, even all at once", async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await connected(prefix), await connected(prefix)];
    a.observeBucket("q", t0, learned(5));
    await a.flush();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).takeBucket("q", t0, { requests: 1, tokens: 0 }),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(5);
    const marks = results.flatMap((result) => (result.ok ? [result.mark.requests] : []));
    expect(marks.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5]);
    // Each node's view holds the record its last reply carried.
    expect(b.bucket("q", t0)).toMatchObject({ mode: "headers", requests: { capacity: 5 } });
  });

  it("an answer observed on one node corrects the level the other takes from", async () => {
    const prefix = uniquePrefix();
    const [a, b] = [await connected(prefix), await connected(prefix)];
    a.observeBucket("q", t0, learned(5));
    await a.flush();
    expect(await b.takeBucket("q", t0, { requests: 1, tokens: 0 })).toMatchObject({ ok: true });
    // Another client drained the key: A hears it from the provider. B's next take waits for one
    // request plus the reserve that surprise left (4 lowered, capped at half the capacity: 2.5).
    a.observeBucket("q", t0, learned(0));
    await a.flush();
    expect(await b.takeBucket("q", t0, { requests: 1, tokens: 0 })).toEqual({
      ok: false,
      dimension: "requests",
      retryAt: t0 + 3_500,
    });
  });

  it("keeps the bucket an hour after its last write, and resyncs it into an idle node's view", async () => {
    const prefix = uniquePrefix();
    const store = await connected(prefix, 100);
    const writer = await connected(prefix);
    await store.takeBucket("q", t0, { requests: 1, tokens: 0 });
    const keys = await keysUnder(admin, prefix);
    expect(keys).toEqual([`${prefix}b:{q}`]);
    const pttl = await admin.pttl(keys[0]!);
    expect(pttl).toBeGreaterThan(3_600_000 - 5_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);
    writer.observeBucket("q", t0, learned(2));
    await writer.flush();
    await eventually(() => store.bucket("q", t0)?.requests.capacity === 5, 2_000, "the resync");
    expect(store.bucket("q", t0)?.requests.level).toBe(2);
  });

  it("decides on its view while Redis is unreachable", async () => {
    const store = createRedisStateStore({
      url: "redis://127.0.0.1:1",
      prefix: uniquePrefix(),
      connectTimeoutMs: 100,
    });
    await store.ready();
    store.observeBucket("q", t0, learned(1));
    expect(await store.takeBucket("q", t0, { requests: 1, tokens: 0 })).toMatchObject({ ok: true });
    expect(await store.takeBucket("q", t0, { requests: 1, tokens: 0 })).toMatchObject({ ok: false });
    await store.close();
  });
});
