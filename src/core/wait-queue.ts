import type { Cancellation } from "./cancellation.js";

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

  /** Resolves with a ticket once it is this caller's turn; rejects when `cancellation` fires first. */
  enter(cancellation: Cancellation | undefined): Promise<Ticket> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#ticket());
    }
    return new Promise<Ticket>((resolve, reject) => {
      const grant = (): void => {
        cancellation?.off(onCancel);
        resolve(this.#ticket());
      };
      const onCancel = (reason: unknown): void => {
        this.#waiting = this.#waiting.filter((waiter) => waiter !== grant);
        reject(reason);
      };
      cancellation?.onCancel(onCancel);
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
