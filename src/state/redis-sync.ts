import type { RedisKeys } from "./redis-keys.js";
import { dayMs } from "./redis-keys.js";
import { decodeBucket } from "./redis-bucket-record.js";
import { bucketFields } from "./redis-bucket-scripts.js";
import { decodeCounters, decodeHealth, decodeQuota } from "./redis-record.js";
import { healthFields } from "./redis-scripts.js";
import type { RedisView, ViewEntry } from "./redis-view.js";

/** One deployment's part of a sync: what was read, and the entry's tick when it was sent. */
interface SyncItem {
  id: string;
  entry: ViewEntry;
  tick: number;
  /** Window index, day and window length of the counters read, or null when none were. */
  counters: { window: number; day: number; windowMs: number } | null;
}

/** The reads of one sync and how to apply their answers. */
export interface SyncPlan {
  commands: string[][];
  /** Applies the answers (in `commands` order); returns how many deployments were refreshed. */
  apply(results: readonly unknown[]): number;
}

/**
 * Plans the resync of every deployment in the view: its health record and quota, and its capacity
 * counters when it has them, then every learned bucket's record (one pipelined round trip). Answers
 * go into entries untouched meanwhile.
 */
export function planSync(view: RedisView, keys: RedisKeys, now: number): SyncPlan {
  const commands: string[][] = [];
  const items: SyncItem[] = [];
  for (const [id, entry] of view.entries) {
    commands.push(["hmget", keys.health(id), ...healthFields], ["get", keys.quota(id)]);
    const windowMs = entry.counters && entry.windowMs > 0 ? entry.windowMs : null;
    let counters: SyncItem["counters"] = null;
    if (windowMs !== null) {
      const window = Math.floor(now / windowMs);
      const day = Math.floor(now / dayMs);
      counters = { window, day, windowMs };
      commands.push(
        ["hmget", keys.window(id, windowMs, window), "r", "t"],
        ["hmget", keys.window(id, windowMs, window - 1), "r", "t"],
        ["get", keys.day(id, day)],
      );
    }
    items.push({ id, entry, tick: entry.tick, counters });
  }
  const bucketItems = [...view.buckets.values()].map((entry) => ({ entry, tick: entry.tick }));
  for (const [key] of view.buckets) commands.push(["hmget", keys.bucket(key), ...bucketFields]);
  return {
    commands,
    apply(results) {
      let index = 0;
      let refreshed = 0;
      // Buckets are read after the deployments; an entry changed meanwhile keeps its newer record.
      bucketItems.forEach((item, at) => {
        const state = decodeBucket(results[results.length - bucketItems.length + at]);
        if (item.entry.tick === item.tick && item.entry.pending === 0) item.entry.state = state;
      });
      for (const item of items) {
        const health = decodeHealth(results[index]);
        const quota = decodeQuota(results[index + 1]);
        index += 2;
        const counters = item.counters
          ? decodeCounters(
              item.counters.window,
              item.counters.day,
              results[index],
              results[index + 1],
              results[index + 2],
            )
          : null;
        if (item.counters) index += 3;
        const { entry } = item;
        if (view.entries.get(item.id) !== entry || entry.tick !== item.tick || entry.pending > 0) continue;
        view.adopt(entry, health);
        entry.quota = quota;
        if (counters && (!entry.counters || counters.window >= entry.counters.window))
          entry.counters = counters;
        refreshed += 1;
      }
      return refreshed;
    },
  };
}
