/** A place in a wait queue; `release` hands the turn to the next waiter. */
export interface Ticket {
  release(): void;
}

/**
 * A fair FIFO of requests waiting for capacity: only the head waits for the next free slot; the
 * others wait for their turn. A request that gets capacity (or gives up) releases its turn at once,
 * so waiters are served in arrival order and new arrivals do not overtake them.
 */
export class WaitQueue {
  #waiting: Array<() => void> = [];
  #held = false;

  /** Requests holding or waiting for a turn. */
  get length(): number {
    return this.#waiting.length + (this.#held ? 1 : 0);
  }

  /** Resolves with a ticket once it is this caller's turn; rejects when `signal` aborts first. */
  enter(signal: AbortSignal | undefined): Promise<Ticket> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#ticket());
    }
    return new Promise<Ticket>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.#ticket());
      };
      const onAbort = (): void => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== grant);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  #ticket(): Ticket {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#held = false;
      },
    };
  }
}
