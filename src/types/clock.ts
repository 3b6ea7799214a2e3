/** Time source; injected so cooldown and circuit logic can be tested with a fake clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Like `setTimeout`; the returned handle is `unref()`ed by real clocks. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export interface TimerHandle {
  readonly id: unknown;
}

/** Random source in [0, 1); injected so selection is deterministic in tests. */
export type Rng = () => number;
