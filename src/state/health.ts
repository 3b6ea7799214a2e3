import type {
  Admission,
  CircuitChange,
  CircuitPolicy,
  DeploymentHealth,
  FailureKind,
} from "../types/index.js";

/**
 * Pure transitions of one deployment's health. Every store applies these (the memory store directly,
 * a shared store inside its atomic operation), so all stores agree; `now` is always a parameter.
 */

/** A deployment that has seen nothing yet. */
export function freshHealth(): DeploymentHealth {
  return {
    cooldownUntil: 0,
    cooldownReason: null,
    backoffLevel: 0,
    circuit: "closed",
    consecutiveFailures: 0,
    circuitOpenUntil: 0,
    circuitOpenCount: 0,
    probeLeaseUntil: 0,
    disabledReason: null,
    disabledAt: 0,
  };
}

/**
 * Whether the deployment may take a request at `now`. When an open circuit's wait is over, the first
 * caller becomes the half-open probe and holds a lease; others wait until the probe ends or the lease
 * expires. Mutates `health` (the probe lease) and returns the verdict.
 */
export function admit(health: DeploymentHealth, now: number, probeLeaseMs: number): Admission {
  if (health.disabledReason !== null)
    return { ok: false, reason: "disabled", until: Number.POSITIVE_INFINITY };
  if (health.cooldownUntil > now) return { ok: false, reason: "cooling", until: health.cooldownUntil };
  if (health.circuit === "closed") return { ok: true, probe: false };
  if (health.circuit === "open" && health.circuitOpenUntil > now) {
    return { ok: false, reason: "circuit_open", until: health.circuitOpenUntil };
  }
  if (health.probeLeaseUntil > now)
    return { ok: false, reason: "probe_in_flight", until: health.probeLeaseUntil };
  health.circuit = "half_open";
  health.probeLeaseUntil = now + probeLeaseMs;
  return { ok: true, probe: true };
}

/** Cool down until `until` (never shortens an existing cooldown). */
export function coolDown(
  health: DeploymentHealth,
  until: number,
  reason: FailureKind,
  escalate: boolean,
): void {
  if (until > health.cooldownUntil) {
    health.cooldownUntil = until;
    health.cooldownReason = reason;
  }
  health.backoffLevel = escalate ? health.backoffLevel + 1 : 0;
}

/** Count a failure; opens the circuit at the threshold, or re-opens it when a half-open probe fails. */
export function recordFailure(
  health: DeploymentHealth,
  now: number,
  policy: CircuitPolicy,
): CircuitChange | null {
  health.consecutiveFailures += 1;
  const from = health.circuit;
  const probeFailed = from === "half_open";
  const thresholdReached = from === "closed" && health.consecutiveFailures >= policy.failureThreshold;
  if (!probeFailed && !thresholdReached) return null;
  const openMs = Math.min(policy.maxOpenMs, policy.openMs * 2 ** health.circuitOpenCount);
  health.circuit = "open";
  health.circuitOpenCount += 1;
  health.circuitOpenUntil = now + openMs;
  health.probeLeaseUntil = 0;
  return { from, to: "open", until: health.circuitOpenUntil };
}

/** Count a success: closes the circuit and resets the counters. */
export function recordSuccess(health: DeploymentHealth): CircuitChange | null {
  const from = health.circuit;
  health.consecutiveFailures = 0;
  health.backoffLevel = 0;
  health.circuitOpenCount = 0;
  health.probeLeaseUntil = 0;
  health.circuitOpenUntil = 0;
  health.circuit = "closed";
  return from === "closed" ? null : { from, to: "closed", until: 0 };
}

/** Take the deployment out of service. */
export function disable(health: DeploymentHealth, reason: string, now: number): void {
  health.disabledReason = reason;
  health.disabledAt = now;
}

/** When the deployment becomes available again (`now` if it is; Infinity when disabled). */
export function availableAt(health: Readonly<DeploymentHealth>, now: number): number {
  if (health.disabledReason !== null) return Number.POSITIVE_INFINITY;
  let at = Math.max(now, health.cooldownUntil);
  if (health.circuit === "open") at = Math.max(at, health.circuitOpenUntil);
  if (health.circuit !== "closed" && health.probeLeaseUntil > now) at = Math.max(at, health.probeLeaseUntil);
  return at;
}
