import type { CircuitPolicy, Clock, Rng, StateStore } from "../types/index.js";
import type { LearnedCapacityOptions } from "./capacity/types.js";
import type { FailurePolicyOptions } from "./policy.js";
import type { Strategy } from "./plan.js";

/** Engine settings; every field has a default. */
export interface EngineOptions {
  /** Default selection strategy for groups that do not set one. Default `weighted`. */
  strategy?: Strategy;
  /** Time to response headers (non-stream: the whole answer's headers) or first streamed token. Default 60 s. */
  firstTokenTimeoutMs?: number;
  /** Longest gap between stream events. Default 30 s. */
  streamIdleTimeoutMs?: number;
  /** Overall deadline of one request across all attempts and waits. Default 10 min. */
  timeoutMs?: number;
  /** Most upstream calls for one request. Default 8. */
  maxAttempts?: number;
  /** When every deployment is cooling or at its limit, wait this long at most for capacity. Default 3 s. */
  maxWaitMs?: number;
  /** Most requests waiting for capacity per model group; more get a 429 at once. Default 1000. */
  maxQueue?: number;
  /** Ignore a provider's reported remaining quota after this long. Default 60 s. */
  quotaStaleMs?: number;
  /** Times the same deployment may be retried in one request after a transient failure. Default 1. */
  retrySameLimit?: number;
  /** Pause before such a retry. Default 200 ms. */
  retrySameDelayMs?: number;
  /** How long to wait for `[DONE]` after a finish reason before ending the stream. Default 1 s. */
  finishGraceMs?: number;
  /** Length of the rpm/tpm window of configured deployment limits. Default 60 s (tests and benchmarks scale it). */
  capacityWindowMs?: number;
  /** Completion tokens assumed for a request without `max_tokens`, when charging a tpm budget. Default 256. */
  defaultOutputTokens?: number;
  circuit?: Partial<CircuitPolicy>;
  failure?: Partial<FailurePolicyOptions>;
  /** Tuning of the capacity llmux learns from providers' answers (defaults fit real providers). */
  learned?: LearnedCapacityOptions;
  /** Deployment state; default in-memory. */
  store?: StateStore;
  clock?: Clock;
  rng?: Rng;
}

/** Options with every default filled in. */
export interface ResolvedEngineOptions {
  strategy: Strategy;
  firstTokenTimeoutMs: number;
  streamIdleTimeoutMs: number;
  timeoutMs: number;
  maxAttempts: number;
  maxWaitMs: number;
  maxQueue: number;
  quotaStaleMs: number;
  retrySameLimit: number;
  retrySameDelayMs: number;
  finishGraceMs: number;
  capacityWindowMs: number;
  defaultOutputTokens: number;
  circuit: CircuitPolicy;
  failure: FailurePolicyOptions;
  learned: LearnedCapacityOptions;
}

/** Fills in defaults. */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  return {
    strategy: options.strategy ?? "weighted",
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 60_000,
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 30_000,
    timeoutMs: options.timeoutMs ?? 600_000,
    maxAttempts: options.maxAttempts ?? 8,
    maxWaitMs: options.maxWaitMs ?? 3_000,
    maxQueue: options.maxQueue ?? 1_000,
    quotaStaleMs: options.quotaStaleMs ?? 60_000,
    retrySameLimit: options.retrySameLimit ?? 1,
    retrySameDelayMs: options.retrySameDelayMs ?? 200,
    finishGraceMs: options.finishGraceMs ?? 1_000,
    capacityWindowMs: options.capacityWindowMs ?? 60_000,
    defaultOutputTokens: options.defaultOutputTokens ?? 256,
    circuit: {
      failureThreshold: 3,
      openMs: 10_000,
      maxOpenMs: 300_000,
      probeLeaseMs: 30_000,
      ...options.circuit,
    },
    failure: {
      backoffBaseMs: 1_000,
      backoffMaxMs: 60_000,
      backoffJitter: 0.2,
      quotaCooldownMs: 3_600_000,
      minCooldownMs: 10,
      ...options.failure,
    },
    learned: { ...options.learned },
  };
}
