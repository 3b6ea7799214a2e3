/** Something to call once when a request or an attempt is cancelled. */
export type CancelListener = (reason: unknown) => void;

/**
 * A one-shot cancellation: what an `AbortController` does for the engine, without the cost of an
 * `EventTarget` per request (listeners are a small array, most requests have one or two). The
 * gateway cancels it when the client goes away; the library links the caller's `AbortSignal` to it.
 */
export class Cancellation {
  #listeners: CancelListener[] | null = null;
  #aborted = false;
  #reason: unknown = undefined;

  /** A cancellation that follows `signal` (none when there is no signal). */
  static fromSignal(signal: AbortSignal | undefined): Cancellation | undefined {
    if (!signal) return undefined;
    const cancellation = new Cancellation();
    if (signal.aborted) cancellation.cancel(signal.reason);
    else signal.addEventListener("abort", () => cancellation.cancel(signal.reason), { once: true });
    return cancellation;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Cancels (once): every listener is called with `reason`. */
  cancel(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners) for (const listener of listeners) listener(reason);
  }

  /** Calls `listener` on cancel (at once when already cancelled); returns the unsubscribe function. */
  onCancel(listener: CancelListener): () => void {
    if (this.#aborted) {
      listener(this.#reason);
      return noop;
    }
    (this.#listeners ??= []).push(listener);
    return () => this.off(listener);
  }

  /** Removes a listener added with `onCancel`. */
  off(listener: CancelListener): void {
    const listeners = this.#listeners;
    if (!listeners) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }
}

function noop(): void {}
