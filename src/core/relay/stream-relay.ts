import { performance } from "node:perf_hooks";
import { AbortedError, LlmuxError, StreamInterruptedError } from "../../errors/index.js";
import type {
  BatchSink,
  BatchSource,
  ChatStreamResult,
  FailureKind,
  StreamBatch,
  StreamChunkEvent,
} from "../../types/index.js";
import { AttemptTimeout, classifyFailure } from "../classify.js";
import type { Attempt } from "../session/attempt.js";
import type { RequestSession } from "../session/request-session.js";
import { pullSource } from "./pull-source.js";
import { relayState, relayStep, type RelayState } from "./relay-step.js";
import { StreamFailure } from "./stream-failure.js";

/** What goes to the caller at once: chunks, or the bytes they came in (OpenAI-compatible upstreams). */
export interface OutputBatch {
  events: StreamChunkEvent[];
  /** Write these bytes instead of the chunks' data (they carry the same events, maybe `[DONE]`). */
  raw: Buffer | null;
}

/** How a relayed stream ended, for its writer. */
export type RelayEnd =
  /** Complete: `doneSent` when the upstream's own `[DONE]` went out in a raw batch. */
  | { type: "done"; doneSent: boolean }
  /** Broken after the commit point: a cut, a stall, an in-band error, the deadline. */
  | { type: "error"; error: StreamInterruptedError }
  /** The caller stopped it (gone, `break`, abort). */
  | { type: "aborted"; error: AbortedError };

/** The caller's side of a stream: takes batches (false: slow down until `resume`), then the end. */
export interface OutputSink {
  write(batch: OutputBatch): boolean;
  end(end: RelayEnd): void;
}

type Phase = "committing" | "committed" | "piping" | "ended";

/**
 * One stream from its upstream to the caller, pushed: each upstream read goes through the pure
 * `relayStep` and straight to the caller's sink, in the connection's data callback — no promise per
 * read. Before the commit point batches are held (a failure still fails over invisibly: `commit()`
 * rejects); after it nothing fails over: a cut, a stall (the attempt's deadline entry, re-armed per
 * read, is the idle timer) or an in-band error ends the stream with an error, never a clean end. A
 * finish reason without `[DONE]` ends after `finishGraceMs`. The end closes the attempt and the
 * request in the session, then tells the sink.
 */
export class StreamRelay implements BatchSink {
  readonly state: RelayState;
  #phase: Phase = "committing";
  #source: BatchSource | null = null;
  #sink: OutputSink | null = null;
  /** Batches after the commit point that came before the caller attached. */
  #waiting: OutputBatch[] = [];
  #commitBatch: OutputBatch | null = null;
  #committed!: { resolve: () => void; reject: (error: unknown) => void };
  #upstreamEnded = false;
  #doneSent = false;
  #paused = false;
  #ending: RelayEnd | null = null;
  readonly #idleMs: number;

  constructor(
    private readonly session: RequestSession,
    private readonly attempt: Attempt,
    dropUsage: boolean,
  ) {
    this.state = relayState(dropUsage);
    const { options } = session.parts;
    this.#idleMs = attempt.deployment.timeouts.streamIdleTimeoutMs ?? options.streamIdleTimeoutMs;
  }

  /** Starts reading `result` and resolves at the commit point; rejects on a failure before it. */
  commit(result: ChatStreamResult): Promise<void> {
    const committed = new Promise<void>((resolve, reject) => {
      this.#committed = { resolve, reject };
    });
    const source = result.source ?? pullSource(result.events);
    this.#source = source;
    // An abort (timeout, the caller gone, a failover's end) stops the source; it reports the error.
    this.attempt.onAbort((reason) => source.cancel(reason));
    source.start(this);
    return committed;
  }

  // --- the source's side (BatchSink) ---

