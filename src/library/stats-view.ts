import type { Deployment } from "../core/index.js";
import type { DeploymentCounters } from "../observability/index.js";
import type { DeploymentHealth } from "../types/index.js";

/** A deployment's availability right now. */
export type DeploymentState =
  | { status: "available" }
  | { status: "cooling"; until: number; reason: string }
  | { status: "circuit_open"; until: number }
  | { status: "half_open" }
  | { status: "disabled"; reason: string; since: number };

/** One entry of `getStats()`: upstash's counters plus llmux's detail. */
export interface DeploymentStats extends DeploymentCounters {
  id: string;
  model: string;
  provider: string;
  tier: number;
  weight: number;
  state: DeploymentState;
  circuit: DeploymentHealth["circuit"];
}

/** What a deployment's health means at `now`. */
export function describeState(health: Readonly<DeploymentHealth>, now: number): DeploymentState {
  if (health.disabledReason !== null)
    return { status: "disabled", reason: health.disabledReason, since: health.disabledAt };
  if (health.cooldownUntil > now)
    return { status: "cooling", until: health.cooldownUntil, reason: health.cooldownReason ?? "unknown" };
  if (health.circuit === "open" && health.circuitOpenUntil > now)
    return { status: "circuit_open", until: health.circuitOpenUntil };
  if (health.circuit !== "closed") return { status: "half_open" };
  return { status: "available" };
}

/** Builds the stats entry of one deployment. */
export function deploymentStats(
  deployment: Deployment,
  counters: DeploymentCounters,
  health: Readonly<DeploymentHealth>,
  now: number,
): DeploymentStats {
  return {
    id: deployment.id,
    model: deployment.model,
    provider: deployment.provider,
    tier: deployment.tier,
    weight: deployment.weight,
    ...counters,
    state: describeState(health, now),
    circuit: health.circuit,
  };
}
