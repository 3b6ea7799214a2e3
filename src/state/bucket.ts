import type {
  AimdPolicy,
  BucketCost,
  BucketDimension,
  BucketObservation,
  BucketReading,
  BucketState,
  BucketTake,
} from "../types/index.js";

/**
 * Pure transitions of one learned bucket (see `StateStore.takeBucket`). The memory store applies them
 * directly; the Redis store's Lua scripts (`redis-bucket-scripts.ts`) mirror them line by line, in the
 * same order of floating-point operations, so both stores compute the same levels and `retryAt`s.
 *
 * Each dimension is a token bucket of `capacity` refilling at `rate` per ms: the level is lowered at
 * every take and corrected by every answer. `taken` counts what was taken, so an answer's mark says
 * exactly what was sent after its request (by every node).
 */

/** A bucket untouched this long (by the callers' clock) is forgotten: it is learned again from scratch. */
export const bucketTtlMs = 3_600_000;
/** Share of a raise toward an answer's projection that is applied (lowering is always whole). */
export const raiseGain = 0.5;
/** Relative tolerance of the level check: `retryAt` is exact, floating point is not. */
export const levelSlack = 1e-9;
/** AIMD: the most time one answer's growth counts (a long idle gap is not growth). */
export const growthWindowMs = 1_000;
/** The reserve's decay per correction (it follows the largest recent lowering, then fades). */
export const reserveDecay = 0.995;
/** AIMD: the least cut of a 429 when the refill floor would keep the rate (a floor is only a bound). */
export const floorCut = 0.98;

export const dimensionNames = ["requests", "tokens"] as const;

function freshDimension(): BucketDimension {
  return { capacity: 0, rate: 0, level: 0, taken: 0, observedMark: 0, reserve: 0 };
}

/** A bucket that has seen nothing. */
export function freshBucket(): BucketState {
  return {
    mode: "unknown",
    requests: freshDimension(),
    tokens: freshDimension(),
    at: 0,
    answers: 0,
    rejected: 0,
    observedAt: 0,
    deniedAt: 0,
    decreaseMark: 0,
    slowStart: false,
    pacedAt: 0,
  };
}

/** Whether the record was untouched long enough to be forgotten. */
export function isForgotten(state: Readonly<BucketState>, now: number): boolean {
  return now - state.at > bucketTtlMs;
}

/** Refills the known dimensions up to `now` (a `now` behind the record's changes nothing). */
export function roll(state: BucketState, now: number): void {
  if (now <= state.at) return;
  const elapsed = now - state.at;
  for (const name of dimensionNames) {
    const dim = state[name];
    if (dim.capacity > 0) dim.level = Math.min(dim.capacity, dim.level + dim.rate * elapsed);
  }
  state.at = now;
}

/** A copy of the record rolled forward to `now`. */
export function rolled(state: Readonly<BucketState>, now: number): BucketState {
  const copy = { ...state, requests: { ...state.requests }, tokens: { ...state.tokens } };
  roll(copy, now);
  return copy;
}

/**
 * Takes `cost` if every known dimension holds it and its reserve (capped at the capacity: a full
 * bucket takes anything); else records the denial and says when the last short dimension will hold
 * it. Mutates `state`.
 */
export function take(state: BucketState, now: number, cost: BucketCost): BucketTake {
  roll(state, now);
  let retryAt = 0;
  let denied: "requests" | "tokens" | null = null;
  for (const name of dimensionNames) {
    const dim = state[name];
    const amount = cost[name];
    if (amount > 0 && dim.capacity > 0) {
      const need = Math.min(amount + dim.reserve, dim.capacity);
      if (dim.level < need - need * levelSlack) {
        const at = now + Math.ceil((need - dim.level) / dim.rate);
        if (at > retryAt) {
          retryAt = at;
          denied = name;
        }
      }
    }
  }
  if (denied !== null) {
    state.deniedAt = now;
    return { ok: false, dimension: denied, retryAt };
  }
  for (const name of dimensionNames) {
    const dim = state[name];
    const amount = cost[name];
    if (amount > 0) {
      if (dim.capacity > 0) dim.level = dim.level - amount;
      dim.taken = dim.taken + amount;
    }
  }
  return { ok: true, mark: { requests: state.requests.taken, tokens: state.tokens.taken } };
}

/** Gives back what a take charged. Mutates `state`. */
export function release(state: BucketState, now: number, cost: BucketCost): void {
  roll(state, now);
  for (const name of dimensionNames) {
    const dim = state[name];
    const amount = cost[name];
    if (amount > 0) {
      if (dim.capacity > 0) dim.level = Math.min(dim.capacity, dim.level + amount);
      dim.taken = Math.max(0, dim.taken - amount);
    }
  }
}

/**
 * The provider's remaining right after a request sent at `sentAt`, projected to `now`: refilled since,
 * minus what was taken after the request (by its mark). It lowers the level at once; it raises it
 * (by `raiseGain` of the gap) only when it comes from the newest answer, so a late answer that does
 * not include requests sent before it arrived cannot put back what they took.
 */
