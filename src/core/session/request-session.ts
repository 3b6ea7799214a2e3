import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { AbortedError } from "../../errors/index.js";
import type {
  AttemptRecord,
  Failure,
  HeaderMap,
  HedgeResult,
  RecoveryResult,
  RequestSource,
  Usage,
} from "../../types/index.js";
import { rateLimitSnapshot, type RateLimitSnapshot } from "../../util/index.js";
import type { Cancellation } from "../cancellation.js";
import type { CapacityOutcome } from "../capacity/index.js";
import { AttemptTimeout } from "../classify.js";
import type { TokenEstimate } from "../estimate.js";
import type { Deployment, Group } from "../plan.js";
import { decide, type FailureDecision } from "../policy.js";
import type { Reservation } from "../capacity-gate.js";
import { Attempt } from "./attempt.js";
import type { EngineParts } from "./engine-parts.js";
import { applyDecision, applySuccess } from "./health-updates.js";

/** What the caller passes with one request. */
export interface CallOptions {
  /** Aborts the request (and the upstream call). */
  signal?: AbortSignal | undefined;
  /** Cancels the request without an AbortSignal (the gateway's client-gone hook). */
  cancellation?: Cancellation | undefined;
  /** Extra headers for the upstream request. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Overall deadline for this request, overriding the engine default. */
  timeoutMs?: number | undefined;
  /** Correlation id for events and logs; generated when absent. */
  requestId?: string | undefined;
  /** The caller's request as it arrived (gateway): lets OpenAI-compatible upstreams get its bytes. */
  source?: RequestSource | undefined;
  /**
   * A deployment id to try first when it is eligible, available and has capacity (prompt-cache
   * affinity); otherwise selection goes on as usual.
   */
  prefer?: string | undefined;
  /** Deployments this request may use (the budget gate's filter); absent = all. */
  allow?: ((deployment: Deployment) => boolean) | undefined;
}

/** How one attempt ended, as its caller (the loop or the stream relay) saw it. */
export interface AttemptEnd {
  failure: Failure | null;
  usage: Usage | null;
  /** True when the failure came after the first byte reached the caller. */
  afterCommit: boolean;
}

/** Failures after which the request never reached the provider: its capacity is given back. */
function neverSent(failure: Failure): boolean {
  if (failure.kind === "local" || failure.kind === "unsupported") return true;
  return (
    failure.kind === "network" &&
    (failure.code === "ECONNREFUSED" ||
      failure.code === "ENOTFOUND" ||
      failure.code === "EAI_AGAIN" ||
      failure.code === "UND_ERR_CONNECT_TIMEOUT")
  );
}

function capacityOutcome(failure: Failure | null): CapacityOutcome {
  if (failure === null) return "success";
  return failure.kind === "rate_limited" || failure.kind === "quota_exhausted" ? "rate_limited" : "failed";
}

function errorHeaders(failure: Failure | null): HeaderMap | null {
  const cause = failure?.cause;
  if (typeof cause === "object" && cause !== null && "headers" in cause) {
    const headers = (cause as { headers: unknown }).headers;
    if (typeof headers === "object" && headers !== null) return headers as HeaderMap;
  }
  return null;
}

/** A unique request id (`req_<uuid>`). */
export function nextRequestId(): string {
  return `req_${randomUUID()}`;
}

/**
 * One request through the engine: its attempts, deadline and bookkeeping. Every attempt starts in
 * `startAttempt` and ends in `endAttempt` — the one place where attempt records, upstream time,
 * rate-limit headers (parsed once), capacity, health and the `attempt_end` event are handled — and
 * the request ends once in `endRequest`.
 */
export class RequestSession {
  readonly requestId: string;
  readonly startedAt: number;
  /** `performance.now()` at the start. */
  readonly startedHr = performance.now();
  readonly deadline: number;
  readonly timeoutMs: number;
  readonly cancellation: Cancellation | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly source: RequestSource | undefined;
  /** The deployment to try first (see `CallOptions.prefer`), or null. */
  readonly prefer: string | null;
  readonly attempts: AttemptRecord[] = [];
  /** Time spent in upstream calls so far (all attempts). */
  upstreamMs = 0;
  /** The token estimate, once computed. */
  tokens: TokenEstimate | null = null;
  #ended = false;
  /** The caller's filter of deployments (`CallOptions.allow`), or null. */
  readonly allow: ((deployment: Deployment) => boolean) | null;
  /** How this request's mid-stream recovery ended, when it had one. */
  recovery: RecoveryResult | null = null;
  /** Whether a hedge of this request answered first (`won`) or lost the race, when it had one. */
  hedge: Exclude<HedgeResult, "started"> | null = null;
  /** Attempts under way (several while a hedge races the first). */
  readonly #live: Attempt[] = [];

