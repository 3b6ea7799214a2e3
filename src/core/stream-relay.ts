import { performance } from "node:perf_hooks";
import { AbortedError, StreamInterruptedError } from "../errors/index.js";
import type { FailureKind, StreamChunkEvent, StreamEvent, Usage } from "../types/index.js";
import { settleCapacity } from "./capacity.js";
import { applyDecision, applySuccess, type AttemptWin, type LoopDeps } from "./attempt-loop.js";
import { AttemptTimeout, classifyFailure } from "./classify.js";
import type { Deployment } from "./plan.js";
import { decide } from "./policy.js";
import type { RequestContext } from "./request-context.js";
import type { CommittedStream } from "./stream-commit.js";
import { idle, StreamWatch } from "./stream-watch.js";
import { attemptEndEvent } from "./attempt-events.js";

/** Options of one relay. */
export interface RelayOptions {
  /** Drop the `include_usage` chunk (the caller did not ask for it; we did). */
  dropUsageChunk: boolean;
}

/**
 * The caller's side of a committed stream: yields the buffered chunks, then relays the rest with
 * the idle timeout. After the commit point nothing fails over: a cut, a stall or an in-band error
 * throws `StreamInterruptedError` — never a clean end. A finish reason without `[DONE]` ends after
 * `finishGraceMs`. A caller's `break` (or abort) aborts the upstream request.
 */
export async function* relayStream(
  deps: LoopDeps,
  context: RequestContext,
  win: AttemptWin<CommittedStream>,
  relay: RelayOptions,
): AsyncGenerator<StreamChunkEvent[]> {
  const { deployment, attempt } = win;
  const committed = win.value;
  const { iterator } = committed;
  const idleMs = deployment.timeouts.streamIdleTimeoutMs ?? deps.options.streamIdleTimeoutMs;
  const watch = new StreamWatch(deps.clock, attempt.signal);
  let finished = false;
  let upstreamEnded = committed.ended;
  let usage: Usage | null = null;
  let outcome: "success" | "failure" | "aborted" = "aborted";
  let failureKind: FailureKind | null = null;
  let failureMessage: string | null = null;
  const fail = (kind: FailureKind, message: string, cause?: unknown): StreamInterruptedError => {
    outcome = "failure";
    failureKind = kind;
    failureMessage = message;
    const failure = { ...classifyFailure(cause ?? new Error(message), deps.clock.now()), kind, message };
    applyDecision(deps, deployment, failure, decide(failure, 0, deps.options.failure, deps.rng));
    return new StreamInterruptedError(message, kind, deployment.id, cause);
  };
  /** Handles one batch: the chunks to pass on, and whether (and how) the stream ended in it. */
  const handle = (
    events: readonly StreamEvent[],
  ): { out: StreamChunkEvent[]; end: "done" | StreamInterruptedError | null } => {
    const out: StreamChunkEvent[] = [];
    for (const event of events) {
      switch (event.type) {
        case "chunk":
          if (event.finishReason !== null) finished = true;
          if (event.usage) usage = event.usage;
          if (!relay.dropUsageChunk) out.push(event);
          else if (!event.usageOnly) out.push(withoutNullUsage(event));
          break;
        case "done":
          return { out, end: "done" };
        case "malformed":
          deps.events.emit({
            type: "malformed_chunk",
            deploymentId: deployment.id,
            requestId: context.requestId,
            at: deps.clock.now(),
          });
          break;
        case "error":
          return {
            out,
            end: fail(
              "stream_error",
              `Upstream stream error from ${deployment.id}: ${event.message}`,
              event.payload,
            ),
          };
      }
    }
    return { out, end: null };
  };
  try {
    let batch = handle(committed.pending);
    if (batch.out.length > 0) yield batch.out;
    if (batch.end instanceof StreamInterruptedError) throw batch.end;
    if (batch.end === "done") upstreamEnded = true;
    if (batch.end === null && !committed.ended) {
      for (;;) {
        const left = context.deadline - deps.clock.now();
        const waitMs = Math.max(0, Math.min(finished ? deps.options.finishGraceMs : idleMs, left));
        let step: IteratorResult<readonly StreamEvent[]> | typeof idle;
        try {
          step = await watch.next(iterator, waitMs);
        } catch (error) {
          if (attempt.signal.aborted && attempt.signal.reason instanceof AbortedError)
            throw attempt.signal.reason;
          if (finished) break;
          throw fail(
            "stream_cut",
            `Upstream stream from ${deployment.id} broke after the answer started`,
            error,
          );
        }
        if (step === idle) {
          if (finished) break;
          if (waitMs >= left) {
            throw fail(
              "timeout",
              `Request deadline passed while streaming from ${deployment.id}`,
              new AttemptTimeout("deadline", context.timeoutMs),
            );
          }
          throw fail(
            "stream_stall",
            `Upstream stream from ${deployment.id} stalled for ${idleMs} ms after the answer started`,
          );
        }
        if (step.done) {
          upstreamEnded = true;
          if (finished) break;
          throw fail(
            "stream_cut",
            `Upstream stream from ${deployment.id} ended without a finish reason (truncated answer)`,
          );
        }
        batch = handle(step.value);
        if (batch.out.length > 0) yield batch.out;
        if (batch.end instanceof StreamInterruptedError) throw batch.end;
        if (batch.end === "done") {
          upstreamEnded = true;
          break;
        }
      }
    }
    outcome = "success";
    applySuccess(deps, deployment);
    settleCapacity(deps, win, usage, context.responseHeaders, deps.clock.now(), context.tokens);
  } finally {
    watch.close();
    // An upstream that has not ended (finish reason without [DONE], caller break, failure) is aborted, so its
    // connection is not held open; one that ended cleanly is released for reuse.
    if (outcome !== "success" || !upstreamEnded)
      attempt.controller.abort(new AbortedError("The stream was closed."));
    else drain(deps, iterator, attempt.controller);
    win.release();
    finishStream(deps, context, deployment, attempt.startedHr, committed.firstTokenHr, {
      outcome,
      failureKind,
      failureMessage,
      usage,
      attemptNumber: attempt.number,
    });
  }
}

