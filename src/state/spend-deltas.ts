import { addTotals, minuteMs, totalsOf } from "./spend-rollup.js";
import type { SettleRequest, SpendTotals } from "./spend-types.js";

/** Spend of one key in one budget window, not yet written. */
export interface SpendDelta {
  keyId: string;
  periodStart: number;
  /** `Infinity` for a lifetime budget. */
  periodEnd: number;
  nano: number;
}

/** Totals of one minute × key × group × deployment, not yet written (`keyId` "" without a key). */
export interface MinuteDelta extends SpendTotals {
  minute: number;
  keyId: string;
  group: string;
  deploymentId: string;
}

/**
 * Settled spend waiting to be written behind, summed as it comes: a flush writes one row per key
 * window and per minute × key × group × deployment touched, however many requests there were.
 */
export class SpendDeltas {
  #spend = new Map<string, SpendDelta>();
  #minutes = new Map<string, MinuteDelta>();

  get size(): number {
    return this.#spend.size + this.#minutes.size;
  }

  /** Adds a settled request (its key window only when `withSpend`). */
  add(request: SettleRequest, withSpend = true): void {
    if (withSpend && request.keyId !== null && request.periodStart !== null) {
      this.addSpend(request.keyId, request.periodStart, request.periodEnd ?? Infinity, request.amountNanoUsd);
    }
    if (!request.counted) return;
    const minute = Math.floor(request.now / minuteMs) * minuteMs;
    const keyId = request.keyId ?? "";
    const at = `${minute}\t${keyId}\t${request.group}\t${request.deploymentId}`;
    const existing = this.#minutes.get(at);
    if (existing) addTotals(existing, totalsOf(request));
    else
      this.#minutes.set(at, {
        minute,
        keyId,
        group: request.group,
        deploymentId: request.deploymentId,
        ...totalsOf(request),
      });
  }

  addSpend(keyId: string, periodStart: number, periodEnd: number, nano: number): void {
    const at = `${keyId}\t${periodStart}`;
    const existing = this.#spend.get(at);
    if (existing) existing.nano += nano;
    else this.#spend.set(at, { keyId, periodStart, periodEnd, nano });
  }

  /** Everything pending; the accumulator starts empty again. */
  drain(): { spend: SpendDelta[]; minutes: MinuteDelta[] } {
    const drained = { spend: [...this.#spend.values()], minutes: [...this.#minutes.values()] };
    this.#spend = new Map();
    this.#minutes = new Map();
    return drained;
  }

  /** Puts drained deltas back (a write failed; they go with the next flush). */
  restore(drained: { spend: readonly SpendDelta[]; minutes: readonly MinuteDelta[] }): void {
    for (const delta of drained.spend)
      this.addSpend(delta.keyId, delta.periodStart, delta.periodEnd, delta.nano);
    for (const delta of drained.minutes) {
      const at = `${delta.minute}\t${delta.keyId}\t${delta.group}\t${delta.deploymentId}`;
      const existing = this.#minutes.get(at);
      if (existing) addTotals(existing, delta);
      else this.#minutes.set(at, { ...delta });
    }
  }
}
