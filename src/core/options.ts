import type { CircuitPolicy, Clock, Rng, StateStore } from "../types/index.js";
import type { LearnedCapacityOptions } from "./capacity/types.js";
import type { FailurePolicyOptions } from "./policy.js";
import type { Deployment, Strategy } from "./plan.js";
import {
  circuitSettings,
  cooldownSettings,
  definedSettings,
  engineSettings,
  settingDefaults,
  type ScalarEngineOption,
} from "./engine-settings.js";

/** Engine settings; every field has a default. */
export interface EngineOptions {
  /** Price per token of a deployment (any unit, the same for all), for `least-cost`; unknown: null. */
  priceOf?: ((deployment: Deployment) => number | null) | undefined;
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
  /**
   * Mid-stream recoveries per stream (a cut, stall or in-band error after the commit point continued
   * on another deployment). 0 turns recovery off. Default 1 (a continuation does not itself recover).
   */
  maxStreamRecoveries?: number;
  /**
   * A 429 whose Retry-After frees its tier within this long (and within `maxWaitMs`) is waited for
   * instead of dropping to a lower tier. 0 = never wait, fail over at once. Default 3 s.
   */
  sameTierWaitMs?: number;
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
export type ResolvedEngineOptions = Record<ScalarEngineOption, number> & {
  strategy: Strategy;
  circuit: CircuitPolicy;
  failure: FailurePolicyOptions;
  learned: LearnedCapacityOptions;
};

/** Fills in defaults (from the one list of settings, `engine-settings.ts`). */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  return {
    ...settingDefaults(engineSettings),
    ...definedSettings(engineSettings, options),
    strategy: options.strategy ?? "weighted",
    circuit: { ...settingDefaults(circuitSettings), ...definedSettings(circuitSettings, options.circuit) },
    failure: { ...settingDefaults(cooldownSettings), ...definedSettings(cooldownSettings, options.failure) },
    learned: { ...options.learned },
  };
}
