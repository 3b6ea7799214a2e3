import {
  AllDeploymentsFailedError,
  InvalidRequestError,
  RateLimitedError,
  TimeoutError,
} from "../../errors/index.js";
import type { Clock } from "../../types/index.js";
import type { Cancellation } from "../cancellation.js";
import type { Ticket, WaitQueue } from "../wait-queue.js";
import type { Exclusions } from "./exclusions.js";
import type { RequestSession } from "./request-session.js";

/** A request's place in its group's wait queue, and when it started waiting. */
export interface WaitState {
  ticket: Ticket | null;
  since: number | null;
}

/** Resolves after `ms` on `clock`, or rejects with the caller's abort when it comes first. */
export function pause(clock: Clock, ms: number, session: RequestSession): Promise<void> {
  const cancellation: Cancellation | undefined = session.cancellation;
  if (cancellation?.aborted) return Promise.reject(session.abortError());
  return new Promise((resolve, reject) => {
    const onCancel = (): void => {
      clock.clearTimeout(handle);
      reject(session.abortError());
    };
    const handle = clock.setTimeout(() => {
      cancellation?.off(onCancel);
      resolve();
    }, ms);
    cancellation?.onCancel(onCancel);
  });
}

/**
 * Nothing can take the request now: retry a transiently failed deployment after a short pause,
 * wait for the earliest recovery when it is within the wait budget, or throw the error that fits
 * (the caller's bad request, context length, 429 with when capacity frees, all attempts failed).
 */
export async function waitOrThrow(
  session: RequestSession,
  exclusions: Exclusions,
  earliest: number | null,
  rateLimited: boolean,
  wait: WaitState,
): Promise<void> {
  const { clock, options } = session.parts;
  const now = clock.now();
  const waited = wait.since === null ? 0 : now - wait.since;
  const budget = Math.min(options.maxWaitMs - waited, session.deadline - now);
  const again = exclusions.pendingRetry;
  if (again.size > 0 && (earliest === null || earliest - now > options.retrySameDelayMs)) {
    if (options.retrySameDelayMs >= session.deadline - now)
      throw exhaustedError(session, exclusions, earliest, now);
    for (const id of again) exclusions.excluded.delete(id);
    again.clear();
    await pause(clock, options.retrySameDelayMs, session);
    return;
  }
  if (earliest !== null && earliest - now <= budget) {
    wait.since ??= now;
    await pause(clock, Math.max(1, earliest - now), session);
    return;
  }
  if (exclusions.unsupportedFailure && earliest === null) {
    const cause = exclusions.unsupportedFailure.cause;
    if (cause instanceof InvalidRequestError) throw cause;
  }
  if (exclusions.contextFailure && exclusions.minContextWindow !== null) {
    const failure = exclusions.contextFailure;
    throw new InvalidRequestError(failure.message, {
      code: "context_length_exceeded",
      status: failure.status ?? 400,
      attempts: session.attempts,
      cause: failure.cause,
    });
  }
  if (rateLimited && earliest !== null)
    throw rateLimitedError(session, exclusions, Math.max(0, earliest - now));
  throw exhaustedError(session, exclusions, earliest, now);
}

/** The 429 of a group whose every deployment is at its limit, with when capacity frees. */
export function rateLimitedError(
  session: RequestSession,
  exclusions: Exclusions,
  retryAfterMs: number,
): RateLimitedError {
  return new RateLimitedError(
    `Every deployment of '${session.group.name}' is at its limit; capacity frees in about ${Math.ceil(retryAfterMs)} ms.`,
    Math.ceil(retryAfterMs),
    session.attempts,
    exclusions.lastFailure?.cause,
  );
}

/**
 * Share of the estimated capacity the queue admits against. Learned buckets refill continuously and
 * configured limits slide, so the estimate is the capacity (no margin for windows that reset together).
 */
const admissionMargin = 1;
/**
 * What each waiter's turn may run late, ms (its timer, the event loop): a queue of k admits only what
 * frees within the budget less k of these, so the last admitted is not turned away at the end of its wait.
 */
const turnLagMs = 2;

/**
 * Queues the request behind those already waiting for capacity — or, when the wait this would mean
 * exceeds `maxWaitMs` (or the queue is full), answers a 429 at once with the estimated wait as
 * Retry-After. `earliest` is when capacity frees (null: only queueing for fairness).
 */
export async function joinQueue(
  session: RequestSession,
  exclusions: Exclusions,
  queue: WaitQueue,
  wait: WaitState,
  earliest: number | null,
  now: number,
): Promise<void> {
  const { options } = session.parts;
  const ahead = queue.length;
  const first = earliest === null ? 0 : Math.max(0, earliest - now);
  const waited = wait.since === null ? 0 : now - wait.since;
  const budget = Math.min(options.maxWaitMs - waited, session.deadline - now);
  if (ahead >= options.maxQueue || first > budget)
    throw rateLimitedError(session, exclusions, Math.max(first, 1));
  // Admit only if the capacity that frees within the budget covers everyone ahead and this request:
  // a request turned away now costs the caller nothing; one that waits and is then turned away
  // costs it the whole wait.
  const horizon = Math.max(0, budget - (ahead + 1) * turnLagMs);
  const capacity = Math.floor(slotsWithin(session, now, horizon) * admissionMargin);
  if (ahead + 1 > capacity) {
    const estimate = capacity > 0 ? (budget * (ahead + 1)) / capacity : budget;
    throw rateLimitedError(session, exclusions, Math.max(first, estimate, 1));
  }
  wait.since ??= now;
  wait.ticket = await queue.enter(session.cancellation).catch(() => {
    throw session.abortError();
  });
}

/** Requests the group's deployments can take within `horizonMs` (Infinity when unbounded). */
function slotsWithin(session: RequestSession, now: number, horizonMs: number): number {
  let slots = 0;
  const tokens = session.tokens === null ? 0 : session.tokens.prompt + session.tokens.output;
  for (const deployment of session.group.deployments)
    slots += session.parts.capacity.slotsWithin(deployment, now, horizonMs, tokens);
  return slots;
}

/** Every attempt failed (or none could be made). */
export function exhaustedError(
  session: RequestSession,
  exclusions: Exclusions,
  earliest: number | null,
  now: number,
): AllDeploymentsFailedError {
  const tried = session.attempts.length;
  const summary = session.attempts
    .map((a) => `${a.deploymentId}: ${a.kind}${a.status ? ` ${a.status}` : ""}`)
    .join("; ");
  const message =
    tried === 0
      ? `No deployment of '${session.group.name}' is available (all disabled or circuits open).`
      : `All ${tried} attempts for '${session.group.name}' failed: ${summary}.`;
  return new AllDeploymentsFailedError(message, session.attempts, {
    status: tried === 0 ? 503 : 502,
    retryAfterMs: earliest === null ? null : Math.max(0, earliest - now),
    cause: exclusions.lastFailure?.cause,
  });
}

/** The request's deadline passed. */
export function deadlineError(session: RequestSession, exclusions: Exclusions): TimeoutError {
  return new TimeoutError(
    `Request to '${session.group.name}' did not complete within ${session.timeoutMs} ms (${session.attempts.length} attempts).`,
    session.attempts,
    exclusions.lastFailure?.cause,
  );
}
