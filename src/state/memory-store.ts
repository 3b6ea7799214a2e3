import type {
  Acquisition,
  Admission,
  BucketCost,
  BucketObservation,
  BucketState,
  BucketTake,
  CapacityLimits,
  CircuitChange,
  CircuitPolicy,
  DeploymentHealth,
  FailureKind,
  QuotaSnapshot,
  StateStore,
  StoreStatus,
} from "../types/index.js";
import * as buckets from "./bucket.js";
import * as capacity from "./capacity.js";
import * as transitions from "./health.js";

/**
 * Deployment state in this process (the default store). Every operation is one synchronous
 * transition from `health.ts`, so it is atomic by construction.
 */
export class MemoryStateStore implements StateStore {
  readonly status: StoreStatus = "memory";
  readonly #health = new Map<string, DeploymentHealth>();
  readonly #counters = new Map<string, capacity.CapacityCounters>();
  readonly #quotas = new Map<string, QuotaSnapshot>();
  readonly #cursors = new Map<string, number>();
  readonly #buckets = new Map<string, BucketState>();
  #get(deploymentId: string): DeploymentHealth {
    let health = this.#health.get(deploymentId);
    if (!health) {
      health = transitions.freshHealth();
      this.#health.set(deploymentId, health);
    }
    return health;
  }

  health(deploymentId: string): Readonly<DeploymentHealth> {
    return this.#health.get(deploymentId) ?? transitions.freshHealth();
  }

  admit(deploymentId: string, now: number, probeLeaseMs: number): Admission {
    const health = this.#health.get(deploymentId);
    if (!health) return { ok: true, probe: false };
    return transitions.admit(health, now, probeLeaseMs);
  }

  coolDown(deploymentId: string, until: number, reason: FailureKind, escalate: boolean): void {
    transitions.coolDown(this.#get(deploymentId), until, reason, escalate);
  }

  recordFailure(deploymentId: string, now: number, policy: CircuitPolicy): CircuitChange | null {
    return transitions.recordFailure(this.#get(deploymentId), now, policy);
  }

  recordSuccess(deploymentId: string, _now: number): CircuitChange | null {
    const health = this.#health.get(deploymentId);
    return health ? transitions.recordSuccess(health) : null;
  }

  disable(deploymentId: string, reason: string, now: number): void {
    transitions.disable(this.#get(deploymentId), reason, now);
  }

  enable(deploymentId: string): void {
    this.#health.delete(deploymentId);
  }

  #countersOf(deploymentId: string): capacity.CapacityCounters {
    let counters = this.#counters.get(deploymentId);
    if (!counters) {
      counters = capacity.freshCounters();
      this.#counters.set(deploymentId, counters);
    }
    return counters;
  }

  acquire(
    deploymentId: string,
    now: number,
    limits: CapacityLimits,
    tokens: number,
    windowMs: number,
  ): Acquisition {
    if (limits.rpm === null && limits.tpm === null && limits.rpd === null) return { ok: true };
    return capacity.acquire(this.#countersOf(deploymentId), now, limits, tokens, windowMs);
  }

  adjustTokens(deploymentId: string, now: number, delta: number, windowMs: number): void {
    const counters = this.#counters.get(deploymentId);
    if (counters) capacity.adjustTokens(counters, now, delta, windowMs);
  }

  usage(
    deploymentId: string,
    now: number,
    windowMs: number,
  ): { requests: number; tokens: number; requestsToday: number } {
    const counters = this.#counters.get(deploymentId);
    return counters ? capacity.usage(counters, now, windowMs) : { requests: 0, tokens: 0, requestsToday: 0 };
  }

  recordQuota(deploymentId: string, snapshot: QuotaSnapshot): void {
    this.#quotas.set(deploymentId, snapshot);
  }

  quota(deploymentId: string): QuotaSnapshot | null {
    return this.#quotas.get(deploymentId) ?? null;
  }

  /** The live record of a bucket (fresh when unknown or forgotten). */
  #bucketOf(key: string, now: number): BucketState {
    let state = this.#buckets.get(key);
    if (!state || buckets.isForgotten(state, now)) {
      state = buckets.freshBucket();
      this.#buckets.set(key, state);
    }
    return state;
  }

  takeBucket(key: string, now: number, cost: BucketCost): BucketTake {
    return buckets.take(this.#bucketOf(key, now), now, cost);
  }

  releaseBucket(key: string, now: number, cost: BucketCost): void {
    const state = this.#buckets.get(key);
    if (state && !buckets.isForgotten(state, now)) buckets.release(state, now, cost);
  }

  observeBucket(key: string, now: number, observation: BucketObservation): void {
    buckets.observe(this.#bucketOf(key, now), now, observation);
  }

  bucket(key: string, now: number): BucketState | null {
    const state = this.#buckets.get(key);
    return state && !buckets.isForgotten(state, now) ? buckets.rolled(state, now) : null;
  }

  nextCursor(key: string): number {
    const value = this.#cursors.get(key) ?? 0;
    this.#cursors.set(key, value + 1);
    return value;
  }

  clear(): void {
    this.#health.clear();
    this.#counters.clear();
    this.#quotas.clear();
    this.#cursors.clear();
    this.#buckets.clear();
  }

  async close(): Promise<void> {}
}
