import { AbortedError, InvalidRequestError, UnsendableRequestError } from "../../errors/index.js";
import type { Failure } from "../../types/index.js";
import { classifyFailure } from "../classify.js";
import type { Deployment } from "../plan.js";
import type { FailureDecision } from "../policy.js";
import type { Attempt } from "./attempt.js";
import { Exclusions } from "./exclusions.js";
import type { RequestSession } from "./request-session.js";
import { deadlineError, exhaustedError, joinQueue, waitOrThrow, type WaitState } from "./waiting.js";

/** The answer of the attempt that succeeded (its bookkeeping is still open: the caller ends it). */
export interface AttemptWin<T> {
  value: T;
  attempt: Attempt;
}

/** Runs one attempt: calls the deployment's target with the attempt as its options; throws on failure. */
export type AttemptRunner<T> = (attempt: Attempt) => Promise<T>;

/**
 * The attempt loop: choose a deployment, take its capacity, run the attempt under its timeout, and
 * on failure apply the failure policy and fail over — until one answers, the caller's request is
 * bad, or nothing is left. Waits (queue, recovery, a retry's pause) stay within `maxWaitMs`.
 */
export async function runAttempts<T>(session: RequestSession, run: AttemptRunner<T>): Promise<AttemptWin<T>> {
  const exclusions = new Exclusions(session);
  const wait: WaitState = { ticket: null, since: null };
  try {
    return await loop(session, run, exclusions, wait);
  } finally {
    wait.ticket?.release();
  }
}

async function loop<T>(
  session: RequestSession,
  run: AttemptRunner<T>,
  exclusions: Exclusions,
  wait: WaitState,
): Promise<AttemptWin<T>> {
  const { parts } = session;
  const { options, clock } = parts;
  const queue = parts.queueFor(session.group.name);
  for (;;) {
    if (session.aborted) throw session.abortError();
    const now = clock.now();
    if (now >= session.deadline) throw deadlineError(session, exclusions);
    if (session.attempts.length >= options.maxAttempts) throw exhaustedError(session, exclusions, null, now);
    // Fairness: while others wait for capacity, a newcomer queues behind them instead of overtaking.
    if (wait.ticket === null && queue.length > 0 && session.attempts.length === 0) {
      await joinQueue(session, exclusions, queue, wait, null, now);
      continue;
    }
    const choice = parts.selector.choose(session.group, now, exclusions.eligible, session.prefer);
    if (choice.deployment === null) {
      const full = exclusions.earliestFull(now);
      const earliest = full === null ? choice.earliest : Math.min(full, choice.earliest ?? full);
      const limited = choice.rateLimited || full !== null;
      if (wait.ticket === null && earliest !== null && limited && exclusions.pendingRetry.size === 0) {
        await joinQueue(session, exclusions, queue, wait, earliest, now);
        continue;
      }
      await waitOrThrow(session, exclusions, earliest, limited, wait);
      continue;
    }
    const deployment = choice.deployment;
    const taken = await parts.capacity.take(deployment, now, session.requestTokens(deployment));
    if ("retryAt" in taken) {
      exclusions.full.set(deployment.id, taken.retryAt);
      parts.events.emit({
        type: "capacity_full",
        requestId: session.requestId,
        deploymentId: deployment.id,
        dimension: taken.dimension,
        retryAt: taken.retryAt,
        at: now,
      });
      continue;
    }
    wait.ticket?.release();
    wait.ticket = null;
    const attempt = session.startAttempt(deployment, taken);
    try {
      const value = await attempt.guard(run(attempt));
      return { value, attempt };
    } catch (thrown) {
      const error = attempt.aborted ? attempt.reason : thrown;
      attempt.abort(error);
      const failure = classifyFailure(error, clock.now());
      const decision = session.endAttempt(attempt, { failure, usage: null, afterCommit: false });
      handleFailure(session, exclusions, deployment, failure, decision);
    }
  }
}

/** Turns a failed attempt's decision into the request's next step: give up, or exclude and go on. */
function handleFailure(
  session: RequestSession,
  exclusions: Exclusions,
  deployment: Deployment,
  failure: Failure,
  decision: FailureDecision | null,
): void {
  if (failure.kind === "aborted" || decision === null)
    throw failure.cause instanceof AbortedError ? failure.cause : new AbortedError(undefined, failure.cause);
  if (failure.kind === "timeout" && failure.code === "deadline") throw deadlineError(session, exclusions);
  exclusions.lastFailure = failure;
  switch (decision.action) {
    case "return":
      throw new (failure.kind === "local" ? UnsendableRequestError : InvalidRequestError)(failure.message, {
        status: failure.status ?? 400,
        param: failure.cause instanceof InvalidRequestError ? failure.cause.param : null,
        deploymentId: deployment.id,
        provider: deployment.provider,
        attempts: session.attempts,
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
      if (decision.retrySame && used < session.parts.options.retrySameLimit) {
        exclusions.retries.set(deployment.id, used + 1);
        exclusions.pendingRetry.add(deployment.id);
      }
      exclusions.excluded.add(deployment.id);
      return;
    }
  }
}
