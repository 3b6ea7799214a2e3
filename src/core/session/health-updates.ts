import type { Failure } from "../../types/index.js";
import type { Deployment } from "../plan.js";
import type { FailureDecision } from "../policy.js";
import type { EngineParts } from "./engine-parts.js";

/** Applies a failure decision to the deployment's state and publishes what changed. */
export function applyDecision(
  parts: EngineParts,
  deployment: Deployment,
  failure: Failure,
  decision: FailureDecision,
): void {
  const now = parts.clock.now();
  const { store, events } = parts;
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
    const change = store.recordFailure(deployment.id, now, parts.options.circuit);
    if (change) events.emit({ type: "circuit", deploymentId: deployment.id, ...change, at: now });
  }
}

/**
 * Records a success. A deployment whose health is already clean (circuit closed, no failures, no
 * backoff) has nothing to record, so the common case costs a read and no store write.
 */
export function applySuccess(parts: EngineParts, deployment: Deployment): void {
  const health = parts.store.health(deployment.id);
  if (health.circuit === "closed" && health.consecutiveFailures === 0 && health.backoffLevel === 0) return;
  const now = parts.clock.now();
  const change = parts.store.recordSuccess(deployment.id, now);
  if (change) parts.events.emit({ type: "circuit", deploymentId: deployment.id, ...change, at: now });
}