function correct(dim: BucketDimension, remaining: number, sentAt: number, now: number, mark: number | null) {
  const after = mark === null ? 0 : Math.max(0, dim.taken - mark);
  const projected = Math.min(dim.capacity, remaining + dim.rate * Math.max(0, now - sentAt) - after);
  const fresh = mark !== null && mark > dim.observedMark;
  // Whole units only: a fraction is timing noise (rounded resets, clock reads), not a measured error,
  // and with small limits a fractional reserve would keep the last unit from ever being taken.
  const lowered = Math.floor(Math.max(0, dim.level - projected));
  dim.reserve = Math.min(dim.capacity / 2, Math.max(lowered, dim.reserve * reserveDecay));
  if (projected < dim.level) dim.level = projected;
  else if (fresh) dim.level = dim.level + raiseGain * (projected - dim.level);
  if (fresh) dim.observedMark = mark;
}

function read(
  dim: BucketDimension,
  reading: BucketReading | null,
  sentAt: number,
  now: number,
  mark: number | null,
) {
  if (reading === null) return;
  let firstSight = false;
  if (reading.capacity > 0 && reading.rate > 0) {
    firstSight = dim.capacity <= 0;
    dim.capacity = reading.capacity;
    dim.rate = reading.rate;
    dim.level = firstSight ? dim.capacity : Math.min(dim.level, dim.capacity);
  }
  if (reading.remaining !== null && dim.capacity > 0) {
    correct(dim, reading.remaining, sentAt, now, mark);
    // The first answer teaches the level: it says nothing about the mirror's error.
    if (firstSight) dim.reserve = 0;
  }
}

/** A 429: nothing more until `retryAt` (then `allowance` units), as the provider asked. */
function hold(dim: BucketDimension, now: number, retryAt: number | null, allowance: number): void {
  if (dim.capacity <= 0) return;
  const wait = retryAt === null ? 0 : Math.max(0, retryAt - now);
  dim.level = Math.min(dim.level, Math.min(dim.capacity, allowance) - dim.rate * wait);
}

function burst(policy: AimdPolicy, rate: number): number {
  return Math.max(1, rate * policy.burstMs, policy.minCapacity ?? 0);
}

/**
 * Paces requests without headers: the rate grows with the time the pace binds (a take was denied
 * since the answered request was sent, or the pace is empty), and is cut on a 429 of a request sent
 * since the last cut (one cut per round of 429s), never below the policy's refill floor.
 */
function aimd(state: BucketState, now: number, observation: BucketObservation, policy: AimdPolicy): void {
  const dim = state.requests;
  if (state.mode !== "aimd" || dim.capacity <= 0) {
    state.mode = "aimd";
    state.slowStart = true;
    state.decreaseMark = 0;
    state.pacedAt = now;
    dim.rate = policy.initialRate;
    dim.capacity = burst(policy, dim.rate);
    dim.level = dim.capacity;
    dim.reserve = 0;
    state.tokens.capacity = 0;
    state.tokens.rate = 0;
    state.tokens.level = 0;
    state.tokens.reserve = 0;
  }
  const mark = observation.mark === null ? null : observation.mark.requests;
  if (observation.rejected) {
    if (mark === null || mark > state.decreaseMark) {
      // Cut, but not below what the provider's 429s show it refills (the floor), by 2 % at least.
      const floor = Math.min(policy.floorRate ?? 0, dim.rate * floorCut);
      dim.rate = Math.max(dim.rate * policy.decrease, floor);
      state.slowStart = false;
      state.decreaseMark = dim.taken;
      state.pacedAt = now;
    }
    dim.capacity = burst(policy, dim.rate);
    dim.level = Math.min(dim.level, dim.capacity);
    hold(dim, now, observation.retryAt, 1);
    return;
  }
  if (state.deniedAt >= observation.sentAt || dim.level < 1) {
    const increase = state.slowStart ? policy.slowStartIncrease : policy.increase;
    const elapsed = Math.min(growthWindowMs, Math.max(0, now - state.pacedAt));
    dim.rate = dim.rate * (1 + (increase * elapsed) / 1_000);
  }
  state.pacedAt = Math.max(state.pacedAt, now);
  dim.capacity = burst(policy, dim.rate);
  dim.level = Math.min(dim.level, dim.capacity);
}

/** Applies one answer (see `StateStore.observeBucket`). Mutates `state`. */
export function observe(state: BucketState, now: number, observation: BucketObservation): void {
  roll(state, now);
  state.answers = state.answers + 1;
  if (observation.rejected) state.rejected = state.rejected + 1;
  state.observedAt = Math.max(state.observedAt, now);
  const { sentAt, mark } = observation;
  if (observation.requests !== null || observation.tokens !== null) {
    state.mode = "headers";
    read(state.requests, observation.requests, sentAt, now, mark === null ? null : mark.requests);
    read(state.tokens, observation.tokens, sentAt, now, mark === null ? null : mark.tokens);
    // A 429 holds off until its Retry-After; without one, a dimension the headers said nothing about.
    const { retryAt } = observation;
    if (observation.rejected && (retryAt !== null || observation.requests?.remaining == null))
      hold(state.requests, now, retryAt, 1);
    if (observation.rejected && (retryAt !== null || observation.tokens?.remaining == null))
      hold(state.tokens, now, retryAt, 0);
  } else if (observation.aimd !== null) {
    aimd(state, now, observation, observation.aimd);
  } else if (observation.rejected) {
    hold(state.requests, now, observation.retryAt, 1);
    hold(state.tokens, now, observation.retryAt, 0);
  }
  if (observation.extraTokens > 0 && state.tokens.capacity > 0)
    state.tokens.level = state.tokens.level - observation.extraTokens;
}
