import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LearnedCapacity } from "../../src/core/capacity/index.js";
import { createRedisStateStore, type RedisStateStore } from "../../src/state/index.js";
import { deleteUnder, redisAnswers, uniquePrefix } from "../state/redis-helpers.js";
import { runPacing } from "./pacing-loop.js";
import { anthropicRequests, headerless, openaiTokens } from "./scenarios.js";

const url = "redis://127.0.0.1:6379";
const available = await redisAnswers(6379);
const skip = !available && process.env["CI"] !== "true";
if (skip) console.warn("Redis pacing tests skipped: no Redis on 127.0.0.1:6379");
const minute = 60_000;

describe.skipIf(skip)("two gateway nodes on one Redis pace one bucket together", () => {
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

  /** Two stores on one prefix (two nodes), each with its own gate. */
  async function twoNodes(): Promise<LearnedCapacity[]> {
    const prefix = uniquePrefix();
    const gates: LearnedCapacity[] = [];
    for (let i = 0; i < 2; i++) {
      const store = createRedisStateStore({ url, prefix, syncIntervalMs: 60_000 });
      opened.push({ store, prefix });
      if ((await store.ready()) !== "connected") throw new Error(`no Redis at ${url}`);
      gates.push(new LearnedCapacity(store));
    }
    return gates;
  }

  it.each([
    ["headers, requests binding", anthropicRequests, 0.02],
    ["headers, tokens binding", openaiTokens, 0.02],
    ["AIMD", headerless, 0.05],
  ] as const)("%s at 130 pct load: the combined limit holds", async (_name, shape, rejected) => {
    const result = await runPacing({
      ...shape,
      durationMs: 4 * minute,
      load: 1.3,
      seed: 5,
      gates: await twoNodes(),
    });
    expect(result.used).toBeGreaterThanOrEqual(0.95);
    expect(result.rejectedShare).toBeLessThanOrEqual(rejected);
  });
});
