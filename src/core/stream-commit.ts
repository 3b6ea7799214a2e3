import { performance } from "node:perf_hooks";
import { LlmuxError, UpstreamNetworkError } from "../errors/index.js";
import type { StreamEvent } from "../types/index.js";
import type { EngineEvents } from "./events.js";

/** A stream that reached its commit point: the first content (or a clean end) has arrived. */
export interface CommittedStream {
  iterator: AsyncIterator<readonly StreamEvent[]>;
  /** Events read so far that the relay has not handled yet: the chunks up to the commit point and the rest of their batch. */
  pending: StreamEvent[];
  /** The upstream stream is over (nothing more to read). */
  ended: boolean;
  /**
   * `performance.now()` when the first content arrived: the same time base as the attempt's
   * `startedHr`, so `firstTokenHr - startedHr` is the time to first token (never a wall-clock time).
   */
  firstTokenHr: number;
}

/** Thrown before the commit point when the stream breaks; classified like any attempt failure. */
export class StreamFailure extends UpstreamNetworkError {
  constructor(
    message: string,
    readonly kind: "stream_cut" | "stream_error",
    readonly errorType: string | null,
    cause?: unknown,
  ) {
    super(message, kind, cause);
  }
}

/**
 * Reads a fresh upstream stream until its commit point: the first chunk with content, a finish
 * reason, or an explicit end. Role-only chunks before it are kept, malformed events skipped and
 * reported. Any failure here throws, so the attempt loop can fail over invisibly.
 */
export async function readToCommit(
  events: AsyncIterable<readonly StreamEvent[]>,
  onMalformed: () => void,
): Promise<CommittedStream> {
  const iterator = events[Symbol.asyncIterator]();
  const pending: StreamEvent[] = [];
  let finished = false;
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        if (finished) return { iterator, pending, ended: true, firstTokenHr: performance.now() };
        throw new StreamFailure("Upstream stream closed before any content", "stream_cut", null);
      }
      const batch = step.value;
      for (let index = 0; index < batch.length; index += 1) {
        const event = batch[index]!;
        switch (event.type) {
          case "chunk":
            pending.push(event);
            if (event.finishReason !== null) finished = true;
            if (event.content || finished) {
              for (let rest = index + 1; rest < batch.length; rest += 1) pending.push(batch[rest]!);
              return { iterator, pending, ended: false, firstTokenHr: performance.now() };
            }
            break;
          case "done":
            return { iterator, pending, ended: true, firstTokenHr: performance.now() };
          case "error":
            throw new StreamFailure(
              `Upstream stream error: ${event.message}`,
              "stream_error",
              event.errorType,
              event.payload,
            );
          case "malformed":
            onMalformed();
            break;
        }
      }
    }
  } catch (error) {
    iterator.return?.().catch(() => {});
    // Whatever breaks while reading the upstream's answer is the upstream's failure, even when it is
    // our decoder or mapper that throws on what it sent.
    if (error instanceof LlmuxError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StreamFailure(
      `Upstream stream broke before any content: ${message}`,
      "stream_cut",
      null,
      error,
    );
  }
}

/** Reports a skipped malformed event. */
export function malformedReporter(
  events: EngineEvents,
  deploymentId: string,
  requestId: string,
  now: () => number,
): () => void {
  return () => events.emit({ type: "malformed_chunk", deploymentId, requestId, at: now() });
}
