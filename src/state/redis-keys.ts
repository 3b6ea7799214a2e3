/**
 * Key layout of the Redis state store. The deployment id sits in a hash tag (`{id}`) so every key one
 * script touches for a deployment (its windows and day counter) lands in the same Cluster slot.
 *
 * | key | type | holds | expires |
 * | --- | --- | --- | --- |
 * | `<prefix>h:{<id>}` | hash | health record (+ version `v`) | 1 h after its last deadline; 7 days when disabled |
 * | `<prefix>w:{<id>}:<windowMs>:<index>` | hash | `r` requests, `t` tokens of one fixed window | 2 windows after the last write |
 * | `<prefix>d:{<id>}:<day>` | string | requests on one UTC day | 2 days after the last write |
 * | `<prefix>q:{<id>}` | string | last quota snapshot (JSON) | 1 h |
 * | `<prefix>c:<key>` | string | shared cursor | 1 day after the last increment |
 * | `<prefix>b:{<key>}` | hash | learned bucket (shape, levels, counters; see `redis-bucket-scripts.ts`) | 1 h after its last write |
 * | `<prefix>events` | channel | health changes: `{"n":node,"i":id,"r":[record]}`; `{"n":node,"c":1}` on clear | — |
 */
export interface RedisKeys {
  readonly prefix: string;
  readonly channel: string;
  health(deploymentId: string): string;
  window(deploymentId: string, windowMs: number, index: number): string;
  day(deploymentId: string, day: number): string;
  quota(deploymentId: string): string;
  cursor(key: string): string;
  bucket(key: string): string;
}

export const dayMs = 86_400_000;
export const ttl = {
  /** Health records live this long past their last deadline (cooldown, open circuit, probe lease). */
  healthGraceMs: 3_600_000,
  /** Disabled deployments are remembered a week (an operator should notice before). */
  disabledMs: 7 * dayMs,
  /** Day counters. */
  dayMs: 2 * dayMs,
  quotaMs: 3_600_000,
  cursorMs: dayMs,
  /** Window counters live this many windows after their last write. */
  windows: 2,
} as const;

export function redisKeys(prefix: string): RedisKeys {
  return {
    prefix,
    channel: `${prefix}events`,
    health: (id) => `${prefix}h:{${id}}`,
    window: (id, windowMs, index) => `${prefix}w:{${id}}:${windowMs}:${index}`,
    day: (id, day) => `${prefix}d:{${id}}:${day}`,
    quota: (id) => `${prefix}q:{${id}}`,
    cursor: (key) => `${prefix}c:${key}`,
    bucket: (key) => `${prefix}b:{${key}}`,
  };
}
