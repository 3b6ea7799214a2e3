import { performance } from "node:perf_hooks";
import {
  AbortedError,
  AllDeploymentsFailedError,
  InvalidRequestError,
  RateLimitedError,
  TimeoutError,
} from "../errors/index.js";
import type { AttemptRecord, Clock, Failure, HeaderMap, Rng, StateStore } from "../types/index.js";
import { sleep } from "../util/index.js";
import { linkAbort, raceAbort } from "./abort.js";
import { AttemptTimeout, classifyFailure } from "./classify.js";
import type { EngineEvents } from "./events.js";
import type { ResolvedEngineOptions } from "./options.js";
import { hasLimits, type Deployment } from "./plan.js";
import { decide, type FailureDecision } from "./policy.js";
import type { RequestContext } from "./request-context.js";
import type { QuotaGate } from "./quota-gate.js";
import type { Selector } from "./selector.js";
import type { Ticket, WaitQueue } from "./wait-queue.js";

/** What one attempt gets: its abort signal and when it started. */
export interface AttemptHandle {
  readonly signal: AbortSignal;
  readonly controller: AbortController;
  readonly startedAt: number;
  /** `performance.now()` at the start, for precise durations. */
  readonly startedHr: number;
  readonly number: number;
  /** Response headers, once the target has them (set by the run function). */
  headers: HeaderMap | null;
}

/** The answer of a successful attempt. */
export interface AttemptWin<T> {
  value: T;
  /** Tokens charged to the deployment's tpm budget up front (reconcile with the real usage). */
  chargedTokens: number;
  deployment: Deployment;
  attempt: AttemptHandle;
  /** Ends the attempt's bookkeeping: unlinks the caller's signal. Streams call it when they end. */
  release: () => void;
}

/** Everything the loop needs from the engine. */
export interface LoopDeps {
  readonly store: StateStore;
  readonly selector: Selector;
  readonly events: EngineEvents;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly options: ResolvedEngineOptions;
  readonly gate: QuotaGate;
  /** The fair wait queue of a group. */
  readonly queueFor: (group: string) => WaitQueue;
}

/**
 * Takes the request's share of the deployment's configured capacity (one round trip for a shared
 * store). Returns the tokens charged (0 without a tpm limit), or null when the deployment is full —
 * then it is skipped until its capacity frees, without counting as an attempt.
 */