function finishStream(
  deps: LoopDeps,
  context: RequestContext,
  deployment: Deployment,
  startedHr: number,
  firstTokenHr: number,
  end: {
    outcome: "success" | "failure" | "aborted";
    failureKind: FailureKind | null;
    failureMessage: string | null;
    usage: Usage | null;
    attemptNumber: number;
  },
): void {
  const now = deps.clock.now();
  const nowHr = performance.now();
  const durationMs = nowHr - startedHr;
  const success = end.outcome === "success";
  const kind: FailureKind | null = success ? null : (end.failureKind ?? "aborted");
  context.upstreamMs += durationMs;
  context.attempts.push({
    deploymentId: deployment.id,
    model: deployment.model,
    kind: kind ?? "success",
    status: 200,
    message: end.failureMessage ?? (success ? "ok" : "caller closed the stream"),
    durationMs,
  });
  deps.events.emit(
    attemptEndEvent(context, deployment, {
      attempt: end.attemptNumber,
      outcome: success ? "success" : "failure",
      failure: kind,
      status: 200,
      message: end.failureMessage,
      durationMs,
      firstTokenMs: firstTokenHr - startedHr,
      usage: end.usage,
      afterCommit: true,
      headers: context.responseHeaders,
      at: now,
    }),
  );
  deps.events.emit({
    type: "request_end",
    requestId: context.requestId,
    group: context.group.name,
    stream: true,
    outcome: success ? "success" : "failure",
    errorCode: success ? null : end.outcome === "aborted" ? "aborted" : "stream_interrupted",
    deploymentId: deployment.id,
    attempts: context.attempts.length,
    durationMs: nowHr - context.startedHr,
    upstreamMs: context.upstreamMs,
    at: now,
  });
}

const nullUsageTail = ',"usage":null}';

/**
 * Removes the `"usage":null` that upstreams add to every chunk once we asked for `include_usage`,
 * so a caller who did not ask sees chunks as the upstream would have sent them.
 */
function withoutNullUsage(event: StreamChunkEvent): StreamChunkEvent {
  if (!event.data.endsWith(nullUsageTail)) return event;
  const chunk = event.chunk;
  if (chunk) delete chunk.usage;
  return { ...event, data: `${event.data.slice(0, -nullUsageTail.length)}}` };
}

/**
 * After `[DONE]` the upstream response normally ends at once: read it to its end in the background
 * (closing the iterator early would destroy the body and cost an error per stream), so the
 * connection returns to the pool; if it does not end within `finishGraceMs`, abort it.
 */
function drain(
  deps: LoopDeps,
  iterator: AsyncIterator<readonly StreamEvent[]>,
  controller: AbortController,
): void {
  const timer = deps.clock.setTimeout(
    () => controller.abort(new AbortedError("The stream was closed.")),
    deps.options.finishGraceMs,
  );
  void (async () => {
    try {
      for (let step = await iterator.next(); !step.done; step = await iterator.next());
    } catch {
      // the upstream broke after its [DONE]: nothing left to lose
    } finally {
      deps.clock.clearTimeout(timer);
    }
  })();
}
