import type {
  Admission,
  CircuitChange,
  CircuitPolicy,
  DeploymentHealth,
  FailureKind,
  StateStore,
} from "../types/index.js";
import * as transitions from "./health.js";

/**
 * Deployment state in this process (the default store). Every operation is one synchronous
 * transition from `health.ts`, so it is atomic by construction.
 */
export class MemoryStateStore implements StateStore {
  readonly #health = new Map<string, DeploymentHealth>();
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

  clear(): void {
    this.#health.clear();
  }
}
