import type { BudgetPeriod } from "../../types/index.js";

export { budgetPeriods } from "../../types/index.js";

const dayMs = 86_400_000;
const lengths: Record<Exclude<BudgetPeriod, "1mo">, number> = {
  "1d": dayMs,
  "7d": 7 * dayMs,
  "30d": 30 * dayMs,
};

/** The span a budget counts: from `start` (inclusive) to `end` (exclusive; `Infinity` for a lifetime budget). */
export interface BudgetSpan {
  start: number;
  end: number;
}

/** Midnight (UTC) of the day of `time`: where a key's 1d, 7d and 30d periods are counted from. */
export function periodAnchor(time: number): number {
  return Math.floor(time / dayMs) * dayMs;
}

/**
 * The budget period `now` falls in. `1d`, `7d` and `30d` are consecutive spans of that length from
 * `anchor` (midnight UTC of the key's creation day: a `1d` budget resets at 00:00 UTC); `1mo` is the
 * calendar month (UTC). No period: one span for the key's whole life.
 */
export function budgetSpan(period: BudgetPeriod | null, anchor: number, now: number): BudgetSpan {
  if (period === null) return { start: 0, end: Infinity };
  if (period === "1mo") {
    const date = new Date(now);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
  }
  const length = lengths[period];
  const start = anchor + Math.floor((now - anchor) / length) * length;
  return { start, end: start + length };
}
