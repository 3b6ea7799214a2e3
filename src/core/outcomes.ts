import { AbortedError } from "../errors/index.js";
import type {
  AttemptRecord,
  ChatCompletionBody,
  ChatResult,
  EmbeddingsBody,
  HeaderMap,
  RecoveryResult,
  StreamChunkEvent,
} from "../types/index.js";
import type { Deployment } from "./plan.js";
import { pullBatches } from "./relay/queue-sink.js";
import type { OutputBatch, OutputSink, StreamRelay } from "./relay/stream-relay.js";
import type { Attempt } from "./session/attempt.js";
import type { RequestSession } from "./session/request-session.js";

/** What a request produced besides the answer. */
export interface Outcome {
  requestId: string;
  deployment: Deployment;
  attempts: readonly AttemptRecord[];
  /** Upstream response headers of the attempt that answered. */
  headers: HeaderMap;
  /** Time spent in upstream calls (all attempts) when the answer (a stream: its first content) came. */
  upstreamMs: number;
  /** How a mid-stream recovery of this request ended (read after the stream's end), or null: none. */
  readonly recovery: RecoveryResult | null;
  /** Whether a hedge of this request answered first (`won`) or lost the race, or null: not hedged. */
  readonly hedge: "won" | "lost" | null;
}

/** A non-streaming chat answer. */
export interface ChatOutcome extends Outcome {
  /** The answer parsed (on first use: the gateway forwards `raw`). */
  readonly body: ChatCompletionBody;
  raw: Uint8Array | undefined;
}

/** A streaming chat answer, past its commit point. */
export interface StreamOutcome extends Outcome {
  /**
   * Pushes the stream into `sink` batch by batch as the upstream's reads arrive (a sink's `write`
   * returning false waits for `resume()`), then its end. Use this, `batches` or `chunks` — once.
   */
  pipe(sink: OutputSink): void;
  /** After `write` returned false: the sink can take more. */
  resume(): void;
  /** The batches pulled (an async generator); breaking out aborts the upstream. */
  readonly batches: AsyncGenerator<OutputBatch>;
  /** The same chunks one by one (reads `batches`). */
  readonly chunks: AsyncGenerator<StreamChunkEvent>;
  /** Aborts the upstream request. */
  abort(): void;
  /** `performance.now()` when the answering attempt started and when its first content arrived. */
  attemptStartedHr: number;
  committedHr: number;
  /** Time spent in upstream calls when the stream ended (all attempts). */
  readonly totalUpstreamMs: number;
}

/** An embeddings answer. */
export interface EmbeddingsOutcome extends Outcome {
  body: EmbeddingsBody;
}

/** The fields every outcome has (a class: made per request, its getters live on the prototype). */
class Answer implements Outcome {
  readonly requestId: string;
  readonly deployment: Deployment;
  readonly attempts: readonly AttemptRecord[];
  readonly headers: HeaderMap;
  readonly upstreamMs: number;
  readonly #session: RequestSession;

  constructor(session: RequestSession, attempt: Attempt) {
    this.#session = session;
    this.requestId = session.requestId;
    this.deployment = attempt.deployment;
    this.attempts = session.attempts;
    this.headers = attempt.responseHeaders ?? {};
    this.upstreamMs = session.upstreamMs;
  }

  get recovery(): RecoveryResult | null {
    return this.#session.recovery;
  }

  get hedge(): "won" | "lost" | null {
    return this.#session.hedge;
  }
}

/** A non-streaming chat answer: the upstream's bytes, parsed only if someone reads `body`. */
export class ChatAnswer extends Answer implements ChatOutcome {
  readonly raw: Uint8Array | undefined;

  constructor(
    session: RequestSession,
    attempt: Attempt,
    private readonly result: ChatResult,
  ) {
    super(session, attempt);
    this.raw = result.raw;
  }

  get body(): ChatCompletionBody {
    return this.result.body;
  }
}

/** A committed stream, read by pushing (`pipe`) or by pulling (`batches`, `chunks`). */
export class StreamAnswer extends Answer implements StreamOutcome {
  readonly attemptStartedHr: number;
  readonly committedHr: number;
  #pulled: AsyncGenerator<OutputBatch> | null = null;

  constructor(
    private readonly session: RequestSession,
    private readonly attempt: Attempt,
    private readonly relay: StreamRelay,
  ) {
    super(session, attempt);
    this.attemptStartedHr = attempt.startedHr;
    this.committedHr = attempt.firstTokenHr ?? attempt.startedHr;
  }

  pipe(sink: OutputSink): void {
    this.relay.pipe(sink);
  }

  resume(): void {
    this.relay.resume();
  }

  get batches(): AsyncGenerator<OutputBatch> {
    return (this.#pulled ??= pullBatches(this.relay));
  }

  get chunks(): AsyncGenerator<StreamChunkEvent> {
    return flatten(this.batches);
  }

  abort(): void {
    this.attempt.abort(new AbortedError("The stream was aborted."));
  }

  get totalUpstreamMs(): number {
    return this.session.upstreamMs;
  }
}

/** An embeddings answer. */
export class EmbeddingsAnswer extends Answer implements EmbeddingsOutcome {
  constructor(
    session: RequestSession,
    attempt: Attempt,
    readonly body: EmbeddingsBody,
  ) {
    super(session, attempt);
  }
}

async function* flatten(batches: AsyncIterable<OutputBatch>): AsyncGenerator<StreamChunkEvent> {
  for await (const batch of batches) yield* batch.events;
}
