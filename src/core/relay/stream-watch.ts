import { performance } from "node:perf_hooks";
import type { Clock, StreamBatch, TimerHandle } from "../../types/index.js";

/** What `StreamWatch.next` resolves to when nothing arrived in time. */
export const idle = Symbol("idle");

/** What aborts the reads: the attempt (its abort hook and reason). */
export interface Abortable {
  readonly aborted: boolean;
  readonly reason: unknown;
  onAbort(listener: (reason: unknown) => void): void;
}

interface Pending {
  resolve: (value: IteratorResult<StreamBatch> | typeof idle) => void;
  reject: (error: unknown) => void;
}

/**
 * Guards reads of one stream with an idle limit and the attempt's abort without a timer or listener
 * per event: one lazily re-armed timer checks the time of the last read, and one abort hook
 * rejects whichever read is pending. This keeps the per-chunk cost of the relay flat.
 */
export class StreamWatch {
  #timer: TimerHandle | null = null;
  #fireAt = 0;
  #dueAt = 0;
  #pending: Pending | null = null;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly signal: Abortable,
  ) {
    signal.onAbort((reason) => {
      const pending = this.#pending;
      this.#pending = null;
      if (!this.#closed) pending?.reject(reason);
    });
  }

  /** `iterator.next()`, or `idle` when it takes longer than `limitMs`; rejects when the signal aborts. */
  next(
    iterator: AsyncIterator<StreamBatch>,
    limitMs: number,
  ): Promise<IteratorResult<StreamBatch> | typeof idle> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason as unknown);
    const now = performance.now();
    this.#dueAt = now + limitMs;
    if (this.#timer === null || this.#fireAt > this.#dueAt) this.#arm(limitMs, now);
    return new Promise<IteratorResult<StreamBatch> | typeof idle>((resolve, reject) => {
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

  /** Stops the timer; later aborts no longer touch it. */
  close(): void {
    if (this.#timer !== null) this.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#closed = true;
  }
}
