/** What a store reports for metrics. */
export interface CacheStoreStats {
  /** Entries held now; null when the backend does not say cheaply (Redis). */
  entries: number | null;
  /** Bytes held now; null when unknown. */
  bytes: number | null;
  /** Entries dropped to stay within the size bounds since the store was made (0 where the backend evicts on its own). */
  evictions: number;
}

/**
 * Where the response cache keeps its entries: opaque bytes under a key, each with its own TTL. Expiry
 * is decided against the `now` given (so tests can use a fake clock); backends with their own TTL
 * (Redis) also drop the key by themselves after `ttlMs`.
 */
export interface CacheStore {
  /** The bytes under `key`, or null when absent or expired at `now`. */
  get(key: string, now: number): Promise<Uint8Array | null>;
  /** Stores `value` for `ttlMs` from `now`; false when it was not stored (too large, TTL not positive). */
  set(key: string, value: Uint8Array, ttlMs: number, now: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  stats(): CacheStoreStats;
  close(): Promise<void>;
}
