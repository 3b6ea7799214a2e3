import { performance } from "node:perf_hooks";
import type { Clock, StreamEvent, TimerHandle } from "../types/index.js";

/** What `StreamWatch.next` resolves to when nothing arrived in time. */
export const idle = Symbol("idle");

interface Pending {
  resolve: (value: IteratorResult<readonly StreamEvent[]> | typeof idle) => void;
  reject: (error: unknown) => void;
}

/**
 * Guards reads of one stream with an idle limit and an abort signal without a timer or listener
 * per event: one lazily re-armed timer checks the time of the last read, and one abort listener
 * rejects whichever read is pending. This keeps the per-chunk cost of the relay flat.
 */
export class StreamWatch {
  #timer: TimerHandle | null = null;
  #fireAt = 0;
  #dueAt = 0;
  #pending: Pending | null = null;
  readonly #onAbort: () => void;

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {
    this.#onAbort = () => {
      const pending = this.#pending;
      this.#pending = null;
      pending?.reject(signal.reason);
    };
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** `iterator.next()`, or `idle` when it takes longer than `limitMs`; rejects when the signal aborts. */
  next(
    iterator: AsyncIterator<readonly StreamEvent[]>,
    limitMs: number,
  ): Promise<IteratorResult<readonly StreamEvent[]> | typeof idle> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as unknown);
    const now = performance.now();
    this.#dueAt = now + limitMs;
    if (this.#timer === null || this.#fireAt > this.#dueAt) this.#arm(limitMs, now);
    return new Promise<IteratorResult<readonly StreamEvent[]> | typeof idle>((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      this.#pending = pending;
      iterator.next().then(
        (step) => {
          if (this.#pending === pending) this.#pending = null;
          resolve(step);
        },
        (error: unknown) => {
          if (this.#pending === pending) this.#pending = null;
          reject(error);
        },
      );
    });
  }

  #arm(ms: number, now: number): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#fireAt = now + ms;
    this.#timer = this.clock.setTimeout(() => this.#check(), Math.max(1, Math.ceil(ms)));
  }

  #check(): void {
    this.#timer = null;
    if (this.#pending === null) return;
    const now = performance.now();
    if (now + 1 >= this.#dueAt) {
      const pending = this.#pending;
      this.#pending = null;
      pending.resolve(idle);
      return;
    }
    this.#arm(this.#dueAt - now, now);
  }

  /** Stops the timer and the abort listener. */
  close(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.signal.removeEventListener("abort", this.#onAbort);
  }
}
