import { AbortedError, InvalidRequestError, UnsendableRequestError } from "../errors/index.js";
import type { Failure } from "../types/index.js";
import type { Deployment } from "./plan.js";
import { decide } from "./policy.js";
import type { RequestContext } from "./request-context.js";
import type { AttemptRunner, AttemptWin, Exclusions, LoopDeps, WaitState } from "./loop-types.js";
import { applyDecision } from "./health-updates.js";
import { earliestFull, requestTokens, takeCapacity } from "./capacity-take.js";
import { attemptOnce } from "./attempt-once.js";
import { deadlineError, exhaustedError, joinQueue, waitOrThrow } from "./waiting.js";

export type { AttemptHandle, AttemptRunner, AttemptWin, LoopDeps } from "./loop-types.js";
export { applyDecision, applySuccess } from "./health-updates.js";

function eligibleFor(
  exclusions: Exclusions,
  deps: LoopDeps,
  context: RequestContext,
): (deployment: Deployment) => boolean {
  return (deployment) => {
    if (exclusions.excluded.has(deployment.id)) return false;
    const now = deps.clock.now();
    if (exclusions.full.size > 0 && (exclusions.full.get(deployment.id) ?? 0) > now) return false;
    const blocked = deps.gate.blockedUntil(deployment, now, requestTokens(deps, context, deployment));
    if (blocked !== null) {
      exclusions.full.set(deployment.id, blocked);
      return false;
    }
    if (exclusions.minContextWindow === null) return true;
    if (exclusions.contextModels.has(deployment.model)) return false;
    return deployment.contextWindow !== null && deployment.contextWindow > exclusions.minContextWindow;
  };
}

/**
 * The attempt loop: choose a deployment, run the attempt under its timeouts, and on failure apply the
 * failure policy and fail over — until one answers, the caller's request is bad, or nothing is left.
 */
export async function runAttempts<T>(
  deps: LoopDeps,
  context: RequestContext,
  run: AttemptRunner<T>,
): Promise<AttemptWin<T>> {
  const exclusions: Exclusions = {
    excluded: new Set(),
    retries: new Map(),
    pendingRetry: new Set(),
    minContextWindow: null,
    contextFailure: null,
    unsupportedFailure: null,
    contextModels: new Set(),
    lastFailure: null,
    full: new Map(),
  };
  const eligible = eligibleFor(exclusions, deps, context);
  const wait: WaitState = { ticket: null, since: null };
  try {
    return await loop(deps, context, run, exclusions, eligible, wait);
  } finally {
    wait.ticket?.release();
  }
}

async function loop<T>(
  deps: LoopDeps,
  context: RequestContext,
  run: AttemptRunner<T>,
  exclusions: Exclusions,
  eligible: (deployment: Deployment) => boolean,
  wait: WaitState,
): Promise<AttemptWin<T>> {
  const { options, clock } = deps;
  const queue = deps.queueFor(context.group.name);
  for (;;) {
    if (context.signal?.aborted) throw new AbortedError(undefined, context.signal.reason);
    const now = clock.now();
    if (now >= context.deadline) throw deadlineError(context, exclusions);
    if (context.attempts.length >= options.maxAttempts) throw exhaustedError(context, exclusions, null, now);
    // Fairness: while others wait for capacity, a newcomer queues behind them instead of overtaking.
    if (wait.ticket === null && queue.length > 0 && context.attempts.length === 0) {
      await joinQueue(deps, context, exclusions, queue, wait, null, now);
      continue;
    }
    const choice = deps.selector.choose(context.group, now, eligible);
    if (choice.deployment === null) {
      const full = earliestFull(exclusions, now);
      const earliest = full === null ? choice.earliest : Math.min(full, choice.earliest ?? full);
      const limited = choice.rateLimited || full !== null;
      if (wait.ticket === null && earliest !== null && limited && exclusions.pendingRetry.size === 0) {
        await joinQueue(deps, context, exclusions, queue, wait, earliest, now);
        continue;
      }
      await waitOrThrow(deps, context, exclusions, earliest, limited, wait);
      continue;
    }
    const charged = await takeCapacity(deps, context, exclusions, choice.deployment, now);
    if (charged === null) continue;
    wait.ticket?.release();
    wait.ticket = null;
    const outcome = await attemptOnce(deps, context, choice.deployment, run);
    if ("value" in outcome) return { ...outcome, chargedTokens: charged };
    if (charged > 0)
      deps.store.adjustTokens(choice.deployment.id, deps.clock.now(), -charged, options.capacityWindowMs);
    handleFailure(deps, context, exclusions, choice.deployment, outcome.failure);
  }
}

function handleFailure(
  deps: LoopDeps,
  context: RequestContext,
  exclusions: Exclusions,
  deployment: Deployment,
  failure: Failure,
): void {
  if (failure.kind === "aborted")
    throw failure.cause instanceof AbortedError ? failure.cause : new AbortedError(undefined, failure.cause);
  if (failure.kind === "timeout" && failure.code === "deadline") throw deadlineError(context, exclusions);
  const decision = decide(
    failure,
    deps.store.health(deployment.id).backoffLevel,
    deps.options.failure,
    deps.rng,
  );
  applyDecision(deps, deployment, failure, decision);
  exclusions.lastFailure = failure;
  switch (decision.action) {
    case "return":
      throw new (failure.kind === "local" ? UnsendableRequestError : InvalidRequestError)(failure.message, {
        status: failure.status ?? 400,
        param: failure.cause instanceof InvalidRequestError ? failure.cause.param : null,
        deploymentId: deployment.id,
        provider: deployment.provider,
        attempts: context.attempts,
        cause: failure.cause,
      });
    case "larger_context": {
      const window = deployment.contextWindow ?? 0;
      exclusions.minContextWindow = Math.max(exclusions.minContextWindow ?? 0, window);
      exclusions.contextModels.add(deployment.model);
      exclusions.contextFailure = failure;
      exclusions.excluded.add(deployment.id);
      return;
    }
    case "failover": {
      if (failure.kind === "unsupported") exclusions.unsupportedFailure = failure;
      if (decision.cooldown && decision.disable === null && !decision.retrySame && !decision.circuitFailure)
        return;
      const used = exclusions.retries.get(deployment.id) ?? 0;
      if (decision.retrySame && used < deps.options.retrySameLimit) {
        exclusions.retries.set(deployment.id, used + 1);
        exclusions.pendingRetry.add(deployment.id);
      }
      exclusions.excluded.add(deployment.id);
      return;
    }
  }
}
