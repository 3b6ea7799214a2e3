import { dimensionsOf, hourMs } from "./spend-rollup.js";
import type { MinuteDelta } from "./spend-deltas.js";
import { spendTtl, type SpendRedisKeys } from "./spend-redis-keys.js";

/** The HINCRBY (and PEXPIRE) commands that add minute deltas to the minute and hour report hashes. */
export function reportCommands(keys: SpendRedisKeys, deltas: readonly MinuteDelta[]): string[][] {
  const commands: string[][] = [];
  const buckets = new Map<string, number>();
  for (const delta of deltas) {
    const minuteKey = keys.minute(delta.minute);
    const hourKey = keys.hour(Math.floor(delta.minute / hourMs) * hourMs);
    buckets.set(minuteKey, spendTtl.minuteBucketsMs);
    buckets.set(hourKey, spendTtl.hourBucketsMs);
    const dimensions = dimensionsOf({
      keyId: delta.keyId === "" ? null : delta.keyId,
      group: delta.group,
      deploymentId: delta.deploymentId,
    });
    for (const [dimension, name] of dimensions) {
      const field = `${dimension}\t${name}\t`;
      for (const key of [minuteKey, hourKey]) {
        commands.push(
          ["hincrby", key, `${field}u`, String(delta.nanoUsd)],
          ["hincrby", key, `${field}n`, String(delta.requests)],
          ["hincrby", key, `${field}i`, String(delta.promptTokens)],
          ["hincrby", key, `${field}o`, String(delta.completionTokens)],
        );
      }
    }
  }
  for (const [key, ttl] of buckets) commands.push(["pexpire", key, String(ttl)]);
  return commands;
}
