/** A value, or a promise of it (memory stores answer at once, Redis later). */
export type MaybePromise<T> = T | Promise<T>;

/** Default time a session stays with its deployment after its last request (5 min, like prompt caches). */
export const defaultAffinityTtlMs = 5 * 60_000;

/**
 * Session key → deployment id, each with a TTL. Expiry is decided against the `now` given, so tests
 * use a fake clock. `set` again on every answered request keeps a live session where it is.
 */
export interface AffinityStore {
  /** The deployment the session was last sent to, or null when unknown or expired at `now`. */
  get(key: string, now: number): MaybePromise<string | null>;
  /** Remembers the deployment for `ttlMs` (default {@link defaultAffinityTtlMs}) from `now`. */
  set(key: string, deploymentId: string, now: number, ttlMs?: number): MaybePromise<void>;
  /** Forgets a session (its deployment was removed or failed it). */
  delete(key: string): MaybePromise<void>;
}
