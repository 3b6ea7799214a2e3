import type { Failure, Rng } from "../types/index.js";

/** Tunables of the failure policy. */
export interface FailurePolicyOptions {
  /** First backoff when a 429 carries no wait signal; doubles per repeat. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** ± fraction of random jitter on backoff (0.2 = ±20 %). */
  backoffJitter: number;
  /** Cooldown after 402 / insufficient quota / per-day quota. */
  quotaCooldownMs: number;
  /** Shortest cooldown we apply, so a `retry-after: 0` cannot make us spin. */
  minCooldownMs: number;
}

/** What to do after a failed attempt. */
export interface FailureDecision {
  /** `failover`: try another deployment; `larger_context`: only deployments with a larger window; `return`: give the error to the caller. */
  action: "failover" | "larger_context" | "return";
  /** Cool the deployment down for this long. */
  cooldown: { ms: number; fromProvider: boolean; escalate: boolean } | null;
  /** Take the deployment out of service, with this reason. */
  disable: string | null;
  /** Count toward the deployment's circuit breaker. */
  circuitFailure: boolean;
  /** The same deployment may be tried again later in this request (after the others). */
  retrySame: boolean;
}

const nothing: Omit<FailureDecision, "action"> = {
  cooldown: null,
  disable: null,
  circuitFailure: false,
  retrySame: false,
};

function backoff(options: FailurePolicyOptions, level: number, rng: Rng): number {
  const base = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** level);
  const jitter = 1 + options.backoffJitter * (2 * rng() - 1);
  return Math.max(options.minCooldownMs, Math.min(options.backoffMaxMs, Math.round(base * jitter)));
}

/**
 * The one failure policy: from a classified failure (and the deployment's backoff level) decide
 * whether to fail over, cool down, disable, count toward the circuit, or give up. Pure.
 */
export function decide(
  failure: Failure,
  backoffLevel: number,
  options: FailurePolicyOptions,
  rng: Rng,
): FailureDecision {
  const signal = failure.retryAfterMs;
  switch (failure.kind) {
    case "rate_limited":
      return {
        ...nothing,
        action: "failover",
        cooldown:
          signal === null
            ? { ms: backoff(options, backoffLevel, rng), fromProvider: false, escalate: true }
            : { ms: Math.max(options.minCooldownMs, signal), fromProvider: true, escalate: false },
      };
    case "quota_exhausted":
      return {
        ...nothing,
        action: "failover",
        cooldown: {
          ms: Math.max(options.quotaCooldownMs, signal ?? 0),
          fromProvider: signal !== null && signal >= options.quotaCooldownMs,
          escalate: false,
        },
      };
    case "overloaded":
      return {
        ...nothing,
        action: "failover",
        circuitFailure: true,
        retrySame: true,
        cooldown:
          signal === null
            ? null
            : { ms: Math.max(options.minCooldownMs, signal), fromProvider: true, escalate: false },
      };
    case "server_error":
    case "network":
    case "stream_cut":
    case "stream_error":
      return { ...nothing, action: "failover", circuitFailure: true, retrySame: true };
    case "timeout":
    case "stream_stall":
      return { ...nothing, action: "failover", circuitFailure: true };
    case "auth":
      return {
        ...nothing,
        action: "failover",
        disable: `rejected key (HTTP ${failure.status ?? "?"}): ${failure.message}`,
      };
    case "not_found":
      return {
        ...nothing,
        action: "failover",
        disable: `model not found (HTTP ${failure.status ?? "?"}): ${failure.message}`,
      };
    case "context_length":
      return { ...nothing, action: "larger_context" };
    case "unsupported":
      return { ...nothing, action: "failover" };
    case "bad_request":
    case "aborted":
    case "local":
      return { ...nothing, action: "return" };
  }
}
