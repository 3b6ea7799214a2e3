import type { Meter } from "./meter.js";

/**
 * A token bucket: holds at most `capacity` (full at the start), refills continuously at `limit / windowMs`
 * per ms. Providers describe limits this way: OpenAI's `x-ratelimit-reset-requests` is the time until the
 * bucket is full again; Anthropic's limits are "continuously replenished".
 */
export class TokenBucket implements Meter {
  readonly limit: number;
  readonly capacity: number;
  /** Refill per ms. */
  readonly #rate: number;
  #level: number;
  #updatedAt: number;

  /** A full bucket of `burst × limit`, refilling `limit` per `windowMs`; `burst` in (0, 1]. */
  constructor(limit: number, windowMs: number, burst: number, now: number) {
    this.limit = limit;
    this.capacity = limit * burst;
    this.#rate = limit / windowMs;
    this.#level = this.capacity;
    this.#updatedAt = now;
  }

  available(now: number): number {
    // A clock going backwards refills nothing.
    const elapsed = Math.max(0, now - this.#updatedAt);
    return Math.min(this.capacity, this.#level + elapsed * this.#rate);
  }

  waitMs(amount: number, now: number): number {
    if (amount > this.capacity) return Infinity;
    const missing = amount - this.available(now);
    // A hair of float error (refills summed over many steps) is forgiven.
    return missing <= 1e-9 ? 0 : missing / this.#rate;
  }

  resetMs(now: number): number {
    return this.#rate > 0 ? (this.capacity - this.available(now)) / this.#rate : 0;
  }

  take(amount: number, now: number): void {
    this.#level = Math.max(0, this.available(now) - amount);
    this.#updatedAt = Math.max(now, this.#updatedAt);
  }
}
