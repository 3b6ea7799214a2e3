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
import { ContinuationMapper, sentSoFar, type ContinuationShape, type SentSoFar } from "./recovery.js";
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

type Phase = "committing" | "committed" | "piping" | "recovering" | "ended";

/** A committed continuation of a broken stream, on another deployment (or the same, later). */
export interface Continuation {
  relay: StreamRelay;
  /** True: it continues after the text sent (assistant prefill); false: it regenerates the whole answer. */
  prefill: boolean;
}

/**
 * Starts the continuation of a stream that broke after the commit point (the engine's attempt loop):
 * resolves once it committed, or null when no deployment could continue it.
 */
export type RecoverStream = (sent: SentSoFar, failedDeploymentId: string) => Promise<Continuation | null>;

/** Failures after the commit point that a continuation may repair. */
const recoverableKinds: ReadonlySet<FailureKind> = new Set(["stream_cut", "stream_stall", "stream_error"]);

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
  /**
   * Set by the engine: continue the answer elsewhere when the stream breaks after the commit point
   * (null: end with the in-band error). While set, the chunks sent are kept (references only).
   */
  recover: RecoverStream | null = null;
  /** The chunks sent to the caller so far (only while `recover` is set). */
  #sent: StreamChunkEvent[] = [];
  /** The continuation after a recovery (its output is rewritten into this stream). */
  #continuation: StreamRelay | null = null;
  /** This relay is itself a continuation, or recovered once already (it never recovers again). */
  #recovered = false;
  /** The attempt was ended when the recovery started. */
  #attemptEnded = false;

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
    if (this.#phase === "ended" || this.#phase === "recovering") return;
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
      if (this.recover !== null) for (const chunk of result.out) this.#sent.push(chunk);
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
    if (this.recover !== null) for (const chunk of result.out) this.#sent.push(chunk);
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
    if (this.#phase === "ended" || this.#phase === "recovering") return;
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
    if (this.#phase === "ended" || this.#phase === "recovering") return;
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
    else if (this.#phase !== "recovering") {
      this.#phase = "piping";
      this.#armIdle();
    }
  }

  /** The caller can take more (after `write` returned false). */
  resume(): void {
    if (this.#continuation !== null) {
      this.#continuation.resume();
      return;
    }
    if (!this.#paused || this.#phase === "ended") return;
    this.#paused = false;
    this.#source?.resume();
    this.#armIdle();
  }

  /** Stops the stream from the caller's side (a `break`, an abort): the upstream is aborted. */
  stop(): void {
    if (this.#phase === "ended") return;
    if (this.#continuation !== null) {
      this.#continuation.stop();
      return;
    }
    if (this.#phase === "recovering") {
      this.#phase = "committed";
      this.#recovered = true;
    }
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
    if (this.#phase === "ended" || this.#phase === "recovering") return;
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

  /**
   * Mid-stream recovery: after a cut, stall or in-band error past the commit point, when nothing
   * unrecoverable (a tool call) went out and the engine allows it, this attempt ends as failed and a
   * continuation on another deployment finishes the answer in this same stream. True when started.
   */
  #tryRecover(ending: Ending): boolean {
    const recover = this.recover;
    if (
      recover === null ||
      this.#recovered ||
      ending.type !== "failure" ||
      !recoverableKinds.has(ending.kind)
    )
      return false;
    const { session, attempt } = this;
    if (session.aborted || session.parts.clock.now() >= session.deadline) return false;
    const sent = sentSoFar(this.#sent);
    if (sent.unrecoverable) return false;
    this.#phase = "recovering";
    session.parts.deadlines.remove(attempt);
    attempt.abort(new AbortedError("The stream was closed."));
    const usage = this.state.usage;
    const failure = {
      ...classifyFailure(ending.cause ?? new Error(ending.message), session.parts.clock.now()),
      kind: ending.kind,
      message: ending.message,
    };
    session.endAttempt(attempt, { failure, usage, afterCommit: true });
    this.#attemptEnded = true;
    const before = usage ?? {
      prompt_tokens: 0,
      completion_tokens: sent.contentChunks,
      total_tokens: sent.contentChunks,
    };
    recover(sent, attempt.deployment.id).then(
      (continuation) => {
        if (continuation === null) this.#giveUp(ending);
        else
          this.#follow(continuation, sent, { id: sent.id, created: sent.created, model: sent.model, before });
      },
      () => this.#giveUp(ending),
    );
    return true;
  }

  /** Recovery found no continuation: the original in-band error. */
  #giveUp(ending: Ending): void {
    if (this.#phase !== "recovering") return;
    this.#phase = "committed";
    this.#recovered = true;
    this.session.recovered(this.attempt.deployment, null, "failed");
    this.#finishWith(ending);
  }

  /** Pipes the continuation's output, rewritten into this stream, to the caller. */
  #follow(continuation: Continuation, sent: SentSoFar, shape: ContinuationShape): void {
    const relay = continuation.relay;
    relay.#recovered = true;
    if (this.#phase !== "recovering") {
      relay.stop();
      return;
    }
    this.#continuation = relay;
    const from = this.attempt.deployment;
    const to = relay.attempt.deployment;
    const mapper = new ContinuationMapper(sent, continuation.prefill, shape, from.id);
    // Counted once: a prefill continues at once; a regenerated answer once it repeated the text sent.
    let counted = continuation.prefill;
    if (counted) this.session.recovered(from, to, "prefill");
    relay.pipe({
      write: (batch) => {
        const events: StreamChunkEvent[] = [];
        for (const event of batch.events) {
          const out = mapper.map(event);
          if (mapper.mismatch) break;
          if (out !== null) events.push(out);
        }
        if (!counted && (mapper.spliced || mapper.mismatch)) {
          counted = true;
          this.session.recovered(from, to, mapper.mismatch ? "failed" : "spliced");
        }
        let more = true;
        if (events.length > 0) {
          if (this.#sink === null) this.#waiting.push({ events, raw: null });
          else more = this.#sink.write({ events, raw: null });
        }
        if (mapper.mismatch) {
          // The request ends as interrupted here; then the continuation is stopped (its end is ignored).
          this.#continuation = null;
          this.#phase = "committed";
          this.#finishWith(
            this.#failure(
              "stream_cut",
              "broke after the answer started, and the regenerated answer on " +
                `${relay.attempt.deployment.id} did not repeat the text already sent`,
            ),
          );
          relay.stop();
        }
        return more;
      },
      end: (end) => {
        if (mapper.mismatch) return;
        if (!counted && end.type !== "aborted") {
          counted = true;
          this.session.recovered(from, to, "failed");
        }
        this.#continuation = null;
        this.#phase = "ended";
        const ending: RelayEnd = end.type === "done" ? { type: "done", doneSent: false } : end;
        this.#ending = ending;
        if (this.#sink !== null) this.#sink.end(ending);
      },
    });
  }

  /** Ends the stream (once): closes the upstream, ends the attempt and the request, tells the sink. */
  #finish(ending: Ending): void {
    if (this.#phase === "ended" || this.#phase === "recovering") return;
    if (this.#tryRecover(ending)) return;
    this.#finishWith(ending);
  }

  /** `#finish` without recovery; after a failed recovery the attempt was ended already. */
  #finishWith(ending: Ending): void {
    if (this.#phase === "ended") return;
    const attemptEnded = this.#attemptEnded;
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
      if (!attemptEnded) session.endAttempt(attempt, { failure, usage, afterCommit: true });
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
