import { LRUCache } from "lru-cache";
import { defaultAffinityTtlMs, type AffinityStore } from "./affinity-store.js";

/** Options of {@link AffinityTable}. */
export interface AffinityTableOptions {
  /** Most sessions remembered; the least recently used go first (default 100 000). */
  maxEntries?: number;
  /** Default TTL (default 5 min). */
  ttlMs?: number;
}

interface Held {
  deploymentId: string;
  expiresAt: number;
}

/**
 * The in-memory affinity table: bounded (least recently used sessions dropped first), with a TTL per
 * entry checked against the caller's `now`. Answers synchronously.
 */
export class AffinityTable implements AffinityStore {
  readonly #entries: LRUCache<string, Held>;
  readonly #ttlMs: number;

  constructor(options: AffinityTableOptions = {}) {
    this.#entries = new LRUCache<string, Held>({ max: options.maxEntries ?? 100_000 });
    this.#ttlMs = options.ttlMs ?? defaultAffinityTtlMs;
  }

  get(key: string, now: number): string | null {
    const held = this.#entries.get(key);
    if (held === undefined) return null;
    if (held.expiresAt <= now) {
      this.#entries.delete(key);
      return null;
    }
    return held.deploymentId;
  }

  set(key: string, deploymentId: string, now: number, ttlMs = this.#ttlMs): void {
    if (!(ttlMs > 0)) {
      this.#entries.delete(key);
      return;
    }
    this.#entries.set(key, { deploymentId, expiresAt: now + ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Sessions held (expired ones included until they are read or pushed out). */
  get size(): number {
    return this.#entries.size;
  }
}
