import { deploymentState, type Deployment } from "../core/index.js";
import type { DeploymentCounters } from "../observability/index.js";
import type { DeploymentHealth, DeploymentState } from "../types/index.js";

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
    state: deploymentState(health, now),
    circuit: health.circuit,
  };
}
