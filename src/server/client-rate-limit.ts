/** A fixed one-minute window of request counts per client (gateway key or IP). */
export class ClientRateLimiter {
  #windowStart = 0;
  #counts = new Map<string, number>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `client`; returns 0 when allowed, else ms until the window resets. */
  take(client: string): number {
    const now = this.now();
    if (now - this.#windowStart >= 60_000) {
      this.#windowStart = now - (now % 60_000);
      this.#counts = new Map();
    }
    const used = this.#counts.get(client) ?? 0;
    if (used >= this.limitPerMinute) return this.#windowStart + 60_000 - now;
    this.#counts.set(client, used + 1);
    return 0;
  }
}
