import type { BucketMark, HeaderMap, StateStore, Usage } from "../types/index.js";
import { LearnedCapacity, type CapacityOutcome, type CapacityView } from "./capacity/index.js";
import type { LearnedCapacityOptions } from "./capacity/types.js";
import { hasLimits, type Deployment } from "./plan.js";

/** What one request took from its deployment's capacity, to give back or settle after the answer. */
export interface Reservation {
  readonly deployment: Deployment;
  /** The learned bucket (the deployment, or its quota group's model). */
  readonly key: string;
  /** When it was taken (clock ms): the request's send time. */
  readonly sentAt: number;
  /** Charged to the learned bucket. */
  readonly cost: { requests: number; tokens: number };
  readonly mark: BucketMark | null;
  /** Tokens charged to the configured tpm window (0 without one). */
  readonly configuredTokens: number;
}

/** A refused take: when the deployment can take the request, and which budget was short. */
export interface Refusal {
  retryAt: number;
  dimension: "requests" | "tokens" | "requests_per_day" | "slow_start";
}

/**
 * What a request costs the deployment's learned bucket: 1 request and its tokens, except in the
 * dimensions the user configured (a configured limit replaces the learned one there).
 */
function learnedCost(deployment: Deployment, tokens: number): { requests: number; tokens: number } {
  const limits = deployment.limits;
  return {
    requests: limits?.rpm != null ? 0 : 1,
    tokens: limits?.tpm != null ? 0 : tokens,
  };
}

/** The key of the learned bucket of a deployment. */
export function bucketKey(deployment: Deployment): string {
  return deployment.quotaGroup ? `${deployment.quotaGroup}:${deployment.model}` : deployment.id;
}

/**
 * What each deployment can still take, from both sources of capacity: the limits a user configured
 * (rpm / tpm / rpd: sliding windows in the store, shared by every node) and the buckets llmux
 * learns from the provider's answers (`LearnedCapacity`). Both apply; a configured limit always
 * holds. A request takes its share when it is sent, and the answer settles it.
 */
export class CapacityGate {
  readonly learned: LearnedCapacity;

  constructor(
    private readonly store: StateStore,
    private readonly windowMs: number,
    options: LearnedCapacityOptions = {},
  ) {
    this.learned = new LearnedCapacity(store, options);
  }

  /** Null when the deployment's learned bucket can take a request of `tokens` now, else when it can. */
  blockedUntil(deployment: Deployment, now: number, tokens: number): number | null {
    return this.learned.blockedUntil(
      bucketKey(deployment),
      now,
      learnedCost(deployment, tokens),
      !hasLimits(deployment),
    );
  }

  /** The share of its capacity a deployment has left (0.02–1): scales its selection weight. */
  headroom(deployment: Deployment, now: number): number {
    let headroom = this.learned.headroom(bucketKey(deployment), now);
    const limits = deployment.limits;
    if (limits && hasLimits(deployment)) {
      const used = this.store.usage(deployment.id, now, this.windowMs);
      if (limits.rpm !== null) headroom = Math.min(headroom, 1 - used.requests / limits.rpm);
      if (limits.tpm !== null) headroom = Math.min(headroom, 1 - used.tokens / limits.tpm);
    }
    return Math.min(1, Math.max(0.02, headroom));
  }

  /** Requests of `tokens` the deployment can take between now and `now + horizonMs` (Infinity: unbounded). */
  slotsWithin(deployment: Deployment, now: number, horizonMs: number, tokens: number): number {
    const health = this.store.health(deployment.id);
    if (health.disabledReason !== null) return 0;
    const blocked = Math.max(health.cooldownUntil, health.circuit === "open" ? health.circuitOpenUntil : 0);
    if (blocked > now + horizonMs) return 0;
    let slots = this.learned.slotsWithin(
      bucketKey(deployment),
      now,
      horizonMs,
      learnedCost(deployment, tokens),
    );
    const limits = deployment.limits;
    if (limits && hasLimits(deployment)) {
      const refill = horizonMs / this.windowMs;
      const used = this.store.usage(deployment.id, now, this.windowMs);
      if (limits.rpm !== null)
        slots = Math.min(slots, Math.max(0, limits.rpm - used.requests) + limits.rpm * refill);
      if (limits.tpm !== null && tokens > 0)
        slots = Math.min(slots, (Math.max(0, limits.tpm - used.tokens) + limits.tpm * refill) / tokens);
      if (limits.rpd !== null) slots = Math.min(slots, Math.max(0, limits.rpd - used.requestsToday));
    }
    return Math.floor(slots);
  }

  /**
   * Takes the request's share at send time: the learned bucket first, then the configured windows
   * (the learned take is given back when a configured limit refuses). At most one store round trip
   * each on a shared store.
   */
  async take(deployment: Deployment, now: number, tokens: number): Promise<Reservation | Refusal> {
    const key = bucketKey(deployment);
    const cost = learnedCost(deployment, tokens);
    // A deployment with configured limits skips the slow start: the user told us what it takes.
    const learned = await this.learned.take(key, now, cost, !hasLimits(deployment));
    if (!learned.ok) return { retryAt: learned.retryAt, dimension: learned.reason };
    const limits = deployment.limits;
    let configuredTokens = 0;
    if (limits && hasLimits(deployment)) {
      configuredTokens = limits.tpm === null ? 0 : tokens;
      const result = await this.store.acquire(deployment.id, now, limits, configuredTokens, this.windowMs);
      if (!result.ok) {
        this.learned.release(key, now, cost);
        return { retryAt: result.retryAt, dimension: result.dimension };
      }
    }
    return { deployment, key, sentAt: now, cost, mark: learned.mark, configuredTokens };
  }

  /** The request never reached the provider: gives its share back. */
  release(reservation: Reservation, now: number): void {
    this.learned.release(reservation.key, now, reservation.cost);
    if (reservation.configuredTokens > 0)
      this.store.adjustTokens(reservation.deployment.id, now, -reservation.configuredTokens, this.windowMs);
  }

  /**
   * The answer (or a failure after the request reached the provider): feeds the learned bucket its
   * rate-limit headers, and settles the configured tpm charge with the real usage (only upward:
   * providers keep the max_tokens charge they took at admission).
   */
  observe(
    reservation: Reservation,
    now: number,
    outcome: CapacityOutcome,
    answer: { headers: HeaderMap | null; retryAfterMs: number | null; usage: Usage | null },
  ): void {
    const usedTokens = answer.usage ? totalTokens(answer.usage) : null;
    this.learned.observe(reservation.key, {
      sentAt: reservation.sentAt,
      at: now,
      mark: reservation.mark,
      cost: reservation.cost,
      outcome,
      rateLimits: answer.headers,
      retryAfterMs: answer.retryAfterMs,
      usedTokens,
    });
    this.settle(reservation, now, answer.usage);
  }

  /** Settles the configured tpm charge with the real usage (upward only). */
  settle(reservation: Reservation, now: number, usage: Usage | null): void {
    if (reservation.configuredTokens <= 0 || usage === null) return;
    const extra = totalTokens(usage) - reservation.configuredTokens;
    if (extra > 0) this.store.adjustTokens(reservation.deployment.id, now, extra, this.windowMs);
  }

  /** What llmux has learned about the deployment's bucket, for /status and /metrics. */
  view(deployment: Deployment, now: number): CapacityView {
    return this.learned.view(bucketKey(deployment), now);
  }

  clear(): void {
    this.learned.clear();
  }
}

function totalTokens(usage: Usage): number {
  return usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
}
