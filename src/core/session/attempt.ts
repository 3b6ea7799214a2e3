import { performance } from "node:perf_hooks";
import type { AttemptOptions, HeaderMap, RequestSource } from "../../types/index.js";
import type { CancelListener } from "../cancellation.js";
import type { Timed } from "../deadlines.js";
import type { Reservation } from "../capacity-gate.js";
import type { Deployment } from "../plan.js";

/** The deadline action of an attempt before the session sets its own (shared: no closure per attempt). */
function noDeadlineAction(): void {}

/**
 * One upstream call of a request. It is the target's `AttemptOptions` (abort hook, lazily made
 * `signal`, caller headers, the caller's request source) and the entry of the engine's shared
 * deadline heap — so an attempt costs one object, not an AbortController, listeners and a timer.
 */
export class Attempt implements AttemptOptions, Timed {
  readonly startedAt: number;
  /** `performance.now()` at the start: durations use this time base only. */
  readonly startedHr = performance.now();
  /** Response headers of the upstream, once it answered (or answered with an error). */
  responseHeaders: HeaderMap | null = null;
  /** `performance.now()` when the first content arrived (streams) or the answer (non-streams). */
  firstTokenHr: number | null = null;
  /** The answer was reported to the learned capacity already (streams: at their commit). */
  capacityObserved = false;
  deadlineSlot = -1;
  deadlineAt = 0;
  /** What runs when the deadline fires (set by the session: a timeout abort). */
  onDeadline: () => void = noDeadlineAction;
  #aborted = false;
  #reason: unknown = undefined;
  #listeners: CancelListener[] | null = null;
  #controller: AbortController | null = null;
  #guardReject: ((reason: unknown) => void) | null = null;

  constructor(
    readonly deployment: Deployment,
    readonly number: number,
    now: number,
    readonly reservation: Reservation | null,
    readonly headers: Readonly<Record<string, string>> | undefined,
    readonly source: RequestSource | undefined,
  ) {
    this.startedAt = now;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** An AbortSignal for targets that need one (the OpenAI SDK); made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: CancelListener): void {
    if (this.#aborted) listener(this.#reason);
    else (this.#listeners ??= []).push(listener);
  }

  /** Aborts the upstream call (once); every abort hook gets `reason`. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const guard = this.#guardReject;
    this.#guardReject = null;
    guard?.(reason);
    const listeners = this.#listeners;
    this.#listeners = null;
    if (listeners) for (const listener of listeners) listener(reason);
    this.#controller?.abort(reason);
  }

  /**
   * The attempt succeeded (a stream reached its commit point): a later abort ends the stream, not
   * the attempt's run, so it no longer rejects what `guard` returned.
   */
  release(): void {
    this.#guardReject = null;
  }

  /**
   * Settles with `promise`, or rejects with the abort reason as soon as the attempt is aborted,
   * whichever is first (a target that ignores the abort cannot hold the request).
   */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.#aborted) {
      promise.catch(() => {});
      return Promise.reject(this.#reason as unknown);
    }
    return new Promise<T>((resolve, reject) => {
      this.#guardReject = reject;
      promise.then(resolve, reject);
    });
  }
}
