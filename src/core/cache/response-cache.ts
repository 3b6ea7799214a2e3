import type { ChatRequest } from "../../types/index.js";
import type { CachedAnswer, CacheEntry } from "./answer.js";
import { cacheKey } from "./cache-key.js";
import { cacheDirective, type RequestHeaders } from "./directive.js";
import { decodeEntry, encodeEntry } from "./entry-codec.js";
import { MemoryCacheStore } from "./memory-store.js";
import { defaultCacheSettings } from "./settings.js";
import type { CacheStore } from "./store.js";

/** Options of a {@link ResponseCache}. */
export interface ResponseCacheOptions {
  /** Where entries live (default: a {@link MemoryCacheStore} with the default bounds). */
  store?: CacheStore;
  /** Default TTL of an entry (default 10 min). */
  ttlMs?: number;
  /** Largest encoded entry stored (default 4 MiB). */
  maxEntryBytes?: number;
}

/** What a lookup found. `key` is what {@link ResponseCache.save} needs afterwards. */
export type CacheLookup =
  | { status: "hit"; key: string; entry: CacheEntry; ageMs: number }
  /** Not found (or unreadable, or older than the caller's `max-age`); `save` the answer when it completes. */
  | { status: "miss"; key: string }
  /** The caller opted out of reading; `key` is null when it also opted out of storing. */
  | { status: "bypass"; key: string | null; reason: string };

/** Counters since the cache was made, plus the store's current size where known (metrics-friendly). */
export interface CacheCounters {
  hits: number;
  misses: number;
  bypasses: number;
  /** Answers stored. */
  stores: number;
  /** Encoded bytes written by those stores. */
  bytesStored: number;
  /** Answers not stored: larger than the entry bound, or refused by the store. */
  skipped: number;
  /** Store errors (each read error also counts as a miss). */
  errors: number;
  /** Entries the store evicted to stay within its bounds. */
  evictions: number;
  /** Entries and bytes held now, null when the store does not know (Redis). */
  entries: number | null;
  bytes: number | null;
}

/** When and how long to keep an answer. */
export interface SaveOptions {
  now: number;
  /** This entry's TTL (default: the cache's). */
  ttlMs?: number;
  deploymentId?: string | null;
}

/**
 * The response cache: exact match on the canonical form of a request (see `cacheKey`), complete
 * successful answers only (build them with `answerFromBody` / `answerFromChunks`), served back with
 * `replayFor`. Never throws on a store failure: a failed read is a miss, a failed write is skipped,
 * and both are counted.
 */
export class ResponseCache {
  readonly store: CacheStore;
  readonly ttlMs: number;
  readonly #maxEntryBytes: number;
  readonly #counts = { hits: 0, misses: 0, bypasses: 0, stores: 0, bytesStored: 0, skipped: 0, errors: 0 };

  constructor(options: ResponseCacheOptions = {}) {
    this.store = options.store ?? new MemoryCacheStore();
    this.ttlMs = options.ttlMs ?? defaultCacheSettings.ttlMs;
    this.#maxEntryBytes = options.maxEntryBytes ?? defaultCacheSettings.maxEntryBytes;
  }

  /** Looks a request up, honouring the caller's opt-out headers (see `cacheDirective`). */
  async lookup(
    group: string,
    request: ChatRequest,
    headers: RequestHeaders,
    now: number,
  ): Promise<CacheLookup> {
    const directive = cacheDirective(headers);
    if (!directive.read) {
      this.#counts.bypasses += 1;
      const key = directive.write ? cacheKey(group, request) : null;
      return { status: "bypass", key, reason: directive.reason ?? "bypass" };
    }
    const key = cacheKey(group, request);
    let bytes: Uint8Array | null;
    try {
      bytes = await this.store.get(key, now);
    } catch {
      this.#counts.errors += 1;
      bytes = null;
    }
    const entry = bytes === null ? null : decodeEntry(bytes);
    const ageMs = entry === null ? 0 : Math.max(0, now - entry.storedAt);
    const fresh = entry !== null && entry.expiresAt > now && ageMs <= (directive.maxAgeMs ?? Infinity);
    if (!fresh) {
      this.#counts.misses += 1;
      return { status: "miss", key };
    }
    this.#counts.hits += 1;
    return { status: "hit", key, entry, ageMs };
  }

  /** Stores a complete answer under a lookup's key; false when it was not stored. */
  async save(key: string, answer: CachedAnswer, options: SaveOptions): Promise<boolean> {
    const ttlMs = options.ttlMs ?? this.ttlMs;
    const entry: CacheEntry = {
      answer,
      storedAt: options.now,
      expiresAt: options.now + ttlMs,
      deploymentId: options.deploymentId ?? null,
    };
    const bytes = encodeEntry(entry);
    if (bytes.byteLength > this.#maxEntryBytes || !(ttlMs > 0)) {
      this.#counts.skipped += 1;
      return false;
    }
    let stored: boolean;
    try {
      stored = await this.store.set(key, bytes, ttlMs, options.now);
    } catch {
      this.#counts.errors += 1;
      return false;
    }
    if (!stored) {
      this.#counts.skipped += 1;
      return false;
    }
    this.#counts.stores += 1;
    this.#counts.bytesStored += bytes.byteLength;
    return true;
  }

  counters(): CacheCounters {
    const stats = this.store.stats();
    return { ...this.#counts, evictions: stats.evictions, entries: stats.entries, bytes: stats.bytes };
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
