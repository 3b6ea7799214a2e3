import type { Meter } from "./meter.js";

/**
 * Where fixed windows start: `first-use` opens a window at the first request after the previous one ended
 * (the simulator's per-minute windows); `aligned` cuts time at `origin + n × length` (per-day quotas, reset at
 * UTC midnight with origin 0 and a length of one day).
 */
export type WindowStart = { kind: "first-use" } | { kind: "aligned"; origin: number };

/** A fixed window: counts what was taken in it against `limit`, and resets to full when it ends. */
export class FixedWindow implements Meter {
  readonly limit: number;
  readonly capacity: number;
  readonly #length: number;
  readonly #start: WindowStart;
  #opened: number | null = null;
  #used = 0;

  constructor(limit: number, length: number, start: WindowStart) {
    this.limit = limit;
    this.capacity = limit;
    this.#length = length;
    this.#start = start;
  }

  /** Opens the window `now` falls in when the current one is over (or the clock went back before it). */
  #roll(now: number): number {
    const opened = this.#opened;
    if (opened !== null && now >= opened && now < opened + this.#length) return opened;
    const start =
      this.#start.kind === "first-use"
        ? now
        : this.#start.origin + Math.floor((now - this.#start.origin) / this.#length) * this.#length;
    this.#opened = start;
    this.#used = 0;
    return start;
  }

  available(now: number): number {
    this.#roll(now);
    return Math.max(0, this.limit - this.#used);
  }

  waitMs(amount: number, now: number): number {
    if (amount > this.limit) return Infinity;
    const opened = this.#roll(now);
    return this.#used + amount <= this.limit ? 0 : opened + this.#length - now;
  }

  resetMs(now: number): number {
    return this.#roll(now) + this.#length - now;
  }

  take(amount: number, now: number): void {
    this.#roll(now);
    this.#used = Math.min(this.limit, this.#used + amount);
  }
}
