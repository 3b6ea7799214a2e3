import type { Acquisition, CapacityLimits } from "../types/index.js";

/** Request and token counts of one deployment in its current and previous windows, and today. */
export interface CapacityCounters {
  /** Index of the current window (`floor(now / windowMs)`). */
  window: number;
  requests: number;
  tokens: number;
  previousRequests: number;
  previousTokens: number;
  /** Index of the current UTC day. */
  day: number;
  requestsToday: number;
}

const dayMs = 86_400_000;
/**
 * Tolerance of the sliding-window checks: the weighted estimate is floating point, and without it the
 * `retryAt` that `fitsAt` computes exactly can miss by an ulp (876 × (1 − 20 000 / 60 000) is
 * 584.0000000000001), denying the retry again with the same `retryAt`.
 */
export const fitSlack = 1e-9;

/** Counters that have seen nothing. */
export function freshCounters(): CapacityCounters {
  return {
    window: 0,
    requests: 0,
    tokens: 0,
    previousRequests: 0,
    previousTokens: 0,
    day: 0,
    requestsToday: 0,
  };
}

/** Moves the counters to the window and day of `now` (the previous window carries over when adjacent). */
export function roll(counters: CapacityCounters, now: number, windowMs: number): void {
  const window = Math.floor(now / windowMs);
  // A `now` just behind the last one (a clock step back, a caller's earlier reading) counts in the
  // current window: treating it as a jump would wipe both windows.
  if (window !== counters.window && window !== counters.window - 1) {
    const adjacent = window === counters.window + 1;
    counters.previousRequests = adjacent ? counters.requests : 0;
    counters.previousTokens = adjacent ? counters.tokens : 0;
    counters.requests = 0;
    counters.tokens = 0;
    counters.window = window;
  }
  const day = Math.floor(now / dayMs);
  if (day !== counters.day && day !== counters.day - 1) {
    counters.day = day;
    counters.requestsToday = 0;
  }
}

/**
 * Sliding-window estimate of what was used in the last `windowMs`: the previous window's count
 * weighted by how much of it still overlaps, plus the current window's.
 */
export function estimate(current: number, previous: number, now: number, windowMs: number): number {
  const elapsed = (now % windowMs) / windowMs;
  return previous * (1 - elapsed) + current;
}

/**
 * The earliest time at which `amount` more fits under `limit`, given the current and previous
 * window counts (the estimate only falls as the previous window slides out, then as the current
 * one becomes the previous).
 */
export function fitsAt(
  current: number,
  previous: number,
  amount: number,
  limit: number,
  now: number,
  windowMs: number,
): number {
  const start = now - (now % windowMs);
  if (current + amount <= limit && previous > 0) {
    const fraction = 1 - (limit - amount - current) / previous;
    return Math.max(now, Math.ceil(start + windowMs * Math.max(0, fraction)));
  }
  if (current + amount <= limit) return now;
  if (current === 0 || amount > limit) return start + windowMs;
  const fraction = Math.max(0, 1 - (limit - amount) / current);
  return Math.ceil(start + windowMs + windowMs * fraction);
}

/**
 * Takes one request and `tokens` if every budget allows it. A request bigger than the whole token
 * budget is let through when the window is empty (it could never fit otherwise). Mutates `counters`.
 */
export function acquire(
  counters: CapacityCounters,
  now: number,
  limits: CapacityLimits,
  tokens: number,
  windowMs: number,
): Acquisition {
  roll(counters, now, windowMs);
  if (limits.rpd !== null && counters.requestsToday + 1 > limits.rpd) {
    return { ok: false, dimension: "requests_per_day", retryAt: (counters.day + 1) * dayMs };
  }
  if (
    limits.rpm !== null &&
    estimate(counters.requests, counters.previousRequests, now, windowMs) + 1 > limits.rpm + fitSlack
  ) {
    return {
      ok: false,
      dimension: "requests",
      retryAt: fitsAt(counters.requests, counters.previousRequests, 1, limits.rpm, now, windowMs),
    };
  }
  if (limits.tpm !== null && tokens > 0) {
    const used = estimate(counters.tokens, counters.previousTokens, now, windowMs);
    if (used + tokens > limits.tpm + fitSlack && !(used === 0 && tokens > limits.tpm)) {
      return {
        ok: false,
        dimension: "tokens",
        retryAt: fitsAt(
          counters.tokens,
          counters.previousTokens,
          Math.min(tokens, limits.tpm),
          limits.tpm,
          now,
          windowMs,
        ),
      };
    }
  }
  counters.requests += 1;
  counters.tokens += tokens;
  counters.requestsToday += 1;
  return { ok: true };
}

/** Corrects the tokens charged in the current window (never below zero). */
export function adjustTokens(counters: CapacityCounters, now: number, delta: number, windowMs: number): void {
  roll(counters, now, windowMs);
  counters.tokens = Math.max(0, counters.tokens + delta);
}

/** What is used now, by the sliding estimate. */
export function usage(
  counters: CapacityCounters,
  now: number,
  windowMs: number,
): { requests: number; tokens: number; requestsToday: number } {
  roll(counters, now, windowMs);
  return {
    requests: estimate(counters.requests, counters.previousRequests, now, windowMs),
    tokens: estimate(counters.tokens, counters.previousTokens, now, windowMs),
    requestsToday: counters.requestsToday,
  };
}