  batch(events: StreamBatch): void {
    if (this.#phase === "ended") return;
    const result = relayStep(this.state, events);
    this.#malformed(result.malformed);
    const end = result.end;
    if (this.#phase === "committing") {
      if (end?.type === "error") {
        const { message, errorType, payload } = end.event;
        this.#failBeforeCommit(
          new StreamFailure(`Upstream stream error: ${message}`, "stream_error", errorType, payload),
        );
        return;
      }
      if (!result.committed) return;
      this.#phase = "committed";
      this.attempt.release();
      this.attempt.firstTokenHr = performance.now();
      this.#commitBatch = { events: result.out, raw: result.raw };
      if (end?.type === "done") {
        this.#upstreamEnded = true;
        if (result.raw !== null) this.#doneSent = true;
      }
      this.#committed.resolve();
      if (end?.type === "done") this.#finish({ type: "success" });
      return;
    }
    if (end?.type === "done") {
      this.#upstreamEnded = true;
      if (result.raw !== null) this.#doneSent = true;
    }
    if (result.raw !== null || result.out.length > 0) this.#deliver({ events: result.out, raw: result.raw });
    if (end?.type === "done") this.#finish({ type: "success" });
    else if (end?.type === "error")
      this.#finish(this.#failure("stream_error", `sent an error: ${end.event.message}`, end.event.payload));
    else if (!this.#ended) this.#armIdle();
  }

  /** Whether the stream ended (read through a getter: `#finish` changes it under TypeScript's narrowing). */
  get #ended(): boolean {
    return this.#phase === "ended";
  }

  end(): void {
    this.#upstreamEnded = true;
    if (this.#phase === "ended") return;
    if (this.#phase === "committing") {
      this.#failBeforeCommit(
        new StreamFailure("Upstream stream closed before any content", "stream_cut", null),
      );
      return;
    }
    if (this.state.finished) this.#finish({ type: "success" });
    else this.#finish(this.#failure("stream_cut", "ended without a finish reason (truncated answer)"));
  }

  error(error: unknown): void {
    if (this.#phase === "ended") return;
    const attempt = this.attempt;
    if (this.#phase === "committing") {
      // Whatever breaks while reading the upstream's answer is the upstream's failure, even when
      // it is our decoder or mapper that throws on what it sent; an abort keeps its reason.
      if (error instanceof LlmuxError || attempt.aborted) this.#failBeforeCommit(error);
      else {
        const message = error instanceof Error ? error.message : String(error);
        this.#failBeforeCommit(
          new StreamFailure(
            `Upstream stream broke before any content: ${message}`,
            "stream_cut",
            null,
            error,
          ),
        );
      }
      return;
    }
    const reason = attempt.aborted ? attempt.reason : error;
    if (reason instanceof AbortedError) this.#finish({ type: "aborted", error: reason });
    else if (reason instanceof AttemptTimeout) this.#finish(this.#timedOut(reason));
    else if (this.state.finished) this.#finish({ type: "success" });
    else this.#finish(this.#failure("stream_cut", "broke after the answer started", error));
  }

  // --- the caller's side ---

