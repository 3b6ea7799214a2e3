import type { DeploymentHealth, DeploymentState } from "../types/index.js";

/**
 * What a deployment's health means at `now`: the one reading of disabled → cooling → circuit open
 * → half-open → available that selection, metrics, /status and `getStats()` all use.
 */
const available: DeploymentState = Object.freeze({ status: "available" });

export function deploymentState(health: Readonly<DeploymentHealth>, now: number): DeploymentState {
  if (health.disabledReason !== null)
    return { status: "disabled", reason: health.disabledReason, since: health.disabledAt };
  if (health.cooldownUntil > now)
    return { status: "cooling", until: health.cooldownUntil, reason: health.cooldownReason ?? "unknown" };
  if (health.circuit === "open" && health.circuitOpenUntil > now)
    return { status: "circuit_open", until: health.circuitOpenUntil };
  if (health.circuit !== "closed")
    return { status: "half_open", probeInFlight: health.probeLeaseUntil > now };
  return available;
}

/** Whether a deployment in `state` can be asked now (a half-open one only when no probe is in flight). */
export function canTakeRequests(state: DeploymentState): boolean {
  return state.status === "available" || (state.status === "half_open" && !state.probeInFlight);
}

/** Whether the deployment can be asked at `now` (no probe lease is taken). */
export function isAvailable(health: Readonly<DeploymentHealth>, now: number): boolean {
  return canTakeRequests(deploymentState(health, now));
}
