/**
 * Key layout of the Redis spend store. Everything one script touches for a virtual key carries the
 * key's id as hash tag (`{<id>}`), and the key records share `{vk}`, so each script stays in one
 * Cluster slot.
 *
 * | key | type | holds | expires |
 * | --- | --- | --- | --- |
 * | `<prefix>{vk}:keys` | hash | id → key record (JSON; the SHA-256, never the secret) | never |
 * | `<prefix>{vk}:hashes` | hash | SHA-256 → id | never |
 * | `<prefix>vk:{<id>}:s:<periodStart>` | string | nano-USD spent in one budget window | 2 days after the window ends |
 * | `<prefix>vk:{<id>}:held` | sorted set | reservation id → when it expires | at the last expiry + 1 min |
 * | `<prefix>vk:{<id>}:amounts` | hash | reservation id → nano-USD held; `_total` | like `held` |
 * | `<prefix>vk:{<id>}:w:<index>` | hash | `r` requests, `t` tokens of one 60 s window | 2 windows |
 * | `<prefix>sp:m:<minute>` / `sp:h:<hour>` | hash | `<dimension>\t<name>\t<u\|n\|i\|o>` totals | 2 days / 400 days |
 * | `<prefix>vk:events` | channel | `{"n":node,"i":id}`: a key record changed | — |
 */
export interface SpendRedisKeys {
  readonly channel: string;
  readonly records: string;
  readonly hashes: string;
  spent(id: string, periodStart: number): string;
  held(id: string): string;
  amounts(id: string): string;
  window(id: string, index: number): string;
  minute(start: number): string;
  hour(start: number): string;
}

export const spendTtl = {
  /** Spend counters outlive their window by this much (late settles, listings). */
  spentGraceMs: 2 * 86_400_000,
  minuteBucketsMs: 2 * 86_400_000 + 3_600_000,
  hourBucketsMs: 400 * 86_400_000,
  /** Minute buckets a report may read (the rest comes from hour buckets). */
  minuteRetentionMs: 2 * 86_400_000,
} as const;

export function spendRedisKeys(prefix: string): SpendRedisKeys {
  return {
    channel: `${prefix}vk:events`,
    records: `${prefix}{vk}:keys`,
    hashes: `${prefix}{vk}:hashes`,
    spent: (id, periodStart) => `${prefix}vk:{${id}}:s:${periodStart}`,
    held: (id) => `${prefix}vk:{${id}}:held`,
    amounts: (id) => `${prefix}vk:{${id}}:amounts`,
    window: (id, index) => `${prefix}vk:{${id}}:w:${index}`,
    minute: (start) => `${prefix}sp:m:${start}`,
    hour: (start) => `${prefix}sp:h:${start}`,
  };
}