async function takeCapacity(
  deps: LoopDeps,
  context: RequestContext,
  exclusions: Exclusions,
  deployment: Deployment,
  now: number,
): Promise<number | null> {
  if (!hasLimits(deployment) || !deployment.limits) {
    deps.gate.noteStart(deployment.id, now, requestTokens(context));
    return 0;
  }
  const tokens = deployment.limits.tpm === null ? 0 : requestTokens(context);
  const result = await deps.store.acquire(
    deployment.id,
    now,
    deployment.limits,
    tokens,
    deps.options.capacityWindowMs,
  );
  if (result.ok) {
    deps.gate.noteStart(deployment.id, now, requestTokens(context));
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
function requestTokens(context: RequestContext): number {
  if (context.tokens === null) context.tokens = context.estimateTokens?.() ?? 0;
  return context.tokens;
}

/** When the first full deployment frees, or null. */
function earliestFull(exclusions: Exclusions, now: number): number | null {
  let earliest: number | null = null;
  for (const at of exclusions.full.values())
    if (at > now) earliest = earliest === null ? at : Math.min(earliest, at);
  return earliest;
}

/** Runs one attempt against a deployment; throws on failure. */
export type AttemptRunner<T> = (deployment: Deployment, attempt: AttemptHandle) => Promise<T>;

/** Per-request memory of which deployments not to try again. */
interface Exclusions {
  excluded: Set<string>;
  retries: Map<string, number>;
  /** Excluded after a transient failure, to be tried once more when nothing else is left. */
  pendingRetry: Set<string>;
  /** After a context-length failure: only deployments whose window is larger than this. */
  minContextWindow: number | null;
  contextFailure: Failure | null;
  contextModels: Set<string>;
  lastFailure: Failure | null;
  /** Deployments whose configured capacity is used up, with when it frees (checked against the clock). */
  full: Map<string, number>;
}

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

function eligibleFor(
  exclusions: Exclusions,
  deps: LoopDeps,
  context: RequestContext,
): (deployment: Deployment) => boolean {
  return (deployment) => {
    if (exclusions.excluded.has(deployment.id)) return false;
    const now = deps.clock.now();
    if (exclusions.full.size > 0 && (exclusions.full.get(deployment.id) ?? 0) > now) return false;
    const blocked = deps.gate.blockedUntil(deployment, now, requestTokens(context));
    if (blocked !== null) {
      exclusions.full.set(deployment.id, blocked);
      return false;
    }
    if (exclusions.minContextWindow === null) return true;
    if (exclusions.contextModels.has(deployment.model)) return false;
    return deployment.contextWindow !== null && deployment.contextWindow > exclusions.minContextWindow;
  };
}

function attemptRecord(deployment: Deployment, failure: Failure | null, durationMs: number): AttemptRecord {
  return {
    deploymentId: deployment.id,
    model: deployment.model,
    kind: failure ? failure.kind : "success",
    status: failure ? failure.status : 200,
    message: failure ? failure.message : "ok",
    durationMs,
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

/** A request's place in its group's wait queue, and when it started waiting. */
interface WaitState {
  ticket: Ticket | null;
  since: number | null;
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

type AttemptOutcome<T> = AttemptWin<T> | { failure: Failure };

async function attemptOnce<T>(
  deps: LoopDeps,
  context: RequestContext,
  deployment: Deployment,
  run: AttemptRunner<T>,
): Promise<AttemptOutcome<T>> {
  const { clock, events, options } = deps;
  const controller = new AbortController();
  const startedAt = clock.now();
  const startedHr = performance.now();
  const number = context.attempts.length + 1;
  const attempt: AttemptHandle = {
    signal: controller.signal,
    controller,
    startedAt,
    startedHr,
    number,
    headers: null,
  };
  const unlink = linkAbort(
    context.signal,
    controller,
    () => new AbortedError(undefined, context.signal?.reason),
  );
  const firstTokenMs = deployment.timeouts.firstTokenTimeoutMs ?? options.firstTokenTimeoutMs;
  const remaining = context.deadline - startedAt;
  const timer = clock.setTimeout(
    () =>
      controller.abort(
        remaining < firstTokenMs
          ? new AttemptTimeout("deadline", context.timeoutMs)
          : new AttemptTimeout("first_token", firstTokenMs),
      ),
    Math.min(firstTokenMs, remaining),
  );
  events.emit({
    type: "attempt_start",
    requestId: context.requestId,
    group: context.group.name,
    deploymentId: deployment.id,
    model: deployment.model,
    provider: deployment.provider,
    attempt: number,
    stream: context.stream,
    at: startedAt,
  });
  try {
    const value = await raceAbort(run(deployment, attempt), controller.signal);
    clock.clearTimeout(timer);
    context.responseHeaders = attempt.headers ?? {};
    return { value, deployment, attempt, release: unlink, chargedTokens: 0 };
  } catch (thrown) {
    clock.clearTimeout(timer);
    unlink();
    const error: unknown = controller.signal.aborted ? controller.signal.reason : thrown;
    if (!controller.signal.aborted) controller.abort(error);
    const ended = clock.now();
    const durationMs = performance.now() - startedHr;
    const failure = classifyFailure(error, ended);
    context.upstreamMs += durationMs;
    context.attempts.push(attemptRecord(deployment, failure, durationMs));
    events.emit({
      type: "attempt_end",
      requestId: context.requestId,
      group: context.group.name,
      deploymentId: deployment.id,
      model: deployment.model,
      provider: deployment.provider,
      attempt: number,
      stream: context.stream,
      outcome: "failure",
      failure: failure.kind,
      status: failure.status,
      message: failure.message,
      durationMs,
      firstTokenMs: null,
      usage: null,
      afterCommit: false,
      headers: headersOf(error),
      at: ended,
    });
    return { failure };
  }
}

function headersOf(error: unknown): Readonly<Record<string, string>> | null {
  if (typeof error === "object" && error !== null && "headers" in error) {
    const headers = (error as { headers: unknown }).headers;
    if (typeof headers === "object" && headers !== null) return headers as Record<string, string>;
  }
  return null;
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
      throw new InvalidRequestError(failure.message, {
        status: failure.status ?? 400,
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

async function waitOrThrow(
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

function rateLimitedError(
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

/**
 * Queues the request behind those already waiting for capacity — or, when the wait this would mean
 * exceeds `maxWaitMs` (or the queue is full), answers a 429 at once with the estimated wait as
 * Retry-After. `earliest` is when capacity frees (null: only queueing for fairness).
 */
async function joinQueue(
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
  const estimate = first + ahead * slotIntervalMs(deps, context);
  const budget = Math.min(deps.options.maxWaitMs, context.deadline - now);
  if (ahead >= deps.options.maxQueue || ((ahead > 0 || earliest !== null) && estimate > budget)) {
    throw rateLimitedError(context, exclusions, Math.max(estimate, first, 1));
  }
  wait.since ??= now;
  wait.ticket = await queue.enter(context.signal).catch(abortToError(context));
  const left = deps.options.maxWaitMs - (deps.clock.now() - wait.since);
  if (left <= 0) throw rateLimitedError(context, exclusions, Math.max(1, slotIntervalMs(deps, context)));
}

/** Average time between free request slots of the group's configured capacity (0 when unknown). */
function slotIntervalMs(deps: LoopDeps, context: RequestContext): number {
  let perWindow = 0;
  for (const deployment of context.group.deployments) perWindow += deployment.limits?.rpm ?? 0;
  return perWindow > 0 ? deps.options.capacityWindowMs / perWindow : 0;
}

function abortToError(context: RequestContext): (reason: unknown) => never {
  return (reason) => {
    throw new AbortedError(undefined, context.signal?.reason ?? reason);
  };
}

function exhaustedError(
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

function deadlineError(context: RequestContext, exclusions: Exclusions): TimeoutError {
  return new TimeoutError(
    `Request to '${context.group.name}' did not complete within ${context.timeoutMs} ms (${context.attempts.length} attempts).`,
    context.attempts,
    exclusions.lastFailure?.cause,
  );
}
