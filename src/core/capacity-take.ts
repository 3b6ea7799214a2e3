import { hasLimits, type Deployment } from "./plan.js";
import type { RequestContext } from "./request-context.js";
import type { Exclusions, LoopDeps } from "./loop-types.js";

/**
 * Takes the request's share of the deployment's configured capacity (one round trip for a shared
 * store). Returns the tokens charged (0 without a tpm limit), or null when the deployment is full —
 * then it is skipped until its capacity frees, without counting as an attempt.
 */
export async function takeCapacity(
  deps: LoopDeps,
  context: RequestContext,
  exclusions: Exclusions,
  deployment: Deployment,
  now: number,
): Promise<number | null> {
  if (!hasLimits(deployment) || !deployment.limits) {
    deps.gate.noteStart(deployment.id, now, requestTokens(deps, context, deployment));
    return 0;
  }
  const tokens = deployment.limits.tpm === null ? 0 : requestTokens(deps, context, deployment);
  const result = await deps.store.acquire(
    deployment.id,
    now,
    deployment.limits,
    tokens,
    deps.options.capacityWindowMs,
  );
  if (result.ok) {
    deps.gate.noteStart(deployment.id, now, requestTokens(deps, context, deployment));
    return tokens;
  }
  exclusions.full.set(deployment.id, result.retryAt);
  deps.events.emit({
    type: "capacity_full",
    requestId: context.requestId,
    deploymentId: deployment.id,
    dimension: result.dimension,
    retryAt: result.retryAt,
    at: now,
  });
  return null;
}

/** The request's token estimate, computed once. */
export function requestTokens(deps: LoopDeps, context: RequestContext, deployment: Deployment): number {
  context.tokens ??= context.estimateTokens?.() ?? { prompt: 0, output: 0 };
  return Math.ceil(context.tokens.prompt * deps.calibration.factor(deployment.model)) + context.tokens.output;
}

/** When the first full deployment frees, or null. */
export function earliestFull(exclusions: Exclusions, now: number): number | null {
  let earliest: number | null = null;
  for (const at of exclusions.full.values())
    if (at > now) earliest = earliest === null ? at : Math.min(earliest, at);
  return earliest;
}
