/**
 * Hedged first token: when an attempt's first token is later than usual for its deployment, the
 * next deployment is started in parallel and the first to produce content wins. This file holds the
 * pure-ish parts: observed time-to-first-token per deployment and the hedge delay derived from it,
 * and the timer entry (one object on the engine's shared deadline heap, no timer of its own).
 */
import type { Timed } from "../deadlines.js";

/** Samples kept per deployment. */
const SAMPLES = 32;
/** Samples before the observed TTFT is trusted over the default. */
const MIN_SAMPLES = 5;
/** Hedge after this multiple of the observed p95 TTFT. */
const P95_FACTOR = 2;
/** Hedge delay before a deployment has history (capped by half the first-token timeout). */
export const DEFAULT_HEDGE_MS = 5_000;
/** Never hedge sooner than this. */
const MIN_HEDGE_MS = 50;

class Window {
  readonly samples: number[] = [];
  next = 0;
  p95 = 0;
  dirty = true;
}

/** Observed time to first token of each deployment (a ring of recent samples), and the hedge delay. */
export class FirstTokenTimes {
  readonly #windows = new Map<string, Window>();

  /** Records one attempt's time to first token (ms). */
  observe(deploymentId: string, ms: number): void {
    let window = this.#windows.get(deploymentId);
    if (window === undefined) this.#windows.set(deploymentId, (window = new Window()));
    if (window.samples.length < SAMPLES) window.samples.push(ms);
    else window.samples[window.next] = ms;
    window.next = (window.next + 1) % SAMPLES;
    window.dirty = true;
  }

  /** The p95 of the recent samples, or null before `MIN_SAMPLES`. */
  p95(deploymentId: string): number | null {
    const window = this.#windows.get(deploymentId);
    if (window === undefined || window.samples.length < MIN_SAMPLES) return null;
    if (window.dirty) {
      const sorted = [...window.samples].sort((a, b) => a - b);
      window.p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
      window.dirty = false;
    }
    return window.p95;
  }

  /**
   * When to hedge an attempt on `deploymentId`: `configured` when given, else p95 × 2 of its observed
   * TTFT (the default before it has history) — at most half of `firstTokenTimeoutMs`.
   */
  delay(deploymentId: string, firstTokenTimeoutMs: number, configured: number | null): number {
    const p95 = this.p95(deploymentId);
    const wanted = configured ?? (p95 === null ? DEFAULT_HEDGE_MS : p95 * P95_FACTOR);
    return Math.min(Math.max(MIN_HEDGE_MS, wanted), firstTokenTimeoutMs / 2);
  }

  clear(): void {
    this.#windows.clear();
  }
}

/** A hedge timer: an entry of the shared deadline heap that resolves a promise when due. */
export class HedgeTimer implements Timed {
  deadlineSlot = -1;
  deadlineAt = 0;
  #resolve: ((fired: null) => void) | null = null;
  /** Resolves with null when the timer fires (never rejects). */
  readonly fired = new Promise<null>((resolve) => {
    this.#resolve = resolve;
  });

  onDeadline(): void {
    this.#resolve?.(null);
    this.#resolve = null;
  }
}
