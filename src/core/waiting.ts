import {
  AbortedError,
  AllDeploymentsFailedError,
  InvalidRequestError,
  RateLimitedError,
  TimeoutError,
} from "../errors/index.js";
import { sleep } from "../util/index.js";
import type { RequestContext } from "./request-context.js";
import type { WaitQueue } from "./wait-queue.js";
import type { Exclusions, LoopDeps, WaitState } from "./loop-types.js";

export async function waitOrThrow(
  deps: LoopDeps,
  context: RequestContext,
  exclusions: Exclusions,
  earliest: number | null,
  rateLimited: boolean,
  wait: WaitState,
): Promise<void> {
  const now = deps.clock.now();
  const waited = wait.since === null ? 0 : now - wait.since;
  const budget = Math.min(deps.options.maxWaitMs - waited, context.deadline - now);
  const again = exclusions.pendingRetry;
  if (again.size > 0 && (earliest === null || earliest - now > deps.options.retrySameDelayMs)) {
    if (deps.options.retrySameDelayMs >= context.deadline - now)
      throw exhaustedError(context, exclusions, earliest, now);
    for (const id of again) exclusions.excluded.delete(id);
    again.clear();
    await sleep(deps.clock, deps.options.retrySameDelayMs, context.signal).catch(abortToError(context));
    return;
  }
  if (earliest !== null && earliest - now <= budget) {
    wait.since ??= now;
    await sleep(deps.clock, Math.max(1, earliest - now), context.signal).catch(abortToError(context));
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
      attempts: context.attempts,
      cause: failure.cause,
    });
  }
  if (rateLimited && earliest !== null)
    throw rateLimitedError(context, exclusions, Math.max(0, earliest - now));
  throw exhaustedError(context, exclusions, earliest, now);
}

export function rateLimitedError(
  context: RequestContext,
  exclusions: Exclusions,
  retryAfterMs: number,
): RateLimitedError {
  return new RateLimitedError(
    `Every deployment of '${context.group.name}' is at its limit; capacity frees in about ${Math.ceil(retryAfterMs)} ms.`,
    Math.ceil(retryAfterMs),
    context.attempts,
    exclusions.lastFailure?.cause,
  );
}

/** Share of the estimated capacity the queue admits against. */
const admissionMargin = 0.8;

/**
 * Queues the request behind those already waiting for capacity — or, when the wait this would mean
 * exceeds `maxWaitMs` (or the queue is full), answers a 429 at once with the estimated wait as
 * Retry-After. `earliest` is when capacity frees (null: only queueing for fairness).
 */
export async function joinQueue(
  deps: LoopDeps,
  context: RequestContext,
  exclusions: Exclusions,
  queue: WaitQueue,
  wait: WaitState,
  earliest: number | null,
  now: number,
): Promise<void> {
  const ahead = queue.length;
  const first = earliest === null ? 0 : Math.max(0, earliest - now);
  const waited = wait.since === null ? 0 : now - wait.since;
  const budget = Math.min(deps.options.maxWaitMs - waited, context.deadline - now);
  if (ahead >= deps.options.maxQueue || first > budget)
    throw rateLimitedError(context, exclusions, Math.max(first, 1));
  // Admit only if the capacity that frees within the budget covers everyone ahead and this request.
  // Capacity frees in bursts (provider windows reset together), so count on a bit less than the
  // estimate: a request turned away now costs the caller nothing; one that waits and is then turned
  // away costs it the whole wait.
  const capacity = Math.floor(slotsWithin(deps, context, now, budget) * admissionMargin);
  if (ahead + 1 > capacity) {
    const estimate = capacity > 0 ? (budget * (ahead + 1)) / capacity : budget;
    throw rateLimitedError(context, exclusions, Math.max(first, estimate, 1));
  }
  wait.since ??= now;
  wait.ticket = await queue.enter(context.signal).catch(abortToError(context));
}

/** Requests the group's deployments can take within `horizonMs` (Infinity when unbounded). */
function slotsWithin(deps: LoopDeps, context: RequestContext, now: number, horizonMs: number): number {
  let slots = 0;
  const tokens = context.tokens === null ? 0 : context.tokens.prompt + context.tokens.output;
  for (const deployment of context.group.deployments)
    slots += deps.gate.slotsWithin(deployment, now, horizonMs, tokens);
  return slots;
}

export function abortToError(context: RequestContext): (reason: unknown) => never {
  return (reason) => {
    throw new AbortedError(undefined, context.signal?.reason ?? reason);
  };
}

export function exhaustedError(
  context: RequestContext,
  exclusions: Exclusions,
  earliest: number | null,
  now: number,
): AllDeploymentsFailedError {
  const tried = context.attempts.length;
  const summary = context.attempts
    .map((a) => `${a.deploymentId}: ${a.kind}${a.status ? ` ${a.status}` : ""}`)
    .join("; ");
  const message =
    tried === 0
      ? `No deployment of '${context.group.name}' is available (all disabled or circuits open).`
      : `All ${tried} attempts for '${context.group.name}' failed: ${summary}.`;
  return new AllDeploymentsFailedError(message, context.attempts, {
    status: tried === 0 ? 503 : 502,
    retryAfterMs: earliest === null ? null : Math.max(0, earliest - now),
    cause: exclusions.lastFailure?.cause,
  });
}

export function deadlineError(context: RequestContext, exclusions: Exclusions): TimeoutError {
  return new TimeoutError(
    `Request to '${context.group.name}' did not complete within ${context.timeoutMs} ms (${context.attempts.length} attempts).`,
    context.attempts,
    exclusions.lastFailure?.cause,
  );
}
