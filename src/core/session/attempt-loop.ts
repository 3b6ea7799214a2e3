import { AbortedError, InvalidRequestError, UnsendableRequestError } from "../../errors/index.js";
import type { Failure } from "../../types/index.js";
import { classifyFailure } from "../classify.js";
import type { Deployment } from "../plan.js";
import type { FailureDecision } from "../policy.js";
import type { Attempt } from "./attempt.js";
import { Exclusions } from "./exclusions.js";
import { HedgeTimer } from "./hedge.js";
import type { RequestSession } from "./request-session.js";
import { deadlineError, exhaustedError, joinQueue, pause, waitOrThrow, type WaitState } from "./waiting.js";

/**
 * Thrown by an attempt runner when the deployment refused an assistant prefill (learned in
 * `noPrefill`): the loop tries the same deployment again, which now regenerates without prefill.
 */
export class PrefillRejected extends Error {
  constructor(readonly rejection: unknown) {
    super("The deployment does not accept an assistant prefill");
  }
}

/** Whether another deployment of `deployment`'s tier may still take the request. */
function tierSiblings(session: RequestSession, exclusions: Exclusions, deployment: Deployment): boolean {
  for (const other of session.group.deployments)
    if (other.tier === deployment.tier && other.id !== deployment.id && exclusions.eligible(other))
      return true;
  return false;
}

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
export async function runAttempts<T>(
  session: RequestSession,
  run: AttemptRunner<T>,
  prepare?: (exclusions: Exclusions) => void,
): Promise<AttemptWin<T>> {
  const exclusions = new Exclusions(session);
  prepare?.(exclusions);
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
    const choice = parts.selector.choose(
      session.group,
      now,
      exclusions.eligible,
      session.prefer,
      session.stream,
    );
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
    if (exclusions.waitFor !== null) {
      // Same tier first: a 429 whose Retry-After ends within the wait budget is waited for.
      const { tier, until } = exclusions.waitFor;
      exclusions.waitFor = null;
      const waited = wait.since === null ? 0 : now - wait.since;
      const budget = Math.min(options.sameTierWaitMs, options.maxWaitMs - waited, session.deadline - now);
      if (deployment.tier > tier && until - now <= budget) {
        wait.since ??= now;
        exclusions.waitedForTier = true;
        await pause(clock, Math.max(1, until - now), session);
        continue;
      }
    }
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
    const settled = await runHedged(session, exclusions, run, session.startAttempt(deployment, taken));
    const attempt = settled.attempt;
    if (settled.ok) {
      if (attempt.firstTokenHr !== null)
        parts.firstTokens.observe(attempt.deployment.id, attempt.firstTokenHr - attempt.startedHr);
      return { value: settled.value, attempt };
    }
    {
      const thrown = settled.error;
      if (thrown instanceof PrefillRejected && !attempt.aborted) {
        // Learned; the same deployment is asked again, now for the whole answer.
        attempt.abort(thrown);
        const failure = classifyFailure(thrown.rejection, clock.now());
        session.endAttempt(attempt, { failure, usage: null, afterCommit: false });
        continue;
      }
      const error = attempt.aborted ? attempt.reason : thrown;
      attempt.abort(error);
      const failure = classifyFailure(error, clock.now());
      const decision = session.endAttempt(attempt, { failure, usage: null, afterCommit: false });
      handleFailure(session, exclusions, deployment, failure, decision);
      if (exclusions.retryNow !== null) {
        // A one-off failure on the tier's only deployment: one retry there before failing over.
        const id = exclusions.retryNow;
        exclusions.retryNow = null;
        if (options.retrySameDelayMs < session.deadline - clock.now()) {
          await pause(clock, options.retrySameDelayMs, session);
          exclusions.excluded.delete(id);
          exclusions.pendingRetry.delete(id);
        }
      }
    }
  }
}

/** How one attempt's run settled. */
type Settled<T> = { attempt: Attempt; ok: true; value: T } | { attempt: Attempt; ok: false; error: unknown };

function settle<T>(attempt: Attempt, run: AttemptRunner<T>): Promise<Settled<T>> {
  return attempt.guard(run(attempt)).then(
    (value): Settled<T> => ({ attempt, ok: true, value }),
    (error: unknown): Settled<T> => ({ attempt, ok: false, error }),
  );
}

/**
 * Runs `first`, and when its first token (a stream's commit, a non-stream's answer) is later than the
 * hedge delay, starts the next eligible deployment in parallel: the first to succeed wins and the
 * other is aborted (its capacity settled as an aborted attempt). A failure of one leaves the other
 * running; the one that settles last is returned for the loop's bookkeeping.
 */
function runHedged<T>(
  session: RequestSession,
  exclusions: Exclusions,
  run: AttemptRunner<T>,
  first: Attempt,
): Promise<Settled<T>> {
  const running = settle(first, run);
  const { group } = session;
  // No hedge possible: the attempt's own promise (no async frame around it).
  if (group.hedge === false || group.deployments.length < 2) return running;
  return raceHedge(session, exclusions, run, first, running);
}