  /** Attaches the caller's sink (after the commit point): the held batches go first. */
  pipe(sink: OutputSink): void {
    if (this.#sink !== null || this.#phase === "committing")
      throw new Error("StreamRelay.pipe: not committed, or piped twice");
    this.#sink = sink;
    const first = this.#commitBatch;
    this.#commitBatch = null;
    if (first !== null && (first.events.length > 0 || first.raw !== null)) this.#write(first);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const batch of waiting) this.#write(batch);
    if (this.#phase === "ended") sink.end(this.#ending!);
    else {
      this.#phase = "piping";
      this.#armIdle();
    }
  }

  /** The caller can take more (after `write` returned false). */
  resume(): void {
    if (!this.#paused || this.#phase === "ended") return;
    this.#paused = false;
    this.#source?.resume();
    this.#armIdle();
  }

  /** Stops the stream from the caller's side (a `break`, an abort): the upstream is aborted. */
  stop(): void {
    if (this.#phase === "ended") return;
    this.#finish({ type: "aborted", error: new AbortedError("The stream was closed.") });
  }

  #write(batch: OutputBatch): void {
    if (this.#sink === null) return;
    if (!this.#sink.write(batch) && !this.#paused && this.#phase !== "ended") {
      this.#paused = true;
      this.#source?.pause();
      // A paused upstream sends nothing: that is no stall.
      this.session.parts.deadlines.remove(this.attempt);
    }
  }

  #deliver(batch: OutputBatch): void {
    if (this.#sink === null) this.#waiting.push(batch);
    else this.#write(batch);
  }

  /** The idle timer: the attempt's deadline entry, moved to `now + idle` (capped by the request deadline). */
  #armIdle(): void {
    if (this.#paused) return;
    const { clock, options, deadlines } = this.session.parts;
    const now = clock.now();
    const limit = this.state.finished ? options.finishGraceMs : this.#idleMs;
    const due = Math.min(now + limit, this.session.deadline);
    this.attempt.onDeadline = this.#onIdle;
    deadlines.add(this.attempt, due);
  }

  readonly #onIdle = (): void => {
    if (this.#phase === "ended") return;
    if (this.state.finished) {
      this.#finish({ type: "success" });
      return;
    }
    const now = this.session.parts.clock.now();
    this.#finish(
      now >= this.session.deadline
        ? this.#timedOut(new AttemptTimeout("deadline", this.session.timeoutMs))
        : this.#failure("stream_stall", `stalled for ${this.#idleMs} ms after the answer started`),
    );
  };

  #timedOut(timeout: AttemptTimeout): Ending {
    return timeout.phase === "deadline"
      ? this.#failure("timeout", "passed the request deadline while streaming", timeout)
      : this.#failure("stream_stall", `stalled for ${timeout.afterMs} ms after the answer started`, timeout);
  }

  #failBeforeCommit(error: unknown): void {
    this.#phase = "ended";
    this.#source?.cancel(error);
    this.#committed.reject(error);
  }

  #failure(kind: FailureKind, what: string, cause?: unknown): Ending {
    return {
      type: "failure",
      kind,
      message: `Upstream stream from ${this.attempt.deployment.id} ${what}`,
      cause,
    };
  }

  #malformed(count: number): void {
    if (count === 0) return;
    const { parts, requestId } = this.session;
    const deploymentId = this.attempt.deployment.id;
    for (let index = 0; index < count; index += 1)
      parts.events.emit({ type: "malformed_chunk", deploymentId, requestId, at: parts.clock.now() });
  }

  /** Ends the stream (once): closes the upstream, ends the attempt and the request, tells the sink. */
  #finish(ending: Ending): void {
    if (this.#phase === "ended") return;
    this.#phase = "ended";
    const { session, attempt } = this;
    session.parts.deadlines.remove(attempt);
    // An upstream that has not ended (finish reason without [DONE], the caller gone, a failure) is
    // aborted so its connection is not held; one that ended cleanly went back to the pool.
    if (!(ending.type === "success" && this.#upstreamEnded))
      attempt.abort(new AbortedError("The stream was closed."));
    const usage = this.state.usage;
    const deploymentId = attempt.deployment.id;
    let end: RelayEnd;
    if (ending.type === "success") {
      session.endAttempt(attempt, { failure: null, usage, afterCommit: true });
      session.endRequest(deploymentId, null);
      end = { type: "done", doneSent: this.#doneSent };
    } else {
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
      end =
        ending.type === "aborted"
          ? { type: "aborted", error: ending.error }
          : {
              type: "error",
              error: new StreamInterruptedError(ending.message, ending.kind, deploymentId, ending.cause),
            };
    }
    this.#ending = end;
    if (this.#sink !== null) this.#sink.end(end);
  }
}

/** How the stream ended, before it is told to the sink. */
type Ending =
  | { type: "success" }
  | { type: "aborted"; error: AbortedError }
  | { type: "failure"; kind: FailureKind; message: string; cause: unknown };
