import { performance } from "node:perf_hooks";
import { AbortedError, LlmuxError, StreamInterruptedError } from "../../errors/index.js";
import type { FailureKind, StreamBatch, StreamChunkEvent } from "../../types/index.js";
import { AttemptTimeout, classifyFailure } from "../classify.js";
import type { Attempt } from "../session/attempt.js";
import type { RequestSession } from "../session/request-session.js";
import { StreamFailure } from "./stream-failure.js";
import { relayState, relayStep, type RelayState, type StepResult } from "./relay-step.js";
import { idle, StreamWatch } from "./stream-watch.js";

/** What goes to the caller at once: chunks, or the bytes they came in (OpenAI-compatible upstreams). */
export interface OutputBatch {
  events: StreamChunkEvent[];
  /** Write these bytes instead of the chunks' data (they carry the same events, maybe `[DONE]`). */
  raw: Buffer | null;
}

/** How the caller's side of a stream ended. */
type Ending =
  | { type: "success" }
  | { type: "aborted"; error: AbortedError }
  | { type: "failure"; kind: FailureKind; message: string; cause: unknown };

/**
 * One stream from its upstream to the caller: `commit()` reads (inside the attempt, under its
 * first-token timeout) until the commit point, where a failure still fails over invisibly; then
 * `batches()` relays the rest with the idle timeout — a thin read loop around the pure
 * `relayStep`. After the commit point nothing fails over: a cut, a stall or an in-band error
 * throws `StreamInterruptedError`, never a clean end. A finish reason without `[DONE]` ends after
 * `finishGraceMs`. The stream's end closes the attempt and the request in the session.
 */
export class StreamRelay {
  readonly state: RelayState;
  readonly #iterator: AsyncIterator<StreamBatch>;
  #first: StepResult | null = null;
  #upstreamEnded = false;
  #doneSent = false;

  constructor(
    private readonly session: RequestSession,
    private readonly attempt: Attempt,
    events: AsyncIterable<StreamBatch>,
    dropUsage: boolean,
  ) {
    this.state = relayState(dropUsage);
    this.#iterator = events[Symbol.asyncIterator]();
  }

  /** Whether the upstream's own `[DONE]` went out in a raw batch (the writer must not add another). */
  get doneSent(): boolean {
    return this.#doneSent;
  }

  /** Reads until the commit point; any failure before it throws (the attempt fails over). */
  async commit(): Promise<void> {
    try {
      for (;;) {
        const step = await this.#iterator.next();
        if (step.done) {
          this.#upstreamEnded = true;
          throw new StreamFailure("Upstream stream closed before any content", "stream_cut", null);
        }
        const result = relayStep(this.state, step.value);
        this.#malformed(result.malformed);
        const end = result.end;
        if (end?.type === "error") {
          const { message, errorType, payload } = end.event;
          throw new StreamFailure(`Upstream stream error: ${message}`, "stream_error", errorType, payload);
        }
        if (result.committed) {
          this.#first = result;
          if (end?.type === "done") this.#upstreamEnded = true;
          this.attempt.firstTokenHr = performance.now();
          return;
        }
      }
    } catch (error) {
      this.#iterator.return?.().catch(() => {});
      // Whatever breaks while reading the upstream's answer is the upstream's failure, even when
      // it is our decoder or mapper that throws on what it sent.
      if (error instanceof LlmuxError || this.attempt.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StreamFailure(
        `Upstream stream broke before any content: ${message}`,
        "stream_cut",
        null,
        error,
      );
    }
  }

  /** The caller's side, after `commit()`: batches to write; iterate once. Breaking out aborts the upstream. */
  async *batches(): AsyncGenerator<OutputBatch> {
    const { session, attempt } = this;
    const { options, clock } = session.parts;
    const idleMs = attempt.deployment.timeouts.streamIdleTimeoutMs ?? options.streamIdleTimeoutMs;
    const watch = new StreamWatch(clock, attempt);
    let ending: Ending = { type: "aborted", error: new AbortedError("The stream was closed.") };
    try {
      const first = this.#first;
      if (first === null) throw new Error("StreamRelay.batches() before commit()");
      this.#first = null;
      if (first.out.length > 0) yield { events: first.out, raw: null };
      let end = first.end;
      while (end === null && !this.#upstreamEnded) {
        const left = session.deadline - clock.now();
        const waitMs = Math.max(0, Math.min(this.state.finished ? options.finishGraceMs : idleMs, left));
        let step: IteratorResult<StreamBatch> | typeof idle;
        try {
          step = await watch.next(this.#iterator, waitMs);
        } catch (error) {
          if (attempt.aborted && attempt.reason instanceof AbortedError) throw attempt.reason;
          if (this.state.finished) break;
          ending = this.#failure("stream_cut", "broke after the answer started", error);
          throw this.#interrupted(ending);
        }
        if (step === idle) {
          if (this.state.finished) break;
          ending =
            waitMs >= left
              ? this.#failure(
                  "timeout",
                  "passed the request deadline while streaming",
                  new AttemptTimeout("deadline", session.timeoutMs),
                )
              : this.#failure("stream_stall", `stalled for ${idleMs} ms after the answer started`);
          throw this.#interrupted(ending);
        }
        if (step.done) {
          this.#upstreamEnded = true;
          if (this.state.finished) break;
          ending = this.#failure("stream_cut", "ended without a finish reason (truncated answer)");
          throw this.#interrupted(ending);
        }
        const result = relayStep(this.state, step.value);
        this.#malformed(result.malformed);
        end = result.end;
        if (end?.type === "done") {
          this.#upstreamEnded = true;
          if (result.raw !== null) this.#doneSent = true;
        }
        if (result.raw !== null) yield { events: result.out, raw: result.raw };
        else if (result.out.length > 0) yield { events: result.out, raw: null };
      }
      if (end?.type === "error") {
        ending = this.#failure("stream_error", `sent an error: ${end.event.message}`, end.event.payload);
        throw this.#interrupted(ending);
      }
      ending = { type: "success" };
    } catch (error) {
      if (ending.type === "aborted" && error instanceof AbortedError) ending = { type: "aborted", error };
      throw error;
    } finally {
      watch.close();
      this.#end(ending);
    }
  }

  #failure(kind: FailureKind, what: string, cause?: unknown): Ending {
    const message = `Upstream stream from ${this.attempt.deployment.id} ${what}`;
    return { type: "failure", kind, message, cause };
  }

