import { acquire, adjustTokens, freshCounters, type CapacityCounters } from "./capacity.js";
import type { ReserveOutcome, ReserveRequest, SettleRequest } from "./spend-types.js";

/** Rate limits of virtual keys are per minute, on the sliding window of `capacity.ts`. */
export const keyWindowMs = 60_000;

interface Held {
  amount: number;
  expiresAt: number;
}

interface KeyState {
  /** Spent by budget window start. */
  spent: Map<number, { nano: number; periodEnd: number }>;
  held: Map<string, Held>;
  heldTotal: number;
  counters: CapacityCounters;
}

/**
 * The in-process accounting of virtual keys: spend per budget window, reservations in flight (they
 * expire), and per-minute request/token windows. Synchronous and exact; the memory and SQLite stores
 * are this plus persistence, and the Redis store keeps one as its view for when Redis is away.
 */
export class SpendLedger {
  readonly #keys = new Map<string, KeyState>();

  #state(keyId: string): KeyState {
    let state = this.#keys.get(keyId);
    if (!state) {
      state = { spent: new Map(), held: new Map(), heldTotal: 0, counters: freshCounters() };
      this.#keys.set(keyId, state);
    }
    return state;
  }

  #expire(state: KeyState, now: number): void {
    for (const [id, held] of state.held) {
      if (held.expiresAt <= now) {
        state.held.delete(id);
        state.heldTotal -= held.amount;
      }
    }
  }

  /** Budget first (a refusal that waiting cannot cure), then the rate limits; charges only when all pass. */
  reserve(request: ReserveRequest): ReserveOutcome {
    const state = this.#state(request.keyId);
    this.#expire(state, request.now);
    const spent = request.budget ? (state.spent.get(request.budget.periodStart)?.nano ?? 0) : 0;
    if (request.budget && spent + state.heldTotal + request.amountNanoUsd > request.budget.limitNanoUsd) {
      return { ok: false, reason: "budget", spentNanoUsd: spent, reservedNanoUsd: state.heldTotal };
    }
    if (request.rpm !== null || request.tpm !== null) {
      const limits = { rpm: request.rpm, tpm: request.tpm, rpd: null };
      const taken = acquire(state.counters, request.now, limits, request.tokens, keyWindowMs);
      if (!taken.ok) {
        return {
          ok: false,
          reason: taken.dimension === "tokens" ? "tokens" : "requests",
          retryAt: taken.retryAt,
        };
      }
    }
    state.held.set(request.reservationId, { amount: request.amountNanoUsd, expiresAt: request.expiresAt });
    state.heldTotal += request.amountNanoUsd;
    return { ok: true, spentNanoUsd: spent, reservedNanoUsd: state.heldTotal };
  }

  /** Adds the real cost to the reservation's window and releases it (an expired one is already gone). */
  settle(request: SettleRequest): void {
    if (request.keyId === null) return;
    const state = this.#state(request.keyId);
    if (request.reservationId !== null) {
      const held = state.held.get(request.reservationId);
      if (held) {
        state.held.delete(request.reservationId);
        state.heldTotal -= held.amount;
      }
    }
    if (request.periodStart !== null)
      this.add(request.keyId, request.periodStart, request.periodEnd ?? Infinity, request.amountNanoUsd);
    if (request.tokensDelta !== 0)
      adjustTokens(state.counters, request.now, request.tokensDelta, keyWindowMs);
  }

  /** Adds to what a key spent in one window. */
  add(keyId: string, periodStart: number, periodEnd: number, nano: number): void {
    const spent = this.#state(keyId).spent;
    const entry = spent.get(periodStart);
    if (entry) entry.nano += nano;
    else spent.set(periodStart, { nano, periodEnd });
  }

  /** Sets what a key spent in one window (the backend's figure). */
  setSpent(keyId: string, periodStart: number, periodEnd: number, nano: number): void {
    this.#state(keyId).spent.set(periodStart, { nano, periodEnd });
  }

  spent(keyId: string, periodStart: number): number {
    return this.#keys.get(keyId)?.spent.get(periodStart)?.nano ?? 0;
  }

  /** Reserved by requests in flight on a key. */
  reserved(keyId: string, now: number): number {
    const state = this.#keys.get(keyId);
    if (!state) return 0;
    this.#expire(state, now);
    return state.heldTotal;
  }

  /** Forgets windows that ended before `before` (they can no longer be charged). */
  prune(before: number): void {
    for (const state of this.#keys.values()) {
      for (const [start, entry] of state.spent) if (entry.periodEnd < before) state.spent.delete(start);
    }
  }
}
