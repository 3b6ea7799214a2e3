import { defaultAffinityTtlMs, type AffinityStore } from "./affinity-store.js";

/** The Redis commands the affinity store uses — an ioredis `Redis` or `Cluster` satisfies it. */
export interface RedisAffinityClient {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, millisecondsToken: "PX", milliseconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** Options of {@link RedisAffinityStore}. */
export interface RedisAffinityStoreOptions {
  client: RedisAffinityClient;
  /** Key prefix (default `llmux:`); entries are `<prefix>af:<session key>`. */
  prefix?: string;
  ttlMs?: number;
}

/**
 * Affinity shared by every node on one Redis: one string per session, `<expiresAt>|<deploymentId>`,
 * written with `SET … PX ttl` (Redis drops it on its own) and checked against the caller's `now`.
 * Errors reject; a caller should treat a failed `get` as "no affinity".
 */
export class RedisAffinityStore implements AffinityStore {
  readonly #client: RedisAffinityClient;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(options: RedisAffinityStoreOptions) {
    this.#client = options.client;
    this.#prefix = `${options.prefix ?? "llmux:"}af:`;
    this.#ttlMs = options.ttlMs ?? defaultAffinityTtlMs;
  }

  async get(key: string, now: number): Promise<string | null> {
    const stored = await this.#client.get(this.#prefix + key);
    if (stored === null) return null;
    const bar = stored.indexOf("|");
    const expiresAt = Number(stored.slice(0, bar));
    if (bar <= 0 || !(expiresAt > now)) return null;
    return stored.slice(bar + 1);
  }

  async set(key: string, deploymentId: string, now: number, ttlMs = this.#ttlMs): Promise<void> {
    if (!(ttlMs > 0)) {
      await this.delete(key);
      return;
    }
    await this.#client.set(this.#prefix + key, `${now + ttlMs}|${deploymentId}`, "PX", Math.ceil(ttlMs));
  }

  async delete(key: string): Promise<void> {
    await this.#client.del(this.#prefix + key);
  }
}
