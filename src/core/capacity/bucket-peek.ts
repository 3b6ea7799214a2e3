import type { BucketCost, BucketState } from "../../types/index.js";

/**
 * Non-mutating reads of a bucket record already rolled forward to `now` (`StateStore.bucket`). The
 * store's take applies the same check (a take leaves the dimension's reserve); these only let the
 * caller skip, weigh and queue.
 */

const dimensions = ["requests", "tokens"] as const;
/** As the store's level check (`levelSlack`). */
const slack = 1e-9;

/** When the bucket can take `cost`: null if now, else the time the last short dimension holds it. */
export function fitsAt(state: Readonly<BucketState>, now: number, cost: BucketCost): number | null {
  let until: number | null = null;
  for (const name of dimensions) {
    const dim = state[name];
    const amount = cost[name];
    if (!(amount > 0) || dim.capacity <= 0) continue;
    const need = Math.min(amount + dim.reserve, dim.capacity);
    if (dim.level >= need - need * slack) continue;
    const at = now + Math.ceil((need - dim.level) / dim.rate);
    until = until === null ? at : Math.max(until, at);
  }
  return until;
}

/** The smallest share of its capacity a known dimension has left (1 when none is known). */
export function levelShare(state: Readonly<BucketState>): number {
  let share = 1;
  for (const name of dimensions) {
    const dim = state[name];
    if (dim.capacity > 0) share = Math.min(share, (dim.level - dim.reserve) / dim.capacity);
  }
  return share;
}

/**
 * How many requests of `cost` the bucket can take over the next `horizonMs` if they are sent as it
 * allows: the level now plus the refill meanwhile (a bucket drawn on does not fill up, so none is
 * lost to the cap). Infinity when no charged dimension is known.
 */
export function slotsOver(state: Readonly<BucketState>, horizonMs: number, cost: BucketCost): number {
  let slots = Number.POSITIVE_INFINITY;
  for (const name of dimensions) {
    const dim = state[name];
    const amount = cost[name];
    if (!(amount > 0) || dim.capacity <= 0) continue;
    const usable = dim.level - dim.reserve + dim.rate * Math.max(0, horizonMs);
    slots = Math.min(slots, Math.max(0, usable) / amount);
  }
  return slots;
}
