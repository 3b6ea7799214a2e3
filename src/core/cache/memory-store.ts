import { LRUCache } from "lru-cache";
import type { CacheStore, CacheStoreStats } from "./store.js";

/** Bounds of the memory store. */
export interface MemoryCacheStoreOptions {
  /** Most entries kept (default 10 000). */
  maxEntries?: number;
  /** Most bytes kept, values only (default 64 MiB). */
  maxBytes?: number;
  /** Largest single value stored (default: `maxBytes`). */
  maxEntryBytes?: number;
}

interface Held {
  value: Uint8Array;
  expiresAt: number;
}

/**
 * The default store: least-recently-used entries in this process (`lru-cache`), bounded by entry count
 * and by bytes; the least recently read entries are evicted first. Expired entries are dropped when
 * read and otherwise age out of the LRU order.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #entries: LRUCache<string, Held>;
  readonly #maxEntryBytes: number;
  #evictions = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#maxEntryBytes = Math.min(options.maxEntryBytes ?? maxBytes, maxBytes);
    this.#entries = new LRUCache<string, Held>({
      max: options.maxEntries ?? 10_000,
      maxSize: maxBytes,
      maxEntrySize: this.#maxEntryBytes,
      sizeCalculation: (held) => Math.max(1, held.value.byteLength),
      dispose: (_held, _key, reason) => {
        if (reason === "evict") this.#evictions += 1;
      },
    });
  }

  get(key: string, now: number): Promise<Uint8Array | null> {
    const held = this.#entries.get(key);
    if (held === undefined) return Promise.resolve(null);
    if (held.expiresAt <= now) {
      this.#entries.delete(key);
      return Promise.resolve(null);
    }
    return Promise.resolve(held.value);
  }

  set(key: string, value: Uint8Array, ttlMs: number, now: number): Promise<boolean> {
    if (!(ttlMs > 0) || value.byteLength > this.#maxEntryBytes) return Promise.resolve(false);
    // A copy: the caller's buffer may be reused; what is stored never changes.
    this.#entries.set(key, { value: value.slice(), expiresAt: now + ttlMs });
    return Promise.resolve(this.#entries.has(key));
  }

  delete(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  stats(): CacheStoreStats {
    return { entries: this.#entries.size, bytes: this.#entries.calculatedSize, evictions: this.#evictions };
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