/** `runHedged` once a hedge is possible: waits for the hedge delay, then races a second deployment. */
async function raceHedge<T>(
  session: RequestSession,
  exclusions: Exclusions,
  run: AttemptRunner<T>,
  first: Attempt,
  running: Promise<Settled<T>>,
): Promise<Settled<T>> {
  const { group, parts } = session;
  const { deployment } = first;
  const firstTokenMs = deployment.timeouts.firstTokenTimeoutMs ?? parts.options.firstTokenTimeoutMs;
  const delay = parts.firstTokens.delay(deployment.id, firstTokenMs, group.hedgeAfterMs ?? null);
  const now = parts.clock.now();
  if (now + delay >= session.deadline) return running;
  const timer = new HedgeTimer();
  parts.deadlines.add(timer, now + delay);
  const early = await Promise.race([running, timer.fired]);
  parts.deadlines.remove(timer);
  if (early !== null) return early;
  const second = await startHedge(session, exclusions, deployment);
  if (second === null) return running;
  session.hedged(second.deployment, deployment, "started");
  const hedged = settle(second, run);
  const winner = await Promise.race([running, hedged]);
  const [other, otherAttempt] = winner.attempt === first ? [hedged, second] : [running, first];
  if (winner.ok) {
    session.hedged(second.deployment, deployment, winner.attempt === second ? "won" : "lost");
    otherAttempt.abort(new AbortedError("A hedged attempt answered first."));
    void other.then((lost) => {
      if (lost.ok) return;
      const failure = classifyFailure(lost.error, parts.clock.now());
      session.endAttempt(otherAttempt, { failure, usage: null, afterCommit: false });
    });
    return winner;
  }
  // The first to settle failed: book it here; the other one's outcome goes back to the loop.
  winner.attempt.abort(winner.error);
  const failure = classifyFailure(
    winner.attempt.aborted ? winner.attempt.reason : winner.error,
    parts.clock.now(),
  );
  const decision = session.endAttempt(winner.attempt, { failure, usage: null, afterCommit: false });
  try {
    handleFailure(session, exclusions, winner.attempt.deployment, failure, decision);
  } catch (error) {
    otherAttempt.abort(error);
    void other.then((lost) => {
      if (!lost.ok)
        session.endAttempt(otherAttempt, {
          failure: classifyFailure(lost.error, parts.clock.now()),
          usage: null,
          afterCommit: false,
        });
    });
    throw error;
  }
  exclusions.retryNow = null;
  return other.then((last) => {
    if (last.ok) session.hedged(second.deployment, deployment, last.attempt === second ? "won" : "lost");
    return last;
  });
}

/** Starts the hedge: the next eligible deployment other than `busy`, with its capacity taken; or null. */
async function startHedge(
  session: RequestSession,
  exclusions: Exclusions,
  busy: Deployment,
): Promise<Attempt | null> {
  const { parts } = session;
  if (session.aborted || session.attempts.length + 2 > parts.options.maxAttempts) return null;
  const now = parts.clock.now();
  const wasExcluded = exclusions.excluded.has(busy.id);
  exclusions.excluded.add(busy.id);
  const choice = parts.selector.choose(session.group, now, exclusions.eligible, session.prefer);
  if (!wasExcluded) exclusions.excluded.delete(busy.id);
  if (choice.deployment === null) return null;
  const taken = await parts.capacity.take(choice.deployment, now, session.requestTokens(choice.deployment));
  if ("retryAt" in taken) return null;
  return session.startAttempt(choice.deployment, taken);
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
      const learned = contextWindowOf(failure.message);
      if (learned !== null) session.parts.windows.set(deployment.id, learned);
      const window = deployment.contextWindow ?? learned ?? 0;
      exclusions.minContextWindow = Math.max(exclusions.minContextWindow ?? 0, window);
      exclusions.contextModels.add(deployment.model);
      exclusions.contextFailure = failure;
      exclusions.excluded.add(deployment.id);
      return;
    }
    case "failover": {
      if (failure.kind === "unsupported") exclusions.unsupportedFailure = failure;
      if (decision.cooldown && decision.disable === null && !decision.retrySame && !decision.circuitFailure) {
        if (decision.cooldown.fromProvider && failure.kind === "rate_limited" && !exclusions.waitedForTier)
          exclusions.waitFor = {
            tier: deployment.tier,
            until: session.parts.clock.now() + decision.cooldown.ms + 1,
          };
        return;
      }
      const used = exclusions.retries.get(deployment.id) ?? 0;
      if (decision.retrySame && used < session.parts.options.retrySameLimit) {
        exclusions.retries.set(deployment.id, used + 1);
        exclusions.pendingRetry.add(deployment.id);
        if (decision.cooldown === null && !tierSiblings(session, exclusions, deployment))
          exclusions.retryNow = deployment.id;
      }
      exclusions.excluded.add(deployment.id);
      return;
    }
  }
}

/** The window in a context-length error ("maximum context length is 8192 tokens"), or null. */
export function contextWindowOf(message: string): number | null {
  const match =
    /(?:maximum context length|context window|context length)[^0-9]{0,40}?(\d[\d,]*)\s*tokens/i.exec(message);
  if (match === null) return null;
  const value = Number(match[1]!.replace(/,/g, ""));
  return Number.isFinite(value) && value > 0 ? value : null;
}
