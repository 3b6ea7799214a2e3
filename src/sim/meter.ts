/**
 * One metered limit of a key or an organisation (requests per minute, tokens per day, …): a token bucket or
 * a fixed window, behind one interface so the limiter treats them alike.
 */
export interface Meter {
  /** The configured limit (per window or per day), as the `*-limit` headers report it. */
  readonly limit: number;
  /** The most it can ever hold: the bucket's capacity, or the window's limit. */
  readonly capacity: number;
  /** What is left now (a bucket may hold a fraction). */
  available(now: number): number;
  /** Milliseconds until `amount` is available (0 when it is now); Infinity when it never fits. */
  waitMs(amount: number, now: number): number;
  /** Milliseconds until the meter is full again: a bucket refilled, a window over (0 when full). */
  resetMs(now: number): number;
  /** Takes `amount`; never goes below empty. */
  take(amount: number, now: number): void;
}
