import type { CacheStore, CacheStoreStats } from "./store.js";

/**
 * The Redis commands the cache store uses — an ioredis `Redis` or `Cluster` satisfies it. The store
 * never opens connections itself: give it a client made with `enableOfflineQueue: false` and a
 * `commandTimeout`, so a Redis outage costs a fast miss, not a wait.
 */
export interface RedisCacheClient {
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, millisecondsToken: "PX", milliseconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** Options of the Redis cache store. */
export interface RedisCacheStoreOptions {
  client: RedisCacheClient;
  /** Key prefix shared with the state store's (default `llmux:`); cache keys are `<prefix>rc:<sha256>`. */
  prefix?: string;
  /** Largest single value stored (default 4 MiB: big values stall Redis). */
  maxEntryBytes?: number;
}

/** Bytes before the value: its expiry time (float64, big-endian ms since the epoch). */
const expiryBytes = 8;

/**
 * Cache entries in Redis, shared by every gateway node that uses the same prefix: one binary string
 * per entry (`SET … PX ttl`, read with `GET`), so Redis drops it by itself at the end of its TTL. The
 * expiry time also travels in the value and is checked against the caller's `now`. Errors reject; the
 * response cache counts them and treats them as misses.
 */
export class RedisCacheStore implements CacheStore {
  readonly #client: RedisCacheClient;
  readonly #prefix: string;
  readonly #maxEntryBytes: number;

  constructor(options: RedisCacheStoreOptions) {
    this.#client = options.client;
    this.#prefix = `${options.prefix ?? "llmux:"}rc:`;
    this.#maxEntryBytes = options.maxEntryBytes ?? 4 * 1024 * 1024;
  }

  /** The Redis key of a cache key. */
  redisKey(key: string): string {
    return `${this.#prefix}${key}`;
  }

  async get(key: string, now: number): Promise<Uint8Array | null> {
    const stored = await this.#client.getBuffer(this.redisKey(key));
    if (stored === null || stored.byteLength < expiryBytes) return null;
    const expiresAt = stored.readDoubleBE(0);
    if (!(expiresAt > now)) return null;
    return new Uint8Array(stored.buffer, stored.byteOffset + expiryBytes, stored.byteLength - expiryBytes);
  }

  async set(key: string, value: Uint8Array, ttlMs: number, now: number): Promise<boolean> {
    if (!(ttlMs > 0) || value.byteLength > this.#maxEntryBytes) return false;
    const framed = Buffer.allocUnsafe(expiryBytes + value.byteLength);
    framed.writeDoubleBE(now + ttlMs, 0);
    framed.set(value, expiryBytes);
    await this.#client.set(this.redisKey(key), framed, "PX", Math.max(1, Math.ceil(ttlMs)));
    return true;
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.redisKey(key));
  }

  stats(): CacheStoreStats {
    return { entries: null, bytes: null, evictions: 0 };
  }

  /** The client belongs to whoever made it: closing the store leaves it open. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
