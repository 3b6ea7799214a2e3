import type { FailureKind } from "./failure.js";

/** Circuit breaker position of one deployment. */
export type CircuitState = "closed" | "open" | "half_open";

/** Health of one deployment: cooldown, circuit and disablement. Plain data, easy to share. */
export interface DeploymentHealth {
  /** Epoch ms until which the deployment is cooling down; 0 when not. */
  cooldownUntil: number;
  cooldownReason: FailureKind | null;
  /** Cooldowns in a row without a provider signal; drives exponential backoff. */
  backoffLevel: number;
  circuit: CircuitState;
  /** Failures in a row (reset by a success). */
  consecutiveFailures: number;
  /** When an open circuit lets a probe through. */
  circuitOpenUntil: number;
  /** Times the circuit opened in a row (reset when it closes); drives the open duration. */
  circuitOpenCount: number;
  /** While half-open: epoch ms until which the single probe holds its lease; 0 when free. */
  probeLeaseUntil: number;
  /** Why the deployment was taken out (bad key, unknown model); null while in service. */
  disabledReason: string | null;
  disabledAt: number;
}

/** Circuit breaker settings. */
export interface CircuitPolicy {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** First open duration; doubles on each re-open up to `maxOpenMs`. */
  openMs: number;
  maxOpenMs: number;
  /** How long a half-open probe may run before another probe is allowed. */
  probeLeaseMs: number;
}

/** Result of asking whether a deployment may take a request now. */
export type Admission =
  | { ok: true; probe: boolean }
  | { ok: false; reason: "cooling" | "circuit_open" | "probe_in_flight" | "disabled"; until: number };

/** A circuit change reported by a store operation. */
export interface CircuitChange {
  from: CircuitState;
  to: CircuitState;
  until: number;
}

/** A deployment's availability at one moment, as every reader reports it (see `deploymentState`). */
export type DeploymentState =
  | { status: "available" }
  | { status: "cooling"; until: number; reason: string }
  | { status: "circuit_open"; until: number }
  | { status: "half_open"; probeInFlight: boolean }
  | { status: "disabled"; reason: string; since: number };

/** Configured capacity of one deployment; null = unlimited. */
export interface CapacityLimits {
  /** Requests per window (a minute, or `windowMs`). */
  rpm: number | null;
  /** Tokens (prompt + completion) per window. */
  tpm: number | null;
  /** Requests per day. */
  rpd: number | null;
}

/** Result of taking capacity for one request. */
export type Acquisition =
  { ok: true } | { ok: false; dimension: "requests" | "tokens" | "requests_per_day"; retryAt: number };

/** Remaining quota a provider reported in its headers (see `rateLimitSnapshot`). */
export interface QuotaSnapshot {
  requests: { limit: number | null; remaining: number | null; resetAt: number | null } | null;
  tokens: { limit: number | null; remaining: number | null; resetAt: number | null } | null;
  at: number;
}

/** What one request costs a learned bucket: a request and its token charge. A zero is neither checked nor charged. */
export interface BucketCost {
  requests: number;
  tokens: number;
}

/**
 * Where a take left a bucket's `taken` counters. Handed back with the request's answer, it tells the
 * store exactly what was sent after the request (across nodes), and whether the answer is the newest.
 */
export interface BucketMark {
  requests: number;
  tokens: number;
}

/** One metered dimension of a learned bucket (requests or tokens): a token bucket and its mirror. */
export interface BucketDimension {
  /** The most the bucket holds (its burst), in units; 0 while unknown (the dimension is then not metered). */
  capacity: number;
  /** Refill in units per ms (positive when `capacity` is). */
  rate: number;
  /** The mirror's level at the record's `at`; negative while a 429's Retry-After holds it back. */
  level: number;
  /** Units taken so far (a take's mark is this right after it; a release gives back). */
  taken: number;
  /** The highest mark an answer corrected the level from: older answers may only lower it. */
  observedMark: number;
  /**
   * Units a take leaves in the bucket: how optimistic the level proved lately (the decaying envelope of
   * what answers lowered it by: requests admitted out of order, charges the estimate missed).
   */
  reserve: number;
}

/** How a bucket is learned: not yet, from rate-limit headers, or from 429s alone. */
export type BucketMode = "unknown" | "headers" | "aimd";

/** What the store knows about one learned bucket (a deployment, or a quota group's model). */
export interface BucketState {
  mode: BucketMode;
  requests: BucketDimension;
  tokens: BucketDimension;
  /** When the levels were last rolled forward (the latest `now` the record has seen), epoch ms. */
  at: number;
  /** Answers observed, and how many of them were 429s. */
  answers: number;
  rejected: number;
  /** When the last answer was observed; 0: never. */
  observedAt: number;
  /** When a take was last denied (demand pressed on the pace); 0: never. */
  deniedAt: number;
  /** AIMD: the requests counter at the last decrease; a 429 of a request taken before it does not decrease again. */
  decreaseMark: number;
  /** AIMD: growing fast, no 429 seen yet. */
  slowStart: boolean;
  /** AIMD: when the pace last grew (or was found not binding); growth counts the time since. */
  pacedAt: number;
}

/** Result of taking a request's cost from a learned bucket. */
export type BucketTake =
  { ok: true; mark: BucketMark } | { ok: false; dimension: "requests" | "tokens"; retryAt: number };

