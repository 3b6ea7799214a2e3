import type { Failure } from "../types/index.js";
import type { Deployment } from "./plan.js";
import type { FailureDecision } from "./policy.js";
import type { LoopDeps } from "./loop-types.js";

/**
 * Applies a failure decision to the deployment's state and publishes what changed.
 */
export function applyDecision(
  deps: LoopDeps,
  deployment: Deployment,
  failure: Failure,
  decision: FailureDecision,
): void {
  const now = deps.clock.now();
  const { store, events } = deps;
  if (decision.cooldown) {
    const until = now + decision.cooldown.ms;
    store.coolDown(deployment.id, until, failure.kind, decision.cooldown.escalate);
    events.emit({
      type: "cooldown",
      deploymentId: deployment.id,
      reason: failure.kind,
      until,
      durationMs: decision.cooldown.ms,
      fromProvider: decision.cooldown.fromProvider,
      at: now,
    });
  }
  if (decision.disable !== null) {
    store.disable(deployment.id, decision.disable, now);
    events.emit({ type: "disabled", deploymentId: deployment.id, reason: decision.disable, at: now });
  }
  if (decision.circuitFailure) {
    const change = store.recordFailure(deployment.id, now, deps.options.circuit);
    if (change) events.emit({ type: "circuit", deploymentId: deployment.id, ...change, at: now });
  }
}

/** Records a success in the store and publishes a circuit change. */
export function applySuccess(deps: LoopDeps, deployment: Deployment): void {
  const now = deps.clock.now();
  const change = deps.store.recordSuccess(deployment.id, now);
  if (change) deps.events.emit({ type: "circuit", deploymentId: deployment.id, ...change, at: now });
}
