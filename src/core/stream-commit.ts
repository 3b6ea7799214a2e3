import { UpstreamNetworkError } from "../errors/index.js";
import type { StreamChunkEvent, StreamEvent } from "../types/index.js";
import type { EngineEvents } from "./events.js";

/** A stream that reached its commit point: the first content (or a clean end) has arrived. */
export interface CommittedStream {
  iterator: AsyncIterator<StreamEvent>;
  /** Chunks read before and including the commit chunk, in order. */
  buffered: StreamChunkEvent[];
  /** A finish reason was seen already. */
  finished: boolean;
  /** The upstream stream is over (nothing more to read). */
  ended: boolean;
  /** When the first content arrived. */
  firstTokenAt: number | null;
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
 * reason, or an explicit end. Role-only chunks before it are buffered, malformed events skipped and
 * reported. Any failure here throws, so the attempt loop can fail over invisibly.
 */
export async function readToCommit(
  events: AsyncIterable<StreamEvent>,
  now: () => number,
  onMalformed: () => void,
): Promise<CommittedStream> {
  const iterator = events[Symbol.asyncIterator]();
  const buffered: StreamChunkEvent[] = [];
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) {
        if (buffered.some((chunk) => chunk.finishReason !== null)) {
          return { iterator, buffered, finished: true, ended: true, firstTokenAt: now() };
        }
        throw new StreamFailure("Upstream stream closed before any content", "stream_cut", null);
      }
      const event = step.value;
      switch (event.type) {
        case "chunk":
          buffered.push(event);
          if (event.content || event.finishReason !== null) {
            return {
              iterator,
              buffered,
              finished: event.finishReason !== null,
              ended: false,
              firstTokenAt: now(),
            };
          }
          break;
        case "done":
          return { iterator, buffered, finished: true, ended: true, firstTokenAt: now() };
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
  } catch (error) {
    iterator.return?.().catch(() => {});
    throw error;
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