  #interrupted(ending: Ending): StreamInterruptedError {
    if (ending.type !== "failure") throw new Error("not a failure");
    return new StreamInterruptedError(ending.message, ending.kind, this.attempt.deployment.id, ending.cause);
  }

  #malformed(count: number): void {
    if (count === 0) return;
    const { parts, requestId } = this.session;
    const deploymentId = this.attempt.deployment.id;
    for (let index = 0; index < count; index += 1)
      parts.events.emit({ type: "malformed_chunk", deploymentId, requestId, at: parts.clock.now() });
  }

  /** Closes the upstream (drained when it ended cleanly, else aborted) and ends the attempt and the request. */
  #end(ending: Ending): void {
    const { session, attempt } = this;
    if (ending.type === "success" && this.#upstreamEnded) this.#drain();
    else attempt.abort(new AbortedError("The stream was closed."));
    const usage = this.state.usage;
    const deploymentId = attempt.deployment.id;
    if (ending.type === "success") {
      session.endAttempt(attempt, { failure: null, usage, afterCommit: true });
      session.endRequest(deploymentId, null);
      return;
    }
    const now = session.parts.clock.now();
    const failure =
      ending.type === "aborted"
        ? { ...classifyFailure(ending.error, now), message: "caller closed the stream" }
        : {
            ...classifyFailure(ending.cause ?? new Error(ending.message), now),
            kind: ending.kind,
            message: ending.message,
          };
    session.endAttempt(attempt, { failure, usage, afterCommit: true });
    session.endRequest(deploymentId, ending.type === "aborted" ? "aborted" : "stream_interrupted");
  }

  /**
   * After `[DONE]` the upstream normally ends at once: read it to its end in the background, so the
   * connection returns to the pool; if it does not end within `finishGraceMs`, abort it.
   */
  #drain(): void {
    const { clock, options } = this.session.parts;
    const attempt = this.attempt;
    const timer = clock.setTimeout(
      () => attempt.abort(new AbortedError("The stream was closed.")),
      options.finishGraceMs,
    );
    const iterator = this.#iterator;
    void (async () => {
      try {
        for (let step = await iterator.next(); !step.done; step = await iterator.next());
      } catch {
        // the upstream broke after its [DONE]: nothing left to lose
      } finally {
        clock.clearTimeout(timer);
      }
    })();
  }
}