/** Pacing of a bucket that sends no rate-limit headers: additive increase, multiplicative decrease. */
export interface AimdPolicy {
  /** The first paced rate, requests per ms. */
  initialRate: number;
  /** The pace's burst: this many ms of its rate may go at once (at least one request). */
  burstMs: number;
  /** Factor on the rate at a 429 of a request sent since the last decrease (e.g. 0.8). */
  decrease: number;
  /** Share of the rate added per second while the pace binds, once a 429 was seen (at most a second per answer). */
  increase: number;
  /** Share of the rate added per second while the pace binds, before the first 429. */
  slowStartIncrease: number;
  /**
   * A lower bound of the provider's refill learned from its 429s (requests per ms; 0 or absent: none).
   * A cut never takes the rate below it (but always cuts by at least 2 %).
   */
  floorRate?: number;
  /** The least burst of the pace, in requests (0 or absent: only `burstMs` of the rate). */
  minCapacity?: number;
}

/** What an answer says about one dimension: the node's learned shape and the provider's remaining. */
export interface BucketReading {
  capacity: number;
  /** Units per ms. */
  rate: number;
  /** What the provider said was left right after the request; null when it did not say. */
  remaining: number | null;
}

/** One answer, as a bucket's record takes it (see `StateStore.observeBucket`). */
export interface BucketObservation {
  /** When the answered request was taken (its take's `now`). */
  sentAt: number;
  /** Its take's mark; null when it was not taken through the bucket. */
  mark: BucketMark | null;
  /** A 429. */
  rejected: boolean;
  /** Headers mode: what the headers said per dimension (null: nothing for it). */
  requests: BucketReading | null;
  tokens: BucketReading | null;
  /** A 429's Retry-After as a time (epoch ms), or null. */
  retryAt: number | null;
  /** Tokens used beyond the charge, taken from the tokens level now (0: none). */
  extraTokens: number;
  /** No headers: pace requests by AIMD under this policy (null: headers mode, or no information). */
  aimd: AimdPolicy | null;
}

/** Where deployment state lives and whether it is in sync. */
export type StoreStatus = "memory" | "connected" | "degraded";

/**
 * Deployment state behind domain operations, so a shared store can make each one atomic.
 * Reads come from a local view and are synchronous; the memory store is the default.
 * A shared store writes through to its backend and keeps the view fresh from broadcasts; when the
 * backend is unreachable it keeps serving from the view (status `degraded`).
 */
export interface StateStore {
  /** `memory`, or for a shared store `connected` / `degraded`. */
  readonly status: StoreStatus;
  /** The current health of a deployment (a fresh default for unknown ids). */
  health(deploymentId: string): Readonly<DeploymentHealth>;
  /** May the deployment take a request now? Takes the half-open probe lease when it is the probe. */
  admit(deploymentId: string, now: number, probeLeaseMs: number): Admission;
  /** Cool the deployment down until `until`; `escalate` raises the backoff level (no provider signal). */
  coolDown(deploymentId: string, until: number, reason: FailureKind, escalate: boolean): void;
  /** Count a failure toward the circuit breaker. */
  recordFailure(deploymentId: string, now: number, policy: CircuitPolicy): CircuitChange | null;
  /** Count a success: closes the circuit and resets the failure and backoff counters. */
  recordSuccess(deploymentId: string, now: number): CircuitChange | null;
  /** Take the deployment out of service. */
  disable(deploymentId: string, reason: string, now: number): void;
  /** Put a disabled deployment back and clear its state. */
  enable(deploymentId: string): void;
  /**
   * Takes one request and `tokens` from the deployment's budgets for the current windows, atomically
   * (across nodes for a shared store). Windows are sliding (two fixed windows, weighted) of
   * `windowMs` for rpm/tpm and a day for rpd. A denied request takes nothing.
   */
  acquire(
    deploymentId: string,
    now: number,
    limits: CapacityLimits,
    tokens: number,
    windowMs: number,
  ): Acquisition | Promise<Acquisition>;
  /** Corrects the tokens charged to the current window once the real usage is known (may be negative). */
  adjustTokens(deploymentId: string, now: number, delta: number, windowMs: number): void;
  /** How much of each budget is used now (for selection by headroom and for status). */
  usage(
    deploymentId: string,
    now: number,
    windowMs: number,
  ): { requests: number; tokens: number; requestsToday: number };
  /** Remembers the quota a provider last reported for the deployment. */
  recordQuota(deploymentId: string, snapshot: QuotaSnapshot): void;
  /** The last quota snapshot, if any. */
  quota(deploymentId: string): QuotaSnapshot | null;
  /**
   * Takes `cost` from a learned bucket if every known dimension holds it at `now` (a cost bigger than a
   * dimension's capacity needs a full bucket), atomically across nodes; else says when it will. A
   * denied take takes nothing. One round trip for a shared store.
   */
  takeBucket(key: string, now: number, cost: BucketCost): BucketTake | Promise<BucketTake>;
  /** Gives back what a take charged (the request never reached the provider). */
  releaseBucket(key: string, now: number, cost: BucketCost): void;
  /**
   * Applies an answer: the learned shape, the level corrected from the provider's remaining (anchored
   * at the request's send, minus what was taken after it; raised only by the newest answer), AIMD pacing
   * and 429 holds, token settlement. Fire-and-forget for a shared store.
   */
  observeBucket(key: string, now: number, observation: BucketObservation): void;
  /** The bucket's record with its levels rolled forward to `now` (a copy); null when unknown or forgotten. */
  bucket(key: string, now: number): BucketState | null;
  /** The next value of a shared counter (round-robin positions), starting at 0. */
  nextCursor(key: string): number;
  /** Forget everything. */
  clear(): void;
  /** Releases connections and timers (no-op for memory). */
  close(): Promise<void>;
}