  constructor(
    readonly parts: EngineParts,
    readonly group: Group,
    readonly stream: boolean,
    call: CallOptions,
    readonly estimate: () => TokenEstimate,
  ) {
    this.startedAt = parts.clock.now();
    this.timeoutMs = call.timeoutMs ?? parts.options.timeoutMs;
    this.deadline = this.startedAt + this.timeoutMs;
    this.requestId = call.requestId ?? nextRequestId();
    this.cancellation = call.cancellation;
    this.headers = call.headers;
    this.source = call.source;
    this.prefer = call.prefer ?? null;
    this.allow = call.allow ?? null;
    this.cancellation?.onCancel(() => {
      const error = this.abortError();
      for (const attempt of [...this.#live]) attempt.abort(error);
    });
  }

  /** True once the caller gave up. */
  get aborted(): boolean {
    return this.cancellation?.aborted === true;
  }

  /** The caller's abort as an error. */
  abortError(): AbortedError {
    const reason = this.cancellation?.reason;
    return reason instanceof AbortedError ? reason : new AbortedError(undefined, reason);
  }

  /** Tokens the request is charged on `deployment` (calibrated prompt estimate + output), computed once. */
  requestTokens(deployment: Deployment): number {
    this.tokens ??= this.estimate();
    const factor = this.parts.calibration.factor(deployment.model);
    return Math.ceil(this.tokens.prompt * factor) + this.tokens.output;
  }

  /** Starts an attempt: its timeout (first token or the request deadline), the caller's abort, the event. */
  startAttempt(deployment: Deployment, reservation: Reservation | null): Attempt {
    const { parts } = this;
    const now = parts.clock.now();
    const attempt = new Attempt(
      deployment,
      this.attempts.length + 1,
      now,
      reservation,
      this.headers,
      this.source,
    );
    const firstTokenMs = deployment.timeouts.firstTokenTimeoutMs ?? parts.options.firstTokenTimeoutMs;
    const remaining = this.deadline - now;
    attempt.onDeadline = () =>
      attempt.abort(
        remaining < firstTokenMs
          ? new AttemptTimeout("deadline", this.timeoutMs)
          : new AttemptTimeout("first_token", firstTokenMs),
      );
    parts.deadlines.add(attempt, now + Math.min(firstTokenMs, remaining));
    if (this.aborted) attempt.abort(this.abortError());
    this.#live.push(attempt);
    parts.events.emit({
      type: "attempt_start",
      requestId: this.requestId,
      group: this.group.name,
      deploymentId: deployment.id,
      model: deployment.model,
      provider: deployment.provider,
      attempt: attempt.number,
      stream: this.stream,
      at: now,
    });
    return attempt;
  }

  /** Stops the attempt's first-token timer (the answer, or its first content, is in). */
  settleTimer(attempt: Attempt): void {
    this.parts.deadlines.remove(attempt);
  }

  /**
   * The answer's headers arrived (a stream's commit, or a non-stream answer): feeds the learned
   * capacity at once — what the provider says about its bucket is fixed when it admitted the request.
   */
  observeAnswer(attempt: Attempt, usage: Usage | null): void {
    const reservation = attempt.reservation;
    if (reservation === null || attempt.capacityObserved) return;
    attempt.capacityObserved = true;
    this.parts.capacity.observe(reservation, this.parts.clock.now(), "success", {
      headers: attempt.responseHeaders,
      retryAfterMs: null,
      usage,
    });
  }

  /**
   * Ends an attempt — the one bookkeeping point: its record and upstream time, the rate-limit
   * headers read once, capacity (given back when the request never reached the provider, else
   * observed and settled), calibration, health, and the `attempt_end` event. Returns the failure
   * policy's decision for a failed attempt.
   */
  endAttempt(attempt: Attempt, end: AttemptEnd): FailureDecision | null {
    const { parts } = this;
    parts.deadlines.remove(attempt);
    const live = this.#live.indexOf(attempt);
    if (live >= 0) this.#live.splice(live, 1);
    const now = parts.clock.now();
    const durationMs = performance.now() - attempt.startedHr;
    const { deployment } = attempt;
    const failure = end.failure;
    this.upstreamMs += durationMs;
    this.attempts.push({
      deploymentId: deployment.id,
      model: deployment.model,
      kind: failure ? failure.kind : "success",
      status: failure ? failure.status : 200,
      message: failure ? failure.message : "ok",
      durationMs,
    });
    const headers = attempt.responseHeaders ?? errorHeaders(failure);
    const rateLimits: RateLimitSnapshot | null = headers
      ? rateLimitSnapshot(headers, attempt.startedAt)
      : null;
    this.#settleCapacity(attempt, failure, headers, end.usage, now);
    let decision: FailureDecision | null = null;
    if (failure === null) {
      if (end.usage && this.tokens)
        parts.calibration.observe(deployment.model, this.tokens.prompt, end.usage.prompt_tokens ?? 0);
      applySuccess(parts, deployment);
    } else if (failure.kind !== "aborted") {
      const level = parts.store.health(deployment.id).backoffLevel;
      decision = decide(failure, level, parts.options.failure, parts.rng);
      applyDecision(parts, deployment, failure, decision);
    }
    if (parts.events.active)
      parts.events.emit({
        type: "attempt_end",
        requestId: this.requestId,
        group: this.group.name,
        deploymentId: deployment.id,
        model: deployment.model,
        provider: deployment.provider,
        stream: this.stream,
        attempt: attempt.number,
        outcome: failure ? "failure" : "success",
        failure: failure ? failure.kind : null,
        status: failure ? failure.status : 200,
        message: failure ? failure.message : null,
        durationMs,
        firstTokenMs: attempt.firstTokenHr === null ? null : attempt.firstTokenHr - attempt.startedHr,
        usage: end.usage,
        afterCommit: end.afterCommit,
        rateLimits,
        at: now,
      });
    return decision;
  }

  #settleCapacity(
    attempt: Attempt,
    failure: Failure | null,
    headers: HeaderMap | null,
    usage: Usage | null,
    now: number,
  ): void {
    const reservation = attempt.reservation;
    if (reservation === null) return;
    const capacity = this.parts.capacity;
    if (attempt.capacityObserved) {
      capacity.settle(reservation, now, usage);
      return;
    }
    attempt.capacityObserved = true;
    if (failure !== null && neverSent(failure)) {
      capacity.release(reservation, now);
      return;
    }
    capacity.observe(reservation, now, capacityOutcome(failure), {
      headers,
      retryAfterMs: failure?.retryAfterMs ?? null,
      usage,
    });
  }

  /**
   * A mid-stream recovery ended (`from`: the deployment whose stream broke; `to`: the one that
   * continued it, null when none did): noted on the request, and the `stream_recovery` event.
   */
  recovered(from: Deployment, to: Deployment | null, result: RecoveryResult): void {
    this.recovery = result;
    const { parts } = this;
    if (!parts.events.active) return;
    parts.events.emit({
      type: "stream_recovery",
      requestId: this.requestId,
      group: this.group.name,
      deploymentId: from.id,
      toDeploymentId: to === null ? null : to.id,
      result,
      at: parts.clock.now(),
    });
  }

  /** A hedge on `hedge` (racing `raced`) started, won or lost: noted on the request, and the `hedge` event. */
  hedged(hedge: Deployment, raced: Deployment, result: HedgeResult): void {
    if (result !== "started") this.hedge = result;
    const { parts } = this;
    if (!parts.events.active) return;
    parts.events.emit({
      type: "hedge",
      requestId: this.requestId,
      group: this.group.name,
      deploymentId: hedge.id,
      racedDeploymentId: raced.id,
      result,
      at: parts.clock.now(),
    });
  }

  /** Ends the request (once): the `request_end` event. */
  endRequest(deploymentId: string | null, errorCode: string | null): void {
    if (this.#ended) return;
    this.#ended = true;
    const { parts } = this;
    if (!parts.events.active) return;
    parts.events.emit({
      type: "request_end",
      requestId: this.requestId,
      group: this.group.name,
      stream: this.stream,
      outcome: errorCode === null ? "success" : "failure",
      errorCode,
      deploymentId,
      attempts: this.attempts.length,
      durationMs: performance.now() - this.startedHr,
      upstreamMs: this.upstreamMs,
      at: parts.clock.now(),
    });
  }
}
