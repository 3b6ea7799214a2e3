import { performance } from "node:perf_hooks";
import { AbortedError } from "../errors/index.js";
import type { AttemptRecord, Failure } from "../types/index.js";
import { linkAbort, raceAbort } from "./abort.js";
import { AttemptTimeout, classifyFailure } from "./classify.js";
import type { Deployment } from "./plan.js";
import type { RequestContext } from "./request-context.js";
import type { AttemptHandle, AttemptRunner, AttemptWin, LoopDeps } from "./loop-types.js";
import { attemptEndEvent } from "./attempt-events.js";

export type AttemptOutcome<T> = AttemptWin<T> | { failure: Failure };

export async function attemptOnce<T>(
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
    events.emit(
      attemptEndEvent(context, deployment, {
        attempt: number,
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
      }),
    );
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
