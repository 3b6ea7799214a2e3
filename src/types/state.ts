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
  /** The next value of a shared counter (round-robin positions), starting at 0. */
  nextCursor(key: string): number;
  /** Forget everything. */
  clear(): void;
  /** Releases connections and timers (no-op for memory). */
  close(): Promise<void>;
}
